"""Nudge steps: where whole steps along a view's x (right), y (up) and z (towards the viewer) take a point. Qt-free.

A step is the view's prescribed spacing, else the spacing Slicer's slice logic computes for the volume the view
steps on (the reference volume, else the one it shows). With snap on, a step is one whole voxel along the voxel
axis closest to the view's axis, so a snapped cursor goes from voxel centre to voxel centre.
"""

from __future__ import annotations

from typing import Callable, Optional, Sequence

import slicer

from . import Geometry, Voxels
from .ViewPlan import ViewPlanner, matrixRows, shownVolume

# Key actions that nudge, and their (x, y, z) steps in the view's own axes.
NUDGE_ACTIONS = {
    "nudgeRight": (1, 0, 0),
    "nudgeLeft": (-1, 0, 0),
    "nudgeUp": (0, 1, 0),
    "nudgeDown": (0, -1, 0),
    "nudgeForward": (0, 0, 1),
    "nudgeBackward": (0, 0, -1),
}


def viewCentre(sliceNode: slicer.vtkMRMLSliceNode) -> Geometry.Vector3:
    """Return the world point at the centre of a view's slice (where a nudge starts before any sync)."""
    width, height, _ = sliceNode.GetDimensions()
    centre = sliceNode.GetXYToRAS().MultiplyPoint((width / 2.0, height / 2.0, 0.0, 1.0))
    return (centre[0], centre[1], centre[2])


def _isPrescribed(sliceNode: slicer.vtkMRMLSliceNode) -> bool:
    return sliceNode.GetSliceSpacingMode() == slicer.vtkMRMLSliceNode.PrescribedSliceSpacingMode


class NudgeSteps:
    """Measures nudge steps in a view, on the reference volume (asked each time) or the volume the view shows."""

    def __init__(
        self,
        scene: slicer.vtkMRMLScene,
        planner: ViewPlanner,
        referenceVolume: Callable[[], Optional[slicer.vtkMRMLVolumeNode]],
    ) -> None:
        self._scene = scene
        self._planner = planner
        self._referenceVolume = referenceVolume

    def spacing(self, sliceNode: slicer.vtkMRMLSliceNode) -> Geometry.Vector3:
        """Return one step (mm) along the view's x, y and z, as Slicer's slice logic computes the spacing."""
        return self._spacing(sliceNode, matrixRows(sliceNode.GetSliceToRAS()))

    def moved(
        self, sliceNode: slicer.vtkMRMLSliceNode, start: Geometry.Vector3, steps: Sequence[int], snapToVoxel: bool
    ) -> Geometry.Vector3:
        """Return ``start`` moved by whole ``steps`` in the view; ValueError if the view's axes are degenerate."""
        sliceToRAS = matrixRows(sliceNode.GetSliceToRAS())
        whole = [int(k) for k in steps]
        offset = self._voxelOffset(sliceNode, sliceToRAS, whole) if snapToVoxel else None
        if offset is None:
            offset = Voxels.nudgeOffset(sliceToRAS, whole, self._spacing(sliceNode, sliceToRAS))
        return (start[0] + offset[0], start[1] + offset[1], start[2] + offset[2])

    def _geometry(self, sliceNode: slicer.vtkMRMLSliceNode) -> Optional[Geometry.VolumeGeometry]:
        """The geometry of the volume a nudge in this view steps on: the reference volume, else the one it shows."""
        volume = self._referenceVolume() or shownVolume(self._scene, sliceNode)
        return self._planner.volumeGeometry(volume, {})[0] if volume is not None else None

    def _voxelOffset(
        self, sliceNode: slicer.vtkMRMLSliceNode, sliceToRAS: Geometry.Matrix4, steps: Sequence[int]
    ) -> Optional[Geometry.Vector3]:
        """Whole voxels along the voxel axes closest to the view's axes (None: step in mm instead)."""
        if _isPrescribed(sliceNode):
            return None
        geometry = self._geometry(sliceNode)
        if geometry is None or geometry.ijkToWorld is None:
            return None
        return Voxels.voxelNudgeOffset(geometry.worldToIJK, geometry.ijkToWorld, sliceToRAS, steps)

    def _spacing(self, sliceNode: slicer.vtkMRMLSliceNode, sliceToRAS: Geometry.Matrix4) -> Geometry.Vector3:
        """One step along the view's axes: its prescribed spacing, else the volume's as Slicer computes it."""
        if _isPrescribed(sliceNode):
            prescribed = tuple(float(v) for v in sliceNode.GetPrescribedSliceSpacing())
            if Geometry.isFinitePoint(prescribed) and all(v > 0 for v in prescribed):
                return prescribed  # type: ignore[return-value]
        default = (Voxels.DEFAULT_STEP_MM,) * 3
        geometry = self._geometry(sliceNode)
        spacing = Voxels.sliceSpacing(geometry.worldToIJK, sliceToRAS) if geometry is not None else None
        if spacing is None or not Geometry.isFinitePoint(spacing) or min(spacing) <= 0:
            return default  # type: ignore[return-value]
        return spacing
