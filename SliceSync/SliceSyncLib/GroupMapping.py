"""View groups mapped through transforms: which space each view group shows, and which groups move together.

A view group mapped to a transform node T shows data in the space that T maps to world (a registration result
not applied to the moving volume). A point q of that group is T(q) in world; a world point p is T⁻¹(p) there.
Slicer's own vtkMRMLTransformNode does the mathematics (linear, B-spline, grid and composite transforms, and
their inverses). Linear mappings use cached 4x4 matrices; every cache is dropped when the node's transform
changes, so the next point always uses the current transform.
"""

from __future__ import annotations

import math
from typing import Iterable, Optional

import slicer
import vtk

from . import Geometry

# Slicer's view groups as the layout and the view controllers offer them.
VIEW_GROUP_COUNT = 10
# Group 0 shows world coordinates; by default it moves together with every mapped group.
WORLD_VIEW_GROUP = 0
# A non-linear mapping of a point is trusted only if mapping the result back lands this close to the point.
ROUND_TRIP_TOLERANCE_MM = 0.01

TRANSFORM_MODIFIED_EVENT = slicer.vtkMRMLTransformableNode.TransformModifiedEvent


def checkViewGroup(viewGroup: object, what: str) -> int:
    """Return ``viewGroup`` if it is an integer from 0 to 9, else raise ValueError."""
    if isinstance(viewGroup, bool) or not isinstance(viewGroup, int) or not 0 <= viewGroup < VIEW_GROUP_COUNT:
        raise ValueError(f"{what} needs a view group from 0 to {VIEW_GROUP_COUNT - 1}, got {viewGroup!r}")
    return viewGroup


def _rows12(matrix: vtk.vtkMatrix4x4) -> Optional[tuple[float, ...]]:
    """The top three rows of an affine matrix, flat; None if the matrix is singular or not finite."""
    d = matrix.GetData()
    if not Geometry.isFiniteMatrix(d) or abs(matrix.Determinant()) < 1e-12:
        return None
    return tuple(d[0:12])


def _apply(m: tuple[float, ...], p: Geometry.Vector3) -> Geometry.Vector3:
    x, y, z = p
    return (
        m[0] * x + m[1] * y + m[2] * z + m[3],
        m[4] * x + m[5] * y + m[6] * z + m[7],
        m[8] * x + m[9] * y + m[10] * z + m[11],
    )


class _Mapping:
    """One view group's transform node, its observer and what is cached of it until the transform changes."""

    def __init__(self, node: slicer.vtkMRMLTransformNode) -> None:
        self.node = node
        self.tag = node.AddObserver(TRANSFORM_MODIFIED_EVENT, self._onTransformModified)
        self._invalidate()

    def _invalidate(self) -> None:
        self.linear: Optional[bool] = None
        self.toWorldRows: Optional[tuple[float, ...]] = None
        self.fromWorldRows: Optional[tuple[float, ...]] = None
        self.toWorldTransform: Optional[vtk.vtkGeneralTransform] = None
        self.fromWorldTransform: Optional[vtk.vtkGeneralTransform] = None
        # The last world point mapped into the group and its image: the other views of the group reuse it.
        self.lastFromWorld: Optional[tuple[Geometry.Vector3, Optional[Geometry.Vector3]]] = None

    def _onTransformModified(self, caller: vtk.vtkObject, event: str) -> None:
        self._invalidate()

    def release(self) -> None:
        self.node.RemoveObserver(self.tag)
        self._invalidate()

    def _refresh(self) -> None:
        node = self.node
        self.linear = bool(node.IsTransformToWorldLinear())
        if self.linear:
            matrix = vtk.vtkMatrix4x4()
            node.GetMatrixTransformToWorld(matrix)
            self.toWorldRows = _rows12(matrix)
            node.GetMatrixTransformFromWorld(matrix)
            self.fromWorldRows = _rows12(matrix)
            if self.toWorldRows is None or self.fromWorldRows is None:
                self.toWorldRows = self.fromWorldRows = None
        else:
            self.toWorldTransform = vtk.vtkGeneralTransform()
            node.GetTransformToWorld(self.toWorldTransform)
            self.fromWorldTransform = vtk.vtkGeneralTransform()
            node.GetTransformFromWorld(self.fromWorldTransform)

    def fromWorld(self, point: Geometry.Vector3) -> Optional[Geometry.Vector3]:
        """Map a world point into the group's space; None where the transform cannot be inverted there."""
        last = self.lastFromWorld
        if last is not None and last[0] == point:
            return last[1]
        mapped = self.map(point, False)
        self.lastFromWorld = (point, mapped)
        return mapped

    def map(self, point: Geometry.Vector3, toWorld: bool) -> Optional[Geometry.Vector3]:
        """Map ``point`` to world (or from world); None where the transform cannot be inverted there."""
        if self.linear is None:
            self._refresh()
        if self.linear:
            rows = self.toWorldRows if toWorld else self.fromWorldRows
            return _apply(rows, point) if rows is not None else None
        forward, backward = (
            (self.toWorldTransform, self.fromWorldTransform)
            if toWorld
            else (self.fromWorldTransform, self.toWorldTransform)
        )
        # An iterative inverse that does not converge warns once per point (on every drag step); the round
        # trip below detects it, so VTK's warning display is off for these two calls only.
        shown = vtk.vtkObject.GetGlobalWarningDisplay()
        vtk.vtkObject.GlobalWarningDisplayOff()
        try:
            mapped = forward.TransformPoint(point)
            back = backward.TransformPoint(mapped)
        finally:
            vtk.vtkObject.SetGlobalWarningDisplay(shown)
        if not (Geometry.isFinitePoint(mapped) and Geometry.isFinitePoint(back)):
            return None
        if math.dist(back, point) > ROUND_TRIP_TOLERANCE_MM:
            return None
        return tuple(mapped)  # type: ignore[return-value]


class GroupMapping:
    """View group -> transform node, the world <-> group-space mapping, and the set of linked view groups."""

    def __init__(self, scene: slicer.vtkMRMLScene) -> None:
        self.scene = scene
        self._mappings: dict[int, _Mapping] = {}
        self._linkedOverride: Optional[frozenset[int]] = None
        self._linked: frozenset[int] = frozenset((WORLD_VIEW_GROUP,))

    def setTransform(self, viewGroup: int, transformNode: Optional[slicer.vtkMRMLTransformNode]) -> None:
        """Map ``viewGroup`` through ``transformNode`` (None removes the mapping)."""
        checkViewGroup(viewGroup, "setViewGroupTransform")
        if transformNode is not None:
            if not isinstance(transformNode, slicer.vtkMRMLTransformNode):
                raise ValueError(
                    f"setViewGroupTransform needs a vtkMRMLTransformNode or None, got {type(transformNode).__name__}"
                )
            if transformNode.GetScene() is not self.scene:
                raise ValueError(f"transform node {transformNode.GetID()} is not in this engine's scene")
        current = self._mappings.get(viewGroup)
        if current is not None:
            if current.node is transformNode:
                return
            current.release()
            del self._mappings[viewGroup]
        if transformNode is not None:
            self._mappings[viewGroup] = _Mapping(transformNode)
        self._updateLinked()

    def transform(self, viewGroup: int) -> Optional[slicer.vtkMRMLTransformNode]:
        """Return the transform node ``viewGroup`` is mapped through, or None."""
        checkViewGroup(viewGroup, "viewGroupTransform")
        mapping = self._mappings.get(viewGroup)
        return mapping.node if mapping is not None else None

    def mappedGroups(self) -> list[int]:
        """Return the mapped view groups, in order."""
        return sorted(self._mappings)

    def setLinkedGroups(self, viewGroups: Optional[Iterable[int]]) -> None:
        """Replace the linked view groups (None: the mapped groups plus group 0)."""
        if viewGroups is None:
            self._linkedOverride = None
        else:
            if isinstance(viewGroups, (str, bytes, dict)) or not isinstance(viewGroups, Iterable):
                raise ValueError(f"setLinkedViewGroups needs a list of view groups or None, got {viewGroups!r}")
            self._linkedOverride = frozenset(checkViewGroup(group, "setLinkedViewGroups") for group in viewGroups)
        self._updateLinked()

    def linkedGroups(self) -> list[int]:
        """Return the view groups that move together, in order."""
        return sorted(self._linked)

    def isLinked(self, viewGroup: int) -> bool:
        """Return True if a click in ``viewGroup`` moves every linked group."""
        return viewGroup in self._linked

    def isMapped(self, viewGroup: int) -> bool:
        """Return True if ``viewGroup`` is mapped through a transform."""
        return viewGroup in self._mappings

    def toWorld(self, viewGroup: int, point: Geometry.Vector3) -> Optional[Geometry.Vector3]:
        """Map a point of ``viewGroup``'s space to world (None: the transform cannot be inverted there)."""
        mapping = self._mappings.get(viewGroup)
        return point if mapping is None else mapping.map(point, True)

    def fromWorld(self, viewGroup: int, point: Geometry.Vector3) -> Optional[Geometry.Vector3]:
        """Map a world point into ``viewGroup``'s space (None: the inverse does not converge there)."""
        mapping = self._mappings.get(viewGroup)
        return point if mapping is None else mapping.fromWorld(point)

    def nodeRemoved(self, node: vtk.vtkObject) -> list[int]:
        """Drop the mappings through ``node`` (it left the scene); return the view groups that lost theirs."""
        dropped = [group for group, mapping in self._mappings.items() if mapping.node is node]
        for group in dropped:
            self._mappings.pop(group).release()
        if dropped:
            self._updateLinked()
        return dropped

    def clear(self) -> None:
        """Drop every mapping and its observer."""
        for mapping in self._mappings.values():
            mapping.release()
        self._mappings.clear()
        self._updateLinked()

    def _updateLinked(self) -> None:
        if self._linkedOverride is not None:
            self._linked = self._linkedOverride
        else:
            self._linked = frozenset(self._mappings) | {WORLD_VIEW_GROUP}
