"""Runs the real SliceSync.py on Slicer's own Python layer of a release, over slicer-core, headless.

Slicer's pure-Python layer (parameterNodeWrapper, ScriptedLoadableModule, i18n) of a release is loaded under
its own names into a process that already has slicer-core; ``slicer.util`` is slicer-core's own. Only Qt is
stood in, by the classes named ``StandIn*`` here: QSettings with the INI format's string values, QShortcut,
signals, the few widgets the panel's .ui file holds, the application object and a layout manager whose slice
widgets hand out the bench's real slice nodes and interactors. One release per process: the layer's modules are
imported under fixed names (``run_slicer_python.py`` starts one process per release).

Where the layer comes from: ``SLICER_SOURCE_DIR`` (a Slicer source tree, or its ``Base/Python``), else
``<repository>/../shared/slicer-python/<release>``, else ``/work/shared/slicer-python/<release>``.
"""

from __future__ import annotations

import importlib.util
import inspect
import logging
import os
import sys
import types
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Any, Callable, Optional

REPOSITORY = Path(__file__).resolve().parents[3]
MODULE_DIR = REPOSITORY / "SliceSync"
MODULE_FILE = MODULE_DIR / "SliceSync.py"
RELEASES = ("5.8", "5.10", "5.12")
SHARED_CANDIDATES = (REPOSITORY.parent / "shared" / "slicer-python", Path("/work/shared/slicer-python"))
LAYER_MODULES = ("i18n", "parameterNodeWrapper", "ScriptedLoadableModule")


# -- where the layers are ------------------------------------------------------------------------------------


def _isLayer(folder: Path) -> bool:
    return (folder / "slicer" / "parameterNodeWrapper" / "__init__.py").is_file() and (
        folder / "slicer" / "ScriptedLoadableModule.py"
    ).is_file()


def sharedFolder() -> Optional[Path]:
    """Return the shared slicer-python folder beside the repository (or the team's fallback), if any."""
    for candidate in SHARED_CANDIDATES:
        if candidate.is_dir():
            return candidate
    return None


def sourceLayer() -> Optional[Path]:
    """Return the Base/Python folder SLICER_SOURCE_DIR points at (a source tree or Base/Python), if set and valid."""
    value = os.environ.get("SLICER_SOURCE_DIR")
    if not value:
        return None
    for candidate in (Path(value), Path(value) / "Base" / "Python"):
        if _isLayer(candidate):
            return candidate
    return None


def layers() -> dict[str, Optional[Path]]:
    """Return each layer to run, by label (a release, or "source"), with None for a release that is absent."""
    found: dict[str, Optional[Path]] = {}
    source = sourceLayer()
    if source is not None:
        found["source"] = source
    shared = sharedFolder()
    for release in RELEASES:
        folder = shared / release if shared is not None else None
        found[release] = folder if folder is not None and _isLayer(folder) else None
    return found


def absenceReason(release: str) -> str:
    """Say why a release's layer cannot be run."""
    looked = ", ".join(str(candidate / release) for candidate in SHARED_CANDIDATES)
    return (
        f"Slicer {release}'s Python layer is absent (looked in {looked}); put Slicer's Base/Python of that release "
        "there, or set SLICER_SOURCE_DIR to a Slicer source tree"
    )


def wrapperTests(layer: Path) -> Optional[Path]:
    """Return Slicer's own parameterNodeWrapper test file for this layer, if present."""
    for candidate in (
        layer / "tests" / "test_slicer_parameter_node_wrapper.py",
        layer / "slicer" / "tests" / "test_slicer_parameter_node_wrapper.py",
    ):
        if candidate.is_file():
            return candidate
    return None


# -- Qt stand-ins --------------------------------------------------------------------------------------------


class StandInSignal:
    """Stand-in for a Qt signal: connect, disconnect, emit (synchronously, in connection order)."""

    def __init__(self) -> None:
        self.slots: list[Callable] = []

    def connect(self, slot: Callable) -> None:
        self.slots.append(slot)

    def disconnect(self, slot: Optional[Callable] = None) -> None:
        if slot is None:
            self.slots.clear()
            return
        if slot not in self.slots:
            raise RuntimeError("StandInSignal: disconnecting a slot that is not connected")
        self.slots.remove(slot)

    def emit(self, *args: Any) -> None:
        for slot in list(self.slots):
            slot(*args[: _acceptedArguments(slot, len(args))])


def _acceptedArguments(slot: Callable, offered: int) -> int:
    """How many of a signal's arguments a slot takes: Qt passes a slot only the leading ones it declares."""
    try:
        parameters = inspect.signature(slot).parameters.values()
    except (TypeError, ValueError):
        return offered
    if any(parameter.kind is inspect.Parameter.VAR_POSITIONAL for parameter in parameters):
        return offered
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return min(offered, sum(1 for parameter in parameters if parameter.kind in positional))


class StandInQObject:
    """Stand-in for QObject as PythonQt shows it: dynamic properties, children, signals by signature."""

    SIGNALS: tuple[str, ...] = ()

    def __init__(self, parent: Any = None, name: str = "") -> None:
        self._properties: dict[str, Any] = {}
        self._children: list[StandInQObject] = []
        self._parent = None
        self.objectName = name
        self.name = name
        self.deleted = False
        for signal in self.SIGNALS:
            setattr(self, signal, StandInSignal())
        self.setParent(parent)

    def _signal(self, signature: str) -> StandInSignal:
        return getattr(self, signature.split("(")[0])

    def connect(self, signature: str, slot: Callable) -> bool:
        self._signal(signature).connect(slot)
        return True

    def disconnect(self, signature: str, slot: Callable) -> bool:
        self._signal(signature).disconnect(slot)
        return True

    def property(self, name: str) -> Any:
        return self._properties.get(name)

    def setProperty(self, name: str, value: Any) -> None:
        self._properties[name] = value

    def setParent(self, parent: Any) -> None:
        if self._parent is not None:
            self._parent._children.remove(self)
        self._parent = parent if isinstance(parent, StandInQObject) else None
        if self._parent is not None:
            self._parent._children.append(self)

    def parent(self) -> Any:
        return self._parent

    def children(self) -> list:
        return list(self._children)

    def findChildren(self, kind: type = object) -> list:
        found = []
        for child in self._children:
            if isinstance(child, kind):
                found.append(child)
            found.extend(child.findChildren(kind))
        return found

    def deleteLater(self) -> None:
        self.deleted = True
        self.setParent(None)


class StandInWidget(StandInQObject):
    """Stand-in for QWidget (and qMRMLWidget): a layout, visibility, a scene; no drawing."""

    def __init__(self, parent: Any = None, name: str = "") -> None:
        super().__init__(parent, name)
        self._layout: Optional[StandInLayout] = None
        self.visible = True
        self.enabled = True
        self.toolTip = ""
        self.text = ""
        self.mrmlScene = None
        self.mrmlSceneChanged = StandInSignal()

    def isWidgetType(self) -> bool:
        return True

    def layout(self) -> Optional[StandInLayout]:
        return self._layout

    def setLayout(self, layout: StandInLayout) -> None:
        self._layout = layout
        layout.owner = self

    def setMRMLScene(self, scene: Any) -> None:
        self.mrmlScene = scene
        self.mrmlSceneChanged.emit(scene)

    def show(self) -> None:
        self.visible = True

    def hide(self) -> None:
        self.visible = False


class StandInLayout:
    """Stand-in for a QLayout: adding a widget parents it to the layout's owner."""

    def __init__(self, owner: Optional[StandInWidget] = None) -> None:
        self.owner = owner
        self.items: list = []
        if owner is not None:
            owner.setLayout(self)

    def addWidget(self, widget: Any, *args: Any) -> None:
        self.items.append(widget)
        if isinstance(widget, StandInQObject) and self.owner is not None:
            widget.setParent(self.owner)

    def addRow(self, *widgets: Any) -> None:
        for widget in widgets:
            self.addWidget(widget)

    def count(self) -> int:
        return len(self.items)

    def itemAt(self, index: int) -> Any:
        return self.items[index]

    def removeItem(self, item: Any) -> None:
        self.items.remove(item)


class StandInCheckBox(StandInWidget):
    """Stand-in for QCheckBox: ``checked`` emits toggled(bool) and stateChanged(int) when it changes."""

    SIGNALS = ("toggled", "stateChanged", "clicked")

    def __init__(self, parent: Any = None, name: str = "") -> None:
        self._checked = False
        super().__init__(parent, name)

    @property
    def checked(self) -> bool:
        return self._checked

    @checked.setter
    def checked(self, value: bool) -> None:
        value = bool(value)
        if value != self._checked:
            self._checked = value
            self.toggled.emit(value)
            self.stateChanged.emit(2 if value else 0)

    def setChecked(self, value: bool) -> None:
        self.checked = value

    def isChecked(self) -> bool:
        return self._checked

    def click(self) -> None:
        """What a user's click does: toggle, then clicked(bool)."""
        self.checked = not self._checked
        self.clicked.emit(self._checked)


class StandInComboBox(StandInWidget):
    """Stand-in for QComboBox: items with data; ``currentIndex`` emits currentIndexChanged(int) when it changes."""

    SIGNALS = ("currentIndexChanged", "currentTextChanged")

    def __init__(self, parent: Any = None, name: str = "") -> None:
        self._items: list[tuple[str, Any]] = []
        self._index = -1
        super().__init__(parent, name)

    def addItem(self, text: str, data: Any = None) -> None:
        self._items.append((str(text), data))
        if self._index < 0:
            self.currentIndex = 0

    def clear(self) -> None:
        self._items = []
        self.currentIndex = -1

    def count(self) -> int:
        return len(self._items)

    def itemText(self, index: int) -> str:
        return self._items[index][0] if 0 <= index < len(self._items) else ""

    def itemData(self, index: int) -> Any:
        return self._items[index][1] if 0 <= index < len(self._items) else None

    def findData(self, data: Any) -> int:
        return next((index for index, item in enumerate(self._items) if item[1] == data), -1)

    def findText(self, text: str) -> int:
        return next((index for index, item in enumerate(self._items) if item[0] == text), -1)

    @property
    def currentIndex(self) -> int:
        return self._index

    @currentIndex.setter
    def currentIndex(self, index: int) -> None:
        index = int(index) if -1 <= int(index) < len(self._items) else -1
        if index != self._index:
            self._index = index
            self.currentIndexChanged.emit(index)
            self.currentTextChanged.emit(self.currentText)

    def setCurrentIndex(self, index: int) -> None:
        self.currentIndex = index

    @property
    def currentText(self) -> str:
        return self.itemText(self._index)

    @currentText.setter
    def currentText(self, text: str) -> None:
        self.currentIndex = self.findText(text)


class StandInSpinBox(StandInWidget):
    """Stand-in for QSpinBox: ``value`` is kept within [minimum, maximum] and emits valueChanged(int)."""

    SIGNALS = ("valueChanged",)

    def __init__(self, parent: Any = None, name: str = "") -> None:
        self._value = 0
        self.minimum = 0
        self.maximum = 99
        self.specialValueText = ""
        super().__init__(parent, name)

    @property
    def value(self) -> int:
        return self._value

    @value.setter
    def value(self, value: int) -> None:
        value = max(self.minimum, min(self.maximum, int(value)))
        if value != self._value:
            self._value = value
            self.valueChanged.emit(value)

    def setValue(self, value: int) -> None:
        self.value = value

    def setRange(self, minimum: int, maximum: int) -> None:
        self.minimum, self.maximum = int(minimum), int(maximum)
        self.value = self._value


class StandInPushButton(StandInWidget):
    """Stand-in for QPushButton: click() emits clicked(bool)."""

    SIGNALS = ("clicked",)

    def click(self) -> None:
        self.clicked.emit(False)


class StandInLineEdit(StandInWidget):
    """Stand-in for QLineEdit: ``text``; ``finishEditing(text)`` is the user typing and pressing Enter."""

    SIGNALS = ("editingFinished", "textChanged")

    def __init__(self, parent: Any = None, name: str = "") -> None:
        super().__init__(parent, name)
        self.placeholderText = ""

    def finishEditing(self, text: str) -> None:
        self.text = str(text)
        self.textChanged.emit(self.text)
        self.editingFinished.emit()


class StandInNodeComboBox(StandInWidget):
    """Stand-in for qMRMLNodeComboBox: the scene's nodes of ``nodeTypes``; setCurrentNode emits currentNodeChanged."""

    SIGNALS = ("currentNodeChanged", "currentNodeIDChanged")

    def __init__(self, parent: Any = None, name: str = "") -> None:
        self._current = None
        super().__init__(parent, name)
        self.nodeTypes: list[str] = []
        self.noneEnabled = False
        self.addEnabled = True
        self.removeEnabled = True

    def nodes(self) -> list:
        if self.mrmlScene is None:
            return []
        found = []
        for className in self.nodeTypes:
            collection = self.mrmlScene.GetNodesByClass(className)
            found += [collection.GetItemAsObject(index) for index in range(collection.GetNumberOfItems())]
        return found

    def currentNode(self) -> Any:
        if self._current is not None and self._current not in self.nodes():
            self._current = None
        return self._current

    def currentNodeID(self) -> str:
        node = self.currentNode()
        return node.GetID() if node is not None else ""

    def setCurrentNode(self, node: Any) -> None:
        if node is not None and node not in self.nodes():
            raise ValueError(f"StandInNodeComboBox: {node.GetID()} is not a {self.nodeTypes} node of its scene")
        if node is not self._current:
            self._current = node
            self.currentNodeChanged.emit(node)
            self.currentNodeIDChanged.emit(self.currentNodeID())


class StandInCollapsibleButton(StandInWidget):
    """Stand-in for ctkCollapsibleButton: ``collapsed`` emits contentsCollapsed(bool) when it changes."""

    SIGNALS = ("contentsCollapsed",)

    def __init__(self, parent: Any = None, name: str = "") -> None:
        self._collapsed = False
        super().__init__(parent, name)

    @property
    def collapsed(self) -> bool:
        return self._collapsed

    @collapsed.setter
    def collapsed(self, value: bool) -> None:
        if bool(value) != self._collapsed:
            self._collapsed = bool(value)
            self.contentsCollapsed.emit(self._collapsed)


class StandInClipboard:
    """Stand-in for QClipboard: the text last set."""

    def __init__(self) -> None:
        self._text = ""

    def setText(self, text: str) -> None:
        self._text = str(text)

    def text(self) -> str:
        return self._text


class StandInQSettings:
    """Stand-in for QSettings in Slicer's INI format: every value comes back as a string, as after a restart.

    All instances share one store per process (like one Slicer.ini); ``StandInQSettings.store`` is it.
    """

    store: dict[str, str] = {}

    def __init__(self, *args: Any) -> None:
        pass

    @staticmethod
    def _asIni(value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    def setValue(self, key: str, value: Any) -> None:
        self.store[key] = self._asIni(value)

    def value(self, key: str, default: Any = None) -> Any:
        return self.store.get(key, default)

    def contains(self, key: str) -> bool:
        return key in self.store

    def remove(self, key: str) -> None:
        for stored in [k for k in self.store if k == key or k.startswith(key + "/")]:
            del self.store[stored]

    def allKeys(self) -> list[str]:
        return sorted(self.store)

    def sync(self) -> None:
        pass


class StandInKeySequence:
    """Stand-in for QKeySequence: the key text."""

    def __init__(self, text: str) -> None:
        self.text = str(text)

    def toString(self) -> str:
        return self.text


class StandInShortcut(StandInQObject):
    """Stand-in for QShortcut: ``activate()`` is the key press; live shortcuts are listed in ``live``."""

    SIGNALS = ("activated",)
    live: list[StandInShortcut] = []

    def __init__(self, key: StandInKeySequence, parent: Any = None) -> None:
        super().__init__(parent)
        self.key = key
        self.context = None
        StandInShortcut.live.append(self)

    def setContext(self, context: Any) -> None:
        self.context = context

    def deleteLater(self) -> None:
        super().deleteLater()
        if self in StandInShortcut.live:
            StandInShortcut.live.remove(self)

    def activate(self) -> None:
        self.activated.emit()


class StandInTimer(StandInQObject):
    """Stand-in for QTimer: ``fire()`` is one timeout; instances are listed in ``instances``."""

    SIGNALS = ("timeout",)
    instances: list[StandInTimer] = []

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._active = False
        self._interval = 0
        StandInTimer.instances.append(self)

    def setInterval(self, milliseconds: int) -> None:
        self._interval = int(milliseconds)

    def interval(self) -> int:
        return self._interval

    def start(self, milliseconds: Optional[int] = None) -> None:
        if milliseconds is not None:
            self._interval = int(milliseconds)
        self._active = True

    def stop(self) -> None:
        self._active = False

    def isActive(self) -> bool:
        return self._active

    def fire(self) -> None:
        if self._active:
            self.timeout.emit()


class StandInQMessageBox:
    """Stand-in for QMessageBox's enum values (in testing mode slicer.util only logs the message)."""

    Ok = 0x400
    Cancel = 0x400000
    Yes = 0x4000
    No = 0x10000
    Question = 4
    Critical = 3
    Warning = 2
    Information = 1


class StandInMessageBox(StandInWidget):
    """Stand-in for ctkMessageBox (what slicer.util.messageBox shows outside testing mode): the texts shown, and the
    button the user presses (``answer``, a StandInQMessageBox value)."""

    answer = StandInQMessageBox.Ok
    shown: list[str] = []

    def exec_(self) -> int:
        StandInMessageBox.shown.append(self.text)
        return StandInMessageBox.answer


class StandInQApplication:
    """Stand-in for QApplication's override-cursor stack (slicer.util empties it while a message box waits)."""

    @staticmethod
    def overrideCursor() -> None:
        return None

    @staticmethod
    def setOverrideCursor(cursor: Any) -> None:
        pass

    @staticmethod
    def restoreOverrideCursor() -> None:
        pass


class StandInQt:
    """Stand-in for the Qt namespace: the few enum values the module and Slicer's layer name."""

    WindowShortcut = 1
    ApplicationShortcut = 2
    WaitCursor = 16
    ShiftModifier = 0x02000000


def _standInModule(name: str, classes: dict[str, Any]) -> types.ModuleType:
    """A module (qt or ctk) holding ``classes``; any other name is an empty class, enough for imports and isinstance."""
    module = types.ModuleType(name)
    module.__dict__.update(classes)

    def __getattr__(attribute: str) -> type:  # noqa: N807 (a module's own attribute hook, PEP 562)
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        stub = type(attribute, (StandInWidget,), {"__doc__": f"Empty stand-in for {name}.{attribute}."})
        setattr(module, attribute, stub)
        return stub

    module.__getattr__ = __getattr__  # type: ignore[attr-defined]
    return module


UI_CLASSES = {
    "QCheckBox": StandInCheckBox,
    "ctkCheckBox": StandInCheckBox,
    "QComboBox": StandInComboBox,
    "ctkComboBox": StandInComboBox,
    "QSpinBox": StandInSpinBox,
    "QPushButton": StandInPushButton,
    "ctkCollapsibleButton": StandInCollapsibleButton,
    "QLineEdit": StandInLineEdit,
    "qMRMLNodeComboBox": StandInNodeComboBox,
}


def standInLoadUI(path: str) -> StandInWidget:
    """Stand-in for slicer.util.loadUI: the .ui file's named widgets, their properties and dynamic properties."""
    root = ElementTree.parse(path).getroot().find("widget")
    if root is None:
        raise RuntimeError(f"no widget in {path}")

    def build(element: ElementTree.Element, parent: Optional[StandInWidget]) -> StandInWidget:
        widget = UI_CLASSES.get(element.get("class", ""), StandInWidget)(parent, element.get("name", ""))
        for prop in element.findall("property"):
            name = prop.get("name", "")
            value: Any = None
            if prop.find("string") is not None:
                value = prop.findtext("string") or ""
            elif prop.find("number") is not None:
                value = int(prop.findtext("number") or 0)
            elif prop.find("bool") is not None:
                value = prop.findtext("bool") == "true"
            elif prop.find("stringlist") is not None:
                value = [item.text or "" for item in prop.iter("string")]
            if value is None:
                continue
            if prop.get("stdset") == "0":
                widget.setProperty(name, value)
            elif name in (
                "minimum",
                "maximum",
                "specialValueText",
                "toolTip",
                "text",
                "collapsed",
                "placeholderText",
                "nodeTypes",
                "noneEnabled",
                "addEnabled",
                "removeEnabled",
            ):
                setattr(widget, name, value)
        for prop in element.findall("property"):
            if prop.get("name") in ("value", "checked") and prop.get("stdset") != "0":
                raw = prop.findtext("number") or prop.findtext("bool")
                setattr(widget, prop.get("name"), int(raw) if prop.find("number") is not None else raw == "true")
        for child in element.iter("widget"):
            if child is not element and _parentWidget(element, child):
                build(child, widget)
        return widget

    top = build(root, None)
    named = {widget.name: widget for widget in [top, *top.findChildren(StandInQObject)]}
    for connection in ElementTree.parse(path).getroot().iter("connection"):
        sender, receiver = named[connection.findtext("sender")], named[connection.findtext("receiver")]
        signal = getattr(sender, (connection.findtext("signal") or "").split("(")[0])
        signal.connect(getattr(receiver, (connection.findtext("slot") or "").split("(")[0]))
    return top


def _parentWidget(parent: ElementTree.Element, child: ElementTree.Element) -> bool:
    """Whether ``child`` is a direct widget child of ``parent`` (through layouts and items only)."""
    stack = list(parent)
    while stack:
        element = stack.pop()
        if element is child:
            return True
        if element.tag != "widget":
            stack.extend(list(element))
    return False


# -- the application ------------------------------------------------------------------------------------------


class StandInSliceWidget:
    """Stand-in for qMRMLSliceWidget: hands out a bench view's real slice node, logic and interactor."""

    def __init__(self, view: Any) -> None:
        self.view = view

    def mrmlSliceNode(self) -> Any:
        return self.view.sliceNode

    def sliceLogic(self) -> Any:
        return self.view.sliceLogic

    def sliceView(self) -> StandInSliceWidget:
        return self

    def interactor(self) -> Any:
        return self.view.interactor

    def forceRender(self) -> None:
        self.view.render()


class StandInLayoutManager(StandInQObject):
    """Stand-in for qSlicerLayoutManager over a bench: its views are the layout's slice views.

    ``setLayout`` accepts only layouts whose slice views the bench has (Red, Yellow, Green): adding views for
    other layouts is what only Slicer's real layout manager does (``LayoutNeedsSlicerError`` is raised).
    """

    SIGNALS = ("layoutChanged",)
    BENCH_LAYOUTS = {2, 3, 4, 6}  # Conventional, FourUp, OneUp3D, OneUpRedSlice: Red, Yellow and Green suffice.

    def __init__(self, bench: Any) -> None:
        super().__init__()
        self.bench = bench
        self.layout = 2
        self.threeDViewCount = 0
        self.tableViewCount = 0
        self.plotViewCount = 0

    def sliceViewNames(self) -> list[str]:
        return list(self.bench.views)

    def sliceWidget(self, name: str) -> Optional[StandInSliceWidget]:
        view = self.bench.views.get(name)
        return StandInSliceWidget(view) if view is not None else None

    def mrmlSliceLogics(self) -> Any:
        return self.bench.appLogic.GetSliceLogics()

    def setLayout(self, layout: int) -> None:
        if int(layout) not in self.BENCH_LAYOUTS:
            raise LayoutNeedsSlicerError(f"layout {layout} needs views that only Slicer's layout manager creates")
        self.layout = int(layout)
        self.layoutChanged.emit(self.layout)

    def viewsChanged(self) -> None:
        """The bench gained or lost views: tell listeners as Slicer's layoutChanged(int) does."""
        self.layoutChanged.emit(self.layout)


class LayoutNeedsSlicerError(RuntimeError):
    """A self-test step needs a real Slicer layout switch (views created by qSlicerLayoutManager)."""


class StandInModuleManager(StandInQObject):
    """Stand-in for qSlicerModuleManager: the moduleAboutToBeUnloaded(QString) signal."""

    SIGNALS = ("moduleAboutToBeUnloaded",)


class StandInCommandOptions:
    """Stand-in for qSlicerCommandOptions."""

    def __init__(self, noMainWindow: bool) -> None:
        self.noMainWindow = noMainWindow


class StandInApp(StandInQObject):
    """Stand-in for slicer.app (qSlicerApplication): what the module and Slicer's layer ask of it."""

    SIGNALS = ("startupCompleted",)

    def __init__(self, bench: Any, mainWindow: bool) -> None:
        super().__init__()
        self.bench = bench
        self._layoutManager = StandInLayoutManager(bench) if mainWindow else None
        self._mainWindow = StandInWidget(name="qSlicerMainWindow") if mainWindow else None
        self._moduleManager = StandInModuleManager()
        self._commandOptions = StandInCommandOptions(noMainWindow=not mainWindow)
        self._clipboard = StandInClipboard()
        self.documentationBaseUrl = "https://slicer.readthedocs.io/en/latest"
        self.applicationName = "Slicer"
        self.testing = True

    def layoutManager(self) -> Optional[StandInLayoutManager]:
        return self._layoutManager

    def clipboard(self) -> StandInClipboard:
        return self._clipboard

    def topLevelWidgets(self) -> list:
        return [self._mainWindow] if self._mainWindow is not None else []

    def moduleManager(self) -> StandInModuleManager:
        return self._moduleManager

    def commandOptions(self) -> StandInCommandOptions:
        return self._commandOptions

    def applicationLogic(self) -> Any:
        return self.bench.appLogic

    def translate(self, context: str, text: str) -> str:
        return text

    def processEvents(self) -> None:
        pass

    def testingEnabled(self) -> bool:
        """Slicer's testing mode (slicer.util skips its message boxes); a test sets ``testing`` False to answer them."""
        return self.testing

    def userSettings(self) -> StandInQSettings:
        return StandInQSettings()

    def settings(self) -> StandInQSettings:
        return StandInQSettings()

    def moduleDocumentationUrl(self, name: str) -> str:
        return f"{self.documentationBaseUrl}/user_guide/modules/{name.lower()}.html"

    def setOverrideCursor(self, cursor: Any) -> None:
        pass

    def restoreOverrideCursor(self) -> None:
        pass


class StandInModulePanel(StandInWidget):
    """Stand-in for qSlicerScriptedLoadableModuleWidget: builds ``<module>.SliceSyncWidget(self)`` and reloads it."""

    def __init__(self, moduleName: str) -> None:
        super().__init__(name=f"{moduleName}ModulePanel")
        self.moduleName = moduleName
        self.setLayout(StandInLayout())
        self.widget: Any = None

    def self(self) -> Any:
        return self.widget

    def reload(self) -> None:
        """As the C++ panel does on reload: a new widget object of the freshly executed module file, set up."""
        module = sys.modules[self.moduleName]
        self.widget = getattr(module, self.moduleName + "Widget")(self)
        self.widget.setup()
        setattr(sys.modules["slicer"].modules, self.moduleName + "Widget", self.widget)


class StandInModule:
    """Stand-in for slicer.modules.<name> (qSlicerScriptedLoadableModule): path and the lazily built panel."""

    def __init__(self, moduleName: str, path: Path) -> None:
        self.moduleName = moduleName
        self.path = str(path)
        self.panel: Optional[StandInModulePanel] = None
        # What ScriptedLoadableModule.__init__ fills in:
        self.title = ""
        self.categories: list[str] = []
        self.dependencies: list[str] = []
        self.contributors: list[str] = []
        self.helpText = ""
        self.acknowledgementText = ""
        self.icon = None

    def widgetRepresentation(self) -> StandInModulePanel:
        if self.panel is None:
            self.panel = StandInModulePanel(self.moduleName)
            self.panel.reload()
        return self.panel


# -- loading -------------------------------------------------------------------------------------------------

_loaded: Optional[Path] = None


def loadLayer(layer: Path) -> None:
    """Load Slicer's Python layer from ``layer`` (holding ``slicer/``) over slicer-core, with the Qt stand-ins.

    Call once per process; loading a second, different layer raises RuntimeError.
    """
    global _loaded
    layer = Path(layer).resolve()
    if _loaded is not None:
        if _loaded != layer:
            raise RuntimeError(f"{_loaded} is already loaded in this process; run each release in its own process")
        return
    qt = _standInModule(
        "qt",
        {
            "QObject": StandInQObject,
            "QWidget": StandInWidget,
            "QCheckBox": StandInCheckBox,
            "QComboBox": StandInComboBox,
            "QSpinBox": StandInSpinBox,
            "QPushButton": StandInPushButton,
            "QLineEdit": StandInLineEdit,
            "QVBoxLayout": StandInLayout,
            "QHBoxLayout": StandInLayout,
            "QFormLayout": StandInLayout,
            "QSettings": StandInQSettings,
            "QShortcut": StandInShortcut,
            "QMessageBox": StandInQMessageBox,
            "QApplication": StandInQApplication,
            "QTimer": StandInTimer,
            "QKeySequence": StandInKeySequence,
            "Qt": StandInQt,
        },
    )
    ctk = _standInModule(
        "ctk",
        {
            "ctkCheckBox": StandInCheckBox,
            "ctkComboBox": StandInComboBox,
            "ctkCollapsibleButton": StandInCollapsibleButton,
            "ctkMessageBox": StandInMessageBox,
        },
    )
    sys.modules["qt"] = qt
    sys.modules["ctk"] = ctk

    import slicer
    import slicer.util

    slicer.qMRMLNodeComboBox = StandInNodeComboBox
    for name in (
        "qMRMLWidget",
        "qSlicerWidget",
        "qMRMLNodeComboBox",
        "qMRMLSliderWidget",
        "qMRMLSpinBox",
        "qMRMLRangeWidget",
        "qMRMLSubjectHierarchyTreeView",
        "qMRMLUtils",
        "qMRMLScreenShotDialog",
    ):
        if not hasattr(slicer, name):
            setattr(slicer, name, type(name, (StandInWidget,), {"__doc__": f"Empty stand-in for slicer.{name}."}))
    slicer.util.loadUI = standInLoadUI
    if not hasattr(slicer, "modules"):
        slicer.modules = types.SimpleNamespace()

    folder = layer / "slicer"
    for name in LAYER_MODULES:
        package = folder / name
        if package.is_dir():
            spec = importlib.util.spec_from_file_location(
                f"slicer.{name}", package / "__init__.py", submodule_search_locations=[str(package)]
            )
        else:
            spec = importlib.util.spec_from_file_location(f"slicer.{name}", folder / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        setattr(slicer, name, module)
    if str(MODULE_DIR) not in sys.path:
        sys.path.insert(0, str(MODULE_DIR))
    _loaded = layer


class ModuleHarness:
    """One Slicer session on a bench: the module file loaded, started, reloaded and closed as Slicer does.

    ``mainWindow=False`` is Slicer's ``--no-main-window`` (generic tests): no layout manager, no main window.
    """

    def __init__(self, bench: Any, mainWindow: bool = True) -> None:
        import slicer

        if _loaded is None:
            raise RuntimeError("loadLayer() first")
        self.bench = bench
        self.app = StandInApp(bench, mainWindow)
        slicer.app = self.app
        slicer.mrmlScene = bench.scene
        slicer.modules = types.SimpleNamespace()
        self.moduleInfo = StandInModule("SliceSync", MODULE_FILE)
        slicer.modules.slicesync = self.moduleInfo
        self.module: Any = None

    def load(self) -> types.ModuleType:
        """Execute SliceSync.py (as Slicer's module factory does) and build its ScriptedLoadableModule."""
        spec = importlib.util.spec_from_file_location("SliceSync", MODULE_FILE)
        assert spec is not None and spec.loader is not None
        self.module = importlib.util.module_from_spec(spec)
        sys.modules["SliceSync"] = self.module
        spec.loader.exec_module(self.module)
        self.module.SliceSync(self.moduleInfo)
        return self.module

    def start(self) -> None:
        """Load the module and finish Slicer's startup (startupCompleted), as a freshly started Slicer does."""
        self.load()
        self.app.startupCompleted.emit()

    @property
    def widget(self) -> Any:
        """The module's current SliceSyncWidget (built on first use, like opening the module)."""
        return self.moduleInfo.widgetRepresentation().self()

    @property
    def logic(self) -> Any:
        return self.widget.logic

    def shortcut(self) -> StandInShortcut:
        """The one live toggle shortcut (AssertionError if there is not exactly one)."""
        live = [shortcut for shortcut in StandInShortcut.live if shortcut.key.toString() == self.module.TOGGLE_SHORTCUT]
        assert len(live) == 1, f"{len(live)} live SliceSync shortcuts"
        return live[0]

    def reload(self) -> None:
        """The developer Reload button: the module's own onReload, then Slicer's reloadScriptedModule."""
        self.widget.onReload()
        self.module = sys.modules["SliceSync"]

    def close(self) -> None:
        """Application exit: the module manager says the module is about to be unloaded (the widget cleans up)."""
        self.app.moduleManager().moduleAboutToBeUnloaded.emit("SliceSync")
        StandInShortcut.live.clear()


def harnessFixture(bench: Any) -> Any:
    """pytest fixture body: a Slicer session over the bench with empty settings; the module is not loaded yet."""
    StandInQSettings.store.clear()
    StandInShortcut.live.clear()
    StandInTimer.instances.clear()
    StandInMessageBox.shown = []
    StandInMessageBox.answer = StandInQMessageBox.Ok
    session = ModuleHarness(bench)
    yield session
    if session.module is not None and session.moduleInfo.panel is not None:
        session.close()
    sys.modules.pop("SliceSync", None)


def parameterNode(scene: Any) -> Any:
    """Return the scene's SliceSync parameter node (vtkMRMLScriptedModuleNode), or None."""
    return scene.GetSingletonNode("SliceSync", "vtkMRMLScriptedModuleNode")


logging.getLogger(__name__).addHandler(logging.NullHandler())
