"""Click-to-new-frame latency of the web viewer in a real headless Chromium.

    python web/bench_web_latency.py [--clicks 50] [--save]

Starts web/SliceSyncWeb.py on a free port and a headless Chromium, then clicks in the axial view, alternating
between two points so that both other views must move every time. For each click it measures, in the page,
the time from the pointer press arriving (the DevTools mouse event) until the image of every target view has
changed. It prints the median and writes out/bench_web_latency.md; --save also writes
web/results/bench_web_latency.md, the copy the README links to.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, "tests"), HERE]

from WebHarness import ROOT, VIEW_NAMES, Browser, ViewerServer, chromiumPaths, openViewer, waitFor  # noqa: E402

POINTS = ((0.36, 0.40), (0.62, 0.58))  # fractions of the axial view; each click moves sagittal and coronal
TARGETS = (1, 2)  # Yellow and Green in the page's order


def settledFrameCounts(browser: Browser, quiet: float = 0.3) -> list[int]:
    """Wait until no view has shown a new image for quiet seconds (late frames of the last click included)."""
    script = "return [window.sliceSyncPresses.length, ...window.sliceSyncFrames.map(f => f.length)]"
    counts = browser.driver.execute_script(script)
    since = time.monotonic()
    while time.monotonic() - since < quiet:
        time.sleep(0.05)
        now = browser.driver.execute_script(script)
        if now != counts:
            counts, since = now, time.monotonic()
    return counts


def measure(clicks: int, warmup: int = 5) -> tuple[list[float], dict]:
    """Return the latencies (ms) of clicks after warmup clicks, and facts about the run."""
    server = ViewerServer()
    browser = None
    try:
        server.start()
        browser = Browser()
        boxes = openViewer(browser, server)
        browser.installFrameWatch()
        box = boxes[0]
        latencies = []
        for index in range(warmup + clicks):
            fx, fy = POINTS[index % 2]
            x, y = box["x"] + fx * box["width"], box["y"] + fy * box["height"]
            counts = settledFrameCounts(browser)
            previous = server.state()["lastSync"]
            browser.click(x, y)

            def arrived(counts=counts):
                return browser.driver.execute_script(
                    """
                    const [presses, ...frames] = arguments[0];
                    if (window.sliceSyncPresses.length <= presses) return null;
                    const pressed = window.sliceSyncPresses[presses];
                    const firsts = arguments[1].map(i => window.sliceSyncFrames[i].slice(frames[i])
                        .find(t => t >= pressed));
                    return firsts.every(t => t !== undefined) ? Math.max(...firsts) - pressed : null;
                    """,
                    counts,
                    list(TARGETS),
                )

            latency = waitFor(arrived, 15, "new frames in every target view")
            waitFor(lambda previous=previous: server.state()["lastSync"] != previous, 15, "the server's sync")
            if index >= warmup:
                latencies.append(float(latency))
        facts = {
            "load": "/".join(f"{value:.1f}" for value in os.getloadavg()),
            "views": f"{len(VIEW_NAMES)} slice views of {int(boxes[0]['width'])} x {int(boxes[0]['height'])} pixels",
            "volume": server.state()["volume"],
        }
        return latencies, facts
    finally:
        if browser is not None:
            browser.quit()
        server.stop()


def report(latencies: list[float], facts: dict) -> str:
    """Return the Markdown report of one run."""
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    from importlib.metadata import version

    import vtk

    lines = [
        "# Web viewer: click to new frame in every target view",
        "",
        f"Written by `python web/bench_web_latency.py` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
        "",
        f"- Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()},"
        f" Python {platform.python_version()}, VTK {vtk.vtkVersion.GetVTKVersion()},"
        f" slicer-core {version('slicer-core')}, trame-slicer {version('trame-slicer')},"
        f" headless Chromium ({chromiumPaths()[0]}),"
        " off-screen Mesa rendering, trame-rca JPEG frames.",
        f"- Page: {facts['views']}; volume {facts['volume']}.",
        f"- Load average (1/5/15 min) when the clicks ended: {facts['load']} (the machine is shared; on 2 cores a"
        " load above 2 means every process waits for the CPU, and these times grow with it).",
        "- Each click: DevTools mouse press + release in the axial view, alternating between two points, so both"
        " other views move; timed in the page from the press event to the first new image of the last target"
        " (the views are quiet, no image for 0.3 s, before each click).",
        "",
        "| Clicks | Median (ms) | p95 (ms) | Min (ms) | Max (ms) |",
        "|---|---|---|---|---|",
        f"| {len(latencies)} | {statistics.median(latencies):.1f} | {p95:.1f} | {ordered[0]:.1f} | {ordered[-1]:.1f} |",
        "",
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    """Run the measurement and write the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=50, help="measured clicks (default 50)")
    parser.add_argument("--save", action="store_true", help="also write web/results/bench_web_latency.md")
    args = parser.parse_args(argv)
    if None in chromiumPaths():
        sys.stderr.write("error: chromium and chromedriver are needed (bash .ci/run installs them)\n")
        return 2
    latencies, facts = measure(args.clicks)
    text = report(latencies, facts)
    outputs = [os.path.join(ROOT, "out", "bench_web_latency.md")]
    if args.save:
        outputs.append(os.path.join(HERE, "results", "bench_web_latency.md"))
    for path in outputs:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as stream:
            stream.write(text)
    sys.stdout.write(text + "\n" + "".join(f"Wrote {path}\n" for path in outputs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
