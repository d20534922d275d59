"""Moving one target view through a point: its plan (normal, clamp range, keep-in-view matrices), cached between syncs.

A plan is what a view needs to be clamped and jumped, read from MRML once and reused while nothing it depends on
changed. It stays valid while the view's XYToRAS differs from the planned one only by a translation along the
view's normal (what every offset jump, SliceSync's or Slicer's, does), its composite node is not modified, and the
shown volume's geometry (IJK-to-world matrix and extent, with any parent transform) is the same. Anything else
(rotation, zoom, pan, resize, another volume shown, the volume moved or resampled) rebuilds it. Qt-free.
"""

from __future__ import annotations

import math
from typing import Optional

import slicer
import vtk

from . import Geometry
from .Status import (
    REASON_BAD_GEOMETRY,
    REASON_DEGENERATE,
    REASON_NO_IMAGE,
    REASON_NO_VOLUME,
    REASON_NONLINEAR,
    SyncResult,
)

# keepInView pans so the point stays at least this fraction of the view's size away from each edge.
KEEP_IN_VIEW_MARGIN = 0.05

# Volume geometries remembered between clicks (one entry per volume node, dropped all at once beyond this).
GEOMETRY_CACHE_SIZE = 64

# A plan survives a translation of the view along its normal; any other translation (a pan) beyond this rebuilds it.
PLAN_PAN_TOLERANCE_MM = 1e-9

GeometryAndReason = tuple[Optional[Geometry.VolumeGeometry], str]
# The geometries looked up during one sync, by volume node ID (a volume shown in many views is read once).
SyncVolumes = dict[str, GeometryAndReason]


def matrixRows(matrix: vtk.vtkMatrix4x4) -> list[tuple[float, ...]]:
    """Return the four rows of a vtkMatrix4x4 (one GetData() call, several times faster than 16 GetElement calls)."""
    d = matrix.GetData()
    return [d[0:4], d[4:8], d[8:12], d[12:16]]


def shownVolume(scene: slicer.vtkMRMLScene, sliceNode: slicer.vtkMRMLSliceNode) -> Optional[slicer.vtkMRMLVolumeNode]:
    """Return the view's background volume, else its foreground, else its label map."""
    composite = slicer.vtkMRMLSliceLogic.GetSliceCompositeNode(sliceNode)
    return _compositeVolume(scene, composite) if composite is not None else None


def _compositeVolume(
    scene: slicer.vtkMRMLScene, composite: slicer.vtkMRMLSliceCompositeNode
) -> Optional[slicer.vtkMRMLVolumeNode]:
    for volumeID in (
        composite.GetBackgroundVolumeID(),
        composite.GetForegroundVolumeID(),
        composite.GetLabelVolumeID(),
    ):
        if volumeID:
            volume = scene.GetNodeByID(volumeID)
            if isinstance(volume, slicer.vtkMRMLVolumeNode):
                return volume
    return None


class _Plan:
    """What moving one view needs, and what it was read from."""

    __slots__ = (
        "xyToRAS",
        "normal",
        "origin",
        "composite",
        "compositeMTime",
        "volume",
        "geometry",
        "low",
        "high",
        "toX",
        "toY",
        "dimensions",
    )

    def __init__(self) -> None:
        self.geometry: Optional[Geometry.VolumeGeometry] = None
        self.low = -math.inf
        self.high = math.inf


class ViewPlanner:
    """Clamps and jumps target views, keeping one plan per view between syncs."""

    def __init__(self, scene: slicer.vtkMRMLScene) -> None:
        self.scene = scene
        self._plans: dict[str, _Plan] = {}
        self._geometryCache: dict[str, tuple] = {}
        self.hits = 0
        self.misses = 0

    def forget(self, key: Optional[str] = None) -> None:
        """Drop the plan of one view (by slice node ID), or every plan and cached geometry."""
        if key is None:
            self._plans.clear()
            self._geometryCache.clear()
        else:
            self._plans.pop(key, None)

    # -- the plan ------------------------------------------------------------------------------------

    def _plan(self, sliceNode: slicer.vtkMRMLSliceNode) -> Optional[_Plan]:
        """Return the view's plan, reusing the cached one if it still holds (None: degenerate orientation)."""
        key = sliceNode.GetID()
        xyToRAS = sliceNode.GetXYToRAS().GetData()
        plan = self._plans.get(key)
        if plan is not None and plan.composite.GetMTime() == plan.compositeMTime:
            old = plan.xyToRAS
            if xyToRAS[0:3] == old[0:3] and xyToRAS[4:7] == old[4:7] and xyToRAS[8:11] == old[8:11]:
                d = (xyToRAS[3] - old[3], xyToRAS[7] - old[7], xyToRAS[11] - old[11])
                n = plan.normal
                along = d[0] * n[0] + d[1] * n[1] + d[2] * n[2]
                if (
                    abs(d[0] - along * n[0]) <= PLAN_PAN_TOLERANCE_MM
                    and abs(d[1] - along * n[1]) <= PLAN_PAN_TOLERANCE_MM
                    and abs(d[2] - along * n[2]) <= PLAN_PAN_TOLERANCE_MM
                ):
                    if along:
                        o = plan.origin
                        plan.origin = (o[0] + d[0], o[1] + d[1], o[2] + d[2])
                        plan.xyToRAS = xyToRAS
                    self.hits += 1
                    return plan
        self.misses += 1
        self._plans.pop(key, None)
        try:
            normal, origin = Geometry.planeNormalAndOrigin(matrixRows(sliceNode.GetSliceToRAS()))
        except ValueError:
            return None
        plan = _Plan()
        plan.xyToRAS = xyToRAS
        plan.normal = normal
        plan.origin = origin
        plan.volume = None
        plan.composite = slicer.vtkMRMLSliceLogic.GetSliceCompositeNode(sliceNode)
        if plan.composite is not None:
            plan.compositeMTime = plan.composite.GetMTime()
            plan.volume = _compositeVolume(self.scene, plan.composite)
        plan.dimensions = sliceNode.GetDimensions()
        plan.toX = plan.toY = None
        inverse = vtk.vtkMatrix4x4()
        inverse.DeepCopy(xyToRAS)
        if inverse.Determinant() != 0.0:
            inverse.Invert()
            rows = inverse.GetData()
            plan.toX, plan.toY = rows[0:4], rows[4:8]
        if plan.composite is not None:
            self._plans[key] = plan
        return plan

    def _clampRange(self, plan: _Plan, volumes: SyncVolumes) -> GeometryAndReason:
        """Return the shown volume's geometry for this sync, updating the plan's clamp range if it changed."""
        if plan.volume is None:
            return None, REASON_NO_VOLUME
        geometry, reason = self.volumeGeometry(plan.volume, volumes)
        if geometry is not None and geometry is not plan.geometry:
            plan.low, plan.high = Geometry.boxRangeAlongNormal(geometry.box, plan.normal)
            plan.geometry = geometry
        return geometry, reason

    # -- moving a view -------------------------------------------------------------------------------

    def move(
        self,
        sliceNode: slicer.vtkMRMLSliceNode,
        name: str,
        point: Geometry.Vector3,
        result: SyncResult,
        volumes: SyncVolumes,
        checkInside: bool,
        jumpMode: str,
        clampMode: str,
    ) -> None:
        """Clamp ``point`` to the view's volume as ``clampMode`` says, then jump the view; record it in ``result``."""
        plan = self._plan(sliceNode)
        if plan is None:
            result.notMoved[name] = REASON_DEGENERATE
            return
        target = point
        if clampMode == "clamp":
            geometry, reason = self._clampRange(plan, volumes)
            if geometry is None:
                result.notClamped[name] = reason
            else:
                n = plan.normal
                d = point[0] * n[0] + point[1] * n[1] + point[2] * n[2]
                shift = min(max(d, plan.low), plan.high) - d
                if shift:
                    target = (point[0] + shift * n[0], point[1] + shift * n[1], point[2] + shift * n[2])
                    result.clampedNames.append(name)
        elif checkInside:
            geometry, reason = self._clampRange(plan, volumes)
            if geometry is None:
                result.notClamped[name] = reason
            elif not Geometry.isInsideImage(geometry.worldToIJK, geometry.extent, point):
                result.outsideNames.append(name)
                return
        if self._jump(sliceNode, plan, target, jumpMode):
            result.movedNames.append(name)

    def _jump(self, sliceNode: slicer.vtkMRMLSliceNode, plan: _Plan, point: Geometry.Vector3, jumpMode: str) -> bool:
        """Move one view through ``point`` with ``jumpMode``; return True if it moved."""
        origin = plan.origin
        if jumpMode == "centered":
            centered = all(abs(point[k] - origin[k]) <= Geometry.PLANE_TOLERANCE_MM for k in range(3))
            if centered and not any(sliceNode.GetXYZOrigin()):
                return False
            wasModifying = sliceNode.StartModify()
            sliceNode.JumpSliceByCentering(*point)
            sliceNode.EndModify(wasModifying)
            return True
        offsetNeeded = abs(Geometry.signedDistanceToPlane(point, plan.normal, origin)) > Geometry.PLANE_TOLERANCE_MM
        shift = self._keepInViewShift(plan, point) if jumpMode == "keepInView" else None
        if not offsetNeeded and shift is None:
            return False
        wasModifying = sliceNode.StartModify()
        try:
            if offsetNeeded:
                sliceNode.JumpSliceByOffsetting(*point)
            if shift is not None:
                sliceToRAS = sliceNode.GetSliceToRAS()
                for row in range(3):
                    sliceToRAS.SetElement(row, 3, sliceToRAS.GetElement(row, 3) + shift[row])
                sliceNode.UpdateMatrices()
        finally:
            sliceNode.EndModify(wasModifying)
        return True

    @staticmethod
    def _keepInViewShift(plan: _Plan, point: Geometry.Vector3) -> Optional[Geometry.Vector3]:
        """The in-plane shift that brings ``point`` back inside the view's margins (None: no pan needed).

        The planned RAS-to-XY rows give the point's pixel position after any offset jump: an offset moves the view
        along its normal, which changes only the point's z in XY.
        """
        toX, toY, dimensions = plan.toX, plan.toY, plan.dimensions
        if toX is None or dimensions[0] <= 0 or dimensions[1] <= 0:
            return None
        x = toX[0] * point[0] + toX[1] * point[1] + toX[2] * point[2] + toX[3]
        y = toY[0] * point[0] + toY[1] * point[1] + toY[2] * point[2] + toY[3]
        mx = KEEP_IN_VIEW_MARGIN * dimensions[0]
        my = KEEP_IN_VIEW_MARGIN * dimensions[1]
        dx = x - min(max(x, mx), dimensions[0] - mx)
        dy = y - min(max(y, my), dimensions[1] - my)
        if dx == 0.0 and dy == 0.0:
            return None
        m = plan.xyToRAS
        return (m[0] * dx + m[1] * dy, m[4] * dx + m[5] * dy, m[8] * dx + m[9] * dy)

    # -- volumes -------------------------------------------------------------------------------------

    def shownGeometry(self, sliceNode: slicer.vtkMRMLSliceNode, volumes: SyncVolumes) -> GeometryAndReason:
        """Return (geometry, "") of the volume a view shows, or (None, why not)."""
        volume = shownVolume(self.scene, sliceNode)
        if volume is None:
            return None, REASON_NO_VOLUME
        return self.volumeGeometry(volume, volumes)

    def volumeGeometry(self, volume: slicer.vtkMRMLVolumeNode, volumes: SyncVolumes) -> GeometryAndReason:
        """Return a volume's geometry, read once per sync (``volumes``) and rebuilt only when it changed."""
        key = volume.GetID()
        known = volumes.get(key)
        if known is None:
            known = volumes[key] = self._computeVolumeGeometry(volume)
        return known

    def _computeVolumeGeometry(self, volume: slicer.vtkMRMLVolumeNode) -> GeometryAndReason:
        image = volume.GetImageData()
        if image is None:
            return None, REASON_NO_IMAGE
        extent = image.GetExtent()
        ijkToWorld = vtk.vtkMatrix4x4()
        volume.GetIJKToRASMatrix(ijkToWorld)
        parent = volume.GetParentTransformNode()
        if parent is not None:
            if not parent.IsTransformToWorldLinear():
                return None, REASON_NONLINEAR
            toWorld = vtk.vtkMatrix4x4()
            parent.GetMatrixTransformToWorld(toWorld)
            vtk.vtkMatrix4x4.Multiply4x4(toWorld, ijkToWorld, ijkToWorld)
        # The geometry is a pure function of (IJK-to-world, extent): the same object is reused while both are unchanged.
        ijkToWorldData = ijkToWorld.GetData()
        cached = self._geometryCache.get(volume.GetID())
        if cached is not None and cached[0] == ijkToWorldData and cached[1] == extent:
            return cached[2]
        if not Geometry.isFiniteMatrix(ijkToWorldData) or abs(ijkToWorld.Determinant()) < 1e-12:
            return None, REASON_BAD_GEOMETRY
        box = Geometry.volumeBoxFromIJKToWorld(matrixRows(ijkToWorld), extent)
        if box is None:
            return None, REASON_NO_IMAGE
        worldToIJK = vtk.vtkMatrix4x4()
        vtk.vtkMatrix4x4.Invert(ijkToWorld, worldToIJK)
        geometry = Geometry.VolumeGeometry(box, matrixRows(worldToIJK), extent, matrixRows(ijkToWorld)), ""
        if len(self._geometryCache) >= GEOMETRY_CACHE_SIZE:
            self._geometryCache.clear()
        self._geometryCache[volume.GetID()] = (ijkToWorldData, extent, geometry)
        return geometry
