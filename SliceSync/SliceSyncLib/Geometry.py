"""Pure geometry for SliceSync: numbers in, numbers out, no MRML state.

Points and vectors are 3-sequences of floats in RAS millimetres; matrices are 4x4 nested sequences
(row major), as returned by ``matrixToRows``. Plain Python floats are used on purpose: the inputs are a
handful of numbers per click and NumPy's per-call overhead would dominate.
"""

from __future__ import annotations

import math
from typing import NamedTuple, Optional, Sequence

Vector3 = tuple[float, float, float]
Matrix4 = Sequence[Sequence[float]]

# A plane "contains" a point when the point is closer to it than this (millimetres).
PLANE_TOLERANCE_MM = 1e-6


class VolumeBox(NamedTuple):
    """A volume's voxel-centre box in world RAS: its centre and three half-axes."""

    center: Vector3
    halfAxes: tuple[Vector3, Vector3, Vector3]


class VolumeGeometry(NamedTuple):
    """What clamping, the inside test and snapping need of a volume: box, world-to-IJK rows, extent, IJK-to-world."""

    box: VolumeBox
    worldToIJK: Matrix4
    extent: Sequence[int]
    ijkToWorld: Optional[Matrix4] = None


def dot(a: Sequence[float], b: Sequence[float]) -> float:
    """Return the dot product of two 3-vectors."""
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def isFinitePoint(point: Sequence[float]) -> bool:
    """Return True if ``point`` has exactly three finite coordinates."""
    return len(point) == 3 and all(math.isfinite(float(c)) for c in point)


def planeNormalAndOrigin(sliceToRAS: Matrix4) -> tuple[Vector3, Vector3]:
    """Return the unit normal (third column) and origin (translation) of a SliceToRAS matrix."""
    n = (sliceToRAS[0][2], sliceToRAS[1][2], sliceToRAS[2][2])
    length = math.sqrt(dot(n, n))
    if not math.isfinite(length) or length < 1e-12:
        raise ValueError("the slice's SliceToRAS matrix has no valid normal")
    origin = (sliceToRAS[0][3], sliceToRAS[1][3], sliceToRAS[2][3])
    if not isFinitePoint(origin):
        raise ValueError("the slice's SliceToRAS matrix has no valid origin")
    return (n[0] / length, n[1] / length, n[2] / length), origin


def isFiniteMatrix(elements: Sequence[float]) -> bool:
    """Return True if every element of a flat matrix is finite."""
    return all(math.isfinite(v) for v in elements)


def signedDistanceToPlane(point: Sequence[float], normal: Vector3, origin: Vector3) -> float:
    """Return the signed distance from ``point`` to the plane through ``origin`` with unit ``normal``."""
    return dot(normal, (point[0] - origin[0], point[1] - origin[1], point[2] - origin[2]))


def volumeBoxFromIJKToWorld(ijkToWorld: Matrix4, extent: Sequence[int]) -> Optional[VolumeBox]:
    """Return the voxel-centre box of an image extent under an affine IJK-to-world matrix (None if empty)."""
    if extent[1] < extent[0] or extent[3] < extent[2] or extent[5] < extent[4]:
        return None
    centerIJK = [(extent[2 * k] + extent[2 * k + 1]) / 2.0 for k in range(3)]
    halfCounts = [(extent[2 * k + 1] - extent[2 * k]) / 2.0 for k in range(3)]
    center = tuple(sum(ijkToWorld[row][k] * centerIJK[k] for k in range(3)) + ijkToWorld[row][3] for row in range(3))
    halfAxes = tuple(
        (ijkToWorld[0][k] * halfCounts[k], ijkToWorld[1][k] * halfCounts[k], ijkToWorld[2][k] * halfCounts[k])
        for k in range(3)
    )
    return VolumeBox(center, halfAxes)  # type: ignore[arg-type]


def boxRangeAlongNormal(box: VolumeBox, normal: Vector3) -> tuple[float, float]:
    """Return the smallest and largest value of ``normal . x`` over the box."""
    middle = dot(box.center, normal)
    reach = sum(abs(dot(axis, normal)) for axis in box.halfAxes)
    return middle - reach, middle + reach


def clampAlongNormal(point: Sequence[float], normal: Vector3, low: float, high: float) -> Vector3:
    """Move ``point`` along ``normal`` just enough that ``normal . point`` lies in [low, high]."""
    d = dot(point, normal)
    shift = min(max(d, low), high) - d
    return (point[0] + shift * normal[0], point[1] + shift * normal[1], point[2] + shift * normal[2])


def isInsideImage(worldToIJK: Matrix4, extent: Sequence[int], point: Sequence[float]) -> bool:
    """Return True if ``point`` falls in a voxel of the image (voxel centres grown by half a voxel)."""
    ijk = multiplyPoint(worldToIJK, point)
    slack = 0.5 + 1e-6
    return all(extent[2 * k] - slack <= ijk[k] <= extent[2 * k + 1] + slack for k in range(3))


def multiplyPoint(matrix: Matrix4, point: Sequence[float]) -> Vector3:
    """Apply an affine 4x4 matrix to a 3D point."""
    return tuple(  # type: ignore[return-value]
        matrix[row][0] * point[0] + matrix[row][1] * point[1] + matrix[row][2] * point[2] + matrix[row][3]
        for row in range(3)
    )


def keepInViewShift(
    rasToXY: Matrix4,
    xyToRAS: Matrix4,
    point: Sequence[float],
    viewSize: Sequence[int],
    marginFraction: float,
) -> Optional[Vector3]:
    """Return the in-plane RAS shift of the slice origin that brings ``point`` back into the view.

    None when the point already lies inside the view shrunk by ``marginFraction`` of its size on each side.
    The shift is the smallest one that puts the point on that inner rectangle, so pan is kept when possible.
    """
    xy = multiplyPoint(rasToXY, point)
    delta = []
    for k in range(2):
        margin = marginFraction * viewSize[k]
        target = min(max(xy[k], margin), viewSize[k] - margin)
        delta.append(xy[k] - target)
    if delta[0] == 0.0 and delta[1] == 0.0:
        return None
    return tuple(xyToRAS[row][0] * delta[0] + xyToRAS[row][1] * delta[1] for row in range(3))  # type: ignore[return-value]
