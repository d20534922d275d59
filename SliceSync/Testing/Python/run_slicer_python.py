"""Run the module's tests on one Slicer release's Python layer, in this (fresh) process.

    python SliceSync/Testing/Python/run_slicer_python.py <layer folder> [--junitxml FILE] [pytest options]

The layer folder holds ``slicer/`` (a release folder of ../shared/slicer-python, or a Slicer source's
``Base/Python``). Runs ``on_slicer_python/check_*.py`` and Slicer's own parameterNodeWrapper tests of that layer.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parents[1])]

import SlicerPythonHarness  # noqa: E402


def main(argv: list[str]) -> int:
    if not argv:
        sys.stderr.write(__doc__ or "")
        return 2
    layer = Path(argv[0])
    SlicerPythonHarness.loadLayer(layer)
    import pytest
    import slicer

    # Slicer's wrapper tests use the application's scene.
    slicer.mrmlScene = slicer.vtkMRMLScene()
    paths = [str(HERE / "on_slicer_python")]
    wrapperTests = SlicerPythonHarness.wrapperTests(layer)
    if wrapperTests is not None:
        paths.append(str(wrapperTests))
    repository = SlicerPythonHarness.REPOSITORY
    return int(
        pytest.main(
            [
                "-c",
                str(repository / "pyproject.toml"),
                "--rootdir",
                str(repository),
                "-p",
                "no:cacheprovider",
                "-o",
                "python_files=check_*.py test_slicer_parameter_node_wrapper.py",
                "-q",
                *argv[1:],
                *paths,
            ]
        )
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
