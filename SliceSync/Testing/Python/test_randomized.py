"""Randomized sequences (hypothesis) of clicks, drags, held buttons, modifier clicks, mode changes, views and
volumes coming and going, on the headless bench with real events. After every step: no error escaped, the
user's state is unchanged by SliceSync, exactly the views a model predicts moved (through the point the
model predicts, clamped by Slicer's own slice bounds), and the interactors carry exactly the observers
they should; after cleanup every observer count is back to its baseline.

SLICESYNC_RANDOM_EXAMPLES (default 120) sets how many sequences run; SLICESYNC_RANDOM_SEED=0 turns the
fixed seed off (a different search each run).
"""

from __future__ import annotations

import math
import os
import sys
from typing import Optional

import hypothesis.strategies as st
import numpy as np
import slicer
import vtk
from conftest import ErrorGuard, anatomicalPath
from FaultRig import addVolume
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from SliceSyncBench import SliceViewBench, observerCount, planes, sliceBounds, sliceOffset, userState
from SliceSyncLib import CLAMP_MODES, JUMP_MODES, SliceSyncEngine
from SliceSyncLib.Gestures import CLICK_TOLERANCE_PIXELS

EXAMPLES = int(os.environ.get("SLICESYNC_RANDOM_EXAMPLES", "120"))
DERANDOMIZE = os.environ.get("SLICESYNC_RANDOM_SEED", "1") != "0"
STEPS_PER_SEQUENCE = 40
TOLERANCE_MM = 1e-3
SIZE = 200

# Red, Yellow, Green and Blue share view group 0; Orange is alone in group 1.
VIEWS = (("Red", "Axial", 0), ("Yellow", "Sagittal", 0), ("Green", "Coronal", 0), ("Blue", "Axial", 0))
VIEWS += (("Orange", "Sagittal", 1),)
NAMES = tuple(name for name, _, _ in VIEWS)
INTERACTION_MODES = ("ViewTransform", "ViewTransform", "Place", "AdjustWindowLevel")

PIXELS = st.integers(min_value=-20, max_value=SIZE + 20)
IN_VIEW_PIXELS = st.integers(min_value=0, max_value=SIZE - 1)
VIEW_NAMES = st.sampled_from(NAMES)
STEPS = {"all": 0, "count": 0, "sequences": 0, "syncs": 0}


def _offset(view, point) -> float:
    """``point`` along the view's normal."""
    m = view.sliceNode.GetSliceToRAS()
    return sum(m.GetElement(k, 2) * point[k] for k in range(3))


class SliceSyncMachine(RuleBasedStateMachine):
    """A user working with SliceSync on; the model predicts what every step must do."""

    def __init__(self) -> None:
        super().__init__()
        self.guard = ErrorGuard()
        self.guard.start()
        bench = self.bench = SliceViewBench()
        for name, orientation, group in VIEWS:
            bench.addView(name, orientation, group, size=(SIZE, SIZE))
        # The user turned Slicer's Shift-hover jump off, so a Shift click must move nothing at all.
        bench.crosshairNode.SetCrosshairBehavior(slicer.vtkMRMLCrosshairNode.NoAction)
        self.volumes = [
            bench.loadVolume(anatomicalPath(), "anatomical"),
            addVolume(
                bench.scene, (12, 30, 9), np.array([[0, -1.5, 0, 20], [2, 0, 0, -10], [0, 0, 3, 5], [0, 0, 0, 1]])
            ),
            addVolume(bench.scene, (16, 16, 16), nodeClass=slicer.vtkMRMLLabelMapVolumeNode, name="label"),
        ]
        bench.showVolume(self.volumes[0])
        self.baseline = self._interactorCounts()
        self.sharedBaseline = self._sharedCounts()
        self.engine = SliceSyncEngine(bench.scene)
        self.registered = set()
        for name in NAMES:
            self.engine.addView(bench.views[name].sliceNode, bench.views[name].interactor)
            self.registered.add(name)
        self.engine.setEnabled(True)
        self.enabled = True
        self.dragFollow = True
        self.held: Optional[dict] = None
        self.busy: Optional[int] = None
        self.guard.drain()
        STEPS["sequences"] += 1

    # -- bookkeeping ------------------------------------------------------------------------------------

    def _interactorCounts(self) -> dict:
        return {name: observerCount(view.interactor) for name, view in self.bench.views.items()}

    def _sharedCounts(self) -> dict:
        bench = self.bench
        counts = {name: observerCount(view.sliceNode) for name, view in bench.views.items()}
        counts.update(scene=observerCount(bench.scene), crosshair=observerCount(bench.crosshairNode))
        return counts

    def _syncing(self) -> bool:
        return (
            self.enabled
            and self.busy is None
            and self.bench.interactionNode.GetCurrentInteractionMode() == slicer.vtkMRMLInteractionNode.ViewTransform
        )

    def _expectedPlane(self, target: str, point) -> float:
        """The offset the model expects for ``target`` after a sync to ``point`` (clamped by Slicer's bounds)."""
        view = self.bench.views[target]
        offset = _offset(view, point)
        if self.engine.clampMode() != "clamp":
            return offset
        volume = self._shownVolume(view)
        if volume is None or volume.GetImageData() is None:
            return offset
        low, high = sliceBounds(view, volume)
        return min(max(offset, low), high)

    def _shownVolume(self, view):
        composite = view.compositeNode
        for volumeID in (
            composite.GetBackgroundVolumeID(),
            composite.GetForegroundVolumeID(),
            composite.GetLabelVolumeID(),
        ):
            if volumeID and self.bench.scene.GetNodeByID(volumeID) is not None:
                return self.bench.scene.GetNodeByID(volumeID)
        return None

    def _isInside(self, view, point) -> Optional[bool]:
        volume = self._shownVolume(view)
        if volume is None or volume.GetImageData() is None:
            return None
        rasToIJK = vtk.vtkMatrix4x4()
        volume.GetRASToIJKMatrix(rasToIJK)
        ijk = rasToIJK.MultiplyPoint((*point, 1.0))
        extent = volume.GetImageData().GetExtent()
        return all(extent[2 * k] - 0.5 - 1e-6 <= ijk[k] <= extent[2 * k + 1] + 0.5 + 1e-6 for k in range(3))

    def _check(self, before: dict, syncs: list) -> None:
        """Check one SliceSync step: errors, user state, and which views moved where."""
        self.guard.check()
        assert userState(self.bench) == self._stateBefore, "SliceSync changed the user's state"
        after = planes(self.bench)
        expected: dict[str, float] = {}
        for source, point in syncs:
            if source is None:
                targets = sorted(self.registered)
            else:
                group = self.bench.views[source].sliceNode.GetViewGroup()
                targets = [
                    name
                    for name in sorted(self.registered)
                    if name != source and self.bench.views[name].sliceNode.GetViewGroup() == group
                ]
            if self.engine.clampMode() == "ignoreOutside":
                sourceInside = self._isInside(self.bench.views[source], point) if source else None
                if sourceInside is False:
                    continue
                if sourceInside is None:
                    targets = [name for name in targets if self._isInside(self.bench.views[name], point) is not False]
            for name in targets:
                expected[name] = self._expectedPlane(name, point)
            STEPS["syncs"] += 1
        for name in NAMES:
            if name in expected:
                offset = sliceOffset(self.bench.views[name])
                assert abs(offset - expected[name]) < TOLERANCE_MM, (name, offset, expected[name], syncs)
            else:
                assert after[name] == before[name], f"{name} moved but should not have ({syncs})"

    def _gesture(self, action) -> None:
        before = planes(self.bench)
        self._stateBefore = userState(self.bench)
        syncs: list = []
        action(syncs)
        self._check(before, syncs)
        STEPS["count"] += 1

    # -- gestures ---------------------------------------------------------------------------------------

    @rule(name=VIEW_NAMES, x=PIXELS, y=PIXELS)
    @precondition(lambda self: self.held is None)
    def click(self, name, x, y) -> None:
        view = self.bench.views[name]

        def act(syncs: list) -> None:
            point = view.pixelToRAS(x, y)
            view.click(x, y)
            if self._syncing() and name in self.registered:
                syncs.append((name, point))

        self._gesture(act)

    @rule(name=VIEW_NAMES, x=IN_VIEW_PIXELS, y=IN_VIEW_PIXELS, modifier=st.sampled_from(["shift", "ctrl", "alt"]))
    @precondition(lambda self: self.held is None)
    def modifierClick(self, name, x, y, modifier) -> None:
        view = self.bench.views[name]
        self._gesture(lambda syncs: view.click(x, y, **{modifier: True}))

    @rule(name=VIEW_NAMES, path=st.lists(st.tuples(IN_VIEW_PIXELS, IN_VIEW_PIXELS), min_size=1, max_size=6))
    @precondition(lambda self: self.held is None)
    def drag(self, name, path) -> None:
        view = self.bench.views[name]

        def act(syncs: list) -> None:
            points = [view.pixelToRAS(x, y) for x, y in path]
            view.drag(path)
            if not (self._syncing() and name in self.registered):
                return
            if self.dragFollow:  # the press and every move sync, in order
                syncs.extend((name, point) for point in points)
                return
            press = path[0]
            moved = any(
                abs(x - press[0]) > CLICK_TOLERANCE_PIXELS or abs(y - press[1]) > CLICK_TOLERANCE_PIXELS
                for x, y in path
            )
            if not moved:  # within the click tolerance all along: a click at the press point
                syncs.append((name, points[0]))

        self._gesture(act)

    @rule(name=VIEW_NAMES, x=IN_VIEW_PIXELS, y=IN_VIEW_PIXELS)
    @precondition(lambda self: self.held is None)
    def pressAndHold(self, name, x, y) -> None:
        view = self.bench.views[name]

        def act(syncs: list) -> None:
            point = view.pixelToRAS(x, y)
            view.press(x, y)
            if self._syncing() and name in self.registered:
                self.held = {"name": name, "press": (x, y), "point": point, "dragging": False, "synced": False}
                if self.dragFollow:
                    self.held["synced"] = True
                    syncs.append((name, point))
            else:
                self.held = {"name": name, "press": (x, y), "point": point, "dead": True}

        self._gesture(act)

    @rule(x=IN_VIEW_PIXELS, y=IN_VIEW_PIXELS)
    @precondition(lambda self: self.held is not None)
    def moveHeld(self, x, y) -> None:
        held = self.held
        view = self.bench.views[held["name"]]

        def act(syncs: list) -> None:
            point = view.pixelToRAS(x, y)
            view.move(x, y)
            if held.get("dead"):
                return
            if not self._syncing():
                held["dead"] = True
                return
            px, py = held["press"]
            if abs(x - px) > CLICK_TOLERANCE_PIXELS or abs(y - py) > CLICK_TOLERANCE_PIXELS:
                held["dragging"] = True
            if self.dragFollow:
                held["synced"] = True
                syncs.append((held["name"], point))

        self._gesture(act)

    @rule(x=IN_VIEW_PIXELS, y=IN_VIEW_PIXELS)
    @precondition(lambda self: self.held is not None)
    def release(self, x, y) -> None:
        held, self.held = self.held, None
        view = self.bench.views[held["name"]]

        def act(syncs: list) -> None:
            view.release(x, y)
            if held.get("dead") or held["dragging"] or held["synced"] or not self._syncing():
                return
            px, py = held["press"]
            if abs(x - px) <= CLICK_TOLERANCE_PIXELS and abs(y - py) <= CLICK_TOLERANCE_PIXELS:
                syncs.append((held["name"], held["point"]))

        self._gesture(act)

    @rule(
        point=st.tuples(*[st.floats(-300, 300, allow_nan=False)] * 3),
        source=st.one_of(st.none(), VIEW_NAMES),
    )
    def typedPoint(self, point, source) -> None:
        """syncTo from a script or shortcut: with no source, every registered view is a target."""
        sourceNode = self.bench.views[source].sliceNode if source else None

        def act(syncs: list) -> None:
            result = self.engine.syncTo(point, sourceNode)
            if self.busy is None:
                syncs.append((source, point))
            else:
                assert result.skippedReason and not result.movedNames

        self._gesture(act)

    @rule(bad=st.sampled_from([(math.nan, 0, 0), (0, math.inf, 0), (0, 0, -math.inf), (1, 2)]))
    def badPoint(self, bad) -> None:
        def act(syncs: list) -> None:
            try:
                self.engine.syncTo(bad)
            except ValueError:
                return
            raise AssertionError(f"syncTo({bad}) did not raise ValueError")

        self._gesture(act)

    # -- settings and the user's changes -----------------------------------------------------------------

    @rule(
        setting=st.one_of(
            st.tuples(st.just("jumpMode"), st.sampled_from(JUMP_MODES)),
            st.tuples(st.just("clampMode"), st.sampled_from(CLAMP_MODES)),
            st.tuples(st.just("dragFollow"), st.booleans()),
            st.tuples(st.just("showCrosshair"), st.booleans()),
        )
    )
    def engineSetting(self, setting) -> None:
        name, value = setting
        getattr(self.engine, "set" + name[0].upper() + name[1:])(value)
        if name == "dragFollow":
            self.dragFollow = value

    @rule(enabled=st.booleans())
    def enable(self, enabled) -> None:
        self.engine.setEnabled(enabled)
        if not enabled and self.held is not None:
            self.held["dead"] = True
        self.enabled = enabled

    @rule(mode=st.sampled_from(INTERACTION_MODES))
    def interactionMode(self, mode) -> None:
        self.bench.interactionNode.SetCurrentInteractionMode(getattr(slicer.vtkMRMLInteractionNode, mode))
        self.guard.drain()

    @rule(name=VIEW_NAMES, again=st.booleans())
    def registration(self, name, again) -> None:
        """A layout change: the view leaves or joins; or the logic offers a registered view again."""
        view = self.bench.views[name]
        if again and name in self.registered:
            self.engine.addView(view.sliceNode, view.interactor)
        elif name in self.registered:
            self.engine.removeView(view.sliceNode)
            self.registered.discard(name)
            if self.held is not None and self.held["name"] == name:
                self.held["dead"] = True
        else:
            self.engine.addView(view.sliceNode, view.interactor)
            self.registered.add(name)
        self.guard.check()

    @rule(
        name=VIEW_NAMES,
        which=st.integers(min_value=-1, max_value=2),
        layer=st.sampled_from(["Background", "Foreground", "Label"]),
    )
    def showVolume(self, name, which, layer) -> None:
        volume = self.volumes[which] if which >= 0 else None
        self.bench.showVolume(volume, [self.bench.views[name]], layer, fit=False)
        self.guard.drain()

    @rule(which=st.integers(min_value=1, max_value=2))
    def replaceVolume(self, which) -> None:
        """The user deletes a volume and loads another in its place (shown where the old one was)."""
        old = self.volumes[which]
        shownIn = [
            (view, layer)
            for view in self.bench.views.values()
            for layer in ("Background", "Foreground", "Label")
            if getattr(view.compositeNode, f"Get{layer}VolumeID")() == old.GetID()
        ]
        self.bench.scene.RemoveNode(old)
        dimensions = (4 + which * 5, 7, 3 + which)
        new = addVolume(self.bench.scene, dimensions, np.diag([1.0, 2.0, 1.5, 1.0]), name=f"replacement{which}")
        self.volumes[which] = new
        for view, layer in shownIn:
            getattr(view.compositeNode, f"Set{layer}VolumeID")(new.GetID())
        self.guard.drain()

    # -- invariants -------------------------------------------------------------------------------------

    @invariant()
    def observersMatchRegistration(self) -> None:
        STEPS["all"] += 1
        counts = self._interactorCounts()
        for name in NAMES:
            extra = counts[name] - self.baseline[name]
            assert extra == (5 if self.enabled and name in self.registered else 0), (name, extra)  # 4 mouse, 1 key

    @rule(state=st.sampled_from(["BatchProcessState", "ImportState"]))
    def sceneBusy(self, state) -> None:
        """Slicer starts or ends loading data or a batch of changes."""
        if self.busy is None:
            self.busy = getattr(slicer.vtkMRMLScene, state)
            self.bench.scene.StartState(self.busy)
        else:
            self.bench.scene.EndState(self.busy)
            self.busy = None
        self.guard.check()

    @rule()
    @precondition(lambda self: self.busy is None)
    def closeSceneAndLoadAgain(self) -> None:
        """File / Close Scene, then the user loads volumes again (and keeps Shift-hover jump off)."""
        bench = self.bench
        before = self._sharedCounts()
        bench.scene.StartState(slicer.vtkMRMLScene.CloseState)
        bench.scene.Clear(0)
        bench.scene.EndState(slicer.vtkMRMLScene.CloseState)
        bench.crosshairNode.SetCrosshairBehavior(slicer.vtkMRMLCrosshairNode.NoAction)
        self.volumes = [
            bench.loadVolume(anatomicalPath(), "anatomical"),
            addVolume(bench.scene, (10, 8, 6), np.diag([-1.0, 1.0, 2.0, 1.0]), name="reflected"),
            addVolume(bench.scene, (16, 16, 16), nodeClass=slicer.vtkMRMLLabelMapVolumeNode, name="label"),
        ]
        bench.showVolume(self.volumes[0], fit=False)
        after = self._sharedCounts()
        for key in after:
            self.sharedBaseline[key] += after[key] - before[key]
        self.guard.drain()

    def teardown(self) -> None:
        try:
            if self.busy is not None:
                self.bench.scene.EndState(self.busy)
            if self.held is not None:
                self.bench.views[self.held["name"]].release(*self.held["press"])
            self.engine.cleanup()
            self.engine.cleanup()
            assert self._interactorCounts() == self.baseline, "observers left on interactors"
            assert self._sharedCounts() == self.sharedBaseline, "observers left on nodes or the scene"
            self.guard.check()
        finally:
            self.bench.close()
            self.guard.stop()


def test_randomized_sequences_keep_every_invariant():
    STEPS.update(all=0, count=0, sequences=0, syncs=0)
    run_state_machine_as_test(
        SliceSyncMachine,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS_PER_SEQUENCE,
            deadline=None,
            derandomize=DERANDOMIZE,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    sys.stderr.write(
        f"SliceSync randomized: {STEPS['sequences']} sequences, {STEPS['all']} steps, "
        f"{STEPS['count']} of them SliceSync gestures or syncTo calls checked against the model, "
        f"{STEPS['syncs']} syncs predicted\n"
    )
    assert STEPS["count"] >= EXAMPLES * 5
