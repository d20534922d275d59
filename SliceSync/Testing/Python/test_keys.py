"""Keys: nudge and back/forward from the keyboard, on the real interactor with Slicer's interactor style."""

from __future__ import annotations

import numpy as np
import pytest
import vtk

from SliceSyncBench import pressKey, sliceOffset
from SliceSyncLib.Keys import ACTIONS, DEFAULT_KEY_BINDINGS, KEY_PRIORITY, parseKey

ANY = "any"  # any modifiers

# What Slicer 5.8 to 5.12 binds where a slice view can receive keys: (modifiers, key), modifiers a set of
# "Ctrl"/"Shift"/"Alt" or ANY. Read from Slicer's source (tags v5.8.0, v5.10.0, v5.12.0 and main).
SLICER_KEY_BINDINGS = [
    # vtkMRMLSliceIntersectionWidget (slice views): opacity toggles, slice browsing, visibility, volume
    # selection, reset field of view.
    *[(set(), key) for key in ("g", "t", "Right", "Left", "Up", "Down", "f", "b", "v", "r")],
    *[(ANY, key) for key in ("V", "bracketleft", "bracketright", "braceleft", "braceright")],
    # vtkSlicerMarkupsWidget (hovering a markup point): snap to slice, delete, reset.
    (set(), "s"),
    (set(), "Delete"),
    ({"Shift"}, "Delete"),
    (set(), "BackSpace"),
    # vtkMRMLInteractionWidget, vtkMRMLWindowLevelWidget: cancel.
    (ANY, "Escape"),
    # Segment Editor: Paint/Erase brush size (plus, equal, minus, underscore with any modifier); Draw apply
    # and delete last point (a, Return, x with any modifier); the editor widget's shortcuts (effects 0-9 and
    # Shift+0-9, Escape, Space, z/y and Ctrl+Z/Ctrl+Y/Ctrl+Shift+Z, previous/next segment, intensity mask).
    *[(ANY, key) for key in ("plus", "equal", "minus", "underscore", "a", "Return", "x")],
    *[(set(), str(digit)) for digit in range(10)],
    *[({"Shift"}, str(digit)) for digit in range(10)],
    *[(set(), key) for key in ("space", "z", "y", "q", "w", "slash", "asterisk", "comma", "period")],
    *[(set(), key) for key in ("greater", "less", "i")],
    ({"Ctrl"}, "z"),
    ({"Ctrl"}, "y"),
    ({"Ctrl", "Shift"}, "z"),
    # Main window and module selector: file, edit, views, Python console, module history.
    *[({"Ctrl"}, key) for key in ("o", "s", "w", "z", "y", "x", "c", "v", "h", "f")],
    *[({"Ctrl"}, str(digit)) for digit in (0, 2, 3, 4, 5, 6)],
    ({"Ctrl"}, "grave"),
    ({"Ctrl"}, "Left"),
    ({"Ctrl"}, "Right"),
    ({"Alt"}, "Left"),  # QKeySequence::Back on Windows and Linux
    ({"Alt"}, "Right"),  # QKeySequence::Forward
    # Markups toolbar.
    ({"Ctrl", "Shift"}, "a"),
    ({"Ctrl", "Shift"}, "t"),
    ({"Ctrl", "Shift"}, "space"),
]


def collides(text: str, modifiers, keySym: str) -> bool:
    key = parseKey(text)
    held = {name for name, on in (("Ctrl", key.ctrl), ("Shift", key.shift), ("Alt", key.alt)) if on}
    sameKey = key.keySym.lower() == keySym.lower()  # Qt shortcuts ignore letter case
    return sameKey and (modifiers == ANY or held == modifiers)


def test_the_default_keys_collide_with_no_slicer_binding():
    assert set(DEFAULT_KEY_BINDINGS) == set(ACTIONS)
    assert len(set(DEFAULT_KEY_BINDINGS.values())) == len(ACTIONS)
    for action, text in DEFAULT_KEY_BINDINGS.items():
        clashes = [(m, k) for m, k in SLICER_KEY_BINDINGS if collides(text, m, k)]
        assert not clashes, (action, text, clashes)


def test_the_collision_check_finds_a_collision():
    assert collides("Up", set(), "Up")
    assert collides("Ctrl+Shift+bracketleft", ANY, "bracketleft")
    assert collides("Ctrl+F", {"Ctrl"}, "f")
    assert not collides("Ctrl+Shift+Up", set(), "Up")


class KeyWatcher:
    """Counts the key presses that reach an interactor at a priority (as Slicer's style at 0.0, effects at 1.0)."""

    def __init__(self, interactor: vtk.vtkRenderWindowInteractor, priority: float) -> None:
        self.interactor = interactor
        self.seen: list[str] = []
        self.tag = interactor.AddObserver(vtk.vtkCommand.KeyPressEvent, self._onKey, priority)

    def _onKey(self, caller, event) -> None:
        self.seen.append(self.interactor.GetKeySym())

    def remove(self) -> None:
        self.interactor.RemoveObserver(self.tag)


@pytest.fixture
def watchers(bench):
    red = bench.views["Red"].interactor
    # Between SliceSync's observer and Slicer's interactor style (0.0), and where Segment Editor effects watch.
    made = {"beforeStyle": KeyWatcher(red, 0.5), "segmentEditor": KeyWatcher(red, 1.0)}
    yield made
    for watcher in made.values():
        watcher.remove()


def test_a_key_sliceSync_does_not_handle_reaches_slicer_untouched(bench, engine, anatomical, watchers):
    red = bench.views["Red"]
    engine.syncTo(red.pixelToRAS(128, 128))
    history = engine.history()
    step = red.sliceLogic.GetLowestVolumeSliceSpacing()[2]
    offset = sliceOffset(red)
    pressKey(red, "f")  # Slicer's own "next slice"
    assert sliceOffset(red) == pytest.approx(offset + step, abs=1e-6)
    pressKey(red, "Up")
    assert sliceOffset(red) == pytest.approx(offset + 2 * step, abs=1e-6)
    assert engine.history() == history
    visible = red.sliceNode.GetSliceVisible()
    pressKey(red, "v")  # Slicer's "toggle slice visibility in 3D"
    assert red.sliceNode.GetSliceVisible() != visible
    for watcher in watchers.values():
        assert watcher.seen == ["f", "Up", "v"]


def test_a_key_sliceSync_handles_is_not_also_handled_by_slicer(bench, engine, anatomical, watchers):
    red = bench.views["Red"]
    engine.syncTo(red.pixelToRAS(128, 128))
    engine.setKeyBindings({"nudgeForward": "f"})  # Slicer's "next slice" key, taken over
    step = engine.nudgeStep(red.sliceNode)[2]
    offset = sliceOffset(red)
    pressKey(red, "f")
    assert sliceOffset(red) == pytest.approx(offset + step, abs=1e-6)  # one nudge, not a nudge and a slice
    pressKey(red, "Ctrl+Shift+Up")
    assert len(engine.history()) == 3
    for watcher in watchers.values():
        assert watcher.seen == []


def test_keys_work_only_while_sync_is_on(bench, engine, anatomical, watchers):
    red = bench.views["Red"]
    engine.setEnabled(False)
    pressKey(red, "Ctrl+Shift+Up")
    assert engine.cursorRAS() is None
    assert watchers["beforeStyle"].seen == ["Up"]
    engine.setEnabled(True)
    pressKey(red, "Ctrl+Shift+Up")
    assert engine.cursorRAS() is not None
    assert watchers["beforeStyle"].seen == ["Up"]


def test_a_key_acts_on_the_view_it_was_pressed_in(bench, engine, anatomical):
    yellow = bench.views["Yellow"]
    engine.syncTo(yellow.pixelToRAS(128, 128))
    before = np.array(engine.cursorRAS())
    pressKey(yellow, "Ctrl+Shift+Right")
    moved = np.array(engine.cursorRAS()) - before
    xAxis = np.array([yellow.sliceNode.GetSliceToRAS().GetElement(r, 0) for r in range(3)])
    assert np.allclose(moved, engine.nudgeStep(yellow.sliceNode)[0] * xAxis / np.linalg.norm(xAxis), atol=1e-6)


def test_key_bindings_are_configurable_and_reported_in_one_spelling(engine):
    assert engine.keyBindings() == DEFAULT_KEY_BINDINGS
    engine.setKeyBindings({"back": "shift+ctrl+BackSpace", "forward": "Alt+Control+Return"})
    bindings = engine.keyBindings()
    assert bindings["back"] == "Ctrl+Shift+BackSpace" and bindings["forward"] == "Ctrl+Alt+Return"
    assert bindings["nudgeUp"] == DEFAULT_KEY_BINDINGS["nudgeUp"]
    engine.setKeyBindings({"back": None})
    assert "back" not in engine.keyBindings()


def test_an_unbound_key_reaches_slicer(bench, engine, anatomical, watchers):
    engine.setKeyBindings({"back": None})
    pressKey(bench.views["Red"], "Alt+Prior")
    assert watchers["segmentEditor"].seen == ["Prior"]


@pytest.mark.parametrize(
    "bindings",
    [
        {"jump": "Alt+Up"},
        {"back": "Hyper+Up"},
        {"back": "Ctrl+"},
        {"back": "Ctrl+Ctrl+Up"},
        {"back": "Up Down"},
        {"back": 5},
        {"back": "Ctrl+Shift+Up"},  # already nudgeUp's
        [("back", "Alt+Up")],
        "back=Alt+Up",
    ],
)
def test_bad_key_bindings_are_value_errors_and_change_nothing(engine, bindings):
    with pytest.raises(ValueError):
        engine.setKeyBindings(bindings)
    assert engine.keyBindings() == DEFAULT_KEY_BINDINGS


def test_key_priority_is_above_slicers_style_and_segment_editor_effects():
    assert KEY_PRIORITY > 1.0
