"""The web viewer's server and a headless Chromium, started and stopped by process ID, for tests and the benchmark."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any, Callable, Optional, Sequence

WEB = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(WEB)
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMEDRIVER_CANDIDATES = ("/usr/bin/chromedriver",)
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
WINDOW_SIZE = (1500, 1000)
# The layout's views, left to right, by slice node name.
VIEW_NAMES = ("Red", "Yellow", "Green")


def chromiumPaths() -> tuple[Optional[str], Optional[str]]:
    """Return (chromium, chromedriver) executables, or None for each one missing."""
    browser = next((p for p in CHROMIUM_CANDIDATES if os.access(p, os.X_OK)), None) or shutil.which("chromium")
    driver = next((p for p in CHROMEDRIVER_CANDIDATES if os.access(p, os.X_OK)), None) or shutil.which("chromedriver")
    return browser, driver


def freePort() -> int:
    """Return a TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def portIsFree(port: int) -> bool:
    """Return True if nothing accepts connections on 127.0.0.1:port."""
    with socket.socket() as probe:
        probe.settimeout(1.0)
        return probe.connect_ex(("127.0.0.1", port)) != 0


def descendants(pid: int) -> list[int]:
    """Return the IDs of every process below pid (read from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stream:
                fields = stream.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def dieWithParent() -> None:
    """In a child process (Linux): get SIGKILL when the process that started it dies, even if that one was killed."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def killProcesses(pids: list[int]) -> None:
    """Send SIGKILL to each pid still alive."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


def waitFor(condition: Callable[[], Any], timeout: float, what: str, interval: float = 0.05) -> Any:
    """Poll condition until it returns something true; raise AssertionError naming what after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


class ViewerServer:
    """`python web/SliceSyncWeb.py` on a free port, with its view state written to a file the test reads."""

    def __init__(self, volume: Optional[str] = None, port: Optional[int] = None, extraArgs: Sequence[str] = ()) -> None:
        self.port = port or freePort()
        self.extraArgs = list(extraArgs)
        self.folder = tempfile.mkdtemp(prefix="slicesync-web-")
        self.stateFile = os.path.join(self.folder, "state.json")
        self.volume = volume
        self.process: Optional[subprocess.Popen] = None
        self.output: list[str] = []
        self.url: Optional[str] = None

    def start(self, timeout: float = 180.0) -> str:
        """Start the server and return its URL once it printed the address line."""
        command = [sys.executable, os.path.join(WEB, "SliceSyncWeb.py"), "--port", str(self.port)]
        command += ["--state-file", self.stateFile] + (["--volume", self.volume] if self.volume else [])
        command += self.extraArgs
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            preexec_fn=dieWithParent,
        )
        threading.Thread(target=self._readOutput, daemon=True).start()
        prefix = "SliceSync web viewer: "
        line = waitFor(
            lambda: (
                next((text for text in self.output if text.startswith(prefix)), None)
                or (self.process.poll() is not None and "exited")
            ),
            timeout,
            "the server's address line",
        )
        if line == "exited":
            raise AssertionError("the server exited:\n" + "".join(self.output[-40:]))
        self.url = line[len(prefix) :].strip()
        return self.url

    def _readOutput(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for text in self.process.stdout:
            self.output.append(text)

    def state(self) -> dict:
        """Return the state the server wrote last (views' planes, last sync, messages)."""
        with open(self.stateFile) as stream:
            return json.load(stream)

    def sizeReports(self) -> dict[str, int]:
        """Return, per view area, how many times a browser reported the area's measured size."""
        return self.state().get("sizeReports", {})

    def waitForMeasured(self, before: dict[str, int], count: int, timeout: float = 30.0) -> None:
        """Wait until count view areas were measured by a browser since the sizeReports() before."""
        waitFor(
            lambda: sum(n > before.get(name, 0) for name, n in self.sizeReports().items()) >= count,
            timeout,
            f"the browser to measure {count} views",
        )

    def interrupt(self, timeout: float = 20.0) -> Optional[float]:
        """Send Ctrl+C (SIGINT); return the seconds it took to exit, or None if it did not within timeout."""
        if self.process is None or self.process.poll() is not None:
            return 0.0
        start = time.monotonic()
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        return time.monotonic() - start

    def stop(self) -> None:
        """Stop the server by its PID: Ctrl+C first, then SIGKILL for it and anything it started."""
        if self.process is not None:
            children = descendants(self.process.pid)
            if self.process.poll() is None and self.interrupt(20.0) is None:
                killProcesses(descendants(self.process.pid) + [self.process.pid])
                self.process.wait(10)
            killProcesses(children)
            if self.process.stdout is not None:
                self.process.stdout.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def openViewer(browser: Browser, server: ViewerServer, timeout: float = 90.0) -> list[dict]:
    """Load the viewer's page, wait until its views have rendered and the browser has measured each one (its
    pointer events are dropped until then); return the views' boxes."""
    before = server.sizeReports()
    boxes = browser.open(server.url, timeout)
    server.waitForMeasured(before, len(boxes), timeout)
    return boxes


class Browser:
    """A headless Chromium driven by selenium through Debian's chromedriver; fresh profile, fixed window size."""

    def __init__(self, deviceScaleFactor: float = 1.0) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        browser, driver = chromiumPaths()
        if browser is None or driver is None:
            raise RuntimeError("chromium or chromedriver is missing")
        self.profile = tempfile.mkdtemp(prefix="slicesync-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = browser
        for flag in CHROMIUM_FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--window-size={WINDOW_SIZE[0]},{WINDOW_SIZE[1]}")
        options.add_argument(f"--force-device-scale-factor={deviceScaleFactor:g}")  # 2: a high-DPI screen
        options.add_argument(f"--user-data-dir={self.profile}")
        self.service = Service(driver, popen_kw={"preexec_fn": dieWithParent})
        self.driver = webdriver.Chrome(service=self.service, options=options)
        self.driver.set_page_load_timeout(60)
        self.driver.set_script_timeout(30)
        self.driverPid: Optional[int] = self.service.process.pid

    def quit(self) -> None:
        """Quit the browser; whatever is left of chromedriver and Chromium is killed by PID. Safe to call twice."""
        if self.driverPid is None:
            return
        pids = descendants(self.driverPid) + [self.driverPid]
        done = threading.Event()

        def quitDriver() -> None:
            with contextlib.suppress(Exception):  # the browser may be gone already; it is killed below anyway
                self.driver.quit()
            done.set()

        threading.Thread(target=quitDriver, daemon=True).start()
        done.wait(15)
        killProcesses(pids)
        self.driverPid = None
        shutil.rmtree(self.profile, ignore_errors=True)

    # -- page --------------------------------------------------------------------------------------

    def open(self, url: str, timeout: float = 90.0) -> list[dict]:
        """Load the page and wait until every view shows a rendered image; return the views' boxes."""
        self.driver.get(url)
        return self.waitForViews(timeout)

    def waitForViews(self, timeout: float = 90.0, count: int = len(VIEW_NAMES)) -> list[dict]:
        """Wait until count view images show a rendered slice at their size; return their boxes (CSS pixels)."""
        script = """
            const images = Array.from(document.querySelectorAll('#slicesync-views img.image-display-area'));
            if (images.length !== arguments[0]) return null;
            const boxes = [];
            for (const image of images) {
              if (!image.complete || image.naturalWidth === 0) return null;
              const canvas = document.createElement('canvas');
              canvas.width = 32; canvas.height = 32;
              const context = canvas.getContext('2d');
              context.drawImage(image, 0, 0, 32, 32);
              const data = context.getImageData(0, 0, 32, 32).data;
              let bright = 0;
              for (let i = 0; i < data.length; i += 4) if (data[i] + data[i + 1] + data[i + 2] > 150) bright++;
              if (bright < 20) return null;
              const box = image.getBoundingClientRect();
              // Not yet rendered at its size (in device pixels: twice the CSS size on a 2x screen).
              if (image.naturalWidth !== Math.round(box.width * window.devicePixelRatio)) return null;
              boxes.push({x: box.left, y: box.top, width: box.width, height: box.height,
                          naturalWidth: image.naturalWidth, naturalHeight: image.naturalHeight});
            }
            return boxes;
        """
        return waitFor(lambda: self.driver.execute_script(script, count), timeout, "the views to render")

    def installFrameWatch(self) -> None:
        """Record, in the page, when each view image changes and when each pointer press arrives."""
        self.driver.execute_script("""
            window.sliceSyncFrames = [];
            window.sliceSyncPresses = [];
            const images = Array.from(document.querySelectorAll('#slicesync-views img.image-display-area'));
            images.forEach((image, index) => {
              window.sliceSyncFrames.push([]);
              new MutationObserver(() => window.sliceSyncFrames[index].push(performance.now()))
                .observe(image, {attributes: true, attributeFilter: ['src']});
            });
            window.addEventListener('pointerdown', () => window.sliceSyncPresses.push(performance.now()), true);
        """)

    def mouse(self, kind: str, x: float, y: float, modifiers: int = 0, buttons: int = 0, button: str = "none") -> None:
        """Send one real mouse event through the DevTools protocol (Input.dispatchMouseEvent)."""
        event = {"type": kind, "x": x, "y": y, "modifiers": modifiers, "buttons": buttons, "button": button}
        if kind in ("mousePressed", "mouseReleased"):
            event["clickCount"] = 1
        self.driver.execute_cdp_cmd("Input.dispatchMouseEvent", event)

    def click(self, x: float, y: float, modifiers: int = 0) -> None:
        """Move to (x, y), press and release the left button there (page CSS pixels)."""
        self.mouse("mouseMoved", x, y)
        self.mouse("mousePressed", x, y, modifiers, buttons=1, button="left")
        self.mouse("mouseReleased", x, y, modifiers, buttons=0, button="left")

    def key(self, key: str, keyCode: int, modifiers: int = 0) -> None:
        """Press and release one key through the DevTools protocol (Input.dispatchKeyEvent) in the focused element."""
        for kind in ("rawKeyDown", "keyUp"):
            event = {"type": kind, "key": key, "code": key, "windowsVirtualKeyCode": keyCode, "modifiers": modifiers}
            self.driver.execute_cdp_cmd("Input.dispatchKeyEvent", event)

    def text(self, elementId: str) -> str:
        """Return the text shown by the element with this id."""
        return self.driver.execute_script(f"return document.getElementById('{elementId}').innerText")

    def screenshot(self, path: str, downTo: str = "slicesync-message") -> str:
        """Save the page, down to the bottom of the element with id downTo, as a PNG; return its path."""
        from PIL import Image

        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        self.driver.save_screenshot(path)
        script = f"return document.getElementById('{downTo}').getBoundingClientRect().bottom"
        bottom = self.driver.execute_script(script)
        with Image.open(path) as page:
            cropped = page.crop((0, 0, page.width, min(page.height, int(bottom) + 8)))
        cropped.save(path)
        return path
