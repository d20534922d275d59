"""Turns a slice view's interactor events into "sync here" requests. Knows events, not volumes."""

from __future__ import annotations

import logging
from typing import Callable, Optional

import vtk

# Slicer's vtkMRMLViewInteractorStyle observes at priority 0.0 and aborts the events a widget consumes
# (markup points, slice-intersection handles, Place and window/level modes); Segment Editor effects
# observe at 1.0 and abort what they paint. A press seen below 0.0 was therefore consumed by nobody.
PRESS_PRIORITY = -1.0
# Mouse moves are always consumed by the crosshair/cursor widgets at 0.0, so the moves of an accepted press
# are watched just above Slicer's style but below Segment Editor effects.
FOLLOW_PRIORITY = 0.5
# Every press (even one a widget will consume) and every release end the gesture in progress, whoever else acts
# on them, so both are also watched before everyone else. These observers never abort anything.
FIRST_PRIORITY = 10.0

# Press and release closer than this (pixels, in each direction) make a click: real mice jitter.
CLICK_TOLERANCE_PIXELS = 3

PressPredicate = Callable[[vtk.vtkRenderWindowInteractor], bool]
# onSync(x, y, final): final is False for the provisional syncs of a gesture still in progress.
SyncRequest = Callable[[int, int, bool], None]


class GestureFilter:
    """Watches one interactor and calls ``onSync(x, y, final)`` for a left click or each drag-follow step.

    A gesture that synced provisionally (drag-follow syncs at the press and at each move) calls ``onEnd()``
    once when it ends: at the release, or when another press takes over.
    """

    def __init__(
        self,
        interactor: vtk.vtkRenderWindowInteractor,
        canStart: PressPredicate,
        onSync: SyncRequest,
        dragFollow: Callable[[], bool],
        onEnd: Optional[Callable[[], None]] = None,
    ) -> None:
        self.interactor = interactor
        self._canStart = canStart
        self._onSync = onSync
        self._dragFollow = dragFollow
        self._onEnd = onEnd
        self._pressPosition: Optional[tuple[int, int]] = None
        self._dragging = False
        self._synced = False
        self._observations: list[int] = []

    def attach(self) -> None:
        """Add the interactor observers (once)."""
        if self._observations:
            return
        iren = self.interactor
        self._observations = [
            iren.AddObserver(vtk.vtkCommand.LeftButtonPressEvent, self._onAnyPress, FIRST_PRIORITY),
            iren.AddObserver(vtk.vtkCommand.LeftButtonPressEvent, self._onPress, PRESS_PRIORITY),
            iren.AddObserver(vtk.vtkCommand.MouseMoveEvent, self._onMove, FOLLOW_PRIORITY),
            iren.AddObserver(vtk.vtkCommand.LeftButtonReleaseEvent, self._onRelease, FIRST_PRIORITY),
        ]

    def detach(self) -> None:
        """Remove every observer this filter added and forget any gesture in progress."""
        for tag in self._observations:
            self.interactor.RemoveObserver(tag)
        self._observations = []
        self.cancel()

    def cancel(self) -> None:
        """Forget the gesture in progress; the next events start afresh."""
        self._pressPosition = None
        self._dragging = False
        self._synced = False

    def _onAnyPress(self, caller: vtk.vtkObject, event: str) -> None:
        self._finish()

    def _finish(self) -> None:
        """End the gesture in progress, telling the engine if it synced provisionally."""
        synced = self._synced
        self.cancel()
        if synced and self._onEnd is not None:
            try:
                self._onEnd()
            except Exception:
                logging.exception("SliceSync: failed to end a gesture")

    def _onPress(self, caller: vtk.vtkObject, event: str) -> None:
        # _onAnyPress (priority 10) has already ended any earlier gesture.
        try:
            iren = self.interactor
            if iren.GetShiftKey() or iren.GetControlKey() or iren.GetAltKey() or iren.GetRepeatCount():
                return
            if not self._canStart(iren):
                return
            x, y = iren.GetEventPosition()
            self._pressPosition = (x, y)
            if self._dragFollow():
                self._synced = True
                self._onSync(x, y, False)
        except Exception:
            logging.exception("SliceSync: failed to handle a mouse press")
            self.cancel()

    def _onMove(self, caller: vtk.vtkObject, event: str) -> None:
        if self._pressPosition is None:
            return
        try:
            if not self._canStart(self.interactor):
                self.cancel()
                return
            x, y = self.interactor.GetEventPosition()
            if not self._dragging and self._isBeyondClick(x, y):
                self._dragging = True
            if self._dragFollow():
                self._synced = True
                self._onSync(x, y, False)
        except Exception:
            logging.exception("SliceSync: failed to handle a mouse move")
            self.cancel()

    def _onRelease(self, caller: vtk.vtkObject, event: str) -> None:
        if self._pressPosition is None:
            return
        try:
            x, y = self.interactor.GetEventPosition()
            isClick = not self._dragging and not self._isBeyondClick(x, y)
            pressX, pressY = self._pressPosition
            if isClick and not self._synced and self._canStart(self.interactor):
                self._onSync(pressX, pressY, True)
        except Exception:
            logging.exception("SliceSync: failed to handle a mouse release")
        finally:
            self._finish()

    def _isBeyondClick(self, x: int, y: int) -> bool:
        pressX, pressY = self._pressPosition  # type: ignore[misc]
        return abs(x - pressX) > CLICK_TOLERANCE_PIXELS or abs(y - pressY) > CLICK_TOLERANCE_PIXELS
