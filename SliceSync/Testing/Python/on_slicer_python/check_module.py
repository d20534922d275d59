"""SliceSync.py on a Slicer release's own Python layer: the panel, shortcut, settings, scenes and reloads.

Run by run_slicer_python.py, one release per process. The module file, Slicer's parameterNodeWrapper,
ScriptedLoadableModule and slicer.util are real; so are the bench's slice nodes, interactors and events. Qt is
stood in (SlicerPythonHarness.StandIn*).
"""

from __future__ import annotations

import itertools
import logging
import os

import pytest
import slicer
import SlicerPythonHarness
import vtk
from SlicerPythonHarness import ModuleHarness, StandInQSettings, StandInShortcut, parameterNode

from SliceSyncLib.Scenarios import observerCount

harness = pytest.fixture(SlicerPythonHarness.harnessFixture)

# Pixels of the Red view inside the anatomical volume; each click uses the next so that the others must move.
RED_PIXELS = itertools.cycle([(118, 131), (140, 110), (101, 146), (133, 121), (125, 139), (109, 117)])
UNUSABLE = "values this version cannot use"


def anatomicalPath() -> str:
    import nibabel

    return os.path.join(os.path.dirname(nibabel.__file__), "tests", "data", "anatomical.nii")


def clickRed(bench) -> set[str]:
    """Click Red once (press + release, no move) and return the names of the views that moved."""
    before = {name: tuple(view.sliceToRAS()) for name, view in bench.views.items()}
    bench.views["Red"].click(*next(RED_PIXELS))
    return {name for name, view in bench.views.items() if tuple(view.sliceToRAS()) != before[name]}


def stored(name: str) -> str:
    """A remembered setting as the next Slicer session reads it (INI: a string)."""
    value = StandInQSettings().value("SliceSync/" + name)
    assert value is None or isinstance(value, str)
    return value


def warnings(caplog) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING]


# -- a freshly started Slicer -----------------------------------------------------------------------------------


def test_fresh_start_checkbox_written_through_a_second_wrapper_turns_sync_on_then_off(harness, bench, anatomical):
    harness.start()
    assert harness.logic.engine.isEnabled() is False
    # The panel of earlier versions (and any script) writes through its own wrapper, created after the Logic's.
    panelWrapper = harness.module.SliceSyncParameterNode(parameterNode(bench.scene))
    panelWrapper.enabled = True
    assert harness.logic.engine.isEnabled() is True
    assert clickRed(bench) == {"Yellow", "Green"}
    assert stored("enabled") == "True"
    panelWrapper.enabled = False
    assert harness.logic.engine.isEnabled() is False
    assert clickRed(bench) == set()
    assert stored("enabled") == "False"


def test_fresh_start_panel_checkbox_turns_sync_on_then_off(harness, bench, anatomical):
    harness.start()
    checkBox = harness.widget.ui.enabledCheckBox
    checkBox.click()
    assert harness.logic.engine.isEnabled() is True
    assert parameterNode(bench.scene).GetParameter("enabled") == "True"
    assert clickRed(bench) == {"Yellow", "Green"}
    checkBox.click()
    assert harness.logic.engine.isEnabled() is False
    assert clickRed(bench) == set()
    assert stored("enabled") == "False"


def test_panel_options_reach_the_engine_and_are_remembered(harness, bench, anatomical):
    harness.start()
    ui = harness.widget.ui
    ui.jumpModeComboBox.currentIndex = ui.jumpModeComboBox.findData("centered")
    ui.clampModeComboBox.currentIndex = ui.clampModeComboBox.findData("ignoreOutside")
    ui.dragFollowCheckBox.click()
    ui.viewGroupSpinBox.value = 0
    engine = harness.logic.engine
    assert (engine.jumpMode(), engine.clampMode(), engine.dragFollow()) == ("centered", "ignoreOutside", False)
    assert harness.logic.binding.settings().viewGroup == 0
    assert [stored(name) for name in ("jumpMode", "clampMode", "dragFollow", "viewGroup")] == [
        "centered",
        "ignoreOutside",
        "False",
        "0",
    ]
    ui.resetButton.click()
    assert (engine.jumpMode(), engine.clampMode(), engine.dragFollow()) == ("offset", "clamp", True)
    assert ui.jumpModeComboBox.itemData(ui.jumpModeComboBox.currentIndex) == "offset"


def test_shortcut_toggles_sync_and_the_checkbox_follows(harness, bench, anatomical):
    harness.start()
    shortcut = harness.shortcut()
    assert shortcut.key.toString() == "Ctrl+Shift+J"
    shortcut.activate()
    assert harness.logic.engine.isEnabled() is True
    assert harness.widget.ui.enabledCheckBox.checked is True
    assert clickRed(bench) == {"Yellow", "Green"}
    shortcut.activate()
    assert harness.logic.engine.isEnabled() is False
    assert harness.widget.ui.enabledCheckBox.checked is False
    assert stored("enabled") == "False"


def test_the_wrapper_of_this_release_reads_what_the_module_writes(harness, bench):
    harness.start()
    harness.widget.ui.jumpModeComboBox.currentIndex = harness.widget.ui.jumpModeComboBox.findData("keepInView")
    harness.widget.ui.viewGroupSpinBox.value = 3
    wrapper = harness.logic.getParameterNode()
    assert (wrapper.jumpMode.name, wrapper.clampMode.name, wrapper.viewGroup, wrapper.enabled) == (
        "keepInView",
        "clamp",
        3,
        False,
    )


# -- remembered settings --------------------------------------------------------------------------------------


def test_remembered_settings_come_back_as_strings_and_apply_to_a_new_session(harness, bench, anatomical):
    # What Qt's INI file gives back in the next session: strings, booleans spelt as Qt writes them.
    StandInQSettings.store.update(
        {
            "SliceSync/enabled": "true",
            "SliceSync/jumpMode": "centered",
            "SliceSync/clampMode": "off",
            "SliceSync/dragFollow": "false",
            "SliceSync/showCrosshair": "False",
            "SliceSync/viewGroup": "0",
        }
    )
    harness.start()
    engine, ui = harness.logic.engine, harness.widget.ui
    assert engine.isEnabled() is True
    assert (engine.jumpMode(), engine.clampMode(), engine.dragFollow(), engine.showCrosshair()) == (
        "centered",
        "off",
        False,
        False,
    )
    assert (ui.enabledCheckBox.checked, ui.dragFollowCheckBox.checked, ui.viewGroupSpinBox.value) == (True, False, 0)
    assert clickRed(bench) == {"Yellow", "Green"}


def test_unusable_remembered_settings_are_reset_with_one_warning(harness, bench, anatomical, errorGuard, caplog):
    errorGuard.allow(UNUSABLE)
    StandInQSettings.store.update(
        {"SliceSync/enabled": "true", "SliceSync/jumpMode": "spiral", "SliceSync/viewGroup": "twelve"}
    )
    harness.start()
    assert len([text for text in warnings(caplog) if UNUSABLE in text]) == 1
    assert harness.logic.engine.jumpMode() == "offset"
    assert harness.logic.engine.isEnabled() is True
    assert clickRed(bench) == {"Yellow", "Green"}


# -- scenes ------------------------------------------------------------------------------------------------------


def test_scene_close_keeps_the_remembered_choices_and_sync_keeps_working(harness, bench, anatomical):
    harness.start()
    harness.widget.ui.enabledCheckBox.click()
    harness.widget.ui.jumpModeComboBox.currentIndex = harness.widget.ui.jumpModeComboBox.findData("keepInView")
    bench.scene.Clear(0)
    node = parameterNode(bench.scene)
    assert node.GetParameter("enabled") == "True"
    assert node.GetParameter("jumpMode") == "keepInView"
    assert harness.logic.engine.jumpMode() == "keepInView"
    assert harness.widget.ui.enabledCheckBox.checked is True
    volume = bench.loadVolume(anatomicalPath(), "again")
    bench.showVolume(volume)
    assert clickRed(bench) == {"Yellow", "Green"}


def _savedScene(bench, **values: str) -> str:
    """Write a scene file whose SliceSync parameter node holds ``values`` (as a saved scene would)."""
    scene = slicer.vtkMRMLScene()
    node = slicer.vtkMRMLScriptedModuleNode()
    node.SetSingletonTag("SliceSync")
    node.SetAttribute("ModuleName", "SliceSync")
    node.SetName("SliceSync")
    scene.AddNode(node)
    for name, value in values.items():
        node.SetParameter(name, value)
    node.SetParameter("SliceSyncInitialized", "1")
    path = bench.tempPath("saved.mrml")
    scene.SetURL(path)
    assert scene.Commit(path)
    return path


def _importScene(bench, path: str) -> None:
    bench.scene.SetURL(path)
    assert bench.scene.Import()


def test_imported_scene_values_apply_to_that_scene_only(harness, bench, anatomical):
    harness.start()
    harness.widget.ui.enabledCheckBox.click()
    rememberedBefore = dict(StandInQSettings.store)
    path = _savedScene(
        bench,
        enabled="True",
        jumpMode="centered",
        clampMode="off",
        dragFollow="False",
        showCrosshair="True",
        viewGroup="-1",
    )
    _importScene(bench, path)
    engine = harness.logic.engine
    assert (engine.jumpMode(), engine.clampMode(), engine.dragFollow()) == ("centered", "off", False)
    assert harness.widget.ui.jumpModeComboBox.itemData(harness.widget.ui.jumpModeComboBox.currentIndex) == "centered"
    assert StandInQSettings.store == rememberedBefore, "a loaded scene's values became the user's defaults"
    assert clickRed(bench) == {"Yellow", "Green"}
    bench.scene.Clear(0)
    assert (engine.jumpMode(), engine.clampMode(), engine.dragFollow()) == ("offset", "clamp", True)


def test_scene_with_unknown_values_is_reset_with_one_warning_and_sync_keeps_working(
    harness, bench, anatomical, errorGuard, caplog
):
    errorGuard.allow(UNUSABLE)
    harness.start()
    harness.widget.ui.enabledCheckBox.click()
    # A jump mode from a later SliceSync, and a hand-edited view group.
    path = _savedScene(bench, enabled="True", jumpMode="followCursor", viewGroup="all", dragFollow="False")
    _importScene(bench, path)
    assert len([text for text in warnings(caplog) if UNUSABLE in text]) == 1
    node = parameterNode(bench.scene)
    assert (node.GetParameter("jumpMode"), node.GetParameter("viewGroup")) == ("offset", "-1")
    assert node.GetParameter("dragFollow") == "False"
    wrapper = harness.logic.getParameterNode()
    assert wrapper.jumpMode.name == "offset"
    harness.widget.enter()
    assert harness.logic.engine.isEnabled() is True
    assert clickRed(bench) == {"Yellow", "Green"}


def test_module_opened_on_a_scene_with_unknown_values_starts_with_the_defaults(
    harness, bench, anatomical, errorGuard, caplog
):
    errorGuard.allow(UNUSABLE)
    node = slicer.vtkMRMLScriptedModuleNode()
    node.SetSingletonTag("SliceSync")
    node.SetParameter("SliceSyncInitialized", "1")
    node.SetParameter("enabled", "True")
    node.SetParameter("clampMode", "wrapAround")
    bench.scene.AddNode(node)
    harness.start()
    assert len([text for text in warnings(caplog) if UNUSABLE in text]) == 1
    assert harness.logic.engine.clampMode() == "clamp"
    assert clickRed(bench) == {"Yellow", "Green"}


# -- reload and exit -------------------------------------------------------------------------------------------


def test_three_reloads_leave_no_observer_behind(harness, bench, anatomical):
    interactors = {name: view.interactor for name, view in bench.views.items()}
    before = {name: observerCount(interactor) for name, interactor in interactors.items()}
    sceneBefore = observerCount(bench.scene)
    harness.start()
    harness.widget.ui.enabledCheckBox.click()
    node = parameterNode(bench.scene)
    engaged = (
        observerCount(node),
        {name: observerCount(interactor) for name, interactor in interactors.items()},
        observerCount(bench.scene),
    )
    for _ in range(3):
        harness.reload()
        assert (
            observerCount(node),
            {name: observerCount(interactor) for name, interactor in interactors.items()},
            observerCount(bench.scene),
        ) == engaged
        assert len(StandInShortcut.live) == 1
    assert harness.logic.engine.isEnabled() is True
    assert clickRed(bench) == {"Yellow", "Green"}
    harness.shortcut().activate()
    assert harness.logic.engine.isEnabled() is False
    harness.close()
    assert observerCount(node) == 0
    assert {name: observerCount(interactor) for name, interactor in interactors.items()} == before
    assert observerCount(bench.scene) == sceneBefore
    assert StandInShortcut.live == []


def test_a_reloaded_panel_alone_writes_to_the_parameter_node(harness, bench, anatomical):
    harness.start()
    oldCheckBox = harness.widget.ui.enabledCheckBox
    harness.reload()
    oldCheckBox.click()
    assert parameterNode(bench.scene).GetParameter("enabled") == "False", "the unloaded panel still writes"
    harness.widget.ui.enabledCheckBox.click()
    assert harness.logic.engine.isEnabled() is True


def test_no_main_window_generic_path_builds_an_idle_panel(bench, anatomical):
    StandInQSettings.store.clear()
    StandInShortcut.live.clear()
    interactors = {name: observerCount(view.interactor) for name, view in bench.views.items()}
    harness = ModuleHarness(bench, mainWindow=False)
    harness.start()
    assert harness.moduleInfo.panel is None, "the panel was built at startup without a main window"
    assert harness.moduleInfo.acknowledgementText.strip() and harness.moduleInfo.contributors
    helpText = harness.moduleInfo.helpText
    for words in ("Ctrl+Shift+J", "Ctrl+Shift+Right", "Ctrl+Shift+Page Up", "Alt+Page Down", "Ignore clicks outside"):
        assert words in helpText, f"the help text does not mention {words}"
    assert "{" not in helpText and "Prior" not in helpText
    widget = harness.widget  # what Slicer's generic tests do: build the module's widget
    assert "no slice views" in widget.ui.statusLabel.text.lower()
    assert StandInShortcut.live == []
    assert widget.logic.engine.views() == []
    widget.ui.enabledCheckBox.click()
    assert widget.logic.engine.isEnabled() is True
    assert clickRed(bench) == set()
    harness.close()
    assert {name: observerCount(view.interactor) for name, view in bench.views.items()} == interactors


def test_startup_without_opening_the_module_applies_remembered_sync(harness, bench, anatomical):
    StandInQSettings.store["SliceSync/enabled"] = "true"
    harness.start()
    assert harness.moduleInfo.panel is not None
    assert clickRed(bench) == {"Yellow", "Green"}


@pytest.mark.parametrize("value", ["true", "1", "yes", "ON"])
def test_boolean_spellings_in_the_settings_file_turn_sync_on(harness, bench, value):
    StandInQSettings.store["SliceSync/enabled"] = value
    harness.start()
    assert harness.logic.engine.isEnabled() is True


# -- panel parts of issue 9: follow markups, readout and Copy ------------------------------------------------


def _placeInRed(bench, pixel=(150, 90)) -> set[str]:
    from test_markups_follow import addMarkupsNode, place, startPlacing, stopPlacing

    before = {name: tuple(view.sliceToRAS()) for name, view in bench.views.items()}
    node = addMarkupsNode(bench)
    startPlacing(bench, node)
    place(bench.views["Red"], *pixel)
    stopPlacing(bench)
    assert node.GetNumberOfControlPoints() == 1
    return {name for name, view in bench.views.items() if tuple(view.sliceToRAS()) != before[name]}


def test_follow_markups_choice_reaches_the_engine_and_is_remembered(harness, bench, anatomical):
    StandInQSettings.store["SliceSync/enabled"] = "true"
    harness.start()
    combo = harness.widget.ui.followMarkupsComboBox
    assert combo.itemData(combo.currentIndex) == "place"
    combo.currentIndex = combo.findData("off")
    assert harness.logic.engine.followMarkups() == "off"
    assert stored("followMarkups") == "off"
    assert _placeInRed(bench) == set()
    combo.currentIndex = combo.findData("placeAndDrag")
    assert harness.logic.engine.followMarkups() == "placeAndDrag"
    assert _placeInRed(bench, (120, 140)) == {"Yellow", "Green"}


def test_readout_shows_the_synced_point_only_while_open_and_copy_puts_it_on_the_clipboard(harness, bench, anatomical):
    StandInQSettings.store["SliceSync/enabled"] = "true"
    harness.start()
    ui = harness.widget.ui
    assert ui.readoutCollapsibleButton.collapsed is True
    clickRed(bench)
    assert ui.readoutLabel.text == "No synced point yet", "the readout was read while its section was closed"
    ui.readoutCollapsibleButton.collapsed = False
    expected = harness.logic.engine.readout().text()
    assert ui.readoutLabel.text == expected and expected.startswith("R ") and "anatomical" in expected
    clickRed(bench)
    assert ui.readoutLabel.text == harness.logic.engine.readout().text() != expected
    ui.copyReadoutButton.click()
    assert harness.app.clipboard().text() == ui.readoutLabel.text


# -- panel part of issue 11: view groups mapped through a transform, linked groups ----------------------------


def _shiftedTransform(bench, shift=(12.0, -7.0, 5.0)):
    transform = bench.scene.AddNewNodeByClass("vtkMRMLLinearTransformNode")
    matrix = vtk.vtkMatrix4x4()
    for axis, value in enumerate(shift):
        matrix.SetElement(axis, 3, value)
    transform.SetMatrixTransformToParent(matrix)
    return transform


def test_mapping_a_view_group_through_a_transform_moves_it_through_the_mapped_point(harness, bench, anatomical):
    StandInQSettings.store["SliceSync/enabled"] = "true"
    bench.views["Yellow"].sliceNode.SetViewGroup(1)
    harness.start()
    ui = harness.widget.ui
    transform = _shiftedTransform(bench)
    ui.mappedViewGroupSpinBox.value = 1
    ui.viewGroupTransformSelector.setCurrentNode(transform)
    assert harness.logic.engine.viewGroupTransform(1) is transform
    node = parameterNode(bench.scene)
    assert node.GetNodeReference("SliceSyncViewGroupTransform1") is transform
    red, yellow = bench.views["Red"], bench.views["Yellow"]
    pixel = next(RED_PIXELS)
    world = red.pixelToRAS(*pixel)
    red.click(*pixel)
    # Group 1 shows data whose space the transform maps to world: the point there is world - shift.
    mapped = [world[0] - 12.0, world[1] + 7.0, world[2] - 5.0]
    assert abs(yellow.distanceToPlane(mapped)) < 1e-3
    assert "SliceSync/viewGroupTransform1" not in StandInQSettings.store, "a scene's node was remembered"
    ui.mappedViewGroupSpinBox.value = 2
    assert ui.viewGroupTransformSelector.currentNode() is None
    ui.mappedViewGroupSpinBox.value = 1
    assert ui.viewGroupTransformSelector.currentNode() is transform
    bench.scene.RemoveNode(transform)
    assert harness.logic.engine.viewGroupTransform(1) is None
    assert ui.viewGroupTransformSelector.currentNode() is None


def test_linked_view_groups_are_validated_applied_and_remembered(harness, bench, anatomical, errorGuard):
    errorGuard.allow("SliceSync option not changed")
    StandInQSettings.store["SliceSync/enabled"] = "true"
    bench.views["Yellow"].sliceNode.SetViewGroup(1)
    harness.start()
    ui = harness.widget.ui
    ui.mappedViewGroupSpinBox.value = 1
    ui.viewGroupTransformSelector.setCurrentNode(_shiftedTransform(bench))
    assert harness.logic.engine.linkedViewGroups() == [0, 1]
    assert clickRed(bench) == {"Yellow", "Green"}
    ui.linkedViewGroupsLineEdit.finishEditing("0")
    assert harness.logic.engine.linkedViewGroups() == [0]
    assert stored("linkedViewGroups") == "0"
    assert clickRed(bench) == {"Green"}
    ui.linkedViewGroupsLineEdit.finishEditing("0, twelve")
    assert ui.linkedViewGroupsLineEdit.text == "0"
    assert harness.logic.engine.linkedViewGroups() == [0]
    ui.linkedViewGroupsLineEdit.finishEditing("")
    assert harness.logic.engine.linkedViewGroups() == [0, 1]


# -- panel part of issue 12: the link ----------------------------------------------------------------------------


def _activeTimers() -> list:
    from SlicerPythonHarness import StandInTimer

    return [timer for timer in StandInTimer.instances if timer.isActive()]


def test_link_section_shares_the_cursor_with_a_client_both_ways(harness, bench, anatomical):
    import threading

    from LinkPeer import freePort, waitFor

    from SliceSyncBench import SliceViewBench
    from SliceSyncLib import SliceSyncEngine

    threadsBefore = threading.active_count()
    StandInQSettings.store["SliceSync/enabled"] = "true"
    harness.start()
    ui, logic = harness.widget.ui, harness.logic
    port = freePort()
    ui.linkPortSpinBox.value = port
    assert stored("linkPort") == str(port) and stored("linkRole") == "server"
    assert ui.linkStatusLabel.text == "Link is off"
    ui.linkButton.click()
    assert logic.isLinkRunning() and ui.linkButton.text == "Stop link"
    (timer,) = _activeTimers()
    other = SliceViewBench()
    other.addStandardViews()
    other.showVolume(other.loadVolume(anatomicalPath(), "anatomical"))
    peer = SliceSyncEngine(other.scene)
    try:
        for view in other.views.values():
            peer.addView(view.sliceNode, view.interactor)
        peer.setEnabled(True)
        peer.startLink("client", port=port)
        waitFor(lambda: logic.engine.linkStatus()["connected"], tick=timer.fire)
        assert ui.linkStatusLabel.text.startswith(f"Server on 127.0.0.1:{port}: 1 peer")
        pixel = next(RED_PIXELS)
        world = bench.views["Red"].pixelToRAS(*pixel)
        bench.views["Red"].click(*pixel)
        waitFor(lambda: abs(other.views["Yellow"].distanceToPlane(world)) < 1e-3, tick=peer.pollLink)
        theirs = other.views["Red"].pixelToRAS(100, 150)
        other.views["Red"].click(100, 150)
        waitFor(lambda: abs(bench.views["Yellow"].distanceToPlane(theirs)) < 1e-3, tick=timer.fire)
    finally:
        peer.cleanup()
        other.close()
    ui.linkButton.click()
    assert not logic.isLinkRunning() and _activeTimers() == []
    assert ui.linkStatusLabel.text == "Link is off" and ui.linkButton.text == "Start link"
    ui.linkButton.click()
    assert logic.isLinkRunning()
    harness.close()
    assert _activeTimers() == []
    waitFor(lambda: threading.active_count() <= threadsBefore)


def test_link_host_and_port_are_validated_and_remembered(harness, bench, errorGuard):
    errorGuard.allow("SliceSync option not changed")
    harness.start()
    ui = harness.widget.ui
    ui.linkRoleComboBox.currentIndex = ui.linkRoleComboBox.findData("client")
    ui.linkHostLineEdit.finishEditing("imaging-host.local")
    assert (stored("linkRole"), stored("linkHost")) == ("client", "imaging-host.local")
    ui.linkHostLineEdit.finishEditing("two words")
    assert ui.linkHostLineEdit.text == "imaging-host.local"
    assert harness.logic.getParameterNode().linkRole.name == "client"


# -- panel part of issue 9 (cursor): snap to voxel, reference volume, back/forward, keys in tooltips -------------


def test_snap_to_voxel_and_reference_volume_reach_the_engine(harness, bench, anatomical):
    StandInQSettings.store["SliceSync/enabled"] = "true"
    harness.start()
    ui, engine = harness.widget.ui, harness.logic.engine
    assert engine.snapToVoxel() is False
    ui.snapToVoxelCheckBox.click()
    assert engine.snapToVoxel() is True and stored("snapToVoxel") == "True"
    ui.referenceVolumeSelector.setCurrentNode(anatomical)
    assert engine.referenceVolume() is anatomical
    assert parameterNode(bench.scene).GetNodeReference("SliceSyncReferenceVolume") is anatomical
    clickRed(bench)
    # The cursor sits on a voxel centre of the reference volume.
    rasToIJK = vtk.vtkMatrix4x4()
    anatomical.GetRASToIJKMatrix(rasToIJK)
    ijk = rasToIJK.MultiplyPoint((*engine.cursorRAS(), 1.0))[:3]
    assert all(abs(c - round(c)) < 1e-6 for c in ijk), ijk
    ui.referenceVolumeSelector.setCurrentNode(None)
    assert engine.referenceVolume() is None


def test_back_and_forward_buttons_walk_the_history_and_name_their_keys(harness, bench, anatomical):
    StandInQSettings.store["SliceSync/enabled"] = "true"
    harness.start()
    ui, engine = harness.widget.ui, harness.logic.engine
    keys = engine.keyBindings()
    assert keys["back"] in ui.backButton.toolTip and keys["forward"] in ui.forwardButton.toolTip
    assert keys["nudgeLeft"] in ui.snapToVoxelCheckBox.toolTip
    clickRed(bench)
    first = engine.cursorRAS()
    clickRed(bench)
    second = engine.cursorRAS()
    ui.backButton.click()
    assert engine.cursorRAS() == first
    assert abs(bench.views["Yellow"].distanceToPlane(first)) < 1e-3
    ui.forwardButton.click()
    assert engine.cursorRAS() == second


# -- the cursor history is saved with the scene (issue 9) --------------------------------------------------------


def _saveSceneAs(scene, path: str) -> None:
    """Write the scene as Slicer's scene writer does: the save state (StartSaveEvent, EndSaveEvent) around Commit."""
    scene.StartState(scene.SaveState)
    try:
        scene.SetURL(path)
        assert scene.Commit(path)
    finally:
        scene.EndState(scene.SaveState)


def test_cursor_history_saved_with_the_scene_is_walked_again_after_loading_it_in_a_new_session(
    harness, bench, anatomical
):
    StandInQSettings.store["SliceSync/enabled"] = "true"
    harness.start()
    engine = harness.logic.engine
    node = parameterNode(bench.scene)
    for _ in range(4):
        clickRed(bench)
    engine.back()
    points, index = engine.history(), engine.historyIndex()
    assert (len(points), index) == (4, 2)
    # Clicks never write the parameter node; saving the scene does.
    assert node.GetParameter("SliceSyncHistory") == ""
    path = bench.tempPath("with-history.mrml")
    _saveSceneAs(bench.scene, path)
    with open(path) as saved:
        assert "SliceSyncHistory" in saved.read()
    assert stored("SliceSyncHistory") is None, "the history became a remembered setting"
    # Slicer quits; a new session starts on an empty scene and loads the file.
    bench.scene.Clear(0)
    harness.close()
    fresh = ModuleHarness(bench)
    try:
        fresh.start()
        engine = fresh.logic.engine
        assert engine.history() == []
        _importScene(bench, path)
        assert (engine.history(), engine.historyIndex()) == (points, index)
        assert engine.back() == points[1]
        assert abs(bench.views["Yellow"].distanceToPlane(points[1])) < 1e-3
        assert engine.back() == points[0] and engine.back() is None
        assert [engine.forward() for _ in range(3)] == points[1:]
        assert abs(bench.views["Green"].distanceToPlane(points[3])) < 1e-3
        assert engine.forward() is None
    finally:
        fresh.close()


def test_malformed_saved_history_is_ignored_with_one_warning(harness, bench, anatomical, errorGuard, caplog):
    errorGuard.allow("cursor history saved in the scene")
    StandInQSettings.store["SliceSync/enabled"] = "true"
    harness.start()
    clickRed(bench)
    before = harness.logic.engine.history()
    path = _savedScene(bench, enabled="True", SliceSyncHistory='{"index": 3, "points": [[1, 2, 3]]}')
    _importScene(bench, path)
    assert harness.logic.engine.history() == before
    assert len([text for text in warnings(caplog) if "cursor history saved in the scene" in text]) == 1
    assert clickRed(bench) == {"Yellow", "Green"}


# -- pyigtl installed on first use, after asking (issue 12) -------------------------------------------------------


class PyigtlBlocker:
    """A meta-path finder that makes pyigtl unimportable, as in a Slicer where it was never installed."""

    def find_spec(self, name, path=None, target=None):
        if name == "pyigtl" or name.startswith("pyigtl."):
            raise ModuleNotFoundError(f"No module named {name!r} (blocked by the test)", name=name)


@pytest.fixture
def withoutPyigtl():
    import sys

    imported = {name: module for name, module in sys.modules.items() if name.split(".")[0] == "pyigtl"}
    for name in imported:
        del sys.modules[name]
    blocker = PyigtlBlocker()
    sys.meta_path.insert(0, blocker)
    yield blocker
    if blocker in sys.meta_path:
        sys.meta_path.remove(blocker)
    for name in [name for name in sys.modules if name.split(".")[0] == "pyigtl"]:
        del sys.modules[name]
    sys.modules.update(imported)


def _answerQuestions(harness, answer) -> None:
    """Leave testing mode so slicer.util shows its message boxes, and press ``answer`` in them."""
    from SlicerPythonHarness import StandInMessageBox

    harness.app.testing = False
    StandInMessageBox.answer = answer


def test_start_link_without_pyigtl_asks_and_cancel_starts_nothing(harness, bench, withoutPyigtl, monkeypatch):
    from SlicerPythonHarness import StandInMessageBox, StandInQMessageBox

    installed = []
    monkeypatch.setattr(slicer.util, "pip_install", installed.append)
    harness.start()
    _answerQuestions(harness, StandInQMessageBox.Cancel)
    ui, logic = harness.widget.ui, harness.logic
    ui.linkButton.click()
    assert len(StandInMessageBox.shown) == 1 and "pyigtl" in StandInMessageBox.shown[0]
    assert installed == []
    assert not logic.isLinkRunning() and _activeTimers() == []
    assert logic.engine.linkStatus()["connected"] is False and logic.engine.linkStatus()["sent"] == 0
    assert "needs the pyigtl package" in ui.linkStatusLabel.text
    assert ui.linkButton.text != "Stop link"


def test_start_link_without_pyigtl_installs_the_pinned_version_on_ok_then_links(
    harness, bench, anatomical, withoutPyigtl, monkeypatch
):
    import sys

    from LinkPeer import freePort, waitFor
    from SlicerPythonHarness import StandInMessageBox, StandInQMessageBox

    installed = []

    def standInPipInstall(requirements):
        """Stands in for Slicer's pip helper only: records the requirement; the package then imports."""
        installed.append(requirements)
        sys.meta_path.remove(withoutPyigtl)

    monkeypatch.setattr(slicer.util, "pip_install", standInPipInstall)
    StandInQSettings.store["SliceSync/enabled"] = "true"
    harness.start()
    _answerQuestions(harness, StandInQMessageBox.Ok)
    ui, logic = harness.widget.ui, harness.logic
    port = freePort()
    ui.linkPortSpinBox.value = port
    ui.linkButton.click()
    assert len(StandInMessageBox.shown) == 1 and "pyigtl==0.3.4" in StandInMessageBox.shown[0]
    assert installed == ["pyigtl==0.3.4"]
    assert logic.isLinkRunning() and ui.linkButton.text == "Stop link"
    assert ui.linkStatusLabel.text.startswith(f"Server on 127.0.0.1:{port}")
    # The link really runs: a pyigtl client connects and receives the cursor of a click.
    import pyigtl

    (timer,) = _activeTimers()
    client = pyigtl.OpenIGTLinkClient("127.0.0.1", port)
    try:
        waitFor(lambda: logic.engine.linkStatus()["connected"], tick=timer.fire)
        assert clickRed(bench) == {"Yellow", "Green"}
        message = client.wait_for_message("SliceSyncCursor", timeout=5)
        assert message is not None
        waitFor(lambda: logic.engine.linkStatus()["sent"] >= 1, tick=timer.fire)
    finally:
        client.stop()
    ui.linkButton.click()
    assert not logic.isLinkRunning()
    ui.linkButton.click()
    assert len(StandInMessageBox.shown) == 1, "asked again although pyigtl is installed"
    assert installed == ["pyigtl==0.3.4"] and logic.isLinkRunning()


def test_history_position_shows_under_back_and_forward_and_follows_save_close_and_load(harness, bench, anatomical):
    StandInQSettings.store["SliceSync/enabled"] = "true"
    harness.start()
    ui = harness.widget.ui
    assert ui.historyLabel.text == "No synced points yet"
    assert not ui.backButton.enabled and not ui.forwardButton.enabled
    for _ in range(3):
        clickRed(bench)
    assert ui.historyLabel.text == "Point 3 of 3"
    assert ui.backButton.enabled and not ui.forwardButton.enabled
    ui.backButton.click()
    assert ui.historyLabel.text == "Point 2 of 3"
    assert ui.backButton.enabled and ui.forwardButton.enabled
    path = bench.tempPath("position.mrml")
    _saveSceneAs(bench.scene, path)
    bench.scene.Clear(0)
    assert ui.historyLabel.text == "No synced points yet"
    _importScene(bench, path)
    assert ui.historyLabel.text == "Point 2 of 3"
    ui.forwardButton.click()
    assert ui.historyLabel.text == "Point 3 of 3" and not ui.forwardButton.enabled
