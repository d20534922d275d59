import enum
import importlib
import logging
import sys
from typing import Annotated

import qt
import slicer
import vtk
from slicer.i18n import tr as _
from slicer.i18n import translate
from slicer.parameterNodeWrapper import WithinRange, parameterNodeWrapper
from slicer.ScriptedLoadableModule import (
    ScriptedLoadableModule,
    ScriptedLoadableModuleLogic,
    ScriptedLoadableModuleTest,
    ScriptedLoadableModuleWidget,
)
from slicer.util import VTKObservationMixin

from SliceSyncLib import Keys, Link, Parameters
from SliceSyncLib.Link import DEFAULT_HOST, DEFAULT_PORT
from SliceSyncLib.ViewBinding import ALL_VIEW_GROUPS, MAX_VIEW_GROUP, SyncSettings, ViewBinding

# Not used by Slicer 5.8 itself (Ctrl+Shift+S is "Save As" in many other programs, so it is avoided).
TOGGLE_SHORTCUT = "Ctrl+Shift+J"
SETTINGS_GROUP = "SliceSync/"
# How often received link points are applied (on Qt's main thread).
LINK_POLL_INTERVAL_MS = 20
README_URL = "https://github.com/slicesync/SlicerSliceSync#readme"
LIBRARY_PACKAGE = "SliceSyncLib"
# What the link needs; installed with Slicer's pip helper on first use, after asking (the version tested).
PYIGTL_REQUIREMENT = "pyigtl==0.3.4"


#
# SliceSync
#


def _keyLabel(keys: str) -> str:
    """Return a key binding as a person reads it: VTK's Prior and Next are the Page Up and Page Down keys."""
    return keys.replace("Prior", "Page Up").replace("Next", "Page Down")


class SliceSync(ScriptedLoadableModule):
    """Click in one slice view, and every other slice view moves through that point."""

    def __init__(self, parent):
        ScriptedLoadableModule.__init__(self, parent)
        self.parent.title = _("SliceSync")
        self.parent.categories = [translate("qSlicerAbstractCoreModule", "Utilities")]
        self.parent.dependencies = []
        self.parent.contributors = ["SliceSync contributors"]
        self.parent.helpText = _(
            """
Click in a slice view and every other slice view of the same view group moves so that it passes
through the clicked point, as in ITK-SNAP.
<ul>
<li><b>Click</b> (left button, no modifier key) in any slice view: the other views jump to that point.</li>
<li><b>Click and drag</b>: with "Follow while dragging" on, the other views follow the pointer.</li>
<li>Shift+move (Slicer's own crosshair jump), Ctrl/Alt/Shift clicks, markup placement, window/level
mode and Segment Editor effects are left to Slicer: SliceSync does not react to them.</li>
<li><b>{shortcut}</b> turns sync on and off from anywhere in the main window.</li>
</ul>
Jump modes: <i>Offset</i> moves each view along its own normal (pan and zoom kept), <i>Centered</i>
centres the point in each view, <i>Keep in view</i> moves along the normal and pans only if the point
would leave the view. Outside the volume: <i>Clamp</i> stops at the first or last slice of the volume
shown, <i>Ignore clicks outside</i> does nothing for clicks outside it, <i>Follow anyway</i> follows the point.
<p>The synced point is a cursor:</p>
<ul>
<li><b>Snap to voxel</b> moves each synced point to the nearest voxel centre of the reference volume
(or of the volume in the clicked view).</li>
<li>Keys in the slice view under the mouse: <b>{nudgeRight}</b>, <b>{nudgeLeft}</b>, <b>{nudgeUp}</b>,
<b>{nudgeDown}</b> move the cursor one voxel in the view's plane, <b>{nudgeForward}</b> and
<b>{nudgeBackward}</b> through it; <b>{back}</b> and <b>{forward}</b> walk the cursor's history, as do the
Back and Forward buttons. The history is saved with the scene.</li>
<li><b>Readout</b> lists every shown layer's voxel and value at the cursor; Copy puts it on the clipboard.</li>
<li><b>Follow markups</b>: placing (and optionally dragging) a markups control point moves the other views.</li>
<li><b>Registered view groups</b>: a view group that shows data in a registered space is linked to the
others through a transform node.</li>
<li><b>Link</b> shares the cursor with other viewers as OpenIGTLink POINT messages.</li>
</ul>
SliceSync only moves slices: orientations, layers, links and the crosshair mode are never changed.
See the <a href="{url}">SliceSync documentation</a>.
"""
        ).format(
            shortcut=TOGGLE_SHORTCUT,
            url=README_URL,
            **{action: _keyLabel(keys) for action, keys in Keys.DEFAULT_KEY_BINDINGS.items()},
        )
        self.parent.acknowledgementText = _(
            """
SliceSync is developed by the SliceSync contributors and released under the BSD 3-Clause license.
It builds on 3D Slicer's MRML slice nodes and displayable managers; the click-to-sync idea comes from ITK-SNAP.
"""
        )
        slicer.app.connect("startupCompleted()", _createWidgetAtStartup)


def reloadLibrary() -> None:
    """Import SliceSyncLib afresh, every module of it that was loaded (dependencies resolve themselves)."""
    loaded = sorted(name for name in sys.modules if name.split(".")[0] == LIBRARY_PACKAGE)
    for name in loaded:
        del sys.modules[name]
    for name in loaded:
        importlib.import_module(name)


def _createWidgetAtStartup() -> None:
    """Build the panel (and so the logic) once Slicer has started: remembered sync and the shortcut then work."""
    if slicer.app.commandOptions().noMainWindow or slicer.util.mainWindow() is None:
        return
    if slicer.app.layoutManager() is None:
        return
    try:
        slicer.modules.slicesync.widgetRepresentation()
    except Exception:
        logging.exception("SliceSync: could not set up the module at startup")


#
# SliceSyncParameterNode
#


class JumpMode(enum.Enum):
    """How the other views move (names are the engine's jump modes and are what the scene stores)."""

    offset = "offset"
    centered = "centered"
    keepInView = "keepInView"

    def label(self) -> str:
        return {
            "offset": _("Offset (keep pan and zoom)"),
            "centered": _("Centered (point in the middle)"),
            "keepInView": _("Keep in view (pan only if needed)"),
        }[self.name]


class ClampMode(enum.Enum):
    """What happens for a point outside the volume a view shows (names are the engine's clamp modes)."""

    clamp = "clamp"
    ignoreOutside = "ignoreOutside"
    off = "off"

    def label(self) -> str:
        return {
            "clamp": _("Clamp to the volume"),
            "ignoreOutside": _("Ignore clicks outside"),
            "off": _("Follow anyway"),
        }[self.name]


class FollowMarkups(enum.Enum):
    """Whether placing (and dragging) markups points moves the other views (names are the engine's modes)."""

    off = "off"
    place = "place"
    placeAndDrag = "placeAndDrag"

    def label(self) -> str:
        return {
            "off": _("Off"),
            "place": _("When a point is placed"),
            "placeAndDrag": _("When a point is placed or dragged"),
        }[self.name]


class LinkRole(enum.Enum):
    """Which end of the OpenIGTLink link this Slicer is (names are the engine's link roles)."""

    server = "server"
    client = "client"

    def label(self) -> str:
        return {"server": _("Server (others connect here)"), "client": _("Client (connect to a server)")}[self.name]


@parameterNodeWrapper
class SliceSyncParameterNode:
    """
    What the user chose in the SliceSync panel; saved with the scene. For scripts: the module itself reads and
    writes the node's strings through SliceSyncLib.Parameters (which also resets values this version cannot use).

    enabled - click-to-sync is on.
    jumpMode - how the other views move (stored by name).
    clampMode - what happens outside the volume (stored by name).
    dragFollow - the other views follow while the left button is held down.
    showCrosshair - Slicer's crosshair is placed at each synced point.
    viewGroup - the view group that takes part, or -1 for all of them.
    followMarkups - whether placed (and dragged) markups points move the other views.
    linkedViewGroups - the view groups a click moves together, e.g. "0, 1" ("": the mapped groups and 0).
    Each view group's transform is a node reference (SliceSyncLib.Parameters.TRANSFORM_ROLE + group).
    linkRole, linkHost, linkPort - where the cursor link (OpenIGTLink POINT messages) listens or connects.
    snapToVoxel - each synced point first moves to the nearest voxel centre (of the reference volume, a node
    reference: SliceSyncLib.Parameters.REFERENCE_VOLUME_ROLE; none: the volume shown in the clicked view).
    """

    enabled: bool = False
    jumpMode: JumpMode = JumpMode.offset
    clampMode: ClampMode = ClampMode.clamp
    dragFollow: bool = True
    showCrosshair: bool = True
    viewGroup: Annotated[int, WithinRange(ALL_VIEW_GROUPS, MAX_VIEW_GROUP)] = ALL_VIEW_GROUPS
    followMarkups: FollowMarkups = FollowMarkups.place
    linkedViewGroups: str = ""
    linkRole: LinkRole = LinkRole.server
    linkHost: str = DEFAULT_HOST
    linkPort: Annotated[int, WithinRange(1, 65535)] = DEFAULT_PORT
    snapToVoxel: bool = False


def writeSettings(parameterNode, settings: SyncSettings) -> None:
    """Write choices to a parameter node (wrapper or MRML node) in one modification."""
    Parameters.writeParameterNode(getattr(parameterNode, "parameterNode", parameterNode), settings)


def rememberedSettings() -> SyncSettings:
    """Return the user's last choices from the application settings (defaults if none; unusable ones reset)."""
    store = qt.QSettings()
    values = {name: store.value(SETTINGS_GROUP + name) for name in Parameters.PARAMETER_NAMES}
    settings, invalid = Parameters.parseStrings({name: value for name, value in values.items() if value is not None})
    if invalid:
        Parameters.warnInvalid(invalid, "the remembered settings (" + SETTINGS_GROUP + ")")
        rememberSettings(settings)
    return settings


def rememberSettings(settings: SyncSettings) -> None:
    """Store choices in the application settings, for the next scene and the next session."""
    store = qt.QSettings()
    for name, value in Parameters.settingsToStrings(settings).items():
        store.setValue(SETTINGS_GROUP + name, value)


#
# SliceSyncWidget
#


class SliceSyncWidget(ScriptedLoadableModuleWidget, VTKObservationMixin):
    """The SliceSync panel: options bound to the parameter node, and a status line.

    The panel binds its widgets itself (one VTK observer and its own Qt connections, all removed in cleanup) rather
    than through parameterNodeWrapper.connectGui: on Slicer 5.8 and 5.10 a connectGui binding cannot be fully
    disconnected, so every module reload would leave one behind on the parameter node.
    """

    def __init__(self, parent=None) -> None:
        ScriptedLoadableModuleWidget.__init__(self, parent)
        VTKObservationMixin.__init__(self)
        self.logic = None
        self._parameterNode = None
        self._shortcut = None
        self._updatingGUI = False
        self._guiConnections = []

    def setup(self) -> None:
        """Build the panel from SliceSync.ui and create the logic."""
        ScriptedLoadableModuleWidget.setup(self)

        uiWidget = slicer.util.loadUI(self.resourcePath("UI/SliceSync.ui"))
        self.layout.addWidget(uiWidget)
        self.ui = slicer.util.childWidgetVariables(uiWidget)
        uiWidget.setMRMLScene(slicer.mrmlScene)

        self.logic = SliceSyncLogic()
        self.logic.setStatusCallback(self.onStatusChanged)

        self.ui.enabledCheckBox.toolTip = _(
            "Move the other slice views through each point clicked ({shortcut})"
        ).format(shortcut=TOGGLE_SHORTCUT)
        for mode in JumpMode:
            self.ui.jumpModeComboBox.addItem(mode.label(), mode.name)
        for mode in ClampMode:
            self.ui.clampModeComboBox.addItem(mode.label(), mode.name)
        for mode in FollowMarkups:
            self.ui.followMarkupsComboBox.addItem(mode.label(), mode.name)
        for role in LinkRole:
            self.ui.linkRoleComboBox.addItem(role.label(), role.name)
        self.logic.setLinkStatusCallback(self.onLinkStatusChanged)
        self._connectGui()
        self.updateKeyTooltips()
        self._installShortcut()

        self.addObserver(slicer.mrmlScene, slicer.mrmlScene.EndCloseEvent, self.onSceneEndClose)

        self.initializeParameterNode()
        if slicer.app.layoutManager() is None:
            self.onStatusChanged(_("No slice views (Slicer runs without its main window): sync is idle"))
        else:
            self.onStatusChanged(self.logic.statusText())

    def _connectGui(self) -> None:
        ui = self.ui
        self._guiConnections = [
            (ui.enabledCheckBox, "toggled(bool)", self.updateParameterNodeFromGUI),
            (ui.jumpModeComboBox, "currentIndexChanged(int)", self.updateParameterNodeFromGUI),
            (ui.clampModeComboBox, "currentIndexChanged(int)", self.updateParameterNodeFromGUI),
            (ui.dragFollowCheckBox, "toggled(bool)", self.updateParameterNodeFromGUI),
            (ui.showCrosshairCheckBox, "toggled(bool)", self.updateParameterNodeFromGUI),
            (ui.viewGroupSpinBox, "valueChanged(int)", self.updateParameterNodeFromGUI),
            (ui.followMarkupsComboBox, "currentIndexChanged(int)", self.updateParameterNodeFromGUI),
            (ui.linkedViewGroupsLineEdit, "editingFinished()", self.updateParameterNodeFromGUI),
            (ui.mappedViewGroupSpinBox, "valueChanged(int)", self.updateGUIFromParameterNode),
            (ui.viewGroupTransformSelector, "currentNodeChanged(vtkMRMLNode*)", self.onViewGroupTransformChanged),
            (ui.resetButton, "clicked(bool)", self.onResetButton),
            (ui.readoutCollapsibleButton, "contentsCollapsed(bool)", self.updateReadout),
            (ui.linkRoleComboBox, "currentIndexChanged(int)", self.updateParameterNodeFromGUI),
            (ui.linkHostLineEdit, "editingFinished()", self.updateParameterNodeFromGUI),
            (ui.linkPortSpinBox, "valueChanged(int)", self.updateParameterNodeFromGUI),
            (ui.linkButton, "clicked(bool)", self.onLinkButton),
            (ui.snapToVoxelCheckBox, "toggled(bool)", self.updateParameterNodeFromGUI),
            (ui.referenceVolumeSelector, "currentNodeChanged(vtkMRMLNode*)", self.onReferenceVolumeChanged),
            (ui.backButton, "clicked(bool)", self.onBackButton),
            (ui.forwardButton, "clicked(bool)", self.onForwardButton),
            (ui.copyReadoutButton, "clicked(bool)", self.onCopyReadout),
        ]
        for widget, signal, slot in self._guiConnections:
            widget.connect(signal, slot)

    def _disconnectGui(self) -> None:
        for widget, signal, slot in self._guiConnections:
            widget.disconnect(signal, slot)
        self._guiConnections = []

    def _installShortcut(self) -> None:
        mainWindow = slicer.util.mainWindow()
        if mainWindow is None:
            return
        self._shortcut = qt.QShortcut(qt.QKeySequence(TOGGLE_SHORTCUT), mainWindow)
        self._shortcut.setContext(qt.Qt.WindowShortcut)
        self._shortcut.connect("activated()", self.onToggleShortcut)

    def _removeShortcut(self) -> None:
        if self._shortcut is None:
            return
        self._shortcut.disconnect("activated()", self.onToggleShortcut)
        self._shortcut.setParent(None)
        self._shortcut.deleteLater()
        self._shortcut = None

    def cleanup(self) -> None:
        """Called when the application closes or the module is reloaded: remove everything."""
        self.removeObservers()
        self._removeShortcut()
        self._disconnectGui()
        self._parameterNode = None
        if self.logic is not None:
            self.logic.cleanup()
            self.logic = None

    def onReload(self) -> None:
        """Reload SliceSyncLib too, then the module (the old logic is cleaned up first by Slicer)."""
        reloadLibrary()
        ScriptedLoadableModuleWidget.onReload(self)

    def enter(self) -> None:
        """Called each time the user opens this module."""
        self.initializeParameterNode()

    def exit(self) -> None:
        """Called when the user opens another module: sync carries on in the logic, the panel stays bound."""

    def onSceneEndClose(self, caller, event) -> None:
        """Called just after the scene is closed: the singleton parameter node survives; show it re-initialized."""
        self.initializeParameterNode()
        self.updateHistoryPosition()

    def initializeParameterNode(self) -> None:
        """Ensure the parameter node exists and is shown."""
        self.setParameterNode(self.logic.parameterNode())

    def setParameterNode(self, node) -> None:
        """Show a parameter node (vtkMRMLScriptedModuleNode) in the panel; the logic observes it separately."""
        if node is not self._parameterNode:
            if self._parameterNode is not None:
                self.removeObserver(self._parameterNode, vtk.vtkCommand.ModifiedEvent, self.updateGUIFromParameterNode)
            self._parameterNode = node
            if node is not None:
                self.addObserver(node, vtk.vtkCommand.ModifiedEvent, self.updateGUIFromParameterNode)
        self.updateGUIFromParameterNode()

    def updateGUIFromParameterNode(self, caller=None, event=None) -> None:
        """Show the parameter node's values in the widgets."""
        if self._parameterNode is None:
            return
        settings = Parameters.readParameterNode(self._parameterNode)
        self._updatingGUI = True
        try:
            self.ui.enabledCheckBox.checked = settings.enabled
            self.ui.jumpModeComboBox.currentIndex = self.ui.jumpModeComboBox.findData(settings.jumpMode)
            self.ui.clampModeComboBox.currentIndex = self.ui.clampModeComboBox.findData(settings.clampMode)
            self.ui.dragFollowCheckBox.checked = settings.dragFollow
            self.ui.showCrosshairCheckBox.checked = settings.showCrosshair
            self.ui.viewGroupSpinBox.value = settings.viewGroup
            self.ui.followMarkupsComboBox.currentIndex = self.ui.followMarkupsComboBox.findData(settings.followMarkups)
            self.ui.linkedViewGroupsLineEdit.text = settings.linkedViewGroups
            self.ui.linkRoleComboBox.currentIndex = self.ui.linkRoleComboBox.findData(settings.linkRole)
            self.ui.linkHostLineEdit.text = settings.linkHost
            self.ui.linkPortSpinBox.value = settings.linkPort
            self.ui.snapToVoxelCheckBox.checked = settings.snapToVoxel
            self.ui.referenceVolumeSelector.setCurrentNode(Parameters.referenceVolume(self._parameterNode))
            transforms = Parameters.viewGroupTransforms(self._parameterNode)
            self.ui.viewGroupTransformSelector.setCurrentNode(transforms.get(int(self.ui.mappedViewGroupSpinBox.value)))
        finally:
            self._updatingGUI = False

    def updateParameterNodeFromGUI(self, *args) -> None:
        """Write what the user chose in the widgets to the parameter node (one modification)."""
        if self._updatingGUI or self._parameterNode is None:
            return
        ui = self.ui
        try:
            Parameters.updateParameterNode(
                self._parameterNode,
                enabled=bool(ui.enabledCheckBox.checked),
                jumpMode=str(ui.jumpModeComboBox.itemData(ui.jumpModeComboBox.currentIndex)),
                clampMode=str(ui.clampModeComboBox.itemData(ui.clampModeComboBox.currentIndex)),
                dragFollow=bool(ui.dragFollowCheckBox.checked),
                showCrosshair=bool(ui.showCrosshairCheckBox.checked),
                viewGroup=int(ui.viewGroupSpinBox.value),
                followMarkups=str(ui.followMarkupsComboBox.itemData(ui.followMarkupsComboBox.currentIndex)),
                linkedViewGroups=str(ui.linkedViewGroupsLineEdit.text),
                linkRole=str(ui.linkRoleComboBox.itemData(ui.linkRoleComboBox.currentIndex)),
                linkHost=str(ui.linkHostLineEdit.text).strip(),
                linkPort=int(ui.linkPortSpinBox.value),
                snapToVoxel=bool(ui.snapToVoxelCheckBox.checked),
            )
        except ValueError as error:
            slicer.util.errorDisplay(_("SliceSync option not changed: {reason}").format(reason=error))
            self.updateGUIFromParameterNode()

    def onViewGroupTransformChanged(self, transformNode) -> None:
        """Map the chosen view group through the selected transform (none: not mapped)."""
        if self._updatingGUI or self._parameterNode is None:
            return
        group = int(self.ui.mappedViewGroupSpinBox.value)
        with slicer.util.tryWithErrorDisplay(_("Failed to map the view group."), waitCursor=False):
            Parameters.setViewGroupTransform(self._parameterNode, group, transformNode)

    def onStatusChanged(self, text: str) -> None:
        """Show the engine's status line (and the readout, when its section is open)."""
        self.ui.statusLabel.text = text
        self.updateHistoryPosition()
        self.updateReadout()

    def updateHistoryPosition(self) -> None:
        """Show where the cursor is in its history; Back and Forward are enabled only where they can go."""
        if self.logic is None:
            return
        engine = self.logic.engine
        count, index = len(engine.history()), engine.historyIndex()
        if count == 0:
            self.ui.historyLabel.text = _("No synced points yet")
        else:
            self.ui.historyLabel.text = _("Point {position} of {count}").format(position=index + 1, count=count)
        self.ui.backButton.enabled = index > 0
        self.ui.forwardButton.enabled = 0 <= index < count - 1

    def updateReadout(self, *args) -> None:
        """Show what the volumes hold at the cursor; read only while the Readout section is open."""
        if self.logic is None or self.ui.readoutCollapsibleButton.collapsed:
            return
        self.ui.readoutLabel.text = self.logic.engine.readout().text()

    def onReferenceVolumeChanged(self, volume) -> None:
        """Snap and nudge on the selected volume (none: the volume shown in the clicked view)."""
        if self._updatingGUI or self._parameterNode is None:
            return
        with slicer.util.tryWithErrorDisplay(_("Failed to set the reference volume."), waitCursor=False):
            Parameters.setReferenceVolume(self._parameterNode, volume)

    def onBackButton(self, *args) -> None:
        """Go back to the previous synced point."""
        self.logic.engine.back()

    def onForwardButton(self, *args) -> None:
        """Go forward to the next synced point."""
        self.logic.engine.forward()

    def updateKeyTooltips(self) -> None:
        """Name the keys of the cursor actions in the tooltips (they are the engine's current bindings)."""
        keys = self.logic.engine.keyBindings()
        none = _("no key")
        self.ui.backButton.toolTip = _("Back to the previous synced point ({key})").format(key=keys.get("back", none))
        self.ui.forwardButton.toolTip = _("Forward to the next synced point ({key})").format(
            key=keys.get("forward", none)
        )
        nudges = ", ".join(
            f"{keys[action]}" for action in ("nudgeLeft", "nudgeRight", "nudgeUp", "nudgeDown") if action in keys
        )
        depth = ", ".join(f"{keys[action]}" for action in ("nudgeForward", "nudgeBackward") if action in keys)
        self.ui.snapToVoxelCheckBox.toolTip = _(
            "Move each synced point to the nearest voxel centre first. Keys in a slice view move the point one "
            "voxel at a time: {inPlane} in the view's plane, {depth} through it."
        ).format(inPlane=nudges or none, depth=depth or none)

    def onLinkButton(self, *args) -> None:
        """Start the link with the role, host and port shown, or stop it."""
        with slicer.util.tryWithErrorDisplay(_("Failed to start or stop the SliceSync link."), waitCursor=False):
            if self.logic.isLinkRunning():
                self.logic.stopLink()
            elif self.ensureLinkPackage():
                self.logic.startLink()

    def ensureLinkPackage(self) -> bool:
        """Return whether pyigtl can be imported; if not, offer to install it with Slicer's pip helper."""
        if Link.isAvailable():
            return True
        question = _(
            "The SliceSync link speaks OpenIGTLink through the Python package pyigtl, which is not installed.\n\n"
            "Install {requirement} now (pip, from the Python Package Index)?"
        ).format(requirement=PYIGTL_REQUIREMENT)
        if not slicer.util.confirmOkCancelDisplay(question, windowTitle=_("SliceSync link")):
            self.ui.linkStatusLabel.text = _("Link is off: it needs the pyigtl package ({requirement})").format(
                requirement=PYIGTL_REQUIREMENT
            )
            return False
        slicer.util.pip_install(PYIGTL_REQUIREMENT)
        importlib.invalidate_caches()
        if not Link.isAvailable():
            raise RuntimeError(f"{PYIGTL_REQUIREMENT} was installed but cannot be imported")
        return True

    def onLinkStatusChanged(self, text: str) -> None:
        """Show the link's state; the button says what a click will do."""
        self.ui.linkStatusLabel.text = text
        self.ui.linkButton.text = _("Stop link") if self.logic.isLinkRunning() else _("Start link")

    def onCopyReadout(self, *args) -> None:
        """Put the readout (position, then one line per volume) on the clipboard."""
        with slicer.util.tryWithErrorDisplay(_("Failed to copy the SliceSync readout."), waitCursor=False):
            text = self.logic.engine.readout().text()
            self.ui.readoutLabel.text = text
            slicer.app.clipboard().setText(text)

    def onToggleShortcut(self) -> None:
        """Turn sync on or off from the keyboard."""
        with slicer.util.tryWithErrorDisplay(_("Failed to toggle SliceSync."), waitCursor=False):
            self.logic.toggleEnabled()

    def onResetButton(self, *args) -> None:
        """Put the options back to their defaults (sync stays on or off)."""
        with slicer.util.tryWithErrorDisplay(_("Failed to reset the SliceSync options."), waitCursor=False):
            node = self.logic.parameterNode()
            enabled = Parameters.readParameterNode(node).enabled
            Parameters.writeParameterNode(node, SyncSettings(enabled=enabled))


#
# SliceSyncLogic
#


class SliceSyncLogic(ScriptedLoadableModuleLogic, VTKObservationMixin):
    """Feeds the layout manager's slice views to one SliceSync engine and applies the parameter node.

    The bookkeeping itself is SliceSyncLib.ViewBinding and the parameter values SliceSyncLib.Parameters (both
    tested headless); this class is the Slicer glue. It reads the parameter node's strings directly, never
    through a parameterNodeWrapper cache: a wrapper created earlier refreshes its cache after later observers
    have run, so the logic would see the previous value.
    """

    def __init__(self) -> None:
        ScriptedLoadableModuleLogic.__init__(self)
        VTKObservationMixin.__init__(self)
        self.binding = ViewBinding(slicer.mrmlScene)
        self._node = None
        self._linkTimer = None
        self._linkStatusCallback = None
        self._linkStatusText = ""
        self._writingHistory = False
        self._layoutManager = slicer.app.layoutManager()
        if self._layoutManager is None:
            logging.info("SliceSync: no layout manager (no main window); click-to-sync stays idle")
        else:
            self._layoutManager.layoutChanged.connect(self.onLayoutChanged)
        self.addObserver(slicer.mrmlScene, slicer.mrmlScene.StartCloseEvent, self.onSceneStartClose)
        self.addObserver(slicer.mrmlScene, slicer.mrmlScene.EndCloseEvent, self.onSceneEndClose)
        self.addObserver(slicer.mrmlScene, slicer.mrmlScene.EndImportEvent, self.onSceneEndImport)
        self.addObserver(slicer.mrmlScene, slicer.mrmlScene.StartSaveEvent, self.onSceneStartSave)
        self.updateViews()
        self.setParameterNode(self.parameterNode())

    @property
    def engine(self):
        """The SliceSyncEngine driving the views."""
        return self.binding.engine

    def parameterNode(self):
        """Return the scene's SliceSync vtkMRMLScriptedModuleNode, ready to use.

        A new node starts from the user's remembered choices; values this version cannot use (a later version's
        mode, a hand edit) are reset to the defaults with one logged warning.
        """
        node = ScriptedLoadableModuleLogic.getParameterNode(self)
        Parameters.initializeParameterNode(node, rememberedSettings)
        return node

    def getParameterNode(self) -> SliceSyncParameterNode:
        """Return the scene's parameter node in SliceSync's parameterNodeWrapper (for scripts)."""
        return SliceSyncParameterNode(self.parameterNode())

    def setParameterNode(self, node) -> None:
        """Observe a parameter node (vtkMRMLScriptedModuleNode, a wrapper or None) and apply it."""
        node = getattr(node, "parameterNode", node)
        if node is not self._node:
            if self._node is not None:
                self.removeObserver(self._node, vtk.vtkCommand.ModifiedEvent, self.onParameterNodeModified)
            self._node = node
            if node is not None:
                self.addObserver(node, vtk.vtkCommand.ModifiedEvent, self.onParameterNodeModified)
        self.applyParameterNode()

    def onParameterNodeModified(self, caller, event) -> None:
        """The user (panel, shortcut, script) changed a choice: apply it and remember it."""
        if not (slicer.mrmlScene.IsClosing() or self._writingHistory):
            self.applyParameterNode(remember=True)

    def applyParameterNode(self, remember: bool = False) -> None:
        """Give the parameter node's values to the engine; with ``remember``, store them as the user's choices.

        Binding to a node (new scene, loaded scene) does not remember: a loaded scene's values are that scene's,
        not the user's defaults.
        """
        if self._node is None:
            return
        settings = Parameters.readParameterNode(self._node)
        self.binding.setViewGroupTransforms(Parameters.viewGroupTransforms(self._node))
        self.binding.setReferenceVolume(Parameters.referenceVolume(self._node))
        self.binding.applySettings(settings)
        if remember and not (slicer.mrmlScene.IsImporting() or slicer.mrmlScene.IsClosing()):
            rememberSettings(settings)

    def toggleEnabled(self) -> bool:
        """Turn sync on if off and off if on; return the new state."""
        node = self._node or self.parameterNode()
        return Parameters.updateParameterNode(node, enabled=not Parameters.readParameterNode(node).enabled).enabled

    def startLink(self) -> None:
        """Start the cursor link with the parameter node's role, host and port; received points apply on a timer."""
        self.binding.startLink(Parameters.readParameterNode(self.parameterNode()))
        if self._linkTimer is None:
            self._linkTimer = qt.QTimer()
            self._linkTimer.setInterval(LINK_POLL_INTERVAL_MS)
            self._linkTimer.connect("timeout()", self.onLinkTimer)
        self._linkTimer.start()
        self._updateLinkStatus()

    def stopLink(self) -> None:
        """Stop the link and its timer; safe without a link."""
        if self._linkTimer is not None:
            self._linkTimer.stop()
        self.binding.stopLink()
        self._updateLinkStatus()

    def isLinkRunning(self) -> bool:
        """Return whether the link was started and not stopped."""
        return self._linkTimer is not None and self._linkTimer.isActive()

    def onLinkTimer(self) -> None:
        """Apply the latest point received over the link, and report the link's state when it changes."""
        self.engine.pollLink()
        self._updateLinkStatus()

    def setLinkStatusCallback(self, callback) -> None:
        """Call ``callback(text)`` when the link's one-line state changes (None to stop)."""
        self._linkStatusCallback = callback
        self._linkStatusText = ""
        self._updateLinkStatus()

    def linkStatusText(self) -> str:
        """Return one line about the link."""
        return self.binding.linkStatusText(self.isLinkRunning())

    def _updateLinkStatus(self) -> None:
        text = self.linkStatusText()
        if text != self._linkStatusText and self._linkStatusCallback is not None:
            self._linkStatusText = text
            self._linkStatusCallback(text)

    def sliceViewHandles(self) -> list:
        """Return (name, slice node, interactor) for every slice view of the layout, hidden ones included."""
        if self._layoutManager is None:
            return []
        handles = []
        for name in self._layoutManager.sliceViewNames():
            sliceWidget = self._layoutManager.sliceWidget(name)
            if sliceWidget is None:
                continue
            handles.append((name, sliceWidget.mrmlSliceNode(), sliceWidget.sliceView().interactor()))
        return handles

    def updateViews(self) -> None:
        """Offer the layout's current slice views to the engine."""
        if self._layoutManager is None:
            return
        self.binding.setScene(slicer.mrmlScene)
        self.binding.setViews(self.sliceViewHandles())

    def onLayoutChanged(self, layout=None) -> None:
        self.updateViews()

    def onSceneStartClose(self, caller, event) -> None:
        self.setParameterNode(None)

    def onSceneEndClose(self, caller, event) -> None:
        self.updateViews()
        self.setParameterNode(self.parameterNode())

    def onSceneEndImport(self, caller, event) -> None:
        self.updateViews()
        self.setParameterNode(self.parameterNode())
        self.restoreHistory()

    def onSceneStartSave(self, caller, event) -> None:
        """The scene is about to be written: store the cursor history in it (clicks never write the node)."""
        self._writingHistory = True
        try:
            engine = self.engine
            Parameters.writeHistory(self.parameterNode(), engine.history(), engine.historyIndex())
        except Exception:
            logging.exception("SliceSync: could not store the cursor history in the scene")
        finally:
            self._writingHistory = False

    def restoreHistory(self) -> None:
        """Give the engine the cursor history stored in the scene's parameter node, if any (no view moves)."""
        stored = Parameters.readHistory(self.parameterNode())
        if stored is not None:
            self.engine.setHistory(*stored)
            self.binding.notifyStatus()

    def setStatusCallback(self, callback) -> None:
        """Call ``callback(text)`` when the status line changes (None to stop)."""
        self.binding.setStatusCallback(callback)

    def statusText(self) -> str:
        """Return one line saying what sync is doing."""
        return self.binding.statusText()

    def cleanup(self) -> None:
        """Remove every observer and connection; the views are released (used on module reload)."""
        if self._layoutManager is not None:
            self._layoutManager.layoutChanged.disconnect(self.onLayoutChanged)
            self._layoutManager = None
        if self._linkTimer is not None:
            self._linkTimer.stop()
            self._linkTimer.disconnect("timeout()", self.onLinkTimer)
            self._linkTimer = None
        self._linkStatusCallback = None
        self.setParameterNode(None)
        self.removeObservers()
        self.binding.cleanup()


#
# SliceSyncTest
#


class SliceSyncTest(ScriptedLoadableModuleTest):
    """Drives real slice views of the running Slicer with mouse events; shares its scenarios with the bench."""

    # The reload test comes last here (ctest's unittest runner goes alphabetically; both orders work).
    TEST_ORDER = (
        "test_ClickSyncsOtherViews",
        "test_JumpModes",
        "test_Clamping",
        "test_DragFollow",
        "test_ModifierClickAndPlaceMode",
        "test_EnableDisable",
        "test_FourUpLayoutAndViewGroups",
        "test_LayoutChangeAddsViews",
        "test_SceneCloseRebinds",
        "test_ReloadLeavesNoObservers",
    )

    def setUp(self):
        """Start from an empty scene."""
        slicer.mrmlScene.Clear()

    @classmethod
    def setUpClass(cls):
        """Keep the user's remembered SliceSync settings: the tests change them."""
        cls.savedSettings = rememberedSettings()

    @classmethod
    def tearDownClass(cls):
        """Give the user back the remembered settings (ctest runs the test_ methods through unittest)."""
        rememberSettings(cls.savedSettings)
        if slicer.app.layoutManager() is not None:
            writeSettings(
                slicer.modules.slicesync.widgetRepresentation().self().logic.getParameterNode(), cls.savedSettings
            )

    def runTest(self):
        """Run every test_ method in TEST_ORDER (slicer.selfTests["SliceSync"]() comes here)."""
        self.setUpClass()
        try:
            for name in self.TEST_ORDER:
                self.setUp()
                getattr(self, name)()
        finally:
            self.tearDownClass()

    # -- helpers -----------------------------------------------------------------------------------------

    def _logic(self):
        if slicer.app.layoutManager() is None:
            return None
        return slicer.modules.slicesync.widgetRepresentation().self().logic

    def _volume(self):
        import numpy as np

        k, j, i = np.indices((18, 26, 34))
        array = (i * 5 + j * 3 + k * 7).astype("int16")
        ijkToRAS = np.array(
            [[1.2, 0.0, 0.0, -18.0], [0.0, 0.9, 0.0, 12.0], [0.0, 0.0, 2.5, -21.0], [0.0, 0.0, 0.0, 1.0]]
        )
        volume = slicer.util.addVolumeFromArray(array, ijkToRAS=ijkToRAS, name="SliceSyncTestVolume")
        slicer.util.setSliceViewerLayers(background=volume, foreground=None, label=None, fit=True)
        return volume

    def _context(self, layout=slicer.vtkMRMLLayoutNode.SlicerLayoutConventionalView, source="Red"):
        from SliceSyncLib.Scenarios import InteractorViewDriver, ScenarioContext

        layoutManager = slicer.app.layoutManager()
        layoutManager.setLayout(layout)
        slicer.app.processEvents()
        volume = self._volume()
        slicer.app.processEvents()
        slicer.util.forceRenderAllViews()
        logic = self._logic()
        writeSettings(logic.getParameterNode(), SyncSettings(enabled=True))
        views = {}
        for name in ("Red", "Yellow", "Green"):
            sliceWidget = layoutManager.sliceWidget(name)
            views[name] = InteractorViewDriver(name, sliceWidget.mrmlSliceNode(), sliceWidget.sliceView().interactor())
        return ScenarioContext(
            engine=logic.engine,
            views=views,
            volume=volume,
            interactionNode=slicer.app.applicationLogic().GetInteractionNode(),
            crosshairNode=slicer.mrmlScene.GetFirstNodeByClass("vtkMRMLCrosshairNode"),
            source=source,
        )

    def _run(self, *names, **contextOptions):
        from SliceSyncLib.Scenarios import runScenario

        if slicer.app.layoutManager() is None:
            self.delayDisplay("No main window: SliceSync scenarios skipped")
            return
        ctx = self._context(**contextOptions)
        for name in names:
            self.delayDisplay(f"Scenario {name}")
            runScenario(name, ctx)

    # -- tests ---------------------------------------------------------------------------------------------

    def test_ClickSyncsOtherViews(self):
        self._run("offsetJumpKeepsPan", "crosshairFollowsWhenAsked")

    def test_JumpModes(self):
        self._run("centeredJumpCentresPoint", "keepInViewPansOnlyWhenNeeded")

    def test_Clamping(self):
        self._run("clampStopsAtVolumeEdge", "clampOffFollowsOutside", "ignoreOutsideSkipsClick")

    def test_DragFollow(self):
        self._run("dragFollows")

    def test_ModifierClickAndPlaceMode(self):
        self._run("modifierClickDoesNotSync", "placeModeDoesNotSync")

    def test_EnableDisable(self):
        self._run("disabledDoesNothing")
        if slicer.app.layoutManager() is None:
            return
        from SliceSyncLib.Scenarios import INSIDE_FRACTIONS, changedViews, pixelFor, prepare, snapshot

        ctx = self._context()
        prepare(ctx)
        pixel, _ = pixelFor(ctx, INSIDE_FRACTIONS)
        logic = self._logic()
        logic.getParameterNode().enabled = False
        self.assertFalse(logic.engine.isEnabled())
        before = snapshot(ctx)
        ctx.views["Red"].click(*pixel)
        self.assertEqual(changedViews(before, ctx), [])
        self.assertTrue(logic.toggleEnabled())
        self.assertTrue(logic.engine.isEnabled())
        ctx.views["Red"].click(*pixel)
        self.assertEqual(changedViews(before, ctx), ["Green", "Yellow"])

    def test_FourUpLayoutAndViewGroups(self):
        self._run(
            "offsetJumpKeepsPan",
            "otherViewGroupStays",
            layout=slicer.vtkMRMLLayoutNode.SlicerLayoutFourUpView,
            source="Yellow",
        )

    def test_LayoutChangeAddsViews(self):
        logic = self._logic()
        if logic is None:
            return
        layoutManager = slicer.app.layoutManager()
        layoutManager.setLayout(slicer.vtkMRMLLayoutNode.SlicerLayoutThreeOverThreeView)
        slicer.app.processEvents()
        names = logic.binding.viewNames()
        # The 3-over-3 layout adds Red+, Yellow+ and Green+ views; layoutChanged must have registered them.
        self.assertEqual(sorted(layoutManager.sliceViewNames()), names)
        self.assertIn("Red+", names)
        layoutManager.setLayout(slicer.vtkMRMLLayoutNode.SlicerLayoutOneUpRedSliceView)
        slicer.app.processEvents()
        # Hidden views stay registered: Slicer keeps their widgets and nodes.
        self.assertEqual(sorted(layoutManager.sliceViewNames()), logic.binding.viewNames())
        self.assertIn("Red+", logic.binding.viewNames())

    def test_SceneCloseRebinds(self):
        if self._logic() is None:
            return
        self._context()
        writeSettings(self._logic().getParameterNode(), SyncSettings(enabled=True, jumpMode="centered"))
        slicer.mrmlScene.Clear()
        logic = self._logic()
        self.assertEqual(logic.getParameterNode().jumpMode.name, "centered")
        self.assertTrue(logic.engine.isEnabled())
        self.assertEqual(
            slicer.mrmlScene.GetSingletonNode("SliceSync", "vtkMRMLScriptedModuleNode").GetParameter("jumpMode"),
            "centered",
        )
        self._run("centeredJumpCentresPoint")

    def test_ReloadLeavesNoObservers(self):
        from SliceSyncLib.Scenarios import INSIDE_FRACTIONS, checkPassesThrough, observerCount, pixelFor, prepare

        if self._logic() is None:
            return
        ctx = self._context()
        prepare(ctx)
        pixel, point = pixelFor(ctx, INSIDE_FRACTIONS)
        interactors = [view.interactor for view in ctx.views.values()]
        before = [observerCount(interactor) for interactor in interactors]
        sceneBefore = observerCount(slicer.mrmlScene)
        parameterNode = self._logic().parameterNode()
        parameterNodeBefore = observerCount(parameterNode)
        oldEngine = self._logic().engine
        oldResult = oldEngine.lastResult
        slicer.util.reloadScriptedModule("SliceSync")
        self.assertEqual([observerCount(interactor) for interactor in interactors], before)
        self.assertEqual(observerCount(slicer.mrmlScene), sceneBefore)
        self.assertEqual(observerCount(parameterNode), parameterNodeBefore)
        self.assertEqual(oldEngine.views(), [])
        logic = self._logic()
        self.assertIsNot(logic.engine, oldEngine)
        self.assertTrue(logic.engine.isEnabled())
        ctx.views["Red"].click(*pixel)
        self.assertIs(oldEngine.lastResult, oldResult, "the engine of the unloaded module still reacts to clicks")
        self.assertIsNotNone(logic.engine.lastResult)
        for name in ("Yellow", "Green"):
            checkPassesThrough(ctx.views[name], point, "after a module reload")
