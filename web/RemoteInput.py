"""Checks the pointer events browsers send to trame-rca views, and ends a button press whose browser went away.

Two faults of trame-rca's browser client, seen with trame-slicer 2.0.0 (trame-rca 2.x):

- Until a view area has been measured (about 100 ms after it appears: a page load or reload, a layout change) its
  events carry a placeholder size of 10 x 10 pixels and offsets that may be stale. The server scales the event's
  position by the view's real size over that placeholder, so a click lands dozens of views away. Such events are
  dropped, except the release of a button the view holds: it is kept, at the last position that browser gave.
- A browser that quits or loses its connection while a button is held never sends the release. The view would
  go on acting as if the button were down, so the next pointer moves over it from any browser drag. When a
  connection closes, the buttons that browser pressed and still holds are released where it last pointed.

Which browser sent an event is wslink's ``last_active_client_id`` (set just before each call it dispatches).
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Optional

from wslink.websocket import LinkProtocol

# trame-rca's client reports this width and height until it has measured the area.
PLACEHOLDER_AREA_PIXELS = 10
BUTTONS = ("Left", "Middle", "Right")
POSITION_KEYS = ("x", "y", "position", "positions")
SIZE_KEYS = ("x", "y", "w", "h", "p")
UNKNOWN_CLIENT = ""
# trame-rca's adapter calls its own update_size with this origin when the server changes the view's scale.
SERVER_ORIGIN = "self"


class _ConnectionWatch(LinkProtocol):
    """A wslink protocol with no methods: it only hears connections close."""

    def __init__(self, onClose: Callable[[str], None]) -> None:
        super().__init__()
        self._onClose = onClose

    def onClose(self, client_id: str) -> None:
        self._onClose(client_id)


def wslinkClientId(server: Any) -> Callable[[], str]:
    """Return a function giving the wslink client whose call is being handled (UNKNOWN_CLIENT if unknown)."""

    def current() -> str:
        webApp = getattr(server.root_server, "_server", None)  # wslink's web app, set when the server starts
        clientId = getattr(webApp, "last_active_client_id", None)
        return clientId if isinstance(clientId, str) else UNKNOWN_CLIENT

    return current


class RemoteInputGuard:
    """Stands between trame-rca's event RPC and each view's adapter: drops unmeasured events, releases orphaned
    presses. Create it before the server starts; it guards every view area registered after that."""

    def __init__(
        self,
        server: Any,
        onChange: Optional[Callable[[], None]] = None,
        clientId: Optional[Callable[[], str]] = None,
        onIgnoredPress: Optional[Callable[[str], None]] = None,
    ) -> None:
        if getattr(server, "running", False):
            raise ValueError("RemoteInputGuard must be created before the trame server starts")
        self._server = server
        self._onChange = onChange
        self._onIgnoredPress = onIgnoredPress  # called with the view area's name when a press is dropped
        self._clientId = clientId or wslinkClientId(server)
        self._originals: dict[str, tuple[Any, Callable[..., Any], Callable[..., Any]]] = {}
        # Per (client, area): the buttons that client pressed and still holds, and the last position it gave.
        self._held: dict[tuple[str, str], set[str]] = {}
        self._lastPointer: dict[tuple[str, str], dict] = {}
        self._sizeReports: dict[str, int] = {}
        self._dropped = 0
        self._released = 0
        self._active = True
        server.controller.rc_area_register.add(self.guard)
        server.add_protocol_to_configure(self._configureProtocol)

    def _configureProtocol(self, rootProtocol: Any) -> None:
        rootProtocol.registerLinkProtocol(_ConnectionWatch(self._onClose))

    def _onClose(self, clientId: str) -> None:
        try:
            self.onConnectionClosed(clientId)
        except Exception:  # a wslink callback must not raise
            logging.exception("SliceSync web: releasing the buttons of a closed connection failed")

    def guard(self, adapter: Any) -> None:
        """Route one trame-rca view adapter's events and size reports through this guard."""
        if not self._active:
            return
        name = adapter.area_name
        if name in self._originals:
            self._restore(name)
        onInteraction, updateSize = adapter.on_interaction, adapter.update_size
        self._originals[name] = (adapter, onInteraction, updateSize)
        self._forget(name)

        def guardedInteraction(origin: Any, event: Any) -> None:
            self._onEvent(name, onInteraction, origin, event)

        def guardedSize(origin: Any, size: Any) -> None:
            updateSize(origin, size)
            if origin != SERVER_ORIGIN:
                self._sizeReports[name] = self._sizeReports.get(name, 0) + 1
                self._changed()

        adapter.on_interaction = guardedInteraction
        adapter.update_size = guardedSize

    def _onEvent(self, name: str, forward: Callable[..., Any], origin: Any, event: Any) -> None:
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            self._drop(name, "not an event")
            return
        client, eventType = self._clientId(), event["type"]
        key = (client, name)
        released = next((b for b in BUTTONS if eventType == f"{b}ButtonRelease"), None)
        if any(k in event for k in POSITION_KEYS) and not isMeasured(event):
            last = self._lastPointer.get(key)
            if released is None or released not in self._held.get(key, ()) or last is None:
                self._drop(name, f"{eventType} from a view the browser has not measured yet")
                if eventType.endswith("ButtonPress") and self._onIgnoredPress is not None:
                    self._onIgnoredPress(name)
                return
            event = dict(event, **{k: last[k] for k in SIZE_KEYS if k in last})  # the view must see the release
        pressed = next((b for b in BUTTONS if eventType == f"{b}ButtonPress"), None)
        if pressed is not None:
            self._held.setdefault(key, set()).add(pressed)
        elif released is not None:
            for (_client, area), buttons in self._held.items():  # the view's button is up, whoever pressed it
                if area == name:
                    buttons.discard(released)
        if "x" in event and "y" in event:
            self._lastPointer[key] = dict(event)  # a copy: the adapter scales the event it is given in place
        forward(origin, event)

    def _drop(self, name: str, why: str) -> None:
        self._dropped += 1
        logging.debug("SliceSync web: dropped an event for %s: %s", name, why)
        self._changed()

    def onConnectionClosed(self, clientId: str) -> int:
        """Release the buttons the closed client still holds, where it last pointed; return how many."""
        released = 0
        for (client, name), buttons in list(self._held.items()):
            if client != clientId or name not in self._originals:
                continue
            last = self._lastPointer.get((client, name))
            heldByOthers = set().union(*(b for (c, n), b in self._held.items() if n == name and c != client))
            for button in sorted(buttons - heldByOthers) if last is not None else ():
                release = {k: last[k] for k in SIZE_KEYS if k in last}
                release.update({"type": f"{button}ButtonRelease", "action": "up"})
                release.update({f"button{b}": 0 for b in BUTTONS})
                release.update({"shiftKey": 0, "altKey": 0, "ctrlKey": 0, "metaKey": 0})
                try:
                    self._originals[name][1]("region", release)
                    released += 1
                except Exception:  # called from wslink: log it, and release the other views
                    logging.exception("SliceSync web: releasing a button in %s failed", name)
        for key in [key for key in self._held if key[0] == clientId]:
            del self._held[key]
        for key in [key for key in self._lastPointer if key[0] == clientId]:  # also where it only hovered
            del self._lastPointer[key]
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

    def _forget(self, name: str) -> None:
        for key in [key for key in self._held if key[1] == name]:
            del self._held[key]
        for key in [key for key in self._lastPointer if key[1] == name]:
            del self._lastPointer[key]

    def _restore(self, name: str) -> None:
        adapter, onInteraction, updateSize = self._originals.pop(name)
        for attribute, original in (("on_interaction", onInteraction), ("update_size", updateSize)):
            vars(adapter).pop(attribute, None)  # the class's own method shows through again
            if getattr(adapter, attribute) != original:
                setattr(adapter, attribute, original)
        self._forget(name)

    def cleanup(self) -> None:
        """Give every adapter its own methods back and stop guarding new ones. The connection watch stays
        registered with the server (wslink cannot remove a protocol once connections exist) and does nothing."""
        self._active = False
        self._server.controller.rc_area_register.discard(self.guard)
        for name in list(self._originals):
            self._restore(name)


def isMeasured(event: dict) -> bool:
    """Return True unless the event reports trame-rca's placeholder area size (or no usable size)."""
    try:
        return min(float(event["w"]), float(event["h"])) > PLACEHOLDER_AREA_PIXELS
    except (KeyError, TypeError, ValueError):
        return False
