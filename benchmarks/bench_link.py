"""Link latency: a click in one process until another process's slice views have moved through the point.

This process runs the server engine on a headless bench (Red/Yellow/Green over nibabel's anatomical.nii) and
clicks in Red; a second process runs a client engine on its own bench and calls pollLink() every
``--poll-interval`` seconds, as a host's timer would. The latency of one click is the time from just before
the press in this process until the other process's pollLink() has moved its views (both read
time.perf_counter(), which is the system-wide monotonic clock on Linux). Writes out/bench-link.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, "SliceSync"), os.path.join(ROOT, "SliceSync", "Testing", "Python")]

from LinkPeer import Peer, anatomicalPath, freePort, waitFor  # noqa: E402

from SliceSyncBench import SliceViewBench  # noqa: E402
from SliceSyncLib import SliceSyncEngine  # noqa: E402

TOLERANCE_MM = 1e-3


def report(text: str) -> None:
    """Write one line to stdout (the benchmark's report)."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def measure(clicks: int, pollInterval: float) -> dict:
    bench = SliceViewBench()
    bench.addStandardViews()
    bench.showVolume(bench.loadVolume(anatomicalPath(), "anatomical"))
    engine = SliceSyncEngine(bench.scene)
    for view in bench.views.values():
        engine.addView(view.sliceNode, view.interactor)
    engine.setEnabled(True)
    port = freePort()
    engine.startLink("server", port=port)
    peer = Peer("engine", "client", port, pollInterval=pollInterval)
    try:
        peer.waitReady()
        waitFor(lambda: engine.linkStatus()["connected"], timeout=30)
        red = bench.views["Red"]
        width, height = red.size()
        latencies = []
        transport = []
        worst = 0.0
        for index in range(clicks):
            x = 60 + (index * 37) % (width - 120)
            y = 60 + (index * 53) % (height - 120)
            ras = red.pixelToRAS(x, y)
            started = time.perf_counter()
            red.click(x, y)
            # Asking does not hurry the peer: it answers at its own pollLink cadence.
            applied, appliedAt, receivedAt = waitFor(
                lambda count=index + 1: (lambda reply: reply if reply[0] >= count else None)(peer.call("applied")),
                timeout=20,
            )
            if applied != index + 1:
                raise RuntimeError(f"click {index + 1}: the peer applied {applied} points")
            latencies.append((appliedAt - started) * 1000.0)
            transport.append((receivedAt - started) * 1000.0)
            worst = max(worst, *(abs(d) for d in peer.call("distances", ras).values()))
            time.sleep(0.025)  # clicks further apart than the drag throttle: each is one message on its own
        if worst > TOLERANCE_MM:
            raise RuntimeError(f"the peer's views missed a clicked point by {worst} mm")
        return {
            "clicks": clicks,
            "pollIntervalMs": pollInterval * 1000.0,
            "medianMs": statistics.median(latencies),
            "p95Ms": percentile(latencies, 0.95),
            "maxMs": max(latencies),
            "receivedMedianMs": statistics.median(transport),
            "receivedP95Ms": percentile(transport, 0.95),
            "worstDistanceMm": worst,
            "sent": engine.linkStatus()["sent"],
        }
    finally:
        peer.close()
        engine.cleanup()
        bench.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clicks", type=int, default=200)
    parser.add_argument(
        "--poll-interval",
        type=float,
        action="append",
        help="seconds between the peer's pollLink() calls (repeatable; default 0.001 and 0.020)",
    )
    parser.add_argument("--output", default=os.path.join(ROOT, "out", "bench-link.json"))
    args = parser.parse_args()
    intervals = args.poll_interval or [0.001, 0.020]
    results = []
    for interval in intervals:
        result = measure(args.clicks, interval)
        results.append(result)
        report(
            f"poll every {result['pollIntervalMs']:.0f} ms: click -> other process's views moved over "
            f"{result['clicks']} clicks: median {result['medianMs']:.2f} ms, p95 {result['p95Ms']:.2f} ms, "
            f"max {result['maxMs']:.2f} ms (received by its I/O thread: median {result['receivedMedianMs']:.2f} ms, "
            f"p95 {result['receivedP95Ms']:.2f} ms)"
        )
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    with open(args.output, "w") as out:
        json.dump(
            {
                "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                "machine": os.uname().machine,
                "cpus": os.cpu_count(),
                "loadAverage1min": round(os.getloadavg()[0], 1),
                "results": results,
            },
            out,
            indent=2,
        )
    report(f"wrote {args.output}")


if __name__ == "__main__":
    main()
