"""ViewBinding: the module Logic's view bookkeeping, on real slice nodes and interactors.

Inside Slicer the Logic only turns the layout manager's slice widgets into (name, slice node,
interactor) tuples; everything checked here is what it then relies on.
"""

from __future__ import annotations

import logging

import pytest
import slicer
import vtk

from SliceSyncBench import ModifiedCounter, SliceViewBench, observerCount
from SliceSyncLib.ViewBinding import ALL_VIEW_GROUPS, SyncSettings, ViewBinding

TOLERANCE_MM = 1e-3


def handles(bench, names=None):
    """What the Logic passes from the layout manager: (name, slice node, interactor)."""
    names = names or list(bench.views)
    return [(name, bench.views[name].sliceNode, bench.views[name].interactor) for name in names]


def counts(bench):
    return {name: observerCount(view.interactor) for name, view in bench.views.items()}


def clickCentre(view):
    width, height = view.size()
    pixel = (width // 2 - 30, height // 2 + 20)
    view.click(*pixel)
    return view.pixelToRAS(*pixel)


@pytest.fixture
def binding(bench):
    binding = ViewBinding(bench.scene)
    yield binding
    binding.cleanup()


def enabled(**changes):
    return SyncSettings(enabled=True, **changes)


def test_offered_views_are_registered_and_sync(bench, anatomical, binding):
    baseline = counts(bench)
    binding.setViews(handles(bench))
    assert binding.viewNames() == ["Green", "Red", "Yellow"]
    assert counts(bench) == baseline, "observers must only be added while sync is on"
    binding.applySettings(enabled())
    assert all(counts(bench)[name] > baseline[name] for name in baseline)
    point = clickCentre(bench.views["Red"])
    for name in ("Yellow", "Green"):
        assert abs(bench.views[name].distanceToPlane(point)) <= TOLERANCE_MM


def test_vanished_views_are_released(bench, anatomical, binding):
    baseline = counts(bench)
    binding.setViews(handles(bench))
    binding.applySettings(enabled())
    binding.setViews(handles(bench, ["Red", "Yellow"]))
    assert binding.viewNames() == ["Red", "Yellow"]
    assert counts(bench)["Green"] == baseline["Green"]
    green = bench.views["Green"].sliceToRAS()
    point = clickCentre(bench.views["Red"])
    assert bench.views["Green"].sliceToRAS() == green
    assert abs(bench.views["Yellow"].distanceToPlane(point)) <= TOLERANCE_MM


def test_views_added_by_a_layout_change_take_part(bench, anatomical, binding):
    binding.setViews(handles(bench))
    binding.applySettings(enabled())
    extra = bench.addView("Slice4", "Coronal")
    bench.showVolume(anatomical, [extra])
    baseline = observerCount(extra.interactor)
    binding.setViews(handles(bench))
    assert "Slice4" in binding.viewNames()
    assert observerCount(extra.interactor) > baseline
    point = clickCentre(extra)
    for name in ("Red", "Yellow"):
        assert abs(bench.views[name].distanceToPlane(point)) <= TOLERANCE_MM


def test_a_recreated_interactor_replaces_the_old_one(bench, anatomical, binding):
    binding.setViews(handles(bench))
    binding.applySettings(enabled())
    red = bench.views["Red"]
    oldInteractor = red.interactor
    before = observerCount(oldInteractor)
    newInteractor = vtk.vtkRenderWindowInteractor()
    newBaseline = observerCount(newInteractor)
    binding.setViews([("Red", red.sliceNode, newInteractor)] + handles(bench, ["Yellow", "Green"]))
    assert observerCount(oldInteractor) < before
    assert observerCount(newInteractor) == newBaseline + (before - observerCount(oldInteractor))


def test_view_without_a_slice_node_is_skipped_with_a_warning_and_short_handles_raise(
    bench, binding, caplog, errorGuard
):
    errorGuard.allow(r"^SliceSync: view 'Red' has no slice node or no interactor; skipped$")
    with caplog.at_level(logging.WARNING):
        binding.setViews([("Red", None, bench.views["Red"].interactor), *handles(bench, ["Green"])])
    assert binding.viewNames() == ["Green"]
    assert "Red" in caplog.text
    with pytest.raises(ValueError, match="name, slice node, interactor"):
        binding.setViews([("Red", bench.views["Red"].sliceNode)])


def test_views_of_another_scene_are_left_out(bench, binding):
    other = SliceViewBench()
    try:
        stranger = other.addView("Red")
        binding.setViews([("Red", stranger.sliceNode, stranger.interactor), *handles(bench, ["Green"])])
        assert binding.viewNames() == ["Green"]
    finally:
        other.close()


def test_settings_reach_the_engine(binding):
    settings = SyncSettings(
        enabled=True, jumpMode="keepInView", clampMode="ignoreOutside", dragFollow=False, showCrosshair=False
    )
    binding.applySettings(settings)
    engine = binding.engine
    assert engine.isEnabled()
    assert engine.jumpMode() == "keepInView"
    assert engine.clampMode() == "ignoreOutside"
    assert not engine.dragFollow()
    assert not engine.showCrosshair()
    assert binding.settings() == settings
    binding.applySettings(SyncSettings())
    assert not engine.isEnabled()
    assert engine.jumpMode() == "offset"


@pytest.mark.parametrize(
    "bad",
    [
        {"jumpMode": "teleport"},
        {"clampMode": "sometimes"},
        {"enabled": "yes"},
        {"viewGroup": 42},
        {"viewGroup": -2},
        {"viewGroup": True},
    ],
)
def test_invalid_settings_change_nothing(binding, bad):
    binding.applySettings(enabled(jumpMode="centered"))
    with pytest.raises(ValueError):
        binding.applySettings(SyncSettings(**bad))
    assert binding.settings() == enabled(jumpMode="centered")
    assert binding.engine.jumpMode() == "centered"
    assert binding.engine.isEnabled()


def test_only_views_of_the_chosen_view_group_sync(bench, anatomical, binding):
    for name in ("Yellow", "Green"):
        bench.views[name].sliceNode.SetViewGroup(1)
    binding.setViews(handles(bench))
    binding.applySettings(enabled(viewGroup=1))
    assert binding.viewNames() == ["Green", "Yellow"]
    red = bench.views["Red"].sliceToRAS()
    point = clickCentre(bench.views["Yellow"])
    assert abs(bench.views["Green"].distanceToPlane(point)) <= TOLERANCE_MM
    assert bench.views["Red"].sliceToRAS() == red
    binding.applySettings(enabled(viewGroup=ALL_VIEW_GROUPS))
    assert binding.viewNames() == ["Green", "Red", "Yellow"]


def test_scene_close_keeps_syncing(bench, anatomical, binding):
    binding.setViews(handles(bench))
    binding.applySettings(enabled())
    bench.scene.Clear(0)
    # Slicer keeps slice nodes (singletons) through a close; the Logic re-offers the layout's views.
    binding.setViews(handles(bench))
    assert binding.viewNames() == ["Green", "Red", "Yellow"]
    volume = bench.addSyntheticVolume("after", (20, 24, 16))
    bench.showVolume(volume)
    point = clickCentre(bench.views["Red"])
    for name in ("Yellow", "Green"):
        assert abs(bench.views[name].distanceToPlane(point)) <= TOLERANCE_MM
    assert binding.engine.lastResult.movedNames == ["Yellow", "Green"]


def test_removed_slice_node_is_dropped_and_comes_back(bench, anatomical, binding):
    binding.setViews(handles(bench))
    green = bench.views["Green"].sliceNode
    bench.scene.RemoveNode(green)
    assert binding.viewNames() == ["Red", "Yellow"]
    binding.refresh()
    assert binding.viewNames() == ["Red", "Yellow"]
    bench.scene.AddNode(green)
    binding.refresh()
    assert binding.viewNames() == ["Green", "Red", "Yellow"]


def test_reload_leaves_one_set_of_observers_and_one_jump(bench, anatomical):
    """Module reload: the old Logic is cleaned up, then a new one is created; never a double jump."""
    baseline = counts(bench)
    sceneBaseline = observerCount(bench.scene)
    old = ViewBinding(bench.scene)
    old.setViews(handles(bench))
    old.applySettings(enabled())
    withOne = counts(bench)
    old.cleanup()
    assert counts(bench) == baseline
    assert observerCount(bench.scene) == sceneBaseline

    new = ViewBinding(bench.scene)
    try:
        new.setViews(handles(bench))
        new.applySettings(enabled())
        assert counts(bench) == withOne
        with ModifiedCounter([bench.views["Yellow"]]) as counter:
            clickCentre(bench.views["Red"])
        assert counter.counts["Yellow"] == 1, f"one click must move Yellow once, saw {counter.counts} modified events"
        assert old.engine.lastResult is None
        assert new.engine.lastResult is not None
    finally:
        new.cleanup()
    assert counts(bench) == baseline
    assert observerCount(bench.scene) == sceneBaseline


def test_cleanup_twice_and_use_after_cleanup(bench, binding):
    binding.setViews(handles(bench))
    binding.applySettings(enabled())
    binding.cleanup()
    binding.cleanup()
    assert binding.viewNames() == []
    assert binding.offeredViewNames() == []


def test_set_scene_replaces_the_engine(bench, anatomical, binding):
    binding.setViews(handles(bench))
    binding.applySettings(enabled(jumpMode="centered"))
    texts = []
    binding.setStatusCallback(texts.append)
    oldEngine = binding.engine
    sceneBaseline = observerCount(bench.scene)
    binding.setScene(bench.scene)
    assert binding.engine is oldEngine
    other = SliceViewBench()
    try:
        other.addStandardViews()
        binding.setScene(other.scene)
        assert binding.engine is not oldEngine
        assert observerCount(bench.scene) < sceneBaseline
        assert binding.viewNames() == []
        binding.setViews(handles(other))
        assert binding.viewNames() == ["Green", "Red", "Yellow"]
        assert binding.engine.jumpMode() == "centered"
        assert binding.engine.isEnabled()
        texts.clear()
        clickCentre(other.views["Red"])
        assert texts and texts[-1].startswith("Synced 2 of 2 views")
    finally:
        binding.cleanup()
        other.close()


def test_status_callback_reports_every_change_until_cleanup(bench, anatomical, binding):
    texts = []
    binding.setStatusCallback(texts.append)
    binding.setViews(handles(bench))
    binding.applySettings(enabled())
    assert binding.statusText().startswith("Syncing 3 views")
    clickCentre(bench.views["Red"])
    assert texts[-1] == binding.statusText()
    assert texts[-1].startswith("Synced 2 of 2 views to R ")
    binding.applySettings(SyncSettings())
    assert texts[-1] == "Sync is off"
    binding.cleanup()
    count = len(texts)
    binding.engine.setEnabled(True)
    assert len(texts) == count


def test_no_layout_manager_means_no_views(bench):
    """With --no-main-window the Logic offers nothing: nothing is observed, the status says so."""
    baseline = counts(bench)
    binding = ViewBinding(bench.scene)
    try:
        binding.setViews([])
        binding.applySettings(enabled())
        assert counts(bench) == baseline
        assert "no slice views" in binding.statusText()
    finally:
        binding.cleanup()


# -- SyncSettings as QSettings stores them -------------------------------------------------------------------


def test_settings_round_trip_through_strings():
    settings = SyncSettings(
        enabled=True, jumpMode="centered", clampMode="off", dragFollow=False, showCrosshair=False, viewGroup=1
    )
    assert SyncSettings.fromStrings(settings.toStrings()) == settings


def test_settings_from_qsettings_words():
    # QSettings on Linux hands booleans back as "true"/"false" and integers as strings.
    stored = {"enabled": "true", "dragFollow": "false", "viewGroup": "2", "jumpMode": "keepInView"}
    assert SyncSettings.fromStrings(stored) == SyncSettings(
        enabled=True, dragFollow=False, viewGroup=2, jumpMode="keepInView"
    )
    assert SyncSettings.fromStrings({"enabled": True, "showCrosshair": 0}) == SyncSettings(
        enabled=True, showCrosshair=False
    )


def test_unreadable_stored_settings_fall_back_to_defaults(caplog, errorGuard):
    errorGuard.allow(r"^SliceSync: ignoring the stored (enabled|jumpMode|viewGroup) ")
    stored = {"enabled": "maybe", "jumpMode": "warp", "viewGroup": "x", "clampMode": "off", "unknown": "1"}
    with caplog.at_level(logging.WARNING):
        settings = SyncSettings.fromStrings(stored)
    assert settings == SyncSettings(clampMode="off")
    for name in ("enabled", "jumpMode", "viewGroup"):
        assert name in caplog.text
    assert SyncSettings.fromStrings({}) == SyncSettings()


def test_view_handles_need_real_slice_nodes(bench, binding, errorGuard):
    errorGuard.allow(r"^SliceSync: view 'Red' has no slice node or no interactor; skipped$")
    model = slicer.vtkMRMLModelNode()
    with pytest.raises(ValueError):
        binding.setViews([("Red", model)])
    binding.setViews([("Red", model, bench.views["Red"].interactor)])
    assert binding.viewNames() == []
