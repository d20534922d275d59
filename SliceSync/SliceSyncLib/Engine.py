"""SliceSyncEngine: click in one slice view, move the others through that point. Qt-free."""

from __future__ import annotations

import functools
import logging
from typing import Callable, Optional, Sequence

import slicer
import vtk

from . import Geometry, Link
from .Gestures import GestureFilter
from .GroupMapping import GroupMapping
from .MarkupsFollower import FOLLOW_MODES, MarkupsFollower
from .Readout import Readout, readAt
from .Status import REASON_NO_INVERSE, SyncResult
from .ViewPlan import SyncVolumes, ViewPlanner, shownVolume

JUMP_MODES = ("offset", "centered", "keepInView")
CLAMP_MODES = ("clamp", "ignoreOutside", "off")

INTERACTION_NODE_ID = "vtkMRMLInteractionNodeSingleton"
CROSSHAIR_NODE_ID = "vtkMRMLCrosshairNodedefault"

StatusCallback = Callable[[str], None]

# Where a synced point came from. Sinks use it: the link never sends back a point it received. A click or drag
# step synced while the button is still down is provisional (final=False) until the gesture ends.
ORIGIN_CLICK = "click"
ORIGIN_SCRIPT = "syncTo"
ORIGIN_NUDGE = "nudge"
ORIGIN_HISTORY = "history"
ORIGIN_MARKUP = "markup"
ORIGIN_LINK = "link"


def _flag(value: object, what: str) -> bool:
    """Accept True/False (or 1/0, as VTK and Qt pass them); anything else is a caller's mistake."""
    if isinstance(value, bool) or (isinstance(value, int) and value in (0, 1)):
        return bool(value)
    raise ValueError(f"{what} needs True or False, got {value!r}")


def _viewName(sliceNode: slicer.vtkMRMLSliceNode) -> str:
    return sliceNode.GetLayoutName() or sliceNode.GetName() or sliceNode.GetID() or "unnamed view"


class _View:
    """A registered slice view: its node, its interactor and its gesture filter."""

    def __init__(self, sliceNode: slicer.vtkMRMLSliceNode, gestures: GestureFilter) -> None:
        self.sliceNode = sliceNode
        self.gestures = gestures


class _Pending:
    """A world point a hidden view takes when it is shown, and the observer that waits for that."""

    def __init__(self, world: Geometry.Vector3, checkInside: bool, tag: int) -> None:
        self.world = world
        self.checkInside = checkInside
        self.tag = tag


class SliceSyncEngine:
    """Keeps a set of slice views in step: a click in one moves the others of its view group."""

    def __init__(self, scene: slicer.vtkMRMLScene) -> None:
        if not isinstance(scene, slicer.vtkMRMLScene):
            raise ValueError(f"SliceSyncEngine needs a vtkMRMLScene, got {type(scene).__name__}")
        self.scene = scene
        self._views: dict[str, _View] = {}
        self._enabled = False
        self._jumpMode = "offset"
        self._clampMode = "clamp"
        self._dragFollow = True
        self._showCrosshair = True
        self._statusCallback: Optional[StatusCallback] = None
        self.lastResult: Optional[SyncResult] = None
        self._planner = ViewPlanner(scene)
        self._pending: dict[str, _Pending] = {}
        self._sceneObservations: list[int] = []
        self._groupMapping = GroupMapping(scene)
        self._mappingNotice: Optional[str] = None
        self._link: Optional[Link.CursorLink] = None
        self._lastLinkStatus = {"connected": False, "peers": [], "sent": 0, "received": 0}
        self._observeScene()
        self._cursor: Optional[Geometry.Vector3] = None
        self._followMarkups = "place"
        self._markups = MarkupsFollower(scene, self._syncFromMarkup, self._endGesture)

    def _observeScene(self) -> None:
        """Follow slice nodes leaving the scene (again after cleanup(), if the engine is reused)."""
        if not self._sceneObservations:
            self._sceneObservations = [
                self.scene.AddObserver(slicer.vtkMRMLScene.NodeRemovedEvent, self._onNodeRemoved)
            ]

    # -- views ---------------------------------------------------------------------------------------

    def addView(self, sliceNode: slicer.vtkMRMLSliceNode, interactor: vtk.vtkRenderWindowInteractor) -> None:
        """Register a slice view (moved while mapped in the layout); adding it again replaces its interactor."""
        if not isinstance(sliceNode, slicer.vtkMRMLSliceNode):
            raise ValueError(f"addView needs a vtkMRMLSliceNode, got {type(sliceNode).__name__}")
        if not isinstance(interactor, vtk.vtkRenderWindowInteractor):
            raise ValueError(f"addView needs a vtkRenderWindowInteractor, got {type(interactor).__name__}")
        if sliceNode.GetScene() is not self.scene:
            raise ValueError(f"slice node {sliceNode.GetID()} is not in this engine's scene")
        key = sliceNode.GetID()
        existing = self._views.get(key)
        if existing is not None:
            if existing.gestures.interactor is interactor:
                return
            self.removeView(sliceNode)
        self._observeScene()
        gestures = GestureFilter(
            interactor,
            self._canStart,
            functools.partial(self._syncFromPixel, key),
            self.dragFollow,
            self._endGesture,
        )
        self._views[key] = _View(sliceNode, gestures)
        if self._enabled:
            gestures.attach()
        self._notify()

    def removeView(self, sliceNode: slicer.vtkMRMLSliceNode) -> None:
        """Unregister a slice view and remove its observers; unknown views are ignored."""
        if sliceNode is not None and not isinstance(sliceNode, slicer.vtkMRMLSliceNode):
            raise ValueError(f"removeView needs a vtkMRMLSliceNode or None, got {type(sliceNode).__name__}")
        key = sliceNode.GetID() if sliceNode is not None else None
        view = self._views.get(key) if key else None
        if view is None or view.sliceNode is not sliceNode:
            return
        self._dropPending(key)
        self._planner.forget(key)
        del self._views[key]
        view.gestures.detach()
        self._notify()

    def views(self) -> list[slicer.vtkMRMLSliceNode]:
        """Return the registered slice nodes."""
        return [view.sliceNode for view in self._views.values()]

    # -- settings ------------------------------------------------------------------------------------

    def setEnabled(self, enabled: bool) -> None:
        """Turn click-to-sync on or off (observers are present only while on)."""
        enabled = _flag(enabled, "setEnabled")
        if enabled == self._enabled:
            return
        self._enabled = enabled
        for view in self._views.values():
            if enabled:
                view.gestures.attach()
            else:
                view.gestures.detach()
        self._updateMarkupsFollower()
        self._notify()

    def isEnabled(self) -> bool:
        """Return True while click-to-sync is on."""
        return self._enabled

    def setJumpMode(self, mode: str) -> None:
        """Choose how target views move: "offset", "centered" or "keepInView"."""
        if mode not in JUMP_MODES:
            raise ValueError(f"jump mode must be one of {', '.join(JUMP_MODES)}; got {mode!r}")
        self._jumpMode = mode

    def jumpMode(self) -> str:
        """Return the jump mode."""
        return self._jumpMode

    def setClampMode(self, mode: str) -> None:
        """Choose what happens outside the volume: "clamp", "ignoreOutside" or "off"."""
        if mode not in CLAMP_MODES:
            raise ValueError(f"clamp mode must be one of {', '.join(CLAMP_MODES)}; got {mode!r}")
        self._clampMode = mode

    def clampMode(self) -> str:
        """Return the clamp mode."""
        return self._clampMode

    def setDragFollow(self, follow: bool) -> None:
        """Choose whether the other views follow while the left button is held down."""
        self._dragFollow = _flag(follow, "setDragFollow")

    def dragFollow(self) -> bool:
        """Return True if views follow drags."""
        return self._dragFollow

    def setShowCrosshair(self, show: bool) -> None:
        """Choose whether Slicer's crosshair is placed at each synced point (its mode is never changed)."""
        self._showCrosshair = _flag(show, "setShowCrosshair")

    def showCrosshair(self) -> bool:
        """Return True if the crosshair follows synced points."""
        return self._showCrosshair

    def setStatusCallback(self, callback: Optional[StatusCallback]) -> None:
        """Call ``callback(text)`` whenever the status line changes (None to stop)."""
        if callback is not None and not callable(callback):
            raise ValueError("the status callback must be callable or None")
        self._statusCallback = callback

    def statusText(self) -> str:
        """Return one line saying what sync is doing, for a panel."""
        if self._mappingNotice is not None:
            return self._mappingNotice
        if not self._enabled:
            return "Sync is off"
        if not self._views:
            return "Sync is on, but no slice views are registered"
        if self.lastResult is not None:
            return self.lastResult.summary()
        return f"Syncing {len(self._views)} views: click in any of them"

    # -- view groups mapped through transforms (registration) -----------------------------------------

    def setViewGroupTransform(self, viewGroup: int, transformNode: Optional[slicer.vtkMRMLTransformNode]) -> None:
        """Say that ``viewGroup``'s views show data in the space ``transformNode`` maps to world (None: world)."""
        self._groupMapping.setTransform(viewGroup, transformNode)
        self._mappingNotice = None
        self._notify()

    def viewGroupTransform(self, viewGroup: int) -> Optional[slicer.vtkMRMLTransformNode]:
        """Return the transform node ``viewGroup`` is mapped through, or None."""
        return self._groupMapping.transform(viewGroup)

    def setLinkedViewGroups(self, viewGroups: Optional[Sequence[int]]) -> None:
        """Choose the view groups a click moves together (None: the mapped groups plus group 0)."""
        self._groupMapping.setLinkedGroups(viewGroups)

    def linkedViewGroups(self) -> list[int]:
        """Return the view groups a click in one of them moves together."""
        return self._groupMapping.linkedGroups()

    # -- syncing -------------------------------------------------------------------------------------

    def syncTo(self, ras: Sequence[float], sourceSliceNode: Optional[slicer.vtkMRMLSliceNode] = None) -> SyncResult:
        """Move every registered view (of the source's view group, except the source) through ``ras``."""
        try:
            if isinstance(ras, (str, bytes, dict)):
                raise TypeError
            point = tuple(float(c) for c in ras)
        except (TypeError, ValueError):
            raise ValueError(f"syncTo needs three numbers (R, A, S), got {ras!r}") from None
        if not Geometry.isFinitePoint(point):
            raise ValueError(f"syncTo needs three finite numbers (R, A, S), got {ras!r}")
        if sourceSliceNode is not None and not isinstance(sourceSliceNode, slicer.vtkMRMLSliceNode):
            raise ValueError(
                f"sourceSliceNode must be a vtkMRMLSliceNode or None, got {type(sourceSliceNode).__name__}"
            )
        result = self._sync(point, sourceSliceNode, ORIGIN_SCRIPT)  # type: ignore[arg-type]
        self._setResult(result)
        return result

    def _sync(
        self,
        point: Geometry.Vector3,
        source: Optional[slicer.vtkMRMLSliceNode],
        origin: str,
        final: bool = True,
    ) -> SyncResult:
        """The one path every source takes: point -> world -> snap -> cursor -> views, crosshair and sinks.

        ``point`` is in the source view's space; ``final`` is False for the provisional steps of a drag.
        """
        result = SyncResult(point, _viewName(source) if source is not None else None)
        if self._sceneBusy():
            result.skippedReason = "the scene is being loaded or closed"
            return result
        world = self._toWorld(point, source, result)
        if world is None:
            return result
        world = self._snap(world, source, result)
        targets = self._targets(source)
        result.targetNames = [_viewName(node) for node in targets]
        volumes: dict[str, tuple[Optional[Geometry.VolumeGeometry], str]] = {}
        # ignoreOutside asks the source view's volume; without a source or a volume there, each target asks its own.
        checkTargets = self._clampMode == "ignoreOutside"
        if checkTargets and source is not None:
            inside, _ = self._insideShownVolume(source, point, volumes)
            if inside is False:
                result.skippedReason = "the point is outside the volume shown in " + result.sourceName
                return result
            checkTargets = inside is None
        for sliceNode, name in self._shownTargets(targets, world, checkTargets, result):
            targetPoint = self._fromWorld(world, sliceNode, name, result)
            if targetPoint is not None:
                checkInside = checkTargets or self._checksOwnVolume(sliceNode, result)
                self._syncOne(sliceNode, name, targetPoint, result, volumes, checkInside)
        if self._showCrosshair:
            crosshair = self._crosshairNode()
            if crosshair is not None:
                crosshair.SetCrosshairRAS(*world)
        self._moveCursor(world, origin, final)
        self._publish(world, origin, final)
        return result

    # -- the cursor's pipeline stages (each a no-op until its feature fills it in) --------------------

    def _toWorld(
        self, point: Geometry.Vector3, source: Optional[slicer.vtkMRMLSliceNode], result: SyncResult
    ) -> Optional[Geometry.Vector3]:
        """Map a point from the source view's space to world coordinates (None: not synced, result says why)."""
        if source is None:
            return point
        group = source.GetViewGroup()
        result.sourceViewGroup = group
        if not self._groupMapping.isMapped(group):
            return point
        world = self._groupMapping.toWorld(group, point)
        if world is None:
            result.skippedReason = f"the transform of view group {group} cannot be inverted at this point"
        result.world = world
        return world

    def _snap(
        self, world: Geometry.Vector3, source: Optional[slicer.vtkMRMLSliceNode], result: SyncResult
    ) -> Geometry.Vector3:
        """Move the world point to the voxel centre it should snap to, if snapping is on."""
        return world

    def _fromWorld(
        self, world: Geometry.Vector3, sliceNode: slicer.vtkMRMLSliceNode, name: str, result: SyncResult
    ) -> Optional[Geometry.Vector3]:
        """Map the world point into a target view's space (None: that target is not moved, result says why)."""
        group = sliceNode.GetViewGroup()
        if not self._groupMapping.isMapped(group):
            return world
        if group == result.sourceViewGroup and world == result.world:
            # The source's own group: the clicked point itself, with no inverse to compute.
            return result.point
        point = self._groupMapping.fromWorld(group, world)
        if point is None:
            result.notMoved[name] = REASON_NO_INVERSE
        return point

    def _checksOwnVolume(self, sliceNode: slicer.vtkMRMLSliceNode, result: SyncResult) -> bool:
        """ignoreOutside: a target in another view group than the source tests the point against its own volume."""
        return self._clampMode == "ignoreOutside" and sliceNode.GetViewGroup() != result.sourceViewGroup

    def _moveCursor(self, world: Geometry.Vector3, origin: str, final: bool) -> None:
        """Make ``world`` the cursor; a final point also enters the history."""
        self._cursor = world

    def _publish(self, world: Geometry.Vector3, origin: str, final: bool) -> None:
        """Tell the outside sinks (the link) where the cursor went; never echo what came from them."""
        if self._link is not None and origin != ORIGIN_LINK:
            self._link.send(world, final)

    def _endGesture(self) -> None:
        """A click or drag has ended: the provisional drag steps become one final point."""
        self._flushLink()

    def _syncOne(
        self,
        sliceNode: slicer.vtkMRMLSliceNode,
        name: str,
        point: Geometry.Vector3,
        result: SyncResult,
        volumes: SyncVolumes,
        checkInside: bool,
    ) -> None:
        """Clamp and jump one target view through ``point`` (its plan is cached between syncs, see ViewPlan)."""
        self._planner.move(sliceNode, name, point, result, volumes, checkInside, self._jumpMode, self._clampMode)

    # -- hidden views: moved when they are shown ----------------------------------------------------

    def _shownTargets(
        self,
        targets: list[slicer.vtkMRMLSliceNode],
        world: Geometry.Vector3,
        checkInside: bool,
        result: SyncResult,
    ) -> list[tuple[slicer.vtkMRMLSliceNode, str]]:
        """Return the (node, name) targets mapped in the layout; hidden ones keep ``world`` until shown."""
        shown = []
        pending = self._pending
        for sliceNode, name in zip(targets, result.targetNames):
            if sliceNode.IsMappedInLayout():
                if pending:
                    self._dropPending(sliceNode.GetID())
                shown.append((sliceNode, name))
            else:
                self._defer(sliceNode, world, checkInside or self._checksOwnVolume(sliceNode, result))
                result.deferredNames.append(name)
        return shown

    def _defer(self, sliceNode: slicer.vtkMRMLSliceNode, world: Geometry.Vector3, checkInside: bool) -> None:
        key = sliceNode.GetID()
        pending = self._pending.get(key)
        if pending is not None:
            pending.world, pending.checkInside = world, checkInside
            return
        # Only hidden views with a point to take are observed: a sync never moves them, so this costs nothing per click.
        tag = sliceNode.AddObserver(vtk.vtkCommand.ModifiedEvent, functools.partial(self._onHiddenViewModified, key))
        self._pending[key] = _Pending(world, checkInside, tag)

    def _dropPending(self, key: str) -> None:
        pending = self._pending.pop(key, None)
        view = self._views.get(key)
        if pending is not None:
            node = view.sliceNode if view is not None else self.scene.GetNodeByID(key)
            if node is not None:
                node.RemoveObserver(pending.tag)

    def _onHiddenViewModified(self, key: str, caller: vtk.vtkObject, event: str) -> None:
        try:
            if not caller.IsMappedInLayout() or self._sceneBusy():
                return
            pending = self._pending.get(key)
            view = self._views.get(key)
            self._dropPending(key)
            if pending is None or view is None:
                return
            self._catchUp(view.sliceNode, pending)
        except Exception:
            logging.exception("SliceSync: failed to bring a view that was shown to the cursor")

    def _catchUp(self, sliceNode: slicer.vtkMRMLSliceNode, pending: _Pending) -> None:
        """Move a view that has just been shown through the point it missed while hidden."""
        name = _viewName(sliceNode)
        result = SyncResult(pending.world, None, [name])
        targetPoint = self._fromWorld(pending.world, sliceNode, name, result)
        if targetPoint is not None:
            self._syncOne(sliceNode, name, targetPoint, result, {}, pending.checkInside)
        logging.debug("SliceSync: %s was shown: %s", name, result.summary())

    # -- what each view shows ------------------------------------------------------------------------

    def _volumeGeometry(
        self, sliceNode: slicer.vtkMRMLSliceNode, volumes: SyncVolumes
    ) -> tuple[Optional[Geometry.VolumeGeometry], str]:
        """Return (geometry, "") for the volume a view shows, or (None, why not); ``volumes`` memoizes one sync."""
        return self._planner.shownGeometry(sliceNode, volumes)

    def _insideShownVolume(
        self, sliceNode: slicer.vtkMRMLSliceNode, point: Geometry.Vector3, volumes: SyncVolumes
    ) -> tuple[Optional[bool], str]:
        """Return whether ``point`` falls in a voxel of the view's volume (None, and why, if it cannot tell)."""
        geometry, reason = self._volumeGeometry(sliceNode, volumes)
        if geometry is None:
            return None, reason
        return Geometry.isInsideImage(geometry.worldToIJK, geometry.extent, point), ""

    def _shownVolume(self, sliceNode: slicer.vtkMRMLSliceNode) -> Optional[slicer.vtkMRMLVolumeNode]:
        """Return the view's background volume, else its foreground, else its label map."""
        return shownVolume(self.scene, sliceNode)

    # -- readout and followed markups ----------------------------------------------------------------

    def readout(self) -> Readout:
        """Return what every volume shown in a registered view holds at the cursor (computed now, on request)."""
        return readAt(self.scene, self.views(), self._cursor)

    def setFollowMarkups(self, mode: str) -> None:
        """Choose whether placed markups points move the views: "off", "place" (default) or "placeAndDrag"."""
        if mode not in FOLLOW_MODES:
            raise ValueError(f"follow-markups mode must be one of {', '.join(FOLLOW_MODES)}; got {mode!r}")
        self._followMarkups = mode
        self._updateMarkupsFollower()

    def followMarkups(self) -> str:
        """Return the follow-markups mode."""
        return self._followMarkups

    def _updateMarkupsFollower(self) -> None:
        """Observe the markups nodes only while sync is on and following is not "off"."""
        self._markups.setFollowDrags(self._followMarkups == "placeAndDrag")
        if self._enabled and self._followMarkups != "off":
            self._markups.attach()
        else:
            self._markups.detach()

    def _syncFromMarkup(
        self, world: Geometry.Vector3, sliceNode: Optional[slicer.vtkMRMLSliceNode], final: bool
    ) -> None:
        """A control point was placed (or dragged) at ``world`` in ``sliceNode`` (None: not in a slice view)."""
        source = sliceNode if sliceNode is not None and sliceNode.GetScene() is self.scene else None
        self._setResult(self._sync(world, source, ORIGIN_MARKUP, final))

    # -- events --------------------------------------------------------------------------------------

    def _targets(self, source: Optional[slicer.vtkMRMLSliceNode]) -> list[slicer.vtkMRMLSliceNode]:
        if source is None:
            return self.views()
        group = source.GetViewGroup()
        if self._groupMapping.isLinked(group):
            # A click in a linked group moves every linked group (each through its own mapping).
            isLinked = self._groupMapping.isLinked
            return [
                view.sliceNode
                for view in self._views.values()
                if view.sliceNode is not source and isLinked(view.sliceNode.GetViewGroup())
            ]
        return [
            view.sliceNode
            for view in self._views.values()
            if view.sliceNode is not source and view.sliceNode.GetViewGroup() == group
        ]

    def _canStart(self, interactor: vtk.vtkRenderWindowInteractor) -> bool:
        interaction = self.scene.GetNodeByID(INTERACTION_NODE_ID)
        if (
            interaction is not None
            and interaction.GetCurrentInteractionMode() != slicer.vtkMRMLInteractionNode.ViewTransform
        ):
            return False
        return not self._sceneBusy()

    def _sceneBusy(self) -> bool:
        scene = self.scene
        return bool(scene.IsBatchProcessing() or scene.IsImporting() or scene.IsClosing())

    def _syncFromPixel(self, key: str, x: int, y: int, final: bool) -> None:
        view = self._views.get(key)
        if view is None:
            return
        sliceNode = view.sliceNode
        xyz = [0.0, 0.0, 0.0]
        ras = [0.0, 0.0, 0.0]
        slicer.vtkMRMLAbstractSliceViewDisplayableManager.ConvertDeviceToXYZ(
            view.gestures.interactor, sliceNode, x, y, xyz
        )
        slicer.vtkMRMLAbstractSliceViewDisplayableManager.ConvertXYZToRAS(sliceNode, xyz, ras)
        if not Geometry.isFinitePoint(ras):
            logging.warning(
                "SliceSync: the click at (%d, %d) in %s has no valid RAS position", x, y, _viewName(sliceNode)
            )
            return
        self._setResult(self._sync(tuple(ras), sliceNode, ORIGIN_CLICK, final))  # type: ignore[arg-type]

    def _crosshairNode(self) -> Optional[slicer.vtkMRMLCrosshairNode]:
        crosshair = self.scene.GetNodeByID(CROSSHAIR_NODE_ID)
        if crosshair is None:
            crosshair = self.scene.GetFirstNodeByClass("vtkMRMLCrosshairNode")
        return crosshair

    @vtk.calldata_type(vtk.VTK_OBJECT)
    def _onNodeRemoved(self, caller: vtk.vtkObject, event: str, node: vtk.vtkObject) -> None:
        try:
            if isinstance(node, slicer.vtkMRMLSliceNode) and node.GetID() in self._views:
                self.removeView(node)
            elif isinstance(node, slicer.vtkMRMLTransformNode):
                self._transformRemoved(node)
            elif isinstance(node, (slicer.vtkMRMLSliceCompositeNode, slicer.vtkMRMLVolumeNode)):
                self._planner.forget()
        except Exception:
            logging.exception("SliceSync: failed to handle a removed node")

    def _transformRemoved(self, node: slicer.vtkMRMLTransformNode) -> None:
        dropped = self._groupMapping.nodeRemoved(node)
        if dropped:
            groups = ", ".join(str(group) for group in dropped)
            self._mappingNotice = (
                f"The transform {node.GetName() or node.GetID()} was deleted: view group {groups}"
                " is no longer mapped through it"
            )
            self._notify()

    def _setResult(self, result: SyncResult) -> None:
        self.lastResult = result
        self._mappingNotice = None
        self._notify()

    def _notify(self) -> None:
        if self._statusCallback is None:
            return
        try:
            self._statusCallback(self.statusText())
        except Exception:
            logging.exception("SliceSync: the status callback failed")

    # -- the link (OpenIGTLink POINT messages; Link.py) -----------------------------------------------

    def startLink(
        self,
        role: str,
        host: str = Link.DEFAULT_HOST,
        port: int = Link.DEFAULT_PORT,
        name: str = Link.DEFAULT_NAME,
    ) -> None:
        """Share the cursor as OpenIGTLink POINT messages, as a "server" or a "client" (replaces a running link)."""
        link = Link.CursorLink(role, host, port, name)
        self.stopLink()
        link.start()
        self._link = link

    def stopLink(self) -> None:
        """Stop the link, its thread and its sockets; safe without a link."""
        link, self._link = self._link, None
        if link is not None:
            self._lastLinkStatus = dict(link.status(), connected=False, peers=[])
            link.stop()

    def linkStatus(self) -> dict:
        """Return connected (bool), peers ("host:port" list), sent and received (messages, all peers together)."""
        if self._link is None:
            return dict(self._lastLinkStatus, peers=[])
        return self._link.status()

    def pollLink(self) -> bool:
        """Apply the latest received point on the caller's thread (True if one was applied); never raises."""
        try:
            link = self._link
            point = link.poll() if link is not None else None
            if point is None:
                return False
            self._setResult(self._sync(point, None, ORIGIN_LINK))
            return True
        except Exception:
            logging.exception("SliceSync: failed to apply a point received over the link")
            return False

    def _flushLink(self) -> None:
        if self._link is not None:
            self._link.flush()

    # -- lifetime ------------------------------------------------------------------------------------

    def cleanup(self) -> None:
        """Remove every observer the engine added, stop the link and forget all views; safe to call twice."""
        self.stopLink()
        for key in list(self._pending):
            self._dropPending(key)
        for view in self._views.values():
            view.gestures.detach()
        self._views.clear()
        for tag in self._sceneObservations:
            self.scene.RemoveObserver(tag)
        self._sceneObservations = []
        self._groupMapping.clear()
        self._mappingNotice = None
        self._markups.detach()
        self._planner.forget()
        self._enabled = False
        self._statusCallback = None
