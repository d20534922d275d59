"""Voxel arithmetic for the cursor: snap to a voxel centre, slice spacing, nudge steps. Pure numbers.

Matrices are 4x4 row-major nested sequences (as ``Geometry`` uses); points are (R, A, S) in millimetres.
"""

from __future__ import annotations

import math
from typing import Optional, Sequence

from .Geometry import Matrix4, Vector3, multiplyPoint

# One nudge step when there is no volume to take the spacing from (mm).
DEFAULT_STEP_MM = 1.0


def nearestVoxelIJK(worldToIJK: Matrix4, extent: Sequence[int], point: Sequence[float]) -> tuple[int, int, int]:
    """Return the index of the voxel whose centre is nearest to ``point`` (inside the image extent)."""
    x, y, z = point[0], point[1], point[2]
    r0, r1, r2 = worldToIJK[0], worldToIJK[1], worldToIJK[2]
    # Written out: this runs on every snapped sync.
    i = math.floor(r0[0] * x + r0[1] * y + r0[2] * z + r0[3] + 0.5)
    j = math.floor(r1[0] * x + r1[1] * y + r1[2] * z + r1[3] + 0.5)
    k = math.floor(r2[0] * x + r2[1] * y + r2[2] * z + r2[3] + 0.5)
    return (
        min(max(i, extent[0]), extent[1]),
        min(max(j, extent[2]), extent[3]),
        min(max(k, extent[4]), extent[5]),
    )


def snapToVoxelCentre(
    worldToIJK: Matrix4, ijkToWorld: Matrix4, extent: Sequence[int], point: Sequence[float]
) -> Vector3:
    """Return the world position of the voxel centre nearest to ``point`` (for any affine, oblique too)."""
    return multiplyPoint(ijkToWorld, nearestVoxelIJK(worldToIJK, extent, point))


def _column(matrix: Matrix4, k: int) -> Vector3:
    return (matrix[0][k], matrix[1][k], matrix[2][k])


def _inverse3(m: Sequence[Sequence[float]]) -> Optional[list[list[float]]]:
    """Return the inverse of a 3x3 matrix, or None if it is singular."""
    a, b, c = m[0][0], m[0][1], m[0][2]
    d, e, f = m[1][0], m[1][1], m[1][2]
    g, h, i = m[2][0], m[2][1], m[2][2]
    cofactors = [
        [e * i - f * h, c * h - b * i, b * f - c * e],
        [f * g - d * i, a * i - c * g, c * d - a * f],
        [d * h - e * g, b * g - a * h, a * e - b * d],
    ]
    determinant = a * cofactors[0][0] + b * cofactors[1][0] + c * cofactors[2][0]
    if not math.isfinite(determinant) or abs(determinant) < 1e-12:
        return None
    return [[v / determinant for v in row] for row in cofactors]


def _product3(a: Sequence[Sequence[float]], b: Sequence[Sequence[float]]) -> list[list[float]]:
    return [[sum(a[r][k] * b[k][c] for k in range(3)) for c in range(3)] for r in range(3)]


def _closestAxis(direction: Sequence[float]) -> int:
    """The IJK axis Slicer's slice logic pairs with a slice axis of IJK ``direction``; ties go as in Slicer."""
    i, j, k = (abs(c) for c in direction)
    if i > j:
        return 0 if i > k else 2
    return 1 if j > k else 2


def sliceSpacing(worldToIJK: Matrix4, sliceToRAS: Matrix4) -> Optional[Vector3]:
    """Return a volume's spacing along a view's x, y and z axes as vtkMRMLSliceLogic::GetVolumeSliceSpacing does.

    For each slice axis, the volume IJK axis closest in direction is taken, and its voxel step projected on
    that slice axis is the spacing (1, 1, 5 for a 1 x 1 x 5 mm volume seen axially). None if a matrix is singular.
    """
    sliceToIJK = _product3(worldToIJK, sliceToRAS)
    ijkToSlice = _inverse3(sliceToIJK)
    if ijkToSlice is None:
        return None
    spacing = []
    for axis in range(3):
        closest = _closestAxis([sliceToIJK[row][axis] for row in range(3)])
        spacing.append(abs(ijkToSlice[axis][closest]))
    return tuple(spacing)  # type: ignore[return-value]


def voxelNudgeOffset(
    worldToIJK: Matrix4, ijkToWorld: Matrix4, sliceToRAS: Matrix4, steps: Sequence[int]
) -> Optional[Vector3]:
    """Return the world displacement of ``steps`` whole voxels, each along the voxel axis closest to a view axis.

    A snapped cursor then goes from voxel centre to voxel centre, also in an oblique view, where a step along the
    view's own axis could round back to the voxel it started from. None if a matrix is singular.
    """
    sliceToIJK = _product3(worldToIJK, sliceToRAS)
    if _inverse3(sliceToIJK) is None:
        return None
    ijk = [0.0, 0.0, 0.0]
    for axis in range(3):
        if steps[axis]:
            direction = [sliceToIJK[row][axis] for row in range(3)]
            closest = _closestAxis(direction)
            ijk[closest] += steps[axis] * math.copysign(1.0, direction[closest])
    return tuple(  # type: ignore[return-value]
        ijkToWorld[row][0] * ijk[0] + ijkToWorld[row][1] * ijk[1] + ijkToWorld[row][2] * ijk[2] for row in range(3)
    )


def nudgeOffset(sliceToRAS: Matrix4, steps: Sequence[int], spacing: Sequence[float]) -> Vector3:
    """Return the RAS displacement of ``steps`` (x right, y up, z towards the viewer) of ``spacing`` each."""
    offset = [0.0, 0.0, 0.0]
    for axis in range(3):
        if not steps[axis]:
            continue
        direction = _column(sliceToRAS, axis)
        length = math.sqrt(sum(c * c for c in direction))
        if not math.isfinite(length) or length < 1e-12:
            raise ValueError("the view's SliceToRAS matrix has a degenerate axis")
        scale = steps[axis] * spacing[axis] / length
        for k in range(3):
            offset[k] += scale * direction[k]
    return (offset[0], offset[1], offset[2])
