"""observerCount sees every observer, on every kind of object the cleanup checks count."""

from __future__ import annotations

import pytest
import slicer
import vtk

from SliceSyncBench import observerCount


def _objects(bench) -> dict:
    red = bench.views["Red"]
    parameterNode = bench.scene.AddNewNodeByClass("vtkMRMLScriptedModuleNode")
    markups = bench.scene.AddNewNodeByClass("vtkMRMLMarkupsFiducialNode")
    return {
        "interactor": red.interactor,
        "scene": bench.scene,
        "slice": red.sliceNode,
        "composite": red.compositeNode,
        "crosshair": bench.crosshairNode,
        "interaction": bench.interactionNode,
        "parameter": parameterNode,
        "markups": markups,
    }


def _ignore(caller: vtk.vtkObject, event: str) -> None:
    """An observer that does nothing: only its presence is counted."""


KINDS = ("interactor", "scene", "slice", "composite", "crosshair", "interaction", "parameter", "markups")


@pytest.mark.parametrize("kind", KINDS)
def test_observer_count_sees_one_python_observer_added_and_removed(bench, kind):
    obj = _objects(bench)[kind]
    before = observerCount(obj)
    tags = [obj.AddObserver(vtk.vtkCommand.ModifiedEvent, _ignore, 1.0)]
    assert observerCount(obj) == before + 1
    tags.append(obj.AddObserver(vtk.vtkCommand.DeleteEvent, _ignore))
    assert observerCount(obj) == before + 2
    for tag in tags:
        obj.RemoveObserver(tag)
    assert observerCount(obj) == before


def test_observer_count_sees_observers_that_slicer_adds_in_cpp(bench):
    # A slice logic observes its slice node from C++: a node no logic uses has fewer observers.
    loose = slicer.vtkMRMLSliceNode()
    bench.scene.AddNode(loose)
    assert observerCount(bench.views["Red"].sliceNode) > observerCount(loose)


def test_observer_count_leaves_the_object_unmodified(bench):
    node = bench.views["Red"].sliceNode
    mtime = node.GetMTime()
    observerCount(node)
    assert node.GetMTime() == mtime
