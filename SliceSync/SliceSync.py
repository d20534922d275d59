import enum
import importlib
import logging
import sys
from typing import Annotated, Optional

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

from SliceSyncLib.ViewBinding import ALL_VIEW_GROUPS, MAX_VIEW_GROUP, SyncSettings, ViewBinding

# Not used by Slicer 5.8 itself (Ctrl+Shift+S is "Save As" in many other programs, so it is avoided).
TOGGLE_SHORTCUT = "Ctrl+Shift+J"
SETTINGS_GROUP = "SliceSync/"
# Raw parameter (not a wrapper field) set once the user's remembered choices were written into a parameter node.
# Scene close empties the node; on Slicer 5.8/5.10 old wrappers then write their defaults back, so the presence
# of wrapper fields cannot tell a fresh node from a configured one.
INITIALIZED_PARAMETER = "SliceSyncInitialized"
README_URL = "https://github.com/slicesync/SliceSync#readme"
# Reloaded in this order by the developer "Reload" button, so library changes take effect too.
LIBRARY_MODULES = (
    "SliceSyncLib.Geometry",
    "SliceSyncLib.Status",
    "SliceSyncLib.Gestures",
    "SliceSyncLib.Engine",
    "SliceSyncLib.ViewBinding",
    "SliceSyncLib.Scenarios",
    "SliceSyncLib",
)


#
# SliceSync
#


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
shown, <i>Ignore</i> does nothing for clicks outside it, <i>Off</i> follows the point anyway.
SliceSync only moves slices: orientations, layers, links and the crosshair mode are never changed.
See the <a href="{url}">SliceSync documentation</a>.
"""
        ).format(shortcut=TOGGLE_SHORTCUT, url=README_URL)
        self.parent.acknowledgementText = _(
            """
SliceSync is developed by the SliceSync contributors and released under the BSD 3-Clause license.
It builds on 3D Slicer's MRML slice nodes and displayable managers; the click-to-sync idea comes from ITK-SNAP.
"""
        )
        slicer.app.connect("startupCompleted()", _createWidgetAtStartup)


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


@parameterNodeWrapper
class SliceSyncParameterNode:
    """
    What the user chose in the SliceSync panel; saved with the scene.

    enabled - click-to-sync is on.
    jumpMode - how the other views move (stored by name).
    clampMode - what happens outside the volume (stored by name).
    dragFollow - the other views follow while the left button is held down.
    showCrosshair - Slicer's crosshair is placed at each synced point.
    viewGroup - the view group that takes part, or -1 for all of them.
    """

    enabled: bool = False
    jumpMode: JumpMode = JumpMode.offset
    clampMode: ClampMode = ClampMode.clamp
    dragFollow: bool = True
    showCrosshair: bool = True
    viewGroup: Annotated[int, WithinRange(ALL_VIEW_GROUPS, MAX_VIEW_GROUP)] = ALL_VIEW_GROUPS


def settingsFromParameterNode(parameterNode: SliceSyncParameterNode) -> SyncSettings:
    """Read the panel's choices from a parameter node."""
    return SyncSettings(
        enabled=bool(parameterNode.enabled),
        jumpMode=parameterNode.jumpMode.name,
        clampMode=parameterNode.clampMode.name,
        dragFollow=bool(parameterNode.dragFollow),
        showCrosshair=bool(parameterNode.showCrosshair),
        viewGroup=int(parameterNode.viewGroup),
    )


def writeSettings(parameterNode: SliceSyncParameterNode, settings: SyncSettings) -> None:
    """Write choices to a parameter node in one modification."""
    settings.validate()
    with slicer.util.NodeModify(parameterNode.parameterNode):
        parameterNode.enabled = settings.enabled
        # The wrapper's own enum classes: after a module reload they differ from this file's JumpMode/ClampMode.
        parameterNode.jumpMode = type(parameterNode.jumpMode)[settings.jumpMode]
        parameterNode.clampMode = type(parameterNode.clampMode)[settings.clampMode]
        parameterNode.dragFollow = settings.dragFollow
        parameterNode.showCrosshair = settings.showCrosshair
        parameterNode.viewGroup = settings.viewGroup


def _sameNode(first: Optional[SliceSyncParameterNode], second: Optional[SliceSyncParameterNode]) -> bool:
    return first is not None and second is not None and first.parameterNode is second.parameterNode


def rememberedSettings() -> SyncSettings:
    """Return the user's last choices from the application settings (defaults if none)."""
    store = qt.QSettings()
    values = {}
    for name in SyncSettings().toStrings():
        if store.contains(SETTINGS_GROUP + name):
            values[name] = store.value(SETTINGS_GROUP + name)
    return SyncSettings.fromStrings(values)


def rememberSettings(settings: SyncSettings) -> None:
    """Store choices in the application settings, for the next scene and the next session."""
    store = qt.QSettings()
    for name, value in settings.toStrings().items():
        store.setValue(SETTINGS_GROUP + name, value)


#
# SliceSyncWidget
#


class SliceSyncWidget(ScriptedLoadableModuleWidget, VTKObservationMixin):
    """The SliceSync panel: options bound to the parameter node, and a status line."""

    def __init__(self, parent=None) -> None:
        ScriptedLoadableModuleWidget.__init__(self, parent)
        VTKObservationMixin.__init__(self)
        self.logic = None
        self._parameterNode = None
        self._parameterNodeGuiTag = None
        self._shortcut = None

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
        self.ui.resetButton.connect("clicked(bool)", self.onResetButton)
        self._installShortcut()

        self.addObserver(slicer.mrmlScene, slicer.mrmlScene.EndCloseEvent, self.onSceneEndClose)

        self.initializeParameterNode()
        if slicer.app.layoutManager() is None:
            self.onStatusChanged(_("No slice views (Slicer runs without its main window): sync is idle"))
        else:
            self.onStatusChanged(self.logic.statusText())

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
        if self._parameterNode is not None:
            self._parameterNode.disconnectGui(self._parameterNodeGuiTag)
            self._parameterNodeGuiTag = None
            self._parameterNode = None
        if self.logic is not None:
            self.logic.cleanup()
            self.logic = None

    def onReload(self) -> None:
        """Reload SliceSyncLib too, then the module (the old logic is cleaned up first by Slicer)."""
        for name in LIBRARY_MODULES:
            if name in sys.modules:
                importlib.reload(sys.modules[name])
        ScriptedLoadableModuleWidget.onReload(self)

    def enter(self) -> None:
        """Called each time the user opens this module."""
        self.initializeParameterNode()

    def exit(self) -> None:
        """Called when the user opens another module: sync carries on in the logic.

        The panel stays connected to its parameter node (one connection for the widget's lifetime): on Slicer
        5.8 connectGui returns no tag, so a disconnect/reconnect cycle would stack connectors on the widgets.
        """

    def onSceneEndClose(self, caller, event) -> None:
        """Called just after the scene is closed: the singleton parameter node survives; show it re-initialized."""
        self.initializeParameterNode()

    def initializeParameterNode(self) -> None:
        """Ensure the parameter node exists and is shown."""
        self.setParameterNode(self.logic.getParameterNode())

    def setParameterNode(self, inputParameterNode: Optional[SliceSyncParameterNode]) -> None:
        """Show a parameter node in the panel (the logic observes it separately)."""
        if _sameNode(inputParameterNode, self._parameterNode):
            return
        if self._parameterNode is not None:
            self._parameterNode.disconnectGui(self._parameterNodeGuiTag)
            self._parameterNodeGuiTag = None
        self._parameterNode = inputParameterNode
        if self._parameterNode is not None:
            # Widgets carry a "SlicerParameterName" dynamic property in SliceSync.ui.
            self._parameterNodeGuiTag = self._parameterNode.connectGui(self.ui)

    def onStatusChanged(self, text: str) -> None:
        """Show the engine's status line."""
        self.ui.statusLabel.text = text

    def onToggleShortcut(self) -> None:
        """Turn sync on or off from the keyboard."""
        with slicer.util.tryWithErrorDisplay(_("Failed to toggle SliceSync."), waitCursor=False):
            self.logic.toggleEnabled()

    def onResetButton(self) -> None:
        """Put the options back to their defaults (sync stays on or off)."""
        with slicer.util.tryWithErrorDisplay(_("Failed to reset the SliceSync options."), waitCursor=False):
            parameterNode = self.logic.getParameterNode()
            enabled = bool(parameterNode.enabled)
            writeSettings(parameterNode, SyncSettings(enabled=enabled))


#
# SliceSyncLogic
#


class SliceSyncLogic(ScriptedLoadableModuleLogic, VTKObservationMixin):
    """Feeds the layout manager's slice views to one SliceSync engine and applies the parameter node.

    The bookkeeping itself is SliceSyncLib.ViewBinding (tested headless); this class is the Slicer glue.
    """

    def __init__(self) -> None:
        ScriptedLoadableModuleLogic.__init__(self)
        VTKObservationMixin.__init__(self)
        self.binding = ViewBinding(slicer.mrmlScene)
        self._parameterNode = None
        self._layoutManager = slicer.app.layoutManager()
        if self._layoutManager is None:
            logging.info("SliceSync: no layout manager (no main window); click-to-sync stays idle")
            return
        self._layoutManager.layoutChanged.connect(self.onLayoutChanged)
        self.addObserver(slicer.mrmlScene, slicer.mrmlScene.StartCloseEvent, self.onSceneStartClose)
        self.addObserver(slicer.mrmlScene, slicer.mrmlScene.EndCloseEvent, self.onSceneEndClose)
        self.addObserver(slicer.mrmlScene, slicer.mrmlScene.EndImportEvent, self.onSceneEndImport)
        self.updateViews()
        self.setParameterNode(self.getParameterNode())

    @property
    def engine(self):
        """The SliceSyncEngine driving the views."""
        return self.binding.engine

    def getParameterNode(self) -> SliceSyncParameterNode:
        """Return the scene's SliceSync parameter node; a new one starts from the user's last choices."""
        node = ScriptedLoadableModuleLogic.getParameterNode(self)
        parameterNode = SliceSyncParameterNode(node)
        if not node.GetParameter(INITIALIZED_PARAMETER):
            writeSettings(parameterNode, rememberedSettings())
            node.SetParameter(INITIALIZED_PARAMETER, "1")
        return parameterNode

    def setParameterNode(self, parameterNode: Optional[SliceSyncParameterNode]) -> None:
        """Observe a parameter node and apply it."""
        if _sameNode(parameterNode, self._parameterNode):
            self.applyParameterNode()
            return
        if self._parameterNode is not None:
            self.removeObserver(
                self._parameterNode.parameterNode, vtk.vtkCommand.ModifiedEvent, self.onParameterNodeModified
            )
        self._parameterNode = parameterNode
        if parameterNode is not None:
            self.addObserver(parameterNode.parameterNode, vtk.vtkCommand.ModifiedEvent, self.onParameterNodeModified)
            self.applyParameterNode()

    def onParameterNodeModified(self, caller, event) -> None:
        """The user (panel, shortcut, script) changed a choice: apply it and remember it."""
        if not slicer.mrmlScene.IsClosing():
            self.applyParameterNode(remember=True)

    def applyParameterNode(self, remember: bool = False) -> None:
        """Give the parameter node's values to the engine; with ``remember``, store them as the user's choices.

        Binding to a node (new scene, loaded scene) does not remember: a loaded scene's values are that scene's,
        not the user's defaults.
        """
        if self._parameterNode is None:
            return
        try:
            settings = settingsFromParameterNode(self._parameterNode)
            self.binding.applySettings(settings)
        except ValueError:
            logging.exception("SliceSync: the parameter node holds invalid values; sync settings unchanged")
            return
        if remember and not (slicer.mrmlScene.IsImporting() or slicer.mrmlScene.IsClosing()):
            rememberSettings(settings)

    def toggleEnabled(self) -> bool:
        """Turn sync on if off and off if on; return the new state."""
        parameterNode = self._parameterNode or self.getParameterNode()
        parameterNode.enabled = not parameterNode.enabled
        return bool(parameterNode.enabled)

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
        self.setParameterNode(self.getParameterNode())

    def onSceneEndImport(self, caller, event) -> None:
        self.updateViews()
        self.setParameterNode(self.getParameterNode())

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
        oldEngine = self._logic().engine
        oldResult = oldEngine.lastResult
        slicer.util.reloadScriptedModule("SliceSync")
        self.assertEqual([observerCount(interactor) for interactor in interactors], before)
        self.assertEqual(observerCount(slicer.mrmlScene), sceneBefore)
        self.assertEqual(oldEngine.views(), [])
        logic = self._logic()
        self.assertIsNot(logic.engine, oldEngine)
        self.assertTrue(logic.engine.isEnabled())
        ctx.views["Red"].click(*pixel)
        self.assertIs(oldEngine.lastResult, oldResult, "the engine of the unloaded module still reacts to clicks")
        self.assertIsNotNone(logic.engine.lastResult)
        for name in ("Yellow", "Green"):
            checkPassesThrough(ctx.views[name], point, "after a module reload")
