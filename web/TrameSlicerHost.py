"""Host adapter: puts the slice views of a trame-slicer app under a SliceSync engine, now and when views appear."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, Optional

import slicer
import vtk

from SliceSyncLib import SliceSyncEngine

# trame-rca hands the browser's KeyboardEvent.key to the interactor; VTK and Slicer (and SliceSync's key bindings)
# expect X11-style VTK key symbols. Names the browser spells like VTK ("a", "F5", "Escape", "Home") pass unchanged.
BROWSER_TO_VTK_KEYSYM = {
    "ArrowLeft": "Left",
    "ArrowRight": "Right",
    "ArrowUp": "Up",
    "ArrowDown": "Down",
    "PageUp": "Prior",
    "PageDown": "Next",
    "Enter": "Return",
    "Backspace": "BackSpace",
    " ": "space",
    "Control": "Control_L",
    "Shift": "Shift_L",
    "Alt": "Alt_L",
    "Meta": "Meta_L",
    "CapsLock": "Caps_Lock",
    "+": "plus",
    "-": "minus",
    "=": "equal",
    "[": "bracketleft",
    "]": "bracketright",
}
KEY_EVENTS = (vtk.vtkCommand.KeyPressEvent, vtk.vtkCommand.KeyReleaseEvent, vtk.vtkCommand.CharEvent)
KEYSYM_PRIORITY = 100.0  # before every other key observer (SliceSync's bindings use 2.0, interactor styles 0.0)


def translateKeySym(interactor: vtk.vtkRenderWindowInteractor, _event: str = "") -> None:
    """Replace a browser key name on interactor by the VTK key symbol for that key."""
    keySym = BROWSER_TO_VTK_KEYSYM.get(interactor.GetKeySym() or "")
    if keySym is not None:
        interactor.SetKeySym(keySym)


class TrameSlicerHost:
    """Keeps an engine's views equal to a trame-slicer view manager's slice views."""

    def __init__(self, viewManager: Any, engine: SliceSyncEngine, layoutManager: Any = None) -> None:
        self.viewManager = viewManager
        self.engine = engine
        self.layoutManager = layoutManager
        self._registered: dict[str, tuple[slicer.vtkMRMLSliceNode, vtk.vtkRenderWindowInteractor]] = {}
        self._keyTags: dict[str, list[int]] = {}
        self._scene = engine.scene
        self._sceneTag = self._scene.AddObserver(slicer.vtkMRMLScene.NodeAddedEvent, self._onNodeAdded)
        if layoutManager is not None:
            layoutManager.current_layout_changed.connect(self._onLayoutChanged)
        self.refresh()

    def refresh(self) -> list[str]:
        """Register the slice views not registered yet and forget those gone; return the registered names."""
        current = {}
        for view in self.viewManager.get_slice_views():
            sliceNode, interactor = view.get_view_node(), view.interactor()
            if sliceNode is None or interactor is None or sliceNode.GetScene() is not self._scene:
                continue
            current[sliceNode.GetID()] = (sliceNode, interactor)
        for nodeId, (sliceNode, _interactor) in list(self._registered.items()):
            if current.get(nodeId, (None,))[0] is not sliceNode:
                self.engine.removeView(sliceNode)
                self._removeKeyTranslation(nodeId)
                del self._registered[nodeId]
        for nodeId, pair in current.items():
            if nodeId not in self._registered:
                self.engine.addView(*pair)
                self._registered[nodeId] = pair
                self._keyTags[nodeId] = [pair[1].AddObserver(e, translateKeySym, KEYSYM_PRIORITY) for e in KEY_EVENTS]
        return sorted(self._registered)

    def _removeKeyTranslation(self, nodeId: str) -> None:
        interactor = self._registered[nodeId][1]
        for tag in self._keyTags.pop(nodeId, []):
            interactor.RemoveObserver(tag)

    def _onLayoutChanged(self, *_args: Any) -> None:
        self.refresh()

    @vtk.calldata_type(vtk.VTK_OBJECT)
    def _onNodeAdded(self, caller: vtk.vtkObject, event: str, node: Optional[vtk.vtkObject] = None) -> None:
        # A view's slice node enters the scene while trame-slicer builds the view; the view manager lists the
        # view only once it is built, so look again when the event loop is next free.
        if not isinstance(node, slicer.vtkMRMLSliceNode):
            return
        # Without a running loop the views are being built synchronously, and the caller refreshes.
        with contextlib.suppress(RuntimeError):
            asyncio.get_running_loop().call_soon(self._refreshSafely)

    def _refreshSafely(self) -> None:
        try:
            self.refresh()
        except Exception:  # an event loop callback must not raise
            logging.exception("SliceSync: registering new views failed")

    def cleanup(self) -> None:
        """Stop following the view manager and unregister every view this adapter registered."""
        if self._sceneTag is not None:
            self._scene.RemoveObserver(self._sceneTag)
            self._sceneTag = None
        if self.layoutManager is not None:
            self.layoutManager.current_layout_changed.disconnect(self._onLayoutChanged)
            self.layoutManager = None
        for nodeId, (sliceNode, _interactor) in self._registered.items():
            self.engine.removeView(sliceNode)
            self._removeKeyTranslation(nodeId)
        self._registered.clear()


def registerTrameSlicerViews(viewManager: Any, engine: SliceSyncEngine, layoutManager: Any = None) -> TrameSlicerHost:
    """Register every slice view of a trame-slicer ViewManager with engine, and those created later."""
    return TrameSlicerHost(viewManager, engine, layoutManager)
