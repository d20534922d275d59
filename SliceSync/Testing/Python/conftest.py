"""pytest fixtures: a headless bench of real Slicer slice views, and real volumes read from files."""

from __future__ import annotations

import logging
import os
import re
import sys
import traceback

import pytest
import vtk
from FaultRig import Rig

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


class ErrorGuard:
    """Collects Python exceptions raised inside VTK callbacks, VTK error/warning output and log records.

    Guards nest: while one started inside another runs, only the inner one collects.
    """

    _active: list[ErrorGuard] = []

    # Printed once by VTK when the first off-screen window falls back from X to EGL: harmless.
    ALWAYS_ALLOWED = (r"bad X server connection", r"vtkXOpenGLRenderWindow")

    def __init__(self) -> None:
        self.errors: list[str] = []
        self._allowed: list[str] = list(self.ALWAYS_ALLOWED)
        self._outputWindow = vtk.vtkStringOutputWindow()
        self._outputSeen = 0
        self._handler = _ListHandler(self.errors, self._isAllowed)

    def _isAllowed(self, text: str) -> bool:
        return any(re.search(pattern, text) for pattern in self._allowed)

    def allow(self, pattern: str) -> None:
        """Accept messages matching the regular expression ``pattern`` (an expected warning)."""
        self._allowed.append(pattern)

    def start(self) -> None:
        """Install the hooks; the previous ones are restored by stop()."""
        self._previous = (sys.excepthook, sys.unraisablehook, vtk.vtkOutputWindow.GetInstance())
        self._previousVerbosity = vtk.vtkLogger.GetCurrentVerbosityCutoff()
        sys.excepthook = self._onException
        sys.unraisablehook = self._onUnraisable
        vtk.vtkOutputWindow.SetInstance(self._outputWindow)
        vtk.vtkObject.GlobalWarningDisplayOn()
        # The messages are collected here; VTK's logger would print them to stderr as well.
        vtk.vtkLogger.SetStderrVerbosity(vtk.vtkLogger.VERBOSITY_OFF)
        if ErrorGuard._active:
            logging.getLogger().removeHandler(ErrorGuard._active[-1]._handler)
        ErrorGuard._active.append(self)
        logging.getLogger().addHandler(self._handler)

    def stop(self) -> None:
        """Restore the previous hooks."""
        sys.excepthook, sys.unraisablehook, previousWindow = self._previous
        vtk.vtkOutputWindow.SetInstance(previousWindow)
        vtk.vtkLogger.SetStderrVerbosity(self._previousVerbosity)
        logging.getLogger().removeHandler(self._handler)
        ErrorGuard._active.remove(self)
        if ErrorGuard._active:
            logging.getLogger().addHandler(ErrorGuard._active[-1]._handler)

    def _onException(self, excType, value, tb) -> None:
        self.errors.append("exception in a VTK callback: " + "".join(traceback.format_exception(excType, value, tb)))

    def _onUnraisable(self, unraisable) -> None:
        self.errors.append(f"unraisable exception: {unraisable.exc_type.__name__}: {unraisable.exc_value}")

    def _collectVTKOutput(self) -> None:
        output = self._outputWindow.GetOutput() or ""
        text, self._outputSeen = output[self._outputSeen :], len(output)
        for message in re.split(r"\n\s*\n", text):
            message = message.strip()
            if message and not self._isAllowed(message):
                self.errors.append("VTK: " + message)

    def drain(self) -> list[str]:
        """Forget (and return) what was reported so far, e.g. Slicer's own messages while a test builds its scene."""
        self._collectVTKOutput()
        drained, self.errors[:] = list(self.errors), []
        return drained

    def check(self) -> None:
        """Fail if anything unexpected was reported since the last check."""
        self._collectVTKOutput()
        errors, self.errors[:] = list(self.errors), []
        assert not errors, "unexpected errors:\n" + "\n".join(errors)


class _ListHandler(logging.Handler):
    def __init__(self, sink: list, isAllowed) -> None:
        super().__init__(logging.WARNING)
        self._sink = sink
        self._isAllowed = isAllowed

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + "".join(traceback.format_exception(*record.exc_info))
        if not self._isAllowed(text):
            self._sink.append(f"log {record.levelname}: {text}")


@pytest.fixture(autouse=True)
def errorGuard():
    """Every test: fails it if a VTK callback raised, VTK printed an error or warning, or anything logged a warning.

    What Slicer reports while the test's fixtures build the scene is drained before the test itself runs
    (pytest_runtest_call below); expected messages are accepted by pattern with ``errorGuard.allow``.
    """
    guard = ErrorGuard()
    guard.start()
    try:
        yield guard
        guard.check()
    finally:
        guard.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Forget what Slicer reported while the fixtures built the scene; the test itself starts clean."""
    guard = item.funcargs.get("errorGuard")
    if guard is not None:
        guard.drain()
    return (yield)


@pytest.fixture
def rig(errorGuard, bench):
    """A Rig (FaultRig.py): an enabled engine on Red/Yellow/Green; observer counts checked after cleanup."""
    rig = Rig(bench, errorGuard)
    yield rig
    rig.finish()
