"""SliceSync.py on the Python layer of Slicer 5.8, 5.10 and 5.12 (and a Slicer source tree, if given).

Each layer runs in its own interpreter (run_slicer_python.py): the module's checks in on_slicer_python/ and
Slicer's own parameterNodeWrapper tests of that release, which prove that the harness loads the layer faithfully.
All layers start together and each test waits for its own.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
import SlicerPythonHarness

RUNNER = Path(__file__).resolve().parent / "run_slicer_python.py"
# Slicer's own wrapper tests per release folder (test_slicer_parameter_node_wrapper.py at v5.8.1, v5.10.0, v5.12.3).
WRAPPER_TEST_COUNT = 33
TIMEOUT_S = 900


class LayerRun:
    """One run_slicer_python.py process and its JUnit report."""

    def __init__(self, label: str, layer: Path, folder: str) -> None:
        self.report = os.path.join(folder, f"{label}.xml")
        self.process = subprocess.Popen(
            [sys.executable, str(RUNNER), str(layer), "--junitxml", self.report],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=str(SlicerPythonHarness.REPOSITORY),
        )
        self.output = ""

    def wait(self) -> int:
        if self.process.returncode is None:
            self.output, _ = self.process.communicate(timeout=TIMEOUT_S)
        return self.process.returncode

    def outcomes(self) -> dict[str, str]:
        """Test id -> passed / failed / skipped, from the JUnit report."""
        results = {}
        for case in ElementTree.parse(self.report).getroot().iter("testcase"):
            kinds = {child.tag for child in case} & {"failure", "error", "skipped"}
            results[f"{case.get('classname')}::{case.get('name')}"] = (
                "failed" if kinds & {"failure", "error"} else "skipped" if kinds else "passed"
            )
        return results


@pytest.fixture(scope="module")
def layerRuns():
    available = {label: folder for label, folder in SlicerPythonHarness.layers().items() if folder is not None}
    with tempfile.TemporaryDirectory(prefix="slicesync-layers-") as folder:
        runs = {label: LayerRun(label, layer, folder) for label, layer in available.items()}
        try:
            yield runs
        finally:
            for run in runs.values():
                if run.process.poll() is None:
                    run.process.kill()
                    run.process.communicate()


@pytest.mark.parametrize("label", ["source", *SlicerPythonHarness.RELEASES])
def test_module_runs_on_slicer_python_layer(layerRuns, label):
    if label not in layerRuns:
        if label == "source":
            pytest.skip("SLICER_SOURCE_DIR is not set to a Slicer source tree (or its Base/Python)")
        pytest.skip(SlicerPythonHarness.absenceReason(label))
    run = layerRuns[label]
    code = run.wait()
    assert code == 0, f"Slicer {label} layer: run_slicer_python.py exited with {code}\n{run.output[-6000:]}"
    outcomes = run.outcomes()
    # Slicer's test file lies outside the repository: its class names carry no module path.
    wrapper = {name: result for name, result in outcomes.items() if "on_slicer_python" not in name}
    assert all(result == "passed" for result in wrapper.values()), wrapper
    if label != "source":
        assert len(wrapper) == WRAPPER_TEST_COUNT, f"{len(wrapper)} of Slicer's wrapper tests ran"
    module = {name: result for name, result in outcomes.items() if "on_slicer_python" in name}
    assert module and "failed" not in module.values()
    skipped = sorted(name for name, result in module.items() if result == "skipped")
    assert [name.split(".")[-1] for name in skipped] == [
        "check_self_test::test_self_test_method_passes[test_LayoutChangeAddsViews]"
    ]
