"""Moving one target view through a point: its plan (normal, clamp range, keep-in-view matrices), cached between syncs.

A plan is what a view needs to be clamped and jumped, read from MRML once and reused while nothing it depends on
changed. It stays valid while the view's XYToRAS differs from the planned one only by a translation along the
view's normal (what every offset jump, SliceSync's or Slicer's, does), its composite node is not modified, and the
shown volume's geometry (IJK-to-world matrix and extent, with any parent transform) is the same. Anything else
(rotation, zoom, pan, resize, another volume shown, the volume moved or resampled) rebuilds it. After its own offset
jump the planner knows where the view went, so the next sync finds the plan valid from the node's modified time
alone; any other modification falls back to reading XYToRAS.

A sync first decides every target's jump (Python), then runs all the jumps back to back (``runJumps``): keeping
the Python apart from Slicer's modified-event cascades measurably cuts the cost per target view. Qt-free.
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
        "mtime",
        "unitNormal",
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
        self._geometryStamps: dict[str, tuple] = {}
        # Jumps decided for the current sync, run by runJumps:
        # (result, node, name, plan, point or None, offset along the normal, in-plane shift or None, centered).
        self._jumps: list[tuple] = []
        self.hits = 0
        self.misses = 0

    def forget(self, key: Optional[str] = None) -> None:
        """Drop the plan of one view (by slice node ID), or every plan and cached geometry."""
        if key is None:
            self._plans.clear()
            self._geometryCache.clear()
            self._geometryStamps.clear()
        else:
            self._plans.pop(key, None)

    # -- the plan ------------------------------------------------------------------------------------

    def _plan(self, sliceNode: slicer.vtkMRMLSliceNode) -> Optional[_Plan]:
        """Return the view's plan, reusing the cached one if it still holds (None: degenerate orientation)."""
        key = sliceNode.GetID()
        plan = self._plans.get(key)
        xyToRAS = None
        if plan is not None and plan.composite.GetMTime() == plan.compositeMTime:
            mtime = sliceNode.GetMTime()
            if mtime == plan.mtime:
                self.hits += 1
                return plan
            xyToRAS = sliceNode.GetXYToRAS().GetData()
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
                    o = plan.origin
                    plan.origin = (o[0] + d[0], o[1] + d[1], o[2] + d[2])
                    plan.xyToRAS = xyToRAS
                    plan.mtime = mtime
                    self.hits += 1
                    return plan
        self.misses += 1
        self._plans.pop(key, None)
        if xyToRAS is None:
            xyToRAS = sliceNode.GetXYToRAS().GetData()
        sliceToRAS = matrixRows(sliceNode.GetSliceToRAS())
        try:
            normal, origin = Geometry.planeNormalAndOrigin(sliceToRAS)
        except ValueError:
            return None
        plan = _Plan()
        plan.xyToRAS = xyToRAS
        plan.mtime = sliceNode.GetMTime()
        # Slicer offsets along the SliceToRAS column as it is: the planner can follow its own jumps only for a unit one.
        column = (sliceToRAS[0][2], sliceToRAS[1][2], sliceToRAS[2][2])
        plan.unitNormal = abs(Geometry.dot(column, column) - 1.0) <= 1e-12
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

    def viewPlane(
        self, sliceNode: slicer.vtkMRMLSliceNode
    ) -> Optional[tuple[Geometry.Vector3, Geometry.Vector3, Optional[slicer.vtkMRMLVolumeNode]]]:
        """Return a view's (unit normal, plane origin, shown volume) from its plan (None: degenerate orientation)."""
        plan = self._plan(sliceNode)
        return None if plan is None else (plan.normal, plan.origin, plan.volume)

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

    def decide(
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
        """Clamp ``point`` as ``clampMode`` says and queue the view's jump: ``runJumps(result)`` runs a sync's jumps."""
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
        self._decideJump(result, sliceNode, name, plan, target, jumpMode)

    def _decideJump(
        self,
        result: SyncResult,
        sliceNode: slicer.vtkMRMLSliceNode,
        name: str,
        plan: _Plan,
        point: Geometry.Vector3,
        jumpMode: str,
    ) -> None:
        """Queue the jump that moves one view through ``point`` with ``jumpMode``, if it needs one."""
        jumps = self._jumps
        if jumps and jumps[0][0] is not result:
            jumps.clear()  # left over from a sync that raised before running its jumps
        origin = plan.origin
        if jumpMode == "centered":
            centered = all(abs(point[k] - origin[k]) <= Geometry.PLANE_TOLERANCE_MM for k in range(3))
            if not (centered and not any(sliceNode.GetXYZOrigin())):
                jumps.append((result, sliceNode, name, plan, point, 0.0, None, True))
            return
        n = plan.normal
        along = (point[0] - origin[0]) * n[0] + (point[1] - origin[1]) * n[1] + (point[2] - origin[2]) * n[2]
        offsetNeeded = abs(along) > Geometry.PLANE_TOLERANCE_MM
        shift = self._keepInViewShift(plan, point) if jumpMode == "keepInView" else None
        if offsetNeeded or shift is not None:
            jumps.append((result, sliceNode, name, plan, point if offsetNeeded else None, along, shift, False))

    def runJumps(self, result: SyncResult) -> None:
        """Run the jumps decided for ``result``, back to back, one ModifiedEvent per view; record the moved views."""
        jumps, self._jumps = self._jumps, []
        jumps = [jump for jump in jumps if jump[0] is result]
        for _, sliceNode, _, _, point, _, shift, centered in jumps:
            wasModifying = sliceNode.StartModify()
            try:
                if centered:
                    sliceNode.JumpSliceByCentering(*point)
                else:
                    if point is not None:
                        sliceNode.JumpSliceByOffsetting(*point)
                    if shift is not None:
                        sliceToRAS = sliceNode.GetSliceToRAS()
                        for row in range(3):
                            sliceToRAS.SetElement(row, 3, sliceToRAS.GetElement(row, 3) + shift[row])
                        sliceNode.UpdateMatrices()
            finally:
                sliceNode.EndModify(wasModifying)
        plans = self._plans
        for _, sliceNode, name, plan, point, along, shift, centered in jumps:
            result.movedNames.append(name)
            if point is None or shift is not None or centered or not plan.unitNormal:
                plans.pop(sliceNode.GetID(), None)  # moved in its plane: plan it again next time
                continue
            # An offset jump moved the view by ``along`` on its normal: the plan follows, stamped with the new time.
            n, o, m = plan.normal, plan.origin, plan.xyToRAS
            dx, dy, dz = along * n[0], along * n[1], along * n[2]
            plan.origin = (o[0] + dx, o[1] + dy, o[2] + dz)
            plan.xyToRAS = m[0:3] + (m[3] + dx,) + m[4:7] + (m[7] + dy,) + m[8:11] + (m[11] + dz,) + m[12:16]
            plan.mtime = sliceNode.GetMTime()

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
        parent = volume.GetParentTransformNode()
        # Nothing the geometry depends on changed if these modified times did not: skip reading the matrices.
        stamp = (
            volume.GetMTime(),
            image.GetMTime() if image is not None else None,
            parent.GetID() if parent is not None else None,
            parent.GetTransformToWorldMTime() if parent is not None else None,
        )
        key = volume.GetID()
        known = self._geometryStamps.get(key)
        if known is not None and known[0] == stamp:
            return known[1]
        if len(self._geometryStamps) >= GEOMETRY_CACHE_SIZE:
            self._geometryStamps.clear()
        geometry = self._readVolumeGeometry(volume, image, parent)
        self._geometryStamps[key] = (stamp, geometry)
        return geometry

    def _readVolumeGeometry(
        self,
        volume: slicer.vtkMRMLVolumeNode,
        image: Optional[vtk.vtkImageData],
        parent: Optional[slicer.vtkMRMLTransformNode],
    ) -> GeometryAndReason:
        if image is None:
            return None, REASON_NO_IMAGE
        extent = image.GetExtent()
        ijkToWorld = vtk.vtkMatrix4x4()
        volume.GetIJKToRASMatrix(ijkToWorld)
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
