"""SliceSyncEngine: click in one slice view, move the others through that point. Qt-free."""

from __future__ import annotations

import functools
import logging
import numbers
from typing import Callable, Optional, Sequence

import slicer
import vtk

from . import Geometry, Link
from .Cursor import Cursor
from .Gestures import GestureFilter
from .GroupMapping import GroupMapping
from .HiddenViews import HiddenViews
from .Keys import DEFAULT_KEY_BINDINGS, Key, KeyFilter, checkUnique, parseBindings
from .MarkupsFollower import FOLLOW_MODES, MarkupsFollower
from .Nudge import NUDGE_ACTIONS, NudgeSteps, viewCentre
from .Readout import Readout, readAt, readThroughMappings
from .Snap import VoxelSnap
from .Status import REASON_DEGENERATE, REASON_NO_INVERSE, SyncResult
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

# The farthest a synced point (syncTo, a nudge's result) may lie from the origin along each axis, in mm (100 m).
MAX_COORDINATE_MM = 1e5


def _flag(value: object, what: str) -> bool:
    """Accept True/False, 1/0 (as VTK and Qt pass them) and NumPy's booleans; anything else is a caller's mistake."""
    if isinstance(value, numbers.Integral) and value in (0, 1):
        return bool(value)
    if getattr(getattr(value, "dtype", None), "kind", None) == "b" and getattr(value, "shape", None) == ():
        return bool(value)
    raise ValueError(f"{what} needs True or False, got {value!r}")


def _checkBounded(point: Sequence[float], what: str) -> None:
    """A point farther than MAX_COORDINATE_MM along an axis is a caller's mistake (VTK's planes break far out)."""
    if any(abs(c) > MAX_COORDINATE_MM for c in point):
        raise ValueError(
            f"{what}: each coordinate must be within {MAX_COORDINATE_MM:g} mm of the origin, got "
            + ", ".join(f"{c:.6g}" for c in point)
        )


def _describe(value: object) -> str:
    if isinstance(value, slicer.vtkMRMLNode):
        return f"{value.GetClassName()} {value.GetID() or value.GetName()!r}"
    return repr(value)


def _viewName(sliceNode: slicer.vtkMRMLSliceNode) -> str:
    return sliceNode.GetLayoutName() or sliceNode.GetName() or sliceNode.GetID() or "unnamed view"


class _View:
    """A registered slice view: its node, its interactor, its gesture filter and its key filter."""

    def __init__(self, sliceNode: slicer.vtkMRMLSliceNode, gestures: GestureFilter, keys: KeyFilter) -> None:
        self.sliceNode = sliceNode
        self.gestures = gestures
        self.keys = keys

    def attach(self) -> None:
        self.gestures.attach()
        self.keys.attach()

    def detach(self) -> None:
        self.gestures.detach()
        self.keys.detach()


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
        self._hiddenViews = HiddenViews(self._canCatchUp, self._catchUp)
        self._cursor = Cursor()
        self._snapToVoxel = False
        self._groupMapping = GroupMapping(scene)
        self._voxelSnap = VoxelSnap(scene, self._planner, self._groupMapping, self.views, self._fromWorld)
        self._nudgeSteps = NudgeSteps(scene, self._planner, self.referenceVolume)
        self._keyBindings: dict[str, Key] = parseBindings(DEFAULT_KEY_BINDINGS)
        self._keyActions: dict[Key, str] = {key: action for action, key in self._keyBindings.items()}
        # The view whose own slice follows the cursor at the end of this sync (nudged, or snapped off its plane).
        self._nudging: Optional[tuple[slicer.vtkMRMLSliceNode, SyncResult]] = None
        self._reveal: Optional[tuple[slicer.vtkMRMLSliceNode, SyncResult, bool]] = None
        self._sceneObservations: list[int] = []
        self._mappingNotice: Optional[str] = None
        self._link: Optional[Link.CursorLink] = None
        self._lastLinkStatus = {"connected": False, "peers": [], "sent": 0, "received": 0}
        self._observeScene()
        self._followMarkups = "place"
        self._markups = MarkupsFollower(scene, self._syncFromMarkup, self._endGesture)

    def _observeScene(self) -> None:
        """Follow slice nodes leaving the scene and the scene closing (again after cleanup(), if reused)."""
        if not self._sceneObservations:
            self._sceneObservations = [
                self.scene.AddObserver(slicer.vtkMRMLScene.NodeRemovedEvent, self._onNodeRemoved),
                self.scene.AddObserver(slicer.vtkMRMLScene.EndCloseEvent, self._onSceneClosed),
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
        keys = KeyFilter(interactor, self._keyActions.get, functools.partial(self._onKeyAction, key))
        self._views[key] = _View(sliceNode, gestures, keys)
        if self._enabled:
            self._views[key].attach()
        self._notify()

    def removeView(self, sliceNode: slicer.vtkMRMLSliceNode) -> None:
        """Unregister a slice view and remove its observers; unknown views are ignored."""
        if sliceNode is not None and not isinstance(sliceNode, slicer.vtkMRMLSliceNode):
            raise ValueError(f"removeView needs a vtkMRMLSliceNode or None, got {type(sliceNode).__name__}")
        key = sliceNode.GetID() if sliceNode is not None else None
        view = self._views.get(key) if key else None
        if view is None or view.sliceNode is not sliceNode:
            return
        self._hiddenViews.drop(key)
        self._planner.forget(key)
        del self._views[key]
        view.detach()
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
                view.attach()
            else:
                view.detach()
        if not enabled:
            self._hiddenViews.cleanup()
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

    # -- the cursor: snap, nudge, history, keys ------------------------------------------------------

    def cursorRAS(self) -> Optional[tuple[float, float, float]]:
        """Return the last synced point (R, A, S) in world coordinates, or None before the first sync."""
        return self._cursor.point()

    def setSnapToVoxel(self, snap: bool) -> None:
        """Choose whether each synced point first moves to the nearest voxel centre of the reference volume."""
        self._snapToVoxel = _flag(snap, "setSnapToVoxel")

    def snapToVoxel(self) -> bool:
        """Return True if synced points snap to voxel centres."""
        return self._snapToVoxel

    def setReferenceVolume(self, volumeNode: Optional[slicer.vtkMRMLVolumeNode]) -> None:
        """Snap and nudge on this volume's voxels; None: the volume shown in the clicked view."""
        if volumeNode is not None:
            if not isinstance(volumeNode, slicer.vtkMRMLVolumeNode):
                raise ValueError(f"the reference volume must be a volume node or None, got {_describe(volumeNode)}")
            if volumeNode.GetScene() is not self.scene:
                raise ValueError(f"volume {volumeNode.GetName()!r} is not in this engine's scene")
        self._voxelSnap.setReferenceVolume(volumeNode)

    def referenceVolume(self) -> Optional[slicer.vtkMRMLVolumeNode]:
        """Return the reference volume (None: the volume shown in the clicked view)."""
        return self._voxelSnap.liveReference(None)

    def nudge(self, sliceNode: slicer.vtkMRMLSliceNode, dx: int, dy: int, dz: int) -> SyncResult:
        """Move the cursor by whole voxel steps along a view's x (right), y (up) and z (towards the viewer)."""
        view = self._views.get(sliceNode.GetID()) if isinstance(sliceNode, slicer.vtkMRMLSliceNode) else None
        if view is None or view.sliceNode is not sliceNode:
            raise ValueError(f"nudge needs a registered slice view, got {_describe(sliceNode)}")
        steps = (dx, dy, dz)
        if not all(isinstance(k, numbers.Integral) and not isinstance(k, bool) for k in steps):
            raise ValueError(f"nudge steps must be whole numbers, got {steps!r}")
        if any(abs(k) > MAX_COORDINATE_MM for k in steps):
            raise ValueError(f"nudge steps must be at most {MAX_COORDINATE_MM:g} each, got {steps!r}")
        name = _viewName(sliceNode)
        start = self._cursor.point()
        if start is None:
            start = viewCentre(sliceNode)
        else:
            mapped = SyncResult(start, name)
            start = self._fromWorld(start, sliceNode, name, mapped)
            if start is None:
                mapped.skippedReason = f"the cursor has no position in {name}"
                self._setResult(mapped)
                return mapped
        try:
            point = self._nudgeSteps.moved(sliceNode, start, steps, self._snapToVoxel)
        except ValueError:
            result = SyncResult(start, name, skippedReason=f"{name}: {REASON_DEGENERATE}")
            self._setResult(result)
            return result
        _checkBounded(point, "nudge")
        self._nudging = (sliceNode, SyncResult(point, name))
        try:
            result = self._sync(point, sliceNode, ORIGIN_NUDGE)
        finally:
            self._nudging = None
        self._setResult(result)
        return result

    def nudgeStep(self, sliceNode: slicer.vtkMRMLSliceNode) -> tuple[float, float, float]:
        """Return one nudge step (mm) along the view's x, y and z, as Slicer's slice logic computes the spacing."""
        if not isinstance(sliceNode, slicer.vtkMRMLSliceNode):
            raise ValueError(f"nudgeStep needs a vtkMRMLSliceNode, got {_describe(sliceNode)}")
        return self._nudgeSteps.spacing(sliceNode)

    def back(self) -> Optional[tuple[float, float, float]]:
        """Go back one point in the history and sync every view to it; None at the oldest point."""
        return self._syncHistory(self._cursor.back(), self._cursor.forward)

    def forward(self) -> Optional[tuple[float, float, float]]:
        """Go forward one point in the history and sync every view to it; None at the newest point."""
        return self._syncHistory(self._cursor.forward(), self._cursor.back)

    def history(self) -> list[tuple[float, float, float]]:
        """Return the cursor's history (at most 100 points), oldest first."""
        return self._cursor.history()

    def historyIndex(self) -> int:
        """Return the current position in history() (0-based; -1 while it is empty)."""
        return self._cursor.index()

    def setHistory(self, points: Sequence[Sequence[float]], index: Optional[int]) -> None:
        """Restore a history (e.g. saved with a scene); the cursor goes to ``points[index]``, no view moves."""
        self._cursor.setHistory(points, index)

    def setKeyBindings(self, bindings: dict[str, Optional[str]]) -> None:
        """Bind actions to keys, e.g. {"back": "Alt+Prior"}; unnamed actions keep their keys, None unbinds one."""
        if not isinstance(bindings, dict):
            raise ValueError(f"setKeyBindings needs a dict of action -> key string, got {type(bindings).__name__}")
        unbound = [action for action, text in bindings.items() if text is None or text == ""]
        merged = dict(self._keyBindings)
        merged.update(parseBindings({a: t for a, t in bindings.items() if a not in unbound}))
        for action in unbound:
            parseBindings({action: "x"})  # only checks the action's name
            merged.pop(action, None)
        checkUnique(merged)
        self._keyBindings = merged
        self._keyActions.clear()
        self._keyActions.update({key: action for action, key in merged.items()})

    def keyBindings(self) -> dict[str, str]:
        """Return the current {action: key string} bindings."""
        return {action: key.text() for action, key in self._keyBindings.items()}

    def _syncHistory(self, point: Optional[Geometry.Vector3], undo: Callable[[], object]) -> Optional[Geometry.Vector3]:
        if point is None:
            return None
        result = self._sync(point, None, ORIGIN_HISTORY)
        if result.skippedReason and self._sceneBusy():
            undo()  # nothing moved: the history stays where it was
            point = None
        self._setResult(result)
        return point

    def _onKeyAction(self, key: str, action: str) -> None:
        view = self._views.get(key)
        if view is None:
            return
        if action == "back":
            self.back()
        elif action == "forward":
            self.forward()
        else:
            self.nudge(view.sliceNode, *NUDGE_ACTIONS[action])

    def _showCursorIn(
        self, sliceNode: slicer.vtkMRMLSliceNode, world: Geometry.Vector3, result: SyncResult, pan: bool
    ) -> None:
        """Move a view along its own normal through the cursor (clamped like a target); ``pan`` keeps it in view."""
        name = _viewName(sliceNode)
        point = self._fromWorld(world, sliceNode, name, result)
        if point is None:
            return
        clampMode = "clamp" if self._clampMode == "clamp" else "off"
        jumpMode = "keepInView" if pan else "offset"
        own = SyncResult(point, name)
        self._planner.decide(sliceNode, name, point, own, {}, False, jumpMode, clampMode)
        self._planner.runJumps(own)

    # -- syncing -------------------------------------------------------------------------------------

    def syncTo(self, ras: Sequence[float], sourceSliceNode: Optional[slicer.vtkMRMLSliceNode] = None) -> SyncResult:
        """Move every registered view (of the source's view group, except the source) through ``ras``."""
        try:
            if isinstance(ras, (str, bytes, dict)) or any(not isinstance(c, numbers.Real) for c in ras):
                raise TypeError
            point = tuple(float(c) for c in ras)
        except (TypeError, ValueError, OverflowError):
            raise ValueError(f"syncTo needs three numbers (R, A, S), got {ras!r}") from None
        if not Geometry.isFinitePoint(point):
            raise ValueError(f"syncTo needs three finite numbers (R, A, S), got {ras!r}")
        _checkBounded(point, "syncTo")
        if sourceSliceNode is not None and not isinstance(sourceSliceNode, slicer.vtkMRMLSliceNode):
            raise ValueError(
                f"sourceSliceNode must be a vtkMRMLSliceNode or None, got {type(sourceSliceNode).__name__}"
            )
        if sourceSliceNode is not None and (
            sourceSliceNode.GetScene() is not self.scene
            or self.scene.GetNodeByID(sourceSliceNode.GetID()) is not sourceSliceNode
        ):
            raise ValueError(
                f"sourceSliceNode must be a slice node of the engine's scene, got {_describe(sourceSliceNode)}"
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

        def checkInside(sliceNode: slicer.vtkMRMLSliceNode) -> bool:
            return checkTargets or self._checksOwnVolume(sliceNode, result)

        # Hidden targets wait to be shown (HiddenViews); the shown ones move now.
        for sliceNode, name in self._hiddenViews.shownTargets(self.views(), targets, world, checkInside, result):
            targetPoint = self._fromWorld(world, sliceNode, name, result)
            if targetPoint is not None:
                self._syncOne(sliceNode, name, targetPoint, result, volumes, checkInside(sliceNode))
        self._planner.runJumps(result)
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
        """Move the world point to the voxel centre it should snap to, if snapping is on (Snap.py)."""
        self._reveal = None
        if not self._snapToVoxel:
            return world
        snapped, offPlane = self._voxelSnap.snap(world, source, result)
        if offPlane:
            # The clicked view's own slice then moves (along its normal only) onto the voxel centre.
            self._reveal = (source, result, False)
        return snapped

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
        if origin == ORIGIN_HISTORY:
            self._cursor.show(world)
        else:
            self._cursor.move(world, final)
        # A nudged view, or a clicked view the snapped point left, moves its own slice onto the cursor.
        reveal = (*self._nudging, True) if self._nudging is not None else self._reveal
        if self._nudging is None and origin != ORIGIN_CLICK:
            reveal = None
        self._reveal = None
        if reveal is not None:
            self._showCursorIn(reveal[0], world, reveal[1], reveal[2])

    def _publish(self, world: Geometry.Vector3, origin: str, final: bool) -> None:
        """Tell the outside sinks (the link) where the cursor went; never echo what came from them."""
        if self._link is not None and origin != ORIGIN_LINK:
            self._link.send(world, final)

    def _endGesture(self) -> None:
        """A click or drag has ended: the provisional drag steps become one final point."""
        recorded = self._cursor.endGesture()
        self._flushLink()
        if recorded:
            self._notify()  # hosts read back/forward availability in the status callback

    def _syncOne(
        self,
        sliceNode: slicer.vtkMRMLSliceNode,
        name: str,
        point: Geometry.Vector3,
        result: SyncResult,
        volumes: SyncVolumes,
        checkInside: bool,
    ) -> None:
        """Clamp one target view's point and decide its jump; the sync runs all jumps together (see ViewPlan)."""
        self._planner.decide(sliceNode, name, point, result, volumes, checkInside, self._jumpMode, self._clampMode)

    # -- hidden views: moved when they are shown (HiddenViews.py) ------------------------------------

    def _canCatchUp(self) -> bool:
        """A view that was shown is brought to the cursor only while sync is on and the scene is not busy."""
        return self._enabled and not self._sceneBusy()

    def _catchUp(self, sliceNode: slicer.vtkMRMLSliceNode, world: Geometry.Vector3, checkInside: bool) -> None:
        """Move a view that has just been shown through the point it missed while hidden."""
        view = self._views.get(sliceNode.GetID())
        if view is None or view.sliceNode is not sliceNode:
            return
        name = _viewName(sliceNode)
        result = SyncResult(world, None, [name])
        targetPoint = self._fromWorld(world, sliceNode, name, result)
        if targetPoint is not None:
            self._syncOne(sliceNode, name, targetPoint, result, {}, checkInside)
            self._planner.runJumps(result)
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
        cursor = self.cursorRAS()
        if cursor is None or not self._groupMapping.mappedGroups():
            return readAt(self.scene, self.views(), cursor)
        return readThroughMappings(self.scene, self.views(), cursor, self._groupMapping)

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

    def _onSceneClosed(self, caller: vtk.vtkObject, event: str) -> None:
        """A closed scene's points mean nothing in the next one: forget the cursor and its history."""
        try:
            self._cursor.clear()
        except Exception:
            logging.exception("SliceSync: failed to forget the cursor when the scene closed")

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
        self._hiddenViews.cleanup()
        for view in self._views.values():
            view.detach()
        self._views.clear()
        for tag in self._sceneObservations:
            self.scene.RemoveObserver(tag)
        self._sceneObservations = []
        self._groupMapping.clear()
        self._mappingNotice = None
        self._markups.detach()
        self._planner.forget()
        self._voxelSnap.setReferenceVolume(None)
        self._nudging = self._reveal = None
        self._enabled = False
        self._statusCallback = None
