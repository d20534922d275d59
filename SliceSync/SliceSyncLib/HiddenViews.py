"""Hidden views: a target the layout does not show is not moved; it takes the last point it missed when shown. Qt-free.

Slicer keeps the slice views of layouts used earlier and marks the ones it shows with MappedInLayout. A sync moves
the targets that are mapped; each hidden one keeps the latest world point and is observed until it is mapped again.
Only hidden views with a point to take are observed: a sync never moves them, so this costs nothing per click.
"""

from __future__ import annotations

import functools
import logging
from typing import Callable, Iterable, Sequence

import slicer
import vtk

from .Geometry import Vector3
from .Status import SyncResult

# catchUp(sliceNode, world, checkInside): move a view that has just been shown through the point it missed.
CatchUpCallback = Callable[[slicer.vtkMRMLSliceNode, Vector3, bool], None]


class _Pending:
    """A world point a hidden view takes when it is shown, and the observer that waits for that."""

    def __init__(self, sliceNode: slicer.vtkMRMLSliceNode, world: Vector3, checkInside: bool, tag: int) -> None:
        self.sliceNode = sliceNode
        self.world = world
        self.checkInside = checkInside
        self.tag = tag


class HiddenViews:
    """The hidden target views, each waiting (one ModifiedEvent observer) to be shown and brought to its point."""

    def __init__(self, isReady: Callable[[], bool], catchUp: CatchUpCallback) -> None:
        self._isReady = isReady
        self._catchUp = catchUp
        self._pending: dict[str, _Pending] = {}

    def shownTargets(
        self,
        registered: Iterable[slicer.vtkMRMLSliceNode],
        targets: Sequence[slicer.vtkMRMLSliceNode],
        world: Vector3,
        checkInside: Callable[[slicer.vtkMRMLSliceNode], bool],
        result: SyncResult,
    ) -> list[tuple[slicer.vtkMRMLSliceNode, str]]:
        """Return the (node, name) targets mapped in the layout; hidden ones keep ``world`` until shown.

        A host that marks no ``registered`` view as mapped (no layout manager) shows them all: every target moves.
        ``checkInside(node)`` says whether a hidden target tests the point against its volume when it catches up.
        """
        if not any(sliceNode.IsMappedInLayout() for sliceNode in registered):
            return list(zip(targets, result.targetNames))
        shown = []
        pending = self._pending
        for sliceNode, name in zip(targets, result.targetNames):
            if sliceNode.IsMappedInLayout():
                if pending and sliceNode.GetID() in pending:
                    self.drop(sliceNode.GetID())
                shown.append((sliceNode, name))
            else:
                self._defer(sliceNode, world, checkInside(sliceNode))
                result.deferredNames.append(name)
        return shown

    def drop(self, key: str) -> None:
        """Forget the point the view with node ID ``key`` waits for, and its observer; unknown keys are ignored."""
        pending = self._pending.pop(key, None)
        if pending is not None:
            pending.sliceNode.RemoveObserver(pending.tag)

    def cleanup(self) -> None:
        """Drop every waiting point and remove every observer; safe to call twice, usable again afterwards."""
        for key in list(self._pending):
            self.drop(key)

    def _defer(self, sliceNode: slicer.vtkMRMLSliceNode, world: Vector3, checkInside: bool) -> None:
        key = sliceNode.GetID()
        pending = self._pending.get(key)
        if pending is not None:
            pending.world, pending.checkInside = world, checkInside
            return
        tag = sliceNode.AddObserver(vtk.vtkCommand.ModifiedEvent, functools.partial(self._onModified, key))
        self._pending[key] = _Pending(sliceNode, world, checkInside, tag)

    def _onModified(self, key: str, caller: vtk.vtkObject, event: str) -> None:
        try:
            if not caller.IsMappedInLayout() or not self._isReady():
                return
            pending = self._pending.get(key)
            # Dropped first: the catch-up's own jump modifies the node again.
            self.drop(key)
            if pending is not None:
                self._catchUp(pending.sliceNode, pending.world, pending.checkInside)
        except Exception:
            logging.exception("SliceSync: failed to bring a view that was shown to the cursor")
