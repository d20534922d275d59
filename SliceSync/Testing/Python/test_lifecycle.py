"""Lifecycle: views, volumes and scenes come and go while sync is on; SliceSync follows and leaks nothing.

Uses the ``Rig`` of FaultRig.py (conftest's ``rig`` fixture): after each action no error escaped, only the
expected views moved, the user's state is unchanged; after cleanup every observer count is back to its baseline.
"""

from __future__ import annotations

import pytest
import slicer
import vtk
from conftest import anatomicalPath
from FaultRig import RED_CLICK, Rig, addVolume, assertOnBoundary, assertWithin

from SliceSyncBench import ModifiedCounter, SliceViewBench, observerCount, sliceOffset
from SliceSyncLib import SliceSyncEngine
from SliceSyncLib.Status import REASON_NO_VOLUME
from SliceSyncLib.ViewBinding import SyncSettings, ViewBinding


@pytest.fixture
def volumeRig(rig):
    """The rig with nibabel's anatomical.nii (flipped axes) read by Slicer and shown in every view."""
    with rig.userChange():
        volume = rig.bench.loadVolume(anatomicalPath(), "anatomical")
    rig.show(volume)
    rig.volume = volume
    return rig


# -- views come and go ------------------------------------------------------------------------------------


def test_views_added_and_removed_while_on_sync_only_while_registered(rig):
    engine, bench = rig.engine, rig.bench
    blue = rig.addView("Blue", "Coronal")
    orange = rig.addView("Orange", "Sagittal", viewGroup=1)
    rig.click("Red", *RED_CLICK, moved={"Yellow", "Green", "Blue"})
    engine.removeView(bench.views["Yellow"].sliceNode)
    point = rig.click("Red", 200, 40, moved={"Green", "Blue"})
    assert bench.views["Yellow"].distanceToPlane(point) != pytest.approx(0.0, abs=1e-3)
    engine.addView(bench.views["Yellow"].sliceNode, bench.views["Yellow"].interactor)
    rig.click("Blue", 30, 30, moved={"Red", "Yellow"})
    rig.click("Orange", 100, 100)  # alone in view group 1
    rig.click("Yellow", 128, 128, views={"Yellow"})  # the source never moves
    assert observerCount(orange.interactor) > rig.baseline["Orange.interactor"]
    engine.removeView(blue.sliceNode)
    assert observerCount(blue.interactor) == rig.baseline["Blue.interactor"]


def _withSlicersOwnChange(rig, action) -> None:
    """Move the rig's per-view observer baselines by what ``action`` changes on a bench without SliceSync.

    Slicer's own logics and displayable managers let go of a slice node or composite node that leaves the
    scene; the same action on a twin bench (standard views, no engine) measures that, so what is left over
    after cleanup is SliceSync's.
    """
    twin = SliceViewBench()
    try:
        twin.addStandardViews()
        objects = {}
        for name, view in twin.views.items():
            objects[f"{name}.sliceNode"] = view.sliceNode
            objects[f"{name}.composite"] = view.compositeNode
        before = {key: observerCount(obj) for key, obj in objects.items()}
        action(twin)
        for key, obj in objects.items():
            if key in rig.baseline:
                rig.baseline[key] += observerCount(obj) - before[key]
    finally:
        twin.close()


def test_slice_node_removed_from_the_scene_is_forgotten(rig):
    engine, bench = rig.engine, rig.bench
    yellow = bench.views["Yellow"]
    with rig.userChange():
        bench.scene.RemoveNode(yellow.sliceNode)
    _withSlicersOwnChange(rig, lambda twin: twin.scene.RemoveNode(twin.views["Yellow"].sliceNode))
    assert yellow.sliceNode not in engine.views()
    assert observerCount(yellow.interactor) == rig.baseline["Yellow.interactor"]
    rig.click("Red", *RED_CLICK, moved={"Green"}, views={"Red", "Green"})


def test_adding_the_same_view_twice_adds_no_observers(rig):
    engine, red = rig.engine, rig.bench.views["Red"]
    before = observerCount(red.interactor)
    for _ in range(5):
        engine.addView(red.sliceNode, red.interactor)
    assert observerCount(red.interactor) == before
    with ModifiedCounter(rig.bench.views.values()) as counter:
        rig.click("Red", *RED_CLICK, moved={"Yellow", "Green"})
    assert counter.counts == {"Red": 0, "Yellow": 1, "Green": 1}


def test_adding_a_view_with_a_new_interactor_releases_the_old_one(rig):
    engine, red = rig.engine, rig.bench.views["Red"]
    other = vtk.vtkRenderWindowInteractor()
    otherBaseline = observerCount(other)
    engine.addView(red.sliceNode, other)
    assert observerCount(red.interactor) == rig.baseline["Red.interactor"]
    assert observerCount(other) > otherBaseline
    rig.click("Red", *RED_CLICK)  # Red's own interactor is no longer watched
    engine.addView(red.sliceNode, red.interactor)
    assert observerCount(other) == otherBaseline
    rig.click("Red", *RED_CLICK, moved={"Yellow", "Green"})


def test_remove_view_of_unknown_nodes_is_harmless(rig):
    engine, bench = rig.engine, rig.bench
    stranger = slicer.vtkMRMLSliceNode()
    otherScene = slicer.vtkMRMLScene()
    foreign = slicer.vtkMRMLSliceNode()
    otherScene.AddNode(foreign)
    twin = slicer.vtkMRMLSliceNode()  # another scene's "Red": the same node ID as ours
    twin.SetLayoutName("Red")
    twin.SetSingletonTag("Red")
    otherScene.AddNode(twin)
    assert twin.GetID() == bench.views["Red"].sliceNode.GetID()
    for node in (stranger, foreign, twin, None):
        rig.act(lambda node=node: engine.removeView(node))
    assert len(engine.views()) == 3
    rig.click("Red", *RED_CLICK, moved={"Yellow", "Green"})


@pytest.mark.parametrize("wrong", ["Red", 3, vtk.vtkObject()], ids=["string", "int", "vtkObject"])
def test_remove_view_of_a_wrong_type_raises_value_error(rig, wrong):
    def remove() -> None:
        with pytest.raises(ValueError):
            rig.engine.removeView(wrong)

    rig.act(remove)
    assert len(rig.engine.views()) == 3


def test_add_view_from_another_scene_raises_value_error(rig):
    otherScene = slicer.vtkMRMLScene()
    foreign = slicer.vtkMRMLSliceNode()
    otherScene.AddNode(foreign)

    def add() -> None:
        with pytest.raises(ValueError):
            rig.engine.addView(foreign, vtk.vtkRenderWindowInteractor())

    rig.act(add)


# -- drags interrupted ------------------------------------------------------------------------------------


def test_source_view_unregistered_during_a_drag_stops_following(rig):
    red = rig.bench.views["Red"]
    rig.act(lambda: red.press(60, 190), moved={"Yellow", "Green"})
    rig.act(lambda: red.move(70, 180), moved={"Yellow", "Green"})
    rig.act(lambda: rig.engine.removeView(red.sliceNode))
    assert observerCount(red.interactor) == rig.baseline["Red.interactor"]
    rig.act(lambda: red.move(90, 150))
    rig.act(lambda: red.release(90, 150))
    rig.engine.addView(red.sliceNode, red.interactor)
    rig.act(lambda: red.move(100, 100))  # no press since: no drag
    rig.click("Red", 100, 100, moved={"Yellow", "Green"})


def test_source_slice_node_removed_during_a_drag_stops_following(rig):
    bench = rig.bench
    red = bench.views["Red"]
    rig.act(lambda: red.press(60, 190), moved={"Yellow", "Green"})
    with rig.userChange():
        bench.scene.RemoveNode(red.sliceNode)
    _withSlicersOwnChange(rig, lambda twin: twin.scene.RemoveNode(twin.views["Red"].sliceNode))
    assert red.sliceNode not in rig.engine.views()
    assert observerCount(red.interactor) == rig.baseline["Red.interactor"]
    rig.act(lambda: red.move(90, 150), views={"Yellow", "Green"})
    rig.act(lambda: red.release(90, 150), views={"Yellow", "Green"})
    rig.click("Yellow", 20, 20, moved={"Green"}, views={"Yellow", "Green"})


def test_volume_removed_during_a_drag_leaves_targets_unclamped(volumeRig):
    rig = volumeRig
    red = rig.bench.views["Red"]
    rig.act(lambda: red.press(60, 190), moved={"Yellow", "Green"})
    with rig.userChange():
        rig.bench.scene.RemoveNode(rig.volume)
    # Far outside the old volume: nothing to clamp to any more, the views follow the point itself.
    point = red.pixelToRAS(250, 5)
    rig.act(lambda: red.move(250, 5), moved={"Yellow", "Green"}, through=point)
    assert rig.engine.lastResult.notClamped == {"Yellow": REASON_NO_VOLUME, "Green": REASON_NO_VOLUME}
    rig.act(lambda: red.release(250, 5))


def test_volume_replaced_during_a_drag_clamps_to_the_new_volume(volumeRig):
    rig = volumeRig
    bench = rig.bench
    red, yellow = bench.views["Red"], bench.views["Yellow"]
    rig.act(lambda: red.press(60, 190), moved={"Yellow", "Green"})
    with rig.userChange():
        small = addVolume(bench.scene, dimensions=(4, 4, 4), name="small")
        for view in bench.views.values():
            view.compositeNode.SetBackgroundVolumeID(small.GetID())
    rig.act(lambda: red.move(240, 20), moved={"Yellow", "Green"})
    assertOnBoundary(yellow, small)
    assert sliceOffset(yellow) in (pytest.approx(0.0, abs=1e-3), pytest.approx(-3.0, abs=1e-3))
    rig.act(lambda: red.release(240, 20))


@pytest.mark.parametrize("mode", ["Place", "AdjustWindowLevel"])
def test_interaction_mode_changed_during_a_drag_stops_following(rig, mode):
    red = rig.bench.views["Red"]
    rig.act(lambda: red.press(60, 190), moved={"Yellow", "Green"})
    with rig.userChange():
        rig.bench.interactionNode.SetCurrentInteractionMode(getattr(slicer.vtkMRMLInteractionNode, mode))
    rig.act(lambda: red.move(90, 150))
    rig.act(lambda: red.release(90, 150))


@pytest.mark.parametrize("mode", ["Place", "AdjustWindowLevel"])
def test_interaction_mode_changed_before_the_release_of_a_click_cancels_it(rig, mode):
    rig.engine.setDragFollow(False)  # the click syncs on release
    red = rig.bench.views["Red"]
    rig.act(lambda: red.press(60, 190))
    with rig.userChange():
        rig.bench.interactionNode.SetCurrentInteractionMode(getattr(slicer.vtkMRMLInteractionNode, mode))
    rig.act(lambda: red.release(60, 190))


def test_disabled_during_a_drag_stops_and_reenabling_needs_a_new_press(rig):
    red = rig.bench.views["Red"]
    rig.act(lambda: red.press(60, 190), moved={"Yellow", "Green"})
    rig.act(lambda: rig.engine.setEnabled(False))
    rig.act(lambda: red.move(90, 150))
    rig.act(lambda: rig.engine.setEnabled(True))
    rig.act(lambda: red.move(100, 150))
    rig.act(lambda: red.release(100, 150))
    rig.click("Red", 100, 150, moved={"Yellow", "Green"})


# -- scenes come and go ----------------------------------------------------------------------------------


def _closeScene(scene: slicer.vtkMRMLScene) -> None:
    """What Slicer's File / Close Scene does to the scene."""
    scene.StartState(slicer.vtkMRMLScene.CloseState)
    scene.Clear(0)
    scene.EndState(slicer.vtkMRMLScene.CloseState)


def test_scene_cleared_while_on_keeps_syncing_unclamped(volumeRig):
    rig = volumeRig
    rig.click("Red", *RED_CLICK, moved={"Yellow", "Green"}, hits=False)
    with rig.userChange():
        rig.bench.scene.Clear(0)
    assert len(rig.engine.views()) == 3
    rig.click("Red", 10, 20, moved={"Yellow", "Green"})
    assert rig.engine.lastResult.notClamped == {"Yellow": REASON_NO_VOLUME, "Green": REASON_NO_VOLUME}


def test_scene_closed_then_reloaded_while_on_keeps_syncing_and_clamps_again(volumeRig):
    rig = volumeRig
    bench = rig.bench
    path = bench.tempPath("saved.mrml")
    bench.scene.SetURL(path)
    assert bench.scene.Commit()
    with rig.userChange():
        _closeScene(bench.scene)
    rig.click("Red", *RED_CLICK, moved={"Yellow", "Green"})
    with rig.userChange():
        _closeScene(bench.scene)
        bench.scene.SetURL(path)
        assert bench.scene.Connect()
    volume = bench.scene.GetFirstNodeByClass("vtkMRMLScalarVolumeNode")
    assert bench.views["Yellow"].compositeNode.GetBackgroundVolumeID() == volume.GetID()
    rig.click("Red", 250, 5, moved={"Yellow", "Green"}, hits=False)
    assertOnBoundary(bench.views["Yellow"], volume)
    assertWithin(bench.views["Green"], volume)
    assert "Yellow" in rig.engine.lastResult.clampedNames


def test_scene_cleared_with_singletons_releases_every_view(rig):
    bench = rig.bench
    with rig.userChange():
        bench.scene.Clear(1)
    _withSlicersOwnChange(rig, lambda twin: twin.scene.Clear(1))
    assert rig.engine.views() == []
    for name, view in bench.views.items():
        assert observerCount(view.interactor) == rig.baseline[f"{name}.interactor"]
    # No event is sent to these views now: Slicer's own interactor style crashes without its slice node.


@pytest.mark.parametrize("state", ["BatchProcessState", "ImportState", "CloseState"])
def test_no_sync_while_the_scene_is_busy(rig, state):
    scene, red = rig.bench.scene, rig.bench.views["Red"]
    stateValue = getattr(slicer.vtkMRMLScene, state)
    with rig.userChange():
        scene.StartState(stateValue)
    rig.click("Red", *RED_CLICK)
    rig.act(lambda: red.drag([(20, 20), (40, 60), (80, 90)]))

    def typedIn() -> None:
        result = rig.engine.syncTo((5.0, 6.0, 7.0))
        assert result.skippedReason and result.movedNames == []

    rig.act(typedIn)
    with rig.userChange():
        scene.EndState(stateValue)
    rig.click("Red", *RED_CLICK, moved={"Yellow", "Green"})


def test_scene_busy_during_a_drag_stops_following(rig):
    scene, red = rig.bench.scene, rig.bench.views["Red"]
    rig.act(lambda: red.press(60, 190), moved={"Yellow", "Green"})
    with rig.userChange():
        scene.StartState(slicer.vtkMRMLScene.BatchProcessState)
    rig.act(lambda: red.move(90, 150))
    with rig.userChange():
        scene.EndState(slicer.vtkMRMLScene.BatchProcessState)
    rig.act(lambda: red.release(90, 150))


# -- on, off, cleanup, reload ------------------------------------------------------------------------------


def test_enable_disable_a_thousand_times_leaks_nothing(rig):
    engine, bench = rig.engine, rig.bench
    engaged = rig.observerCounts()
    for _ in range(1000):
        engine.setEnabled(False)
        engine.setEnabled(True)
    assert rig.observerCounts() == engaged
    with ModifiedCounter(bench.views.values()) as counter:
        rig.click("Red", *RED_CLICK, moved={"Yellow", "Green"})
    assert counter.counts == {"Red": 0, "Yellow": 1, "Green": 1}
    for _ in range(1000):
        engine.setEnabled(True)
        engine.setEnabled(False)
    assert {key: count for key, count in rig.observerCounts().items() if key.endswith("interactor")} == {
        key: count for key, count in rig.baseline.items() if key.endswith("interactor")
    }


def test_cleanup_twice_then_the_engine_is_inert(rig):
    engine = rig.engine
    engine.cleanup()
    engine.cleanup()
    assert rig.observerCounts() == rig.baseline
    assert not engine.isEnabled() and engine.views() == []
    rig.click("Red", *RED_CLICK)


def test_cleanup_during_a_drag_stops_following_and_releases_observers(rig):
    red = rig.bench.views["Red"]
    rig.act(lambda: red.press(60, 190), moved={"Yellow", "Green"})
    rig.act(rig.engine.cleanup)
    assert rig.observerCounts() == rig.baseline
    rig.act(lambda: red.move(90, 150))
    rig.act(lambda: red.release(90, 150))


def test_status_callback_that_raises_is_contained(rig):
    def broken(text: str) -> None:
        raise RuntimeError("a broken panel")

    rig.engine.setStatusCallback(broken)
    rig.guard.allow(r"SliceSync: the status callback failed")
    rig.click("Red", *RED_CLICK, moved={"Yellow", "Green"})


def _reload(bench: SliceViewBench, old: SliceSyncEngine) -> SliceSyncEngine:
    """What Slicer's reload does to our logic: the old one is cleaned up, a new one is built on the same views."""
    old.cleanup()
    new = SliceSyncEngine(bench.scene)
    for view in bench.views.values():
        new.addView(view.sliceNode, view.interactor)
    new.setEnabled(True)
    return new


def test_module_reload_gives_exactly_one_jump_per_click(rig):
    bench = rig.bench
    engaged = rig.observerCounts()
    for _ in range(3):
        rig.engine = _reload(bench, rig.engine)
    assert rig.observerCounts() == engaged
    for pixel in ((60, 190), (200, 40), (128, 128)):
        with ModifiedCounter(bench.views.values()) as counter:
            rig.click("Red", *pixel, moved={"Yellow", "Green"})
        assert counter.counts == {"Red": 0, "Yellow": 1, "Green": 1}


# -- the module logic's view bookkeeping (ViewBinding) -----------------------------------------------------


def _handles(bench: SliceViewBench, names=None):
    return [(name, view.sliceNode, view.interactor) for name, view in bench.views.items() if not names or name in names]


class BindingRig(Rig):
    """A Rig whose engine belongs to a ViewBinding, as in the Slicer module's logic."""

    def __init__(self, bench: SliceViewBench, guard) -> None:
        super().__init__(bench, guard, enable=False)
        self.engine.cleanup()  # the Rig's own engine is not used: the binding builds its own
        self.binding = ViewBinding(bench.scene)
        self.binding.applySettings(SyncSettings(enabled=True))
        self.binding.setViews(_handles(bench))
        self.engine = self.binding.engine

    def finish(self) -> None:
        """Clean the binding up (twice) and check every observer count is back."""
        self.binding.cleanup()
        self.binding.cleanup()
        assert self.observerCounts() == self.baseline, "observers left behind"
        self.guard.check()


@pytest.fixture
def bindingRig(errorGuard, bench):
    """A ViewBinding driving Red/Yellow/Green; observer counts checked after cleanup."""
    rig = BindingRig(bench, errorGuard)
    yield rig
    rig.finish()


def test_binding_follows_layout_changes(bindingRig):
    rig = bindingRig
    bench = rig.bench
    rig.click("Red", *RED_CLICK, moved={"Yellow", "Green"})
    # Layout: one view only, then four views (a new one built by the layout), then back to three.
    rig.act(lambda: rig.binding.setViews(_handles(bench, {"Red"})))
    for name in ("Yellow", "Green"):
        assert observerCount(bench.views[name].interactor) == rig.baseline[f"{name}.interactor"]
    rig.click("Red", 200, 40)
    with rig.userChange():
        blue = bench.addView("Blue", "Coronal")
        rig.track(blue)
    rig.act(lambda: rig.binding.setViews(_handles(bench)))
    rig.click("Red", 20, 40, moved={"Yellow", "Green", "Blue"})
    rig.act(lambda: rig.binding.setViews(_handles(bench, {"Red", "Yellow", "Green"})))
    assert observerCount(blue.interactor) == rig.baseline["Blue.interactor"]
    rig.click("Red", 60, 60, moved={"Yellow", "Green"}, views={"Red", "Yellow", "Green", "Blue"})


def test_binding_keeps_syncing_after_scene_close(bindingRig):
    rig = bindingRig
    with rig.userChange():
        _closeScene(rig.bench.scene)
    rig.act(rig.binding.refresh)
    rig.click("Red", *RED_CLICK, moved={"Yellow", "Green"})


def test_binding_reload_gives_exactly_one_jump_per_click(bindingRig):
    rig = bindingRig
    bench = rig.bench
    engaged = rig.observerCounts()
    for _ in range(3):
        rig.binding.cleanup()
        rig.binding = ViewBinding(bench.scene)
        rig.binding.applySettings(SyncSettings(enabled=True))
        rig.binding.setViews(_handles(bench))
        rig.engine = rig.binding.engine
    assert rig.observerCounts() == engaged
    with ModifiedCounter(bench.views.values()) as counter:
        rig.click("Red", *RED_CLICK, moved={"Yellow", "Green"})
    assert counter.counts == {"Red": 0, "Yellow": 1, "Green": 1}


def test_binding_enable_disable_and_view_group_changes_leak_nothing(bindingRig):
    rig = bindingRig
    bench = rig.bench
    with rig.userChange():
        orange = bench.addView("Orange", "Sagittal", viewGroup=1)
        rig.track(orange)
    rig.act(lambda: rig.binding.setViews(_handles(bench)))
    rig.act(lambda: rig.binding.applySettings(SyncSettings(enabled=True, viewGroup=1)))
    rig.click("Red", *RED_CLICK)  # group 0 no longer takes part
    for _ in range(200):
        rig.binding.applySettings(SyncSettings(enabled=False, viewGroup=0))
        rig.binding.applySettings(SyncSettings(enabled=True, viewGroup=-1))
    assert observerCount(orange.interactor) > rig.baseline["Orange.interactor"]
    rig.click("Red", *RED_CLICK, moved={"Yellow", "Green"})


# -- re-entrant calls from callbacks ---------------------------------------------------------------------


def test_status_callback_that_disables_the_engine_stops_syncing(rig):
    engine = rig.engine
    engine.setStatusCallback(lambda text: engine.setEnabled(False) if text.startswith("Synced") else None)
    rig.click("Red", *RED_CLICK, moved={"Yellow", "Green"})
    assert not engine.isEnabled()
    assert observerCount(rig.bench.views["Red"].interactor) == rig.baseline["Red.interactor"]
    rig.click("Red", 200, 40)


def test_status_callback_that_cleans_up_the_engine_releases_everything(rig):
    engine = rig.engine
    engine.setStatusCallback(lambda text: engine.cleanup() if text.startswith("Synced") else None)
    rig.click("Red", *RED_CLICK, moved={"Yellow", "Green"})
    assert rig.observerCounts() == rig.baseline
    rig.click("Red", 200, 40)


def test_another_module_removing_views_while_they_move_lets_the_sync_finish(rig):
    """Another module reacts to Yellow moving by unregistering Red and Green: the sync in progress finishes."""
    bench, engine = rig.bench, rig.engine
    yellow = bench.views["Yellow"]

    class Other:
        def onModified(self, caller, event) -> None:
            engine.removeView(bench.views["Red"].sliceNode)
            engine.removeView(bench.views["Green"].sliceNode)

    other = Other()
    tag = yellow.sliceNode.AddObserver(vtk.vtkCommand.ModifiedEvent, other.onModified)
    try:
        rig.click("Red", *RED_CLICK, moved={"Yellow", "Green"})
    finally:
        yellow.sliceNode.RemoveObserver(tag)
    assert engine.views() == [yellow.sliceNode]
    rig.click("Red", 200, 40)


def test_binding_moves_to_a_new_scene_object_and_leaves_the_old_one_clean(bindingRig):
    rig = bindingRig
    other = SliceViewBench()
    try:
        with rig.userChange():
            other.addStandardViews()
        otherBaseline = {name: observerCount(view.interactor) for name, view in other.views.items()}
        otherScene = observerCount(other.scene)
        # Views of a scene the binding does not follow are ignored.
        strangers = [("other" + name, node, interactor) for name, node, interactor in _handles(other)]
        rig.act(lambda: rig.binding.setViews(_handles(rig.bench) + strangers))
        assert sorted(rig.binding.viewNames()) == ["Green", "Red", "Yellow"]
        rig.act(lambda: rig.binding.setScene(other.scene))
        rig.act(lambda: rig.binding.setViews(_handles(other)))
        rig.engine = rig.binding.engine
        assert rig.observerCounts() == rig.baseline  # nothing left on the old scene and its views
        rig.click("Red", *RED_CLICK)  # the old scene's views no longer sync
        point = other.views["Red"].pixelToRAS(*RED_CLICK)
        other.views["Red"].click(*RED_CLICK)
        rig.guard.check()
        for name in ("Yellow", "Green"):
            assert abs(other.views[name].distanceToPlane(point)) < 1e-3
        rig.binding.cleanup()
        assert {name: observerCount(view.interactor) for name, view in other.views.items()} == otherBaseline
        assert observerCount(other.scene) == otherScene
    finally:
        other.close()


def test_binding_skips_views_without_an_interactor(bindingRig):
    rig = bindingRig
    bench = rig.bench
    rig.guard.allow(r"SliceSync: view 'Yellow' has no slice node or no interactor; skipped")
    handles = [(name, node, None if name == "Yellow" else interactor) for name, node, interactor in _handles(bench)]
    rig.act(lambda: rig.binding.setViews(handles))
    assert observerCount(bench.views["Yellow"].interactor) == rig.baseline["Yellow.interactor"]
    rig.click("Red", *RED_CLICK, moved={"Green"})
