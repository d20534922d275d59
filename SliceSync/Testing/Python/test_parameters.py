"""SliceSyncLib.Parameters: the parameter node's strings read, validated, repaired and written (Qt-free)."""

from __future__ import annotations

import logging

import pytest
import slicer
import vtk

from SliceSyncLib import Parameters
from SliceSyncLib.ViewBinding import SyncSettings

UNUSABLE = "values this version cannot use"


@pytest.fixture
def node(bench):
    node = slicer.vtkMRMLScriptedModuleNode()
    node.SetSingletonTag("SliceSync")
    bench.scene.AddNode(node)
    return node


def modifiedEvents(node, action) -> int:
    count = []

    def onModified(caller: vtk.vtkObject, event: str) -> None:
        count.append(1)

    tag = node.AddObserver(vtk.vtkCommand.ModifiedEvent, onModified)
    try:
        action()
    finally:
        node.RemoveObserver(tag)
    return len(count)


def test_settings_are_stored_as_the_wrapper_stores_them(node):
    settings = SyncSettings(enabled=True, jumpMode="keepInView", clampMode="off", dragFollow=False, viewGroup=2)
    Parameters.writeParameterNode(node, settings)
    assert {name: node.GetParameter(name) for name in Parameters.PARAMETER_NAMES} == {
        "enabled": "True",
        "jumpMode": "keepInView",
        "clampMode": "off",
        "dragFollow": "False",
        "showCrosshair": "True",
        "viewGroup": "2",
        "followMarkups": "place",
        "linkedViewGroups": "",
        "linkRole": "server",
        "linkHost": "127.0.0.1",
        "linkPort": "18944",
        "snapToVoxel": "False",
    }
    assert Parameters.readParameterNode(node) == settings


def test_writing_is_one_modified_event_and_none_when_nothing_changes(node):
    settings = SyncSettings(enabled=True, jumpMode="centered")
    assert modifiedEvents(node, lambda: Parameters.writeParameterNode(node, settings)) == 1
    assert modifiedEvents(node, lambda: Parameters.writeParameterNode(node, settings)) == 0


def test_an_empty_node_reads_as_the_defaults(node):
    assert Parameters.readParameterNode(node) == SyncSettings()


def test_unknown_and_malformed_values_are_reset_with_one_warning(node, errorGuard, caplog):
    errorGuard.allow(UNUSABLE)
    node.SetParameter("enabled", "True")
    node.SetParameter("jumpMode", "followCursor")
    node.SetParameter("viewGroup", "12")
    node.SetParameter("dragFollow", "maybe")
    settings = Parameters.readParameterNode(node)
    assert settings == SyncSettings(enabled=True)
    messages = [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING]
    assert len(messages) == 1
    assert "followCursor" in messages[0] and "'12'" in messages[0] and "maybe" in messages[0]
    assert (node.GetParameter("jumpMode"), node.GetParameter("viewGroup"), node.GetParameter("dragFollow")) == (
        "offset",
        "-1",
        "True",
    )
    Parameters.readParameterNode(node)
    assert len([record for record in caplog.records if record.levelno >= logging.WARNING]) == 1


def test_a_new_node_starts_from_the_remembered_settings_once(node):
    remembered = SyncSettings(enabled=True, clampMode="ignoreOutside")
    calls = []

    def rememberedSettings():
        calls.append(1)
        return remembered

    assert Parameters.initializeParameterNode(node, rememberedSettings) == remembered
    Parameters.writeParameterNode(node, SyncSettings())
    assert Parameters.initializeParameterNode(node, rememberedSettings) == SyncSettings()
    assert len(calls) == 1


def test_update_validates_before_writing(node):
    Parameters.writeParameterNode(node, SyncSettings(enabled=True))
    with pytest.raises(ValueError, match="jumpMode"):
        Parameters.updateParameterNode(node, jumpMode="spiral")
    with pytest.raises(ValueError, match="unknown"):
        Parameters.updateParameterNode(node, speed=3)
    with pytest.raises(ValueError, match="enabled"):
        Parameters.updateParameterNode(node, enabled="false")
    assert Parameters.readParameterNode(node) == SyncSettings(enabled=True)
    assert Parameters.updateParameterNode(node, viewGroup=1).viewGroup == 1


@pytest.mark.parametrize(
    ("stored", "expected"),
    [("true", True), ("True", True), ("1", True), ("ON", True), ("false", False), ("0", False), ("no", False)],
)
def test_boolean_spellings_of_ini_files_and_hand_edits_are_read(stored, expected):
    settings, invalid = Parameters.parseStrings({"enabled": stored})
    assert (settings.enabled, invalid) == (expected, {})


def test_settings_to_strings_rejects_invalid_settings():
    with pytest.raises(ValueError, match="viewGroup"):
        Parameters.settingsToStrings(SyncSettings(viewGroup=42))
    with pytest.raises(ValueError, match="SyncSettings"):
        Parameters.settingsToStrings({"enabled": True})


@pytest.mark.parametrize(
    ("text", "expected"), [("", None), ("  ", None), ("0,1", [0, 1]), ("3; 1, 1", [1, 3]), ("9", [9])]
)
def test_linked_view_groups_text_is_read_as_a_sorted_list(text, expected):
    assert SyncSettings(linkedViewGroups=text).linkedGroupList() == expected


@pytest.mark.parametrize("text", ["10", "-1", "0, x", "1.5", "0,,1"])
def test_linked_view_groups_out_of_range_or_malformed_are_rejected(text):
    with pytest.raises(ValueError, match="linkedViewGroups"):
        SyncSettings(linkedViewGroups=text).validate()


def test_view_group_transforms_are_node_references_of_the_parameter_node(bench, node):
    transform = bench.scene.AddNewNodeByClass("vtkMRMLLinearTransformNode")
    Parameters.setViewGroupTransform(node, 2, transform)
    assert Parameters.viewGroupTransforms(node) == {2: transform}
    bench.scene.RemoveNode(transform)
    assert Parameters.viewGroupTransforms(node) == {}
    with pytest.raises(ValueError, match="view group"):
        Parameters.setViewGroupTransform(node, 10, None)
    with pytest.raises(ValueError, match="transform node"):
        Parameters.setViewGroupTransform(node, 1, node)


def test_binding_maps_view_groups_and_links_them(bench):
    from SliceSyncLib.ViewBinding import ViewBinding

    binding = ViewBinding(bench.scene)
    try:
        transform = bench.scene.AddNewNodeByClass("vtkMRMLLinearTransformNode")
        binding.setViewGroupTransforms({1: transform, 2: None})
        assert binding.engine.viewGroupTransform(1) is transform
        assert binding.engine.viewGroupTransform(2) is None
        binding.applySettings(SyncSettings(linkedViewGroups="0"))
        assert binding.engine.linkedViewGroups() == [0]
        binding.applySettings(SyncSettings())
        assert binding.engine.linkedViewGroups() == [0, 1]
        binding.setViewGroupTransforms({})
        assert binding.engine.viewGroupTransform(1) is None
    finally:
        binding.cleanup()


def test_the_cursor_history_is_stored_as_json_and_read_back_exactly(node):
    points = [(1.5, -2.25, 3.0), (0.1 + 0.2, 1e-9, -120.75)]
    Parameters.writeHistory(node, points, 1)
    assert Parameters.readHistory(node) == (points, 1)
    Parameters.writeHistory(node, [], -1)
    assert node.GetParameter(Parameters.HISTORY_PARAMETER) == "" and Parameters.readHistory(node) is None
    assert Parameters.HISTORY_PARAMETER not in Parameters.PARAMETER_NAMES, "the history must not be remembered"


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[1, 2]",
        '{"index": 0, "points": [[1, 2]]}',
        '{"index": 0, "points": [[1, 2, NaN]]}',
        '{"index": 0, "points": [[1, 2, "3"]]}',
        '{"index": 1, "points": [[1, 2, 3]]}',
        '{"index": true, "points": [[1, 2, 3]]}',
        '{"index": -1, "points": [[1, 2, 3]]}',
        '{"index": 0, "points": []}',
        '{"index": 0, "points": ' + str([[0, 0, k] for k in range(101)]) + "}",
    ],
)
def test_a_malformed_stored_history_is_ignored_with_one_warning(node, errorGuard, caplog, text):
    errorGuard.allow("cursor history saved in the scene")
    node.SetParameter(Parameters.HISTORY_PARAMETER, text)
    with caplog.at_level(logging.WARNING):
        assert Parameters.readHistory(node) is None
    assert len([r for r in caplog.records if "cursor history saved in the scene" in r.getMessage()]) == 1
    with pytest.raises(ValueError):
        Parameters.parseHistory(text)
