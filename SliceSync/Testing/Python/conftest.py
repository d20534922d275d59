"""pytest fixtures: a headless bench of real Slicer slice views, and real volumes read from files."""

from __future__ import annotations

import os

import pytest

from SliceSyncBench import SliceViewBench
from SliceSyncLib import SliceSyncEngine


def anatomicalPath() -> str:
    """nibabel's anatomical.nii (33 x 41 x 25, flipped axes), a real file shipped on PyPI."""
    import nibabel

    return os.path.join(os.path.dirname(nibabel.__file__), "tests", "data", "anatomical.nii")


@pytest.fixture
def bench():
    """A scene with Red/Yellow/Green headless views wired as in Slicer."""
    bench = SliceViewBench()
    bench.addStandardViews()
    yield bench
    bench.close()


@pytest.fixture
def anatomical(bench):
    """nibabel's anatomical.nii read with Slicer's reader and shown in every view."""
    volume = bench.loadVolume(anatomicalPath(), "anatomical")
    bench.showVolume(volume)
    return volume


@pytest.fixture
def engine(bench):
    """An enabled engine with every bench view registered; cleaned up after the test."""
    engine = SliceSyncEngine(bench.scene)
    for view in bench.views.values():
        engine.addView(view.sliceNode, view.interactor)
    engine.setEnabled(True)
    yield engine
    engine.cleanup()
