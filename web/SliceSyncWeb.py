"""SliceSync in the browser: trame-slicer slice views of one volume; click in one view, the others follow.

    python web/SliceSyncWeb.py [--volume FILE] [--port 8080] [--host 127.0.0.1] [--link server|client]

Without --volume it opens the MNI152 T1 template shipped in the nilearn package. It prints
"SliceSync web viewer: http://HOST:PORT/" once the page is served; Ctrl+C stops it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
import tempfile
from typing import Any, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path[:0] = [HERE, os.path.join(ROOT, "SliceSync")]

DEFAULT_PORT = 8080
DEFAULT_HOST = "127.0.0.1"
RENDER_FPS = 30.0  # at most this many frames per second per view; a view renders only when something changed
VIEW_PIXELS = 480  # each slice view is a fixed square: clicks never resize it
LAYOUT_SIZES = {"three": (3, 1), "one": (1, 1)}
JUMP_LABELS = {"offset": "Offset", "centered": "Centered", "keepInView": "Keep in view"}
LINK_POLL_SECONDS = 0.02  # how often received link points are applied (on the server's event loop)
IGNORED_CLICK_PREFIX = "Click ignored:"
CLAMP_LABELS = {"clamp": "Clamp to the volume", "ignoreOutside": "Ignore clicks outside", "off": "Follow anyway"}


def parseArguments(argv: Optional[list[str]] = None) -> argparse.Namespace:
    """Parse the viewer's command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--volume", help="a volume file Slicer can read (default: the MNI152 T1 template)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to serve on (default {DEFAULT_PORT})")
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to bind (default {DEFAULT_HOST})")
    parser.add_argument(
        "--link",
        choices=("server", "client"),
        help="share the cursor with a desktop Slicer's SliceSync or another OpenIGTLink tool (POINT messages)",
    )
    parser.add_argument("--link-host", default="127.0.0.1", help="the link's address (default 127.0.0.1)")
    parser.add_argument("--link-port", type=int, default=18944, help="the link's port (default 18944)")
    parser.add_argument("--state-file", help=argparse.SUPPRESS)  # tests: the server writes its view state here
    return parser.parse_args(argv)


@contextlib.contextmanager
def capturedVtkMessages():
    """Collect VTK's error and warning text instead of printing it; yields a function returning the text."""
    import vtk

    previous = vtk.vtkOutputWindow.GetInstance()
    previous.Register(None)
    capture = vtk.vtkStringOutputWindow()
    vtk.vtkOutputWindow.SetInstance(capture)
    try:
        yield capture.GetOutput
    finally:
        vtk.vtkOutputWindow.SetInstance(previous)
        previous.UnRegister(None)


@contextlib.contextmanager
def quietViewCreation():
    """Hide the two warnings VTK gives for every off-screen view trame-slicer builds (no X display; a deprecated
    resize event trame-slicer observes); errors still show."""
    import vtk

    warnings = vtk.vtkObject.GetGlobalWarningDisplay()
    verbosity = vtk.vtkLogger.GetCurrentVerbosityCutoff()
    vtk.vtkObject.GlobalWarningDisplayOff()
    vtk.vtkLogger.SetStderrVerbosity(vtk.vtkLogger.VERBOSITY_ERROR)
    try:
        yield
    finally:
        vtk.vtkLogger.SetStderrVerbosity(verbosity)
        vtk.vtkObject.SetGlobalWarningDisplay(warnings)


class SliceSyncWebApp:
    """A trame server with trame-slicer slice views under one SliceSync engine, its controls and status line."""

    def __init__(self, server: Any, stateFile: Optional[str] = None) -> None:
        from trame_slicer.core import LayoutManager, SlicerApp
        from trame_slicer.rca_view import register_rca_factories
        from trame_slicer.views import Layout, LayoutDirection, ViewLayoutDefinition

        from RemoteInput import RemoteInputGuard
        from SliceSyncLib import SliceSyncEngine
        from TrameSlicerHost import registerTrameSlicerViews

        self.server = server
        self.state = server.state
        self.stateFile = stateFile
        self.slicerApp = SlicerApp()
        self.scene = self.slicerApp.scene
        self.volumeNode = None
        # The message line an "ignored click" notice replaced, shown again after the next sync.
        self._beforeNotice: Optional[tuple[str, bool]] = None

        def noViewUi(*_args: Any) -> None:
            return None

        # Before any view exists: every view area the browser talks to is guarded from its first event.
        self.inputGuard = RemoteInputGuard(server, onChange=self.writeState, onIgnoredPress=self._onIgnoredPress)

        # Every view streams at the same rate, hovered or not: the views a click moves are never the hovered one.
        register_rca_factories(
            self.slicerApp.view_manager,
            server,
            slice_view_ui_f=noViewUi,
            three_d_view_ui_f=noViewUi,
            target_fps=RENDER_FPS,
            blur_fps=RENDER_FPS,
        )
        self.layoutManager = LayoutManager(self.scene, self.slicerApp.view_manager, server)
        axial, sagittal, coronal = (
            ViewLayoutDefinition.axial_view(),
            ViewLayoutDefinition.sagittal_view(),
            ViewLayoutDefinition.coronal_view(),
        )
        self.layoutManager.register_layout_dict(
            {
                "three": Layout(LayoutDirection.Horizontal, [axial, sagittal, coronal]),
                "one": Layout(LayoutDirection.Horizontal, [axial]),
            },
            lazy_initialization=True,
        )
        self.layoutManager.current_layout_changed.connect(self._onLayoutChanged)

        crosshair = self.scene.GetFirstNodeByClass("vtkMRMLCrosshairNode")
        crosshair.SetCrosshairMode(crosshair.ShowBasic)
        crosshair.SetCrosshairThickness(crosshair.Fine)

        self.engine = SliceSyncEngine(self.scene)
        self.engine.setStatusCallback(self._onStatus)
        self.host = registerTrameSlicerViews(self.slicerApp.view_manager, self.engine, self.layoutManager)
        self.engine.setEnabled(True)

        self.state.update(
            {
                "trame__title": "SliceSync",
                "syncOn": True,
                "jumpMode": "offset",
                "clampMode": "clamp",
                "dragFollow": True,
                "layoutName": "three",
                "statusText": self.engine.statusText(),
                "message": "",
                "messageIsError": False,
                "uploadBusy": False,
                "showReadout": True,
                "canGoBack": False,
                "canGoForward": False,
                "readoutText": "",
                "captions": [],
            }
        )
        self.state.change("syncOn")(self._onSyncChanged)
        self.state.change("jumpMode")(self._onJumpModeChanged)
        self.state.change("clampMode")(self._onClampModeChanged)
        self.state.change("dragFollow")(self._onDragFollowChanged)
        self.state.change("layoutName")(self._onLayoutNameChanged)
        self.state.change("showReadout")(self._onShowReadoutChanged)
        self.server.controller.trigger("slicesync_upload")(self.onUpload)
        self._buildUi()
        with quietViewCreation():
            self.layoutManager.set_layout("three")
        self.host.refresh()
        self._updateCaptions()

    # -- page ----------------------------------------------------------------------------------------

    def _buildUi(self) -> None:
        from trame.ui.html import DivLayout
        from trame.widgets import client, html

        from Volumes import MAX_UPLOAD_BYTES

        limitMb = MAX_UPLOAD_BYTES // 2**20
        onFile = (
            "const file = $event.target.files[0]; $event.target.value = '';"
            "if (!file) { return; }"
            f"if (file.size > {MAX_UPLOAD_BYTES}) {{ messageIsError = true;"
            f" message = file.name + ': the file is larger than the {limitMb} MB limit'; return; }}"
            "uploadBusy = true; message = 'Loading ' + file.name + ' ...'; messageIsError = false;"
            "trame.trigger('slicesync_upload', [file]).finally(() => { uploadBusy = false; });"
        )
        views = self._viewAreaStyle()
        with DivLayout(self.server) as layout:
            client.Style(
                "html, body { margin: 0; background: #141414; color: #ddd; font: 14px sans-serif; }"
                " #slicesync-controls { display: flex; flex-wrap: wrap; gap: 6px 12px; align-items: center;"
                " padding: 8px 10px; }"
                " #slicesync-controls label { white-space: nowrap; }"
                " #slicesync-captions { display: flex; margin: 0 10px; }"
                f" .slicesync-caption {{ width: {VIEW_PIXELS + 2}px; box-sizing: border-box; display: flex;"
                " justify-content: space-between; padding: 2px 6px; font-size: 13px; color: #bbb; }"
                " .slicesync-caption b { color: #eee; font-weight: normal; }"
                " #slicesync-controls, #slicesync-controls select, #slicesync-controls button"
                " { font: 13px sans-serif; }"
                " #slicesync-status, #slicesync-message, #slicesync-readout { padding: 6px 10px; white-space: nowrap;"
                " overflow: hidden; text-overflow: ellipsis; height: 18px; }"
                " #slicesync-message.error { color: #ff6b5b; }"
            )
            with html.Div(id="slicesync-controls"):
                html.B("SliceSync")
                with html.Label():
                    html.Input(type="checkbox", id="slicesync-sync", v_model=("syncOn",))
                    html.Span(" Sync views on click")
                with html.Label():
                    html.Span("Jump ")
                    with html.Select(id="slicesync-jump", v_model=("jumpMode",)):
                        for value, label in JUMP_LABELS.items():
                            html.Option(label, value=value)
                with html.Label():
                    html.Span("Outside the volume ")
                    with html.Select(id="slicesync-clamp", v_model=("clampMode",)):
                        for value, label in CLAMP_LABELS.items():
                            html.Option(label, value=value)
                with html.Label():
                    html.Input(type="checkbox", id="slicesync-drag", v_model=("dragFollow",))
                    html.Span(" Follow while dragging")
                with html.Label():
                    html.Input(type="checkbox", id="slicesync-readout-on", v_model=("showReadout",))
                    html.Span(" Readout")
                with html.Label():
                    html.Span("Views ")
                    with html.Select(id="slicesync-layout", v_model=("layoutName",)):
                        html.Option("Axial, sagittal, coronal", value="three")
                        html.Option("Axial only", value="one")
                html.Button("Back", id="slicesync-back", disabled=("!canGoBack",), click=self.goBack)
                html.Button("Forward", id="slicesync-forward", disabled=("!canGoForward",), click=self.goForward)
                html.Button(
                    "Open volume...",
                    id="slicesync-open",
                    disabled=("uploadBusy",),
                    click="document.getElementById('slicesync-file').click()",
                )
                html.Input(
                    type="file",
                    id="slicesync-file",
                    style="display: none",
                    accept=",".join(_acceptedSuffixes()),
                    change=onFile,
                )
            # Each view's name and, at its left and right edges, the patient direction that side of the screen faces.
            with (
                html.Div(id="slicesync-captions"),
                html.Div(v_for="caption in captions", key="caption[1]", classes="slicesync-caption"),
            ):
                html.Span("{{ caption[0] }}")
                html.B("{{ caption[1] }}")
                html.Span("{{ caption[2] }}")
            with html.Div(id="slicesync-views", style=(views,)):
                self.layoutManager.initialize_layout_grid(layout)
            html.Div("{{ statusText }}", id="slicesync-status")
            html.Div("{{ readoutText }}", id="slicesync-readout", v_show=("showReadout",))
            html.Div("{{ message }}", id="slicesync-message", classes=("messageIsError ? 'error' : ''",))
        self._layout = layout

    def _viewAreaStyle(self) -> str:
        # One fixed box per layout (1 px border around each view): the views never resize on their own.
        cases = []
        for name, (columns, rows) in LAYOUT_SIZES.items():
            width, height = columns * (VIEW_PIXELS + 2), rows * (VIEW_PIXELS + 2)
            cases.append(f"layoutName === '{name}' ? 'width: {width}px; height: {height}px;'")
        return "(" + " : ".join(cases) + " : '') + ' display: flex; margin: 0 10px;'"

    # -- controls ------------------------------------------------------------------------------------

    def _onSyncChanged(self, syncOn: Any, **_: Any) -> None:
        self.engine.setEnabled(bool(syncOn))
        self._onStatus(self.engine.statusText())

    def _onJumpModeChanged(self, jumpMode: Any, **_: Any) -> None:
        if jumpMode in JUMP_LABELS:
            self.engine.setJumpMode(jumpMode)

    def _onClampModeChanged(self, clampMode: Any, **_: Any) -> None:
        if clampMode in CLAMP_LABELS:
            self.engine.setClampMode(clampMode)

    def _onDragFollowChanged(self, dragFollow: Any, **_: Any) -> None:
        self.engine.setDragFollow(bool(dragFollow))

    def _onLayoutNameChanged(self, layoutName: Any, **_: Any) -> None:
        if layoutName in LAYOUT_SIZES:
            with quietViewCreation():
                self.layoutManager.set_layout(layoutName)

    def _onShowReadoutChanged(self, showReadout: Any, **_: Any) -> None:
        self._onStatus(self.engine.statusText())

    def _onLayoutChanged(self, *_args: Any) -> None:
        # Views a new layout creates show the current volume; the host adapter registers them with the engine.
        for view in self.slicerApp.view_manager.get_slice_views():
            if self.volumeNode is not None and view.get_background_volume_id() != self.volumeNode.GetID():
                view.set_background_volume_id(self.volumeNode.GetID())
                view.fit_view_to_content()
        self._updateCaptions()

    def _updateCaptions(self) -> None:
        """One caption per shown view, left to right: [left edge direction, "Axial (Red)", right edge direction]."""
        nodes = {
            view.get_view_node().GetName(): view.get_view_node()
            for view in self.slicerApp.view_manager.get_slice_views()
        }
        shown = ("Red", "Yellow", "Green") if self.state.layoutName == "three" else ("Red",)
        captions = []
        for name in shown:
            node = nodes.get(name)
            if node is None:
                continue
            left, right = screenXDirections(node)
            captions.append([left, f"{node.GetOrientation()} ({name})", right])
        self.state.captions = captions

    # -- status --------------------------------------------------------------------------------------

    def _onStatus(self, text: str) -> None:
        # The readout is computed only while it is shown: one line, the volumes separated by semicolons.
        readout = "; ".join(self.engine.readout().text().splitlines()) if self.state.showReadout else ""
        index, length = self.engine.historyIndex(), len(self.engine.history())
        with self.state:
            self.state.statusText = text
            self.state.readoutText = readout
            self.state.canGoBack = index > 0
            self.state.canGoForward = 0 <= index < length - 1
            if self._beforeNotice is not None:
                if self.state.message.startswith(IGNORED_CLICK_PREFIX):  # nothing newer replaced the notice
                    self.state.message, self.state.messageIsError = self._beforeNotice
                self._beforeNotice = None
        self.writeState()

    def goBack(self) -> None:
        """Sync every view to the previous point of the cursor's history."""
        self.engine.back()

    def goForward(self) -> None:
        """Sync every view to the next point of the cursor's history."""
        self.engine.forward()

    def _onIgnoredPress(self, viewName: str) -> None:
        if self._beforeNotice is None or not self.state.message.startswith(IGNORED_CLICK_PREFIX):
            self._beforeNotice = (self.state.message, bool(self.state.messageIsError))
        self._setMessage(f"{IGNORED_CLICK_PREFIX} the {viewName} view was still loading. Click again.", isError=False)

    def _setMessage(self, text: str, isError: bool) -> None:
        with self.state:
            self.state.message = text
            self.state.messageIsError = isError
        if isError:
            logging.warning("%s", text)
        self.writeState()

    def writeState(self) -> None:
        """For tests: write the views' planes, the volume's slice bounds and the last sync as JSON."""
        if not self.stateFile:
            return
        views = {}
        for view in self.slicerApp.view_manager.get_slice_views():
            sliceNode = view.get_view_node()
            if sliceNode is None:
                continue
            matrix = sliceNode.GetSliceToRAS()
            bounds = [0.0] * 6
            if self.volumeNode is not None:
                logic = self.slicerApp.app_logic.GetSliceLogic(sliceNode)
                logic.GetVolumeSliceBounds(self.volumeNode, bounds, True)
            views[sliceNode.GetName()] = {
                "sliceToRAS": [matrix.GetElement(i, j) for i in range(4) for j in range(4)],
                "xyToRAS": [sliceNode.GetXYToRAS().GetElement(i, j) for i in range(4) for j in range(4)],
                "dimensions": list(sliceNode.GetDimensions()),
                "volumeSliceBounds": bounds,
                "registered": sliceNode in self.engine.views(),
            }
        result = self.engine.lastResult
        data = {
            "status": self.engine.statusText(),
            "message": self.state.message,
            "volume": self.volumeNode.GetName() if self.volumeNode is not None else None,
            "enabled": self.engine.isEnabled(),
            "cursor": list(self.engine.cursorRAS() or []) or None,
            "history": [list(point) for point in self.engine.history()],
            "historyIndex": self.engine.historyIndex(),
            "lastSync": None
            if result is None
            else {
                "point": list(result.point),
                "source": result.sourceName,
                "targets": list(result.targetNames),
                "moved": list(result.movedNames),
                "clamped": list(result.clampedNames),
            },
            "views": views,
            "sizeReports": self.inputGuard.sizeReports(),
            "droppedEvents": self.inputGuard.droppedEvents(),
            "releasedButtons": self.inputGuard.releasedButtons(),
        }
        temporary = self.stateFile + ".tmp"
        with open(temporary, "w") as stream:
            json.dump(data, stream)
        os.replace(temporary, self.stateFile)

    # -- volumes -------------------------------------------------------------------------------------

    def openVolume(self, path: str, name: Optional[str] = None) -> Optional[str]:
        """Show the volume at path in every slice view; return None, or one line saying why it was not opened."""
        from Volumes import checkVolumeFile

        problem = checkVolumeFile(path)
        if problem:
            return problem
        name = name or os.path.basename(path)
        with capturedVtkMessages() as vtkMessages:
            node = self.slicerApp.volumes_logic.AddArchetypeVolume(path, name.split(".")[0] or "volume", 0)
        image = node.GetImageData() if node is not None else None
        if node is None or image is None or image.GetNumberOfPoints() == 0:
            if node is not None:
                self._removeVolume(node)
            detail = " ".join(vtkMessages().split())
            reason = "Slicer's volume reader could not read it" + (f" ({detail[:120]}...)" if detail else "")
            return f"{name}: {reason}"
        previous, self.volumeNode = self.volumeNode, node
        for view in self.slicerApp.view_manager.get_slice_views():
            view.set_background_volume_id(node.GetID())
            view.set_foreground_volume_id(None)
            view.fit_view_to_content()
        if previous is not None:
            self._removeVolume(previous)
        dimensions = "x".join(str(n) for n in image.GetDimensions())
        self._setMessage(f"Volume: {name} ({dimensions} voxels)", isError=False)
        return None

    def _removeVolume(self, node: Any) -> None:
        for index in reversed(range(node.GetNumberOfDisplayNodes())):
            display = node.GetNthDisplayNode(index)
            if display is not None:
                self.scene.RemoveNode(display)
        storage = node.GetStorageNode()
        if storage is not None:
            self.scene.RemoveNode(storage)
        self.scene.RemoveNode(node)

    def onUpload(self, file: Any) -> None:
        """Open a file chosen in the page; anything wrong becomes one line on the page, the volume stays."""
        from Volumes import MAX_UPLOAD_BYTES, safeFileName

        try:
            if not isinstance(file, dict) or not isinstance(file.get("name"), str):
                self._setMessage("Upload failed: no file received", isError=True)
                return
            name = safeFileName(file["name"])
            content = file.get("content")
            if file.get("error") or not isinstance(content, (bytes, bytearray)):
                self._setMessage(f"{name}: the browser could not read the file ({file.get('error')})", isError=True)
                return
            if len(content) > MAX_UPLOAD_BYTES:
                self._setMessage(f"{name}: the file is larger than the upload limit", isError=True)
                return
            with tempfile.TemporaryDirectory(prefix="slicesync-upload-") as folder:
                path = os.path.join(folder, name)
                with open(path, "wb") as stream:
                    stream.write(content)
                problem = self.openVolume(path, name)
            if problem:
                self._setMessage(f"Not opened: {problem}; the current volume stays", isError=True)
        except Exception as error:  # the server keeps serving whatever the file was
            logging.exception("SliceSync: upload failed")
            self._setMessage(f"Upload failed: {' '.join(str(error).split())[:160]}", isError=True)

    def cleanup(self) -> None:
        """Unregister the views, remove the engine's observers and stop guarding the views' input."""
        self.inputGuard.cleanup()
        self.host.cleanup()
        self.engine.cleanup()


def _acceptedSuffixes() -> list[str]:
    from Volumes import VOLUME_SUFFIXES

    return [suffix for suffix in VOLUME_SUFFIXES if suffix != ".nii.gz"] + [".gz"]


def screenXDirections(sliceNode: Any) -> tuple[str, str]:
    """Return the patient directions (R, L, A, P, S, I) a slice view's left and right edges face."""
    matrix = sliceNode.GetSliceToRAS()
    xAxis = [matrix.GetElement(i, 0) for i in range(3)]
    axis = max(range(3), key=lambda i: abs(xAxis[i]))
    positive, negative = "RAS"[axis], "LPI"[axis]
    return (negative, positive) if xAxis[axis] > 0 else (positive, negative)


def portProblem(host: str, port: int) -> Optional[str]:
    """Return None if the server can listen on host:port, else one line saying why not."""
    import socket

    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as error:
        import errno

        hint = "choose another with --port" if error.errno in (errno.EADDRINUSE, errno.EACCES) else "check --host"
        return f"cannot listen on {host}:{port} ({error.strerror or error}); {hint}"
    return None


def pollLinkForever(engine: Any, interval: float = LINK_POLL_SECONDS) -> Any:
    """Start an asyncio task on the running loop that applies received link points every ``interval`` seconds."""
    import asyncio

    async def poll() -> None:
        while True:
            engine.pollLink()
            await asyncio.sleep(interval)

    return asyncio.ensure_future(poll())


def main(argv: Optional[list[str]] = None) -> int:
    """Serve the viewer until Ctrl+C."""
    args = parseArguments(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    for option, port in (("--port", args.port), ("--link-port", args.link_port)):
        if not 0 <= port <= 65535:
            sys.stderr.write(f"error: {option} {port}: a port is a number from 1 to 65535 (0 picks a free one)\n")
            return 2
    from Volumes import defaultVolumePath

    if args.volume and not os.path.isfile(args.volume):
        what = "a folder, not a volume file" if os.path.isdir(args.volume) else "no such file"
        sys.stderr.write(f"error: --volume {args.volume}: {what}\n")
        return 2
    try:
        volumePath = args.volume or defaultVolumePath()
    except FileNotFoundError as error:
        sys.stderr.write(f"error: {error}\n")
        return 2
    problem = portProblem(args.host, args.port)
    if problem:
        sys.stderr.write(f"error: {problem}\n")
        return 2
    sys.argv = sys.argv[:1]  # trame reads the command line too; it gets its settings from here instead
    from trame.app import get_server

    server = get_server("slicesync", client_type="vue3")
    app = SliceSyncWebApp(server, args.state_file)
    problem = app.openVolume(volumePath)
    if problem:
        sys.stderr.write(f"error: {problem}\n")
        app.cleanup()
        return 2

    if args.link:
        try:
            app.engine.startLink(args.link, host=args.link_host, port=args.link_port)
        except (ValueError, RuntimeError) as error:
            sys.stderr.write(f"error: {error}\n")
            app.cleanup()
            return 2
        pollers = []  # keeps the task referenced: asyncio holds tasks weakly
        server.controller.on_server_ready.add(lambda **_: pollers.append(pollLinkForever(app.engine)))

    def announce(**_: Any) -> None:
        port = server.port
        sys.stdout.write(f"SliceSync web viewer: http://{args.host}:{port}/\n")
        sys.stdout.flush()

    server.controller.on_server_ready.add(announce)
    try:  # the web server stops on Ctrl+C (SIGINT) or SIGTERM by itself; then the views are cleaned up
        server.start(
            port=args.port,
            host=args.host,
            open_browser=False,
            show_connection_info=False,
            disable_logging=True,
            timeout=0,
        )
    except KeyboardInterrupt:
        pass
    finally:
        app.cleanup()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # Ctrl+C before the server started
        sys.exit(130)
