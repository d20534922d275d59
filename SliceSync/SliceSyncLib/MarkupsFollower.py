"""A source of points: control points the user places (and, if asked, drags) on any markups node. Qt-free.

It turns the markups nodes' own events into "a point, placed in this slice view (or none)" and knows nothing
of which views move. A point still being placed (its preview follows the mouse) is never reported.
"""

from __future__ import annotations

import logging
from typing import Callable, Optional

import slicer
import vtk

FOLLOW_MODES = ("off", "place", "placeAndDrag")

INTERACTION_NODE_ID = "vtkMRMLInteractionNodeSingleton"
CROSSHAIR_NODE_ID = "vtkMRMLCrosshairNodedefault"

# onPoint(worldRAS, sliceNode the mouse is in or None, final); final is False for the steps of a drag.
PointCallback = Callable[[tuple[float, float, float], Optional[slicer.vtkMRMLSliceNode], bool], None]


class MarkupsFollower:
    """Observes every markups node of a scene (those added later too) while attached."""

    def __init__(self, scene: slicer.vtkMRMLScene, onPoint: PointCallback, onDragEnd: Callable[[], None]) -> None:
        self.scene = scene
        self._onPoint = onPoint
        self._onDragEnd = onDragEnd
        self._followDrags = False
        self._sceneTags: list[int] = []
        self._nodeTags: dict[slicer.vtkMRMLMarkupsNode, list[int]] = {}
        # Nodes with a control point held by the mouse, and whether that drag has moved the views yet.
        self._dragging: dict[slicer.vtkMRMLMarkupsNode, bool] = {}

    def setFollowDrags(self, follow: bool) -> None:
        """Also report the positions of a control point while it is dragged."""
        self._followDrags = follow
        if not follow:
            self._dragging.clear()

    def isAttached(self) -> bool:
        """Return True while the scene and markups nodes are observed."""
        return bool(self._sceneTags)

    def attach(self) -> None:
        """Observe the scene and every markups node in it."""
        if self._sceneTags:
            return
        self._sceneTags = [
            self.scene.AddObserver(slicer.vtkMRMLScene.NodeAddedEvent, self._onNodeAdded),
            self.scene.AddObserver(slicer.vtkMRMLScene.NodeRemovedEvent, self._onNodeRemoved),
        ]
        nodes = self.scene.GetNodesByClass("vtkMRMLMarkupsNode")
        for k in range(nodes.GetNumberOfItems()):
            self._observe(nodes.GetItemAsObject(k))

    def detach(self) -> None:
        """Remove every observer this follower added; safe to call twice."""
        for tag in self._sceneTags:
            self.scene.RemoveObserver(tag)
        self._sceneTags = []
        for node, tags in self._nodeTags.items():
            for tag in tags:
                node.RemoveObserver(tag)
        self._nodeTags.clear()
        self._dragging.clear()

    def _observe(self, node: slicer.vtkMRMLMarkupsNode) -> None:
        if node in self._nodeTags:
            return
        markups = slicer.vtkMRMLMarkupsNode
        # Markups events are custom VTK events (a callback cannot tell them apart by name): one callback each.
        self._nodeTags[node] = [
            node.AddObserver(markups.PointPositionDefinedEvent, self._onPointDefined),
            node.AddObserver(markups.PointStartInteractionEvent, self._onInteractionStart),
            node.AddObserver(markups.PointModifiedEvent, self._onPointModified),
            node.AddObserver(markups.PointEndInteractionEvent, self._onInteractionEnd),
        ]

    @vtk.calldata_type(vtk.VTK_OBJECT)
    def _onNodeAdded(self, caller: vtk.vtkObject, event: str, node: vtk.vtkObject) -> None:
        try:
            if isinstance(node, slicer.vtkMRMLMarkupsNode):
                self._observe(node)
        except Exception:
            logging.exception("SliceSync: failed to observe a new markups node")

    @vtk.calldata_type(vtk.VTK_OBJECT)
    def _onNodeRemoved(self, caller: vtk.vtkObject, event: str, node: vtk.vtkObject) -> None:
        try:
            tags = self._nodeTags.pop(node, None) if isinstance(node, slicer.vtkMRMLMarkupsNode) else None
            for tag in tags or ():
                node.RemoveObserver(tag)
            self._dragging.pop(node, None)
        except Exception:
            logging.exception("SliceSync: failed to forget a removed markups node")

    @vtk.calldata_type(vtk.VTK_INT)
    def _onPointDefined(self, node: slicer.vtkMRMLMarkupsNode, event: str, index: Optional[int] = None) -> None:
        try:
            if self._isPlacing():
                self._report(node, index, final=True)
        except Exception:
            logging.exception("SliceSync: failed to follow a placed markups point")

    def _onInteractionStart(self, node: slicer.vtkMRMLMarkupsNode, event: str) -> None:
        if self._followDrags:
            self._dragging[node] = False

    @vtk.calldata_type(vtk.VTK_INT)
    def _onPointModified(self, node: slicer.vtkMRMLMarkupsNode, event: str, index: Optional[int] = None) -> None:
        try:
            if node in self._dragging and self._report(node, index, final=False):
                self._dragging[node] = True
        except Exception:
            logging.exception("SliceSync: failed to follow a dragged markups point")

    def _onInteractionEnd(self, node: slicer.vtkMRMLMarkupsNode, event: str) -> None:
        try:
            if self._dragging.pop(node, False):
                self._onDragEnd()
        except Exception:
            logging.exception("SliceSync: failed to end a markups drag")

    def _isPlacing(self) -> bool:
        """A point the user places is defined in Place mode; scripts adding points are not followed."""
        interaction = self.scene.GetNodeByID(INTERACTION_NODE_ID)
        return (
            interaction is not None and interaction.GetCurrentInteractionMode() == slicer.vtkMRMLInteractionNode.Place
        )

    def _report(self, node: slicer.vtkMRMLMarkupsNode, index: Optional[int], final: bool) -> bool:
        count = node.GetNumberOfControlPoints()
        if count == 0:
            return False
        if index is None or not 0 <= index < count:
            # An ROI turns its two placed corners into one centre point: follow the point it kept.
            index = count - 1
        if node.GetNthControlPointPositionStatus(index) != slicer.vtkMRMLMarkupsNode.PositionDefined:
            return False
        world = [0.0, 0.0, 0.0]
        node.GetNthControlPointPositionWorld(index, world)
        self._onPoint(tuple(world), self._mouseSliceNode(), final)  # type: ignore[arg-type]
        return True

    def _mouseSliceNode(self) -> Optional[slicer.vtkMRMLSliceNode]:
        """The slice view the mouse is in, as Slicer's crosshair displayable manager records it (None in 3D)."""
        crosshair = self.scene.GetNodeByID(CROSSHAIR_NODE_ID)
        if crosshair is None:
            return None
        xyz = [0.0, 0.0, 0.0]
        return crosshair.GetCursorPositionXYZ(xyz)
