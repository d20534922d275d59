"""Key presses on a slice view's interactor turned into cursor actions (nudge, back, forward). Knows keys only."""

from __future__ import annotations

import logging
import re
from typing import Callable, Mapping, NamedTuple

import vtk

ACTIONS = ("nudgeRight", "nudgeLeft", "nudgeUp", "nudgeDown", "nudgeForward", "nudgeBackward", "back", "forward")

# Chosen to collide with nothing Slicer 5.8-5.12 binds in slice views or the main window (README lists what was
# checked): Slicer uses the plain arrows, Ctrl+Left/Right and Alt+Left/Right (module history), never Ctrl+Shift+arrows,
# Ctrl+Shift+PageUp/PageDown or Alt+PageUp/PageDown.
DEFAULT_KEY_BINDINGS = {
    "nudgeRight": "Ctrl+Shift+Right",
    "nudgeLeft": "Ctrl+Shift+Left",
    "nudgeUp": "Ctrl+Shift+Up",
    "nudgeDown": "Ctrl+Shift+Down",
    "nudgeForward": "Ctrl+Shift+Prior",
    "nudgeBackward": "Ctrl+Shift+Next",
    "back": "Alt+Prior",
    "forward": "Alt+Next",
}

# Slicer's vtkMRMLViewInteractorStyle observes key presses at 0.0 and Segment Editor effects at 1.0: above both,
# a key SliceSync handles is aborted before either sees it; other keys pass on untouched.
KEY_PRIORITY = 2.0

_MODIFIER_NAMES = {"ctrl": "Ctrl", "control": "Ctrl", "shift": "Shift", "alt": "Alt"}
_MODIFIER_ORDER = ("Ctrl", "Shift", "Alt")
_KEY_SYMBOL = re.compile(r"^[A-Za-z0-9_]+$")


class Key(NamedTuple):
    """A key press: Ctrl, Shift and Alt held or not, and a VTK key symbol ("Up", "Prior", "a", "bracketleft")."""

    ctrl: bool
    shift: bool
    alt: bool
    keySym: str

    def text(self) -> str:
        """Return the key as a string such as "Ctrl+Shift+Up"."""
        held = [name for name, on in zip(_MODIFIER_ORDER, (self.ctrl, self.shift, self.alt)) if on]
        return "+".join(held + [self.keySym])


def parseKey(text: object) -> Key:
    """Parse "Modifier+...+KeySym" (modifiers Ctrl, Shift, Alt in any order and case) into a Key."""
    if not isinstance(text, str):
        raise ValueError(f"a key binding must be a string such as 'Alt+Up', got {text!r}")
    *modifiers, keySym = text.strip().split("+")
    if not _KEY_SYMBOL.match(keySym):
        raise ValueError(f"{text!r} does not end in a VTK key symbol (such as Up, Prior, a, F5, bracketleft)")
    held = set()
    for modifier in modifiers:
        name = _MODIFIER_NAMES.get(modifier.strip().lower())
        if name is None:
            raise ValueError(f"unknown modifier {modifier!r} in {text!r}: use Ctrl, Shift or Alt")
        if name in held:
            raise ValueError(f"modifier {name} appears twice in {text!r}")
        held.add(name)
    return Key("Ctrl" in held, "Shift" in held, "Alt" in held, keySym)


def parseBindings(bindings: object) -> dict[str, Key]:
    """Check a complete or partial {action: key string} mapping; return {action: Key}."""
    if not isinstance(bindings, Mapping):
        raise ValueError(f"key bindings must be a dict of action -> key string, got {type(bindings).__name__}")
    parsed: dict[str, Key] = {}
    for action, text in bindings.items():
        if action not in ACTIONS:
            raise ValueError(f"unknown key action {action!r}; the actions are {', '.join(ACTIONS)}")
        parsed[action] = parseKey(text)
    return parsed


def checkUnique(bindings: Mapping[str, Key]) -> None:
    """Raise ValueError if two actions share a key."""
    seen: dict[Key, str] = {}
    for action, key in bindings.items():
        if key in seen:
            raise ValueError(f"{key.text()} is bound to both {seen[key]} and {action}")
        seen[key] = action


class KeyFilter:
    """Watches one interactor's key presses and calls ``onAction(action)`` for a bound key, which then stops there."""

    def __init__(
        self,
        interactor: vtk.vtkRenderWindowInteractor,
        actionFor: Callable[[Key], object],
        onAction: Callable[[str], None],
    ) -> None:
        self.interactor = interactor
        self._actionFor = actionFor
        self._onAction = onAction
        self._tag = 0

    def attach(self) -> None:
        """Add the key-press observer (once)."""
        if not self._tag:
            self._tag = self.interactor.AddObserver(vtk.vtkCommand.KeyPressEvent, self._onKeyPress, KEY_PRIORITY)

    def detach(self) -> None:
        """Remove the observer."""
        if self._tag:
            self.interactor.RemoveObserver(self._tag)
            self._tag = 0

    def _onKeyPress(self, caller: vtk.vtkObject, event: str) -> None:
        try:
            iren = self.interactor
            held = (bool(iren.GetControlKey()), bool(iren.GetShiftKey()), bool(iren.GetAltKey()))
            key = Key(*held, iren.GetKeySym() or "")
            action = self._actionFor(key)
            if action is None:
                return
            # Handled here: neither Slicer's interactor style nor any Segment Editor effect gets this key.
            command = iren.GetCommand(self._tag)
            if command is not None:
                command.SetAbortFlag(1)
            self._onAction(action)  # type: ignore[arg-type]
        except ValueError as error:
            logging.warning("SliceSync: %s", error)  # the action refused the key (a nudge past the bound): one line
        except Exception:
            logging.exception("SliceSync: failed to handle a key press")
