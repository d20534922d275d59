"""Snap to voxel: a synced point moves to the nearest voxel centre of the reference volume. Qt-free.

The volume snapped on is the reference volume, else the one the clicked view shows. A volume shown only in a
mapped view group has its voxels in that group's space: the point is snapped there and mapped back to world.
"""

from __future__ import annotations

from typing import Callable, Optional, Sequence

import slicer

from . import Geometry, Voxels
from .GroupMapping import GroupMapping
from .Status import REASON_NO_INVERSE, SyncResult
from .ViewPlan import ViewPlanner, shownVolume

# fromWorld(world, sliceNode, name, result): the world point in a view's space (None: result says why).
FromWorldCallback = Callable[[Geometry.Vector3, slicer.vtkMRMLSliceNode, str, SyncResult], Optional[Geometry.Vector3]]


class VoxelSnap:
    """Holds the reference volume and snaps world points to its voxel centres (or the clicked view's volume's)."""

    def __init__(
        self,
        scene: slicer.vtkMRMLScene,
        planner: ViewPlanner,
        groupMapping: GroupMapping,
        views: Callable[[], Sequence[slicer.vtkMRMLSliceNode]],
        fromWorld: FromWorldCallback,
    ) -> None:
        self._scene = scene
        self._planner = planner
        self._groupMapping = groupMapping
        self._views = views
        self._fromWorld = fromWorld
        self._referenceVolume: Optional[slicer.vtkMRMLVolumeNode] = None

    def setReferenceVolume(self, volumeNode: Optional[slicer.vtkMRMLVolumeNode]) -> None:
        """Snap on this volume's voxels (None: the volume shown in the clicked view); the caller checks it."""
        self._referenceVolume = volumeNode

    def liveReference(self, result: Optional[SyncResult]) -> Optional[slicer.vtkMRMLVolumeNode]:
        """Return the reference volume if it is still in the scene; one removed is forgotten (``result`` says so)."""
        volume = self._referenceVolume
        if volume is None:
            return None
        if volume.GetScene() is self._scene and self._scene.GetNodeByID(volume.GetID()) is volume:
            return volume
        self._referenceVolume = None
        if result is not None:
            result.notes.append(f"reference volume {volume.GetName()} was removed: using the clicked view's volume")
        return None

    def snap(
        self, world: Geometry.Vector3, source: Optional[slicer.vtkMRMLSliceNode], result: SyncResult
    ) -> tuple[Geometry.Vector3, bool]:
        """Return (the voxel centre ``world`` snaps to, True if it left the clicked view's slice); notes say why."""
        plane = self._planner.viewPlane(source) if source is not None else None
        volume = self._volume(source, plane, result)
        if volume is None:
            return world, False
        # Geometry read once and reused while the volume, its image and its transform to world are unchanged.
        geometry, reason = self._planner.volumeGeometry(volume, {})
        if geometry is None or geometry.ijkToWorld is None:
            result.notes.append(f"not snapped: {reason or 'no voxel grid'} ({volume.GetName()})")
            return world, False
        group = self._mappedGroupShowing(volume)
        local = world if group is None else self._groupMapping.fromWorld(group, world)
        if local is None:
            result.notes.append(f"not snapped: {REASON_NO_INVERSE} ({volume.GetName()})")
            return world, False
        ijk = Voxels.nearestVoxelIJK(geometry.worldToIJK, geometry.extent, local)
        m0, m1, m2 = geometry.ijkToWorld[0], geometry.ijkToWorld[1], geometry.ijkToWorld[2]
        i, j, k = ijk
        snapped = (
            m0[0] * i + m0[1] * j + m0[2] * k + m0[3],
            m1[0] * i + m1[1] * j + m1[2] * k + m1[3],
            m2[0] * i + m2[1] * j + m2[2] * k + m2[3],
        )
        if group is not None:
            # The volume's voxels lie in its mapped group's space: the snapped point goes back through the mapping.
            snapped = self._groupMapping.toWorld(group, snapped)
            if snapped is None:
                result.notes.append(f"not snapped: {REASON_NO_INVERSE} ({volume.GetName()})")
                return world, False
        result.notes.append(f"snapped to voxel ({ijk[0]}, {ijk[1]}, {ijk[2]}) of {volume.GetName()}")
        offPlane = plane is not None and snapped != world and self._offPlane(source, snapped, plane, result)
        return snapped, offPlane

    def _volume(
        self, source: Optional[slicer.vtkMRMLSliceNode], plane: Optional[tuple], result: SyncResult
    ) -> Optional[slicer.vtkMRMLVolumeNode]:
        volume = self.liveReference(result)
        if volume is not None:
            return volume
        if source is None:
            result.notes.append("not snapped: no reference volume and no clicked view")
            return None
        # The source's plan knows the volume it shows (rebuilt when its composite node changes).
        volume = plane[2] if plane is not None else shownVolume(self._scene, source)
        if volume is None:
            result.notes.append(f"not snapped: no volume shown in {result.sourceName}")
        return volume

    def _mappedGroupShowing(self, volume: slicer.vtkMRMLVolumeNode) -> Optional[int]:
        """Return the mapped view group whose views show ``volume`` (None if a world-space view shows it, or none)."""
        groups = self._groupMapping.mappedGroups()
        if not groups:
            return None
        found = None
        for sliceNode in self._views():
            if shownVolume(self._scene, sliceNode) is volume:
                group = sliceNode.GetViewGroup()
                if group not in groups:
                    return None
                found = group if found is None else min(found, group)
        return found

    def _offPlane(
        self, sliceNode: slicer.vtkMRMLSliceNode, world: Geometry.Vector3, plane: tuple, result: SyncResult
    ) -> bool:
        """Return True if ``world`` is off the clicked view's slice ``plane`` (its planned normal and origin)."""
        point = world
        if self._groupMapping.isMapped(sliceNode.GetViewGroup()):
            point = self._fromWorld(world, sliceNode, result.sourceName or "", result)
            if point is None:
                return False
        return abs(Geometry.signedDistanceToPlane(point, plane[0], plane[1])) > Geometry.PLANE_TOLERANCE_MM
