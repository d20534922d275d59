"""Fixtures for the tests that run SliceSync.py on a Slicer release's Python layer (run_slicer_python.py).

Outside run_slicer_python.py (no layer loaded in the process), nothing here is collected.
"""

from __future__ import annotations

import sys

import pytest
import SlicerPythonHarness
from SlicerPythonHarness import ModuleHarness, StandInQSettings, StandInShortcut

if SlicerPythonHarness._loaded is None:
    collect_ignore_glob = ["*.py"]


@pytest.fixture
def harness(bench):
    """A Slicer session over the bench with empty application settings; the module is not loaded yet."""
    StandInQSettings.store.clear()
    StandInShortcut.live.clear()
    session = ModuleHarness(bench)
    yield session
    if session.module is not None and session.moduleInfo.panel is not None:
        session.close()
    for name in [name for name in sys.modules if name == "SliceSync"]:
        del sys.modules[name]
