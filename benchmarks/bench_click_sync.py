"""Benchmark: SliceSync's click-to-sync against Slicer's own C++ click, and how both scale.

Runs on the headless bench (real MRML, slice logics, the ten displayable managers of a Slicer slice view, interactor
styles, real interactor events); the measures live in one file each, on the shared harness (harness.py):

- measure_clicks.py: click latency for 3 views, 12 views and 3 shown + 6 hidden views, with the breakdown; the cost
  against the number of views and against the volume size;
- measure_drag.py: drag-follow steps against Slicer's native click-and-drag;
- measure_render.py: ModifiedEvents and render requests per click; end to end with off-screen rendering;
- measure_memory.py: memory and observers over 10,000 clicks and drags.

    python benchmarks/bench_click_sync.py                      # full run: writes out/bench_click_sync.{md,png}
    python benchmarks/bench_click_sync.py --update-results     # full run, also benchmarks/results/ and README
    python benchmarks/bench_click_sync.py --quick --output out/benchmark-smoke.png   # CI smoke run

The exit status is non-zero only when the benchmark itself is broken (a view that did not move, a plane that
misses the clicked point, a view rendered twice, ...), never because a speed goal was not reached.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from typing import Optional

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import harness  # noqa: E402
import report as reporting  # noqa: E402
from harness import ROOT, BenchmarkBrokenError, makeConfig, say  # noqa: E402
from measure_clicks import measureCases, measureViewCounts, measureVolumeSize  # noqa: E402
from measure_drag import measureDrag  # noqa: E402
from measure_memory import measureMemory  # noqa: E402
from measure_render import measureEndToEnd, measureEvents  # noqa: E402

RESULTS_DIR = os.path.join(HERE, "results")
RESULTS_PNG = os.path.join(RESULTS_DIR, "bench_click_sync.png")
OUT_PNG = os.path.join(ROOT, "out", "bench_click_sync.png")
README = os.path.join(ROOT, "README.md")

# Memory first: scenes built by the other measures (a 512^3 volume among them) are freed at unpredictable times and
# would show as a negative growth.
MEASURES = (
    ("memory and observers", measureMemory),
    ("click latency, 3 / 12 / 3 shown + 6 hidden views", measureCases),
    ("drag-follow steps", measureDrag),
    ("click cost against the number of views", measureViewCounts),
    ("ModifiedEvents and render requests per click", measureEvents),
    ("end to end with off-screen rendering", measureEndToEnd),
    ("volume size", measureVolumeSize),
)


def relative(path: str) -> str:
    return os.path.relpath(os.path.abspath(path), ROOT).replace(os.sep, "/")


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few iterations: checks the benchmark still works")
    parser.add_argument("--output", default=None, help=f"PNG plot path (default {relative(OUT_PNG)})")
    parser.add_argument("--markdown", default=None, help="table path (default: next to the PNG, .md)")
    parser.add_argument(
        "--update-results",
        action="store_true",
        help=f"also write {relative(RESULTS_DIR)}/ and the README's benchmark block (full runs only)",
    )
    parser.add_argument("--wall", action="store_true", help="time MRML-level rows with the wall clock, not CPU time")
    args = parser.parse_args(argv)
    if args.update_results and args.quick:
        parser.error("--update-results records a full run; it cannot be combined with --quick")
    config = makeConfig(args.quick)
    harness.useClock("wall" if args.wall else "cpu")
    output = args.output or OUT_PNG
    markdown = args.markdown or os.path.splitext(output)[0] + ".md"

    started = time.perf_counter()
    machine = reporting.machineDescription()
    say(f"SliceSync benchmark ({'quick smoke run' if config.quick else 'full run'}) on {machine['cpu']}")
    report: dict = {"clock": "wall" if args.wall else "thread CPU time"}
    try:
        for index, (title, measure) in enumerate(MEASURES, 1):
            say(f"({index}) {title}")
            measure(config, report)
        reporting.plot(config, report, output)
    except BenchmarkBrokenError as error:
        say(f"BENCHMARK BROKEN: {error}")
        return 1
    wall = time.perf_counter() - started
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = reporting.header(config, report, machine, wall, when)
    lines += ["## Against the goals", "", *reporting.mainTable(config, report), "", "## Breakdown", ""]
    lines += [*reporting.detailTable(config, report), "", *reporting.findings(config, report)]
    text = "\n".join(lines + reporting.footer(config, report, relative(output))) + "\n"
    os.makedirs(os.path.dirname(os.path.abspath(markdown)), exist_ok=True)
    with open(markdown, "w") as out:
        out.write(text)
    say("")
    say(text)
    say(f"table written to {relative(markdown)}, plot to {relative(output)}")
    if args.update_results:
        os.makedirs(RESULTS_DIR, exist_ok=True)
        resultsText = text.replace(relative(output), relative(RESULTS_PNG))
        with open(os.path.join(RESULTS_DIR, "bench_click_sync.md"), "w") as out:
            out.write(resultsText)
        reporting.plot(config, report, RESULTS_PNG)
        if reporting.updateReadme(README, reporting.readmeBlock(config, report, machine, when)):
            say(f"results recorded in {relative(RESULTS_DIR)}/ and README.md")
        else:
            say(f"results recorded in {relative(RESULTS_DIR)}/; README.md has no benchmark markers, left alone")
    return 0


if __name__ == "__main__":
    sys.exit(main())
