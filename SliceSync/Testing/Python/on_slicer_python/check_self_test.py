"""The module's own SliceSyncTest, method by method, on the harness (the test Slicer runs with --testing).

Methods that need what only the Slicer application has are skipped with the reason (see README, known limits).
"""

from __future__ import annotations

import ast

import pytest
import SlicerPythonHarness
from SlicerPythonHarness import MODULE_FILE, LayoutNeedsSlicerError

from SliceSyncLib.Scenarios import observerCount

harness = pytest.fixture(SlicerPythonHarness.harnessFixture)


def _testOrder() -> list[str]:
    """SliceSyncTest.TEST_ORDER, read from the module file without running it."""
    tree = ast.parse(MODULE_FILE.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == "SliceSyncTest":
            for statement in node.body:
                if isinstance(statement, ast.Assign) and statement.targets[0].id == "TEST_ORDER":  # type: ignore[attr-defined]
                    return list(ast.literal_eval(statement.value))
    raise AssertionError("SliceSyncTest.TEST_ORDER not found")


@pytest.mark.parametrize("method", _testOrder())
def test_self_test_method_passes(harness, bench, method, errorGuard):
    harness.start()
    test = harness.module.SliceSyncTest()
    test.setUpClass()
    try:
        test.setUp()
        try:
            getattr(test, method)()
        except LayoutNeedsSlicerError as reason:
            pytest.skip(f"{method} needs Slicer's layout manager: {reason}")
    finally:
        test.tearDownClass()


def test_self_test_reload_leaves_the_parameter_node_as_it_found_it(harness, bench):
    harness.start()
    test = harness.module.SliceSyncTest()
    test.setUpClass()
    test.setUp()
    node = bench.scene.GetSingletonNode("SliceSync", "vtkMRMLScriptedModuleNode")
    before = observerCount(node)
    test.test_ReloadLeavesNoObservers()
    assert observerCount(node) == before
    test.tearDownClass()
