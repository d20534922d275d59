"""Checks the pointer events browsers send to trame-rca views, and ends a button press whose browser went away.

Two faults of trame-rca's browser client, seen with trame-slicer 2.0.0 (trame-rca 2.x):

- Until a view area has been measured (about 100 ms after it appears, and again after a page reload) its events
  carry a placeholder size of 10 x 10 pixels and offsets that may be stale. The server scales the event's position
  by the view's real size over that placeholder, so a click lands dozens of views away. Such events are dropped.
- A browser that quits or loses its connection while a button is held never sends the release. The view would
  go on acting as if the button were down, so the next pointer moves over it from any browser drag. When a
  connection closes, every button still held is released where its view last saw the pointer.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Optional

from wslink.websocket import LinkProtocol

# trame-rca's client reports this width and height until it has measured the area (and never less after).
PLACEHOLDER_AREA_PIXELS = 10
BUTTONS = ("Left", "Middle", "Right")
POSITION_KEYS = ("x", "y", "position", "positions")


class _ConnectionWatch(LinkProtocol):
    """A wslink protocol with no methods: it only hears connections close."""

    def __init__(self, onClose: Callable[[str], None]) -> None:
        super().__init__()
        self._onClose = onClose

    def onClose(self, client_id: str) -> None:
        self._onClose(client_id)


class RemoteInputGuard:
    """Stands between trame-rca's event RPC and each view's adapter: drops unmeasured events, releases orphaned
    presses. Create it before the server starts; it guards every view area registered after that."""

    def __init__(self, server: Any, onChange: Optional[Callable[[], None]] = None) -> None:
        self._server = server
        self._onChange = onChange
        self._originals: dict[str, tuple[Any, Callable[..., Any], Callable[..., Any]]] = {}
        self._held: dict[str, set[str]] = {}
        self._lastPointer: dict[str, dict] = {}
        self._sizeReports: dict[str, int] = {}
        self._dropped = 0
        self._released = 0
        self._active = True
        server.controller.rc_area_register.add(self.guard)
        server.add_protocol_to_configure(self._configureProtocol)

    def _configureProtocol(self, rootProtocol: Any) -> None:
        rootProtocol.registerLinkProtocol(_ConnectionWatch(self._onConnectionClosed))

    def guard(self, adapter: Any) -> None:
        """Route one trame-rca view adapter's events and size reports through this guard."""
        if not self._active:
            return
        name = adapter.area_name
        if name in self._originals:
            self._restore(name)
        onInteraction, updateSize = adapter.on_interaction, adapter.update_size
        self._originals[name] = (adapter, onInteraction, updateSize)
        self._held[name] = set()
        self._lastPointer.pop(name, None)

        def guardedInteraction(origin: Any, event: Any) -> None:
            self._onEvent(name, onInteraction, origin, event)

        def guardedSize(origin: Any, size: Any) -> None:
            updateSize(origin, size)
            self._sizeReports[name] = self._sizeReports.get(name, 0) + 1
            self._changed()

        adapter.on_interaction = guardedInteraction
        adapter.update_size = guardedSize

    def _onEvent(self, name: str, forward: Callable[..., Any], origin: Any, event: Any) -> None:
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            self._drop(name, "not an event")
            return
        hasPosition = any(key in event for key in POSITION_KEYS)
        if hasPosition and not isMeasured(event):
            self._drop(name, f"{event['type']} from an area the browser has not measured yet")
            return
        eventType = event["type"]
        for button in BUTTONS:
            if eventType == f"{button}ButtonPress":
                self._held[name].add(button)
            elif eventType == f"{button}ButtonRelease":
                self._held[name].discard(button)
        if "x" in event and "y" in event:
            self._lastPointer[name] = dict(event)  # a copy: the adapter scales the event it is given in place
        forward(origin, event)

    def _drop(self, name: str, why: str) -> None:
        self._dropped += 1
        logging.debug("SliceSync web: dropped an event for %s: %s", name, why)
        self._changed()

    def _onConnectionClosed(self, _clientId: str) -> None:
        try:
            self.releaseHeldButtons()
        except Exception:  # a wslink callback must not raise
            logging.exception("SliceSync web: releasing the buttons of a closed connection failed")

    def releaseHeldButtons(self) -> int:
        """Send a release for every button a view still has pressed, where it last saw the pointer; return how many."""
        released = 0
        for name, buttons in self._held.items():
            last = self._lastPointer.get(name)
            if not buttons or last is None:
                buttons.clear()
                continue
            forward = self._originals[name][1]
            for button in sorted(buttons):
                release = {key: last[key] for key in ("x", "y", "w", "h", "p") if key in last}
                release.update({"type": f"{button}ButtonRelease", "action": "up"})
                release.update({f"button{b}": 0 for b in BUTTONS})
                release.update({"shiftKey": 0, "altKey": 0, "ctrlKey": 0, "metaKey": 0})
                forward("region", release)
                released += 1
            buttons.clear()
        if released:
            self._released += released
            logging.info("SliceSync web: a browser left with %d button(s) held; released them", released)
            self._changed()
        return released

    def _changed(self) -> None:
        if self._onChange is not None:
            self._onChange()

    def sizeReports(self) -> dict[str, int]:
        """Return, per view area, how many times a browser reported the area's measured size."""
        return dict(self._sizeReports)

    def droppedEvents(self) -> int:
        """Return how many events were dropped."""
        return self._dropped

    def releasedButtons(self) -> int:
        """Return how many held buttons were released because their browser's connection closed."""
        return self._released

    def _restore(self, name: str) -> None:
        adapter, onInteraction, updateSize = self._originals.pop(name)
        adapter.on_interaction, adapter.update_size = onInteraction, updateSize

    def cleanup(self) -> None:
        """Give every adapter its own methods back and stop guarding new ones."""
        self._active = False
        self._server.controller.rc_area_register.discard(self.guard)
        for name in list(self._originals):
            self._restore(name)
        self._held.clear()
        self._lastPointer.clear()


def isMeasured(event: dict) -> bool:
    """Return True unless the event reports trame-rca's placeholder area size (or no usable size)."""
    try:
        return min(float(event["w"]), float(event["h"])) > PLACEHOLDER_AREA_PIXELS
    except (KeyError, TypeError, ValueError):
        return False
