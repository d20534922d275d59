"""The benchmark's report: the results table, the goals, the breakdown sentences, the plot and the README block."""

from __future__ import annotations

import os
import platform

import numpy as np
import vtk
from harness import Config, Sample, ratio
from measure_clicks import CASES
from measure_render import CLICK_KINDS

GOAL_CLICK = 1.10
GOAL_HIDDEN = 0.4
GOAL_END_TO_END = 1.0
GOAL_VOLUME = 1.1
HIDDEN_CASE = CASES[2][0]

README_START = "<!-- benchmark:start (written by benchmarks/bench_click_sync.py --update-results) -->"
README_END = "<!-- benchmark:end -->"


def machineDescription() -> dict:
    """CPU, cores, memory, OS, Python, VTK, slicer-core and the OpenGL renderer used off-screen."""
    from importlib import metadata

    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = "?"
    try:
        with open("/proc/meminfo") as info:
            memory = f"{int(info.readline().split()[1]) / 1024 / 1024:.0f} GB"
    except OSError:
        pass
    window = vtk.vtkRenderWindow()
    window.SetOffScreenRendering(1)
    window.Render()
    renderer = next(
        (
            line.split(":", 1)[1].strip()
            for line in window.ReportCapabilities().splitlines()
            if line.startswith("OpenGL renderer string")
        ),
        window.GetClassName(),
    )
    window.Finalize()
    try:
        slicerCore = metadata.version("slicer-core")
    except metadata.PackageNotFoundError:
        slicerCore = "?"
    return {
        "cpu": f"{cpu}, {os.cpu_count()} cores, {memory} RAM",
        "os": platform.platform(),
        "python": platform.python_version(),
        "vtk": vtk.vtkVersion.GetVTKVersion(),
        "slicerCore": slicerCore,
        "renderer": f"{renderer} ({window.GetClassName()})",
    }


def fmt(sample: Sample, digits: int = 3) -> str:
    return f"{sample.median:.{digits}f} ({sample.p95:.{digits}f})"


def goals(config: Config, report: dict) -> dict:
    """Each goal: (what, reached)."""
    result = {}
    for label, _, _ in CASES:
        limit = GOAL_HIDDEN if label == HIDDEN_CASE else GOAL_CLICK
        clicks = report["clicks"][label]["samples"]
        drag = report["drag"][label]
        result[f"click, {label}"] = ratio(clicks["SliceSync"], clicks["native"]) <= limit
        result[f"drag step, {label}"] = ratio(drag["SliceSync"], drag["native"]) <= limit
    result["end to end"] = ratio(report["e2e"]["SliceSync"], report["e2e"]["native"]) <= GOAL_END_TO_END
    volume = report["volume"]
    result["volume size"] = ratio(volume["large"], volume["small"]) <= GOAL_VOLUME
    memory = report["memory"]
    result["memory"] = memory["rssGrowthKB"] < 1024 and not memory["observersChanged"]
    return result


def verdict(config: Config, reached: bool) -> str:
    if config.quick:
        return "not judged (quick run)"
    return "yes" if reached else "**no**"


def mainTable(config: Config, report: dict) -> list:
    """The rows the goals are set on."""
    reached = goals(config, report)
    rows = [
        "| Case | Measure: median (p95) ms | SliceSync | Slicer native | Ratio | Goal | Reached |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, _, _ in CASES:
        limit = GOAL_HIDDEN if label == HIDDEN_CASE else GOAL_CLICK
        clicks = report["clicks"][label]["samples"]
        drag = report["drag"][label]
        rows += [
            f"| {label} | click (press + release) against the native C++ click, n={clicks['SliceSync'].count} | "
            f"{fmt(clicks['SliceSync'])} | {fmt(clicks['native'])} | "
            f"{ratio(clicks['SliceSync'], clicks['native']):.2f} | <= {limit} | "
            f"{verdict(config, reached[f'click, {label}'])} |",
            f"| {label} | drag step against the native click-and-drag, n={drag['SliceSync'].count} | "
            f"{fmt(drag['SliceSync'])} | {fmt(drag['native'])} | {ratio(drag['SliceSync'], drag['native']):.2f} | "
            f"<= {limit} | {verdict(config, reached[f'drag step, {label}'])} |",
            f"| {label} | secondary: click / drag step against Slicer's Shift+move (one event) | "
            f"{clicks['SliceSync'].median:.3f} / {drag['SliceSync'].median:.3f} | "
            f"{clicks['shift'].median:.3f} / {drag['shift'].median:.3f} | "
            f"{ratio(clicks['SliceSync'], clicks['shift']):.2f} / {ratio(drag['SliceSync'], drag['shift']):.2f} | | |",
        ]
    e2e = report["e2e"]
    rendered = report.get("e2eViews", [0])
    rows.append(
        f"| 3 views 512x512, 256^3 volume | end to end: click inside the volume to every requesting view rendered "
        f"once ({min(rendered)}-{max(rendered)} views), wall clock, n={e2e['SliceSync'].count} | "
        f"{fmt(e2e['SliceSync'], 2)} | {fmt(e2e['native'], 2)} | {ratio(e2e['SliceSync'], e2e['native']):.3f} | "
        f"<= {GOAL_END_TO_END} | {verdict(config, reached['end to end'])} |"
    )
    volume = report["volume"]
    rows.append(
        f"| 3 views | click, 64^3 -> {config.largeVolume}^3 volume | {volume['small'].median:.3f} -> "
        f"{volume['large'].median:.3f} | {volume['smallNative'].median:.3f} -> {volume['largeNative'].median:.3f} | "
        f"{ratio(volume['large'], volume['small']):.2f} (large / small) | <= {GOAL_VOLUME} | "
        f"{verdict(config, reached['volume size'])} |"
    )
    memory = report["memory"]
    rows.append(
        f"| 3 shown + 2 hidden views | {memory['clicks']} clicks + {memory['drags']} drags, a hidden view shown "
        f"every 100: RSS growth; observers changed (of {memory['observerTotal']}) | {memory['rssGrowthKB']:+d} kB; "
        f"{memory['observersChanged'] or 'none'} | | | < 1 MB; none | {verdict(config, reached['memory'])} |"
    )
    return rows


def detailTable(config: Config, report: dict) -> list:
    """Where the time goes, events, render requests and the cost against the number of views."""
    rows = [
        "| Case | Measure (medians, ms) | SliceSync | Slicer native | Ratio |",
        "|---|---|---|---|---|",
    ]
    for label, _, _ in CASES:
        entry = report["clicks"][label]
        s = entry["samples"]
        rows += [
            f"| {label} | the jumps without events: the click's engine path / JumpAllSlices + SetCrosshairRAS | "
            f"{s['engine'].median:.3f} | {s['floor'].median:.3f} | {ratio(s['engine'], s['floor']):.2f} |",
            f"| {label} | event handling: click - the jumps without events | "
            f"{s['SliceSync'].median - s['engine'].median:.3f} | {s['native'].median - s['floor'].median:.3f} | |",
            f"| {label} | Slicer's own dispatch of a press + release with nothing active | "
            f"{s['dispatch'].median:.3f} | {s['dispatch'].median:.3f} | |",
        ]
        if entry.get("plans"):
            hits, misses = entry["plans"]
            rows.append(f"| {label} | view plans reused / rebuilt over the run | {hits} / {misses} | | |")
    events = report["events"]
    own, native = events["SliceSync"], events["native"]

    def span(pair: tuple) -> str:
        return str(pair[0]) if pair[0] == pair[1] else f"{pair[0]}-{pair[1]}"

    rows += [
        f"| 3 views | ModifiedEvents per moved slice node ({own['movedNodes']} / {native['movedNodes']} nodes) | "
        f"{span(own['modifiedPerMoved'])} | {span(native['modifiedPerMoved'])} | |",
        f"| 3 views | ModifiedEvents per slice node that did not need to move | {span(own['modifiedPerUnmoved'])} | "
        f"{span(native['modifiedPerUnmoved'])} | |",
    ]
    for kind in CLICK_KINDS:
        rows.append(
            f"| 3 views | render requests per click, {kind} (views asking) | {own['requests'][kind]:.1f} "
            f"({own['views'][kind]:.1f}) | {native['requests'][kind]:.1f} ({native['views'][kind]:.1f}) | |"
        )
    parts = report["e2eParts"]
    rows.append(
        "| 3 views 512x512 | end to end, of which the click / the renders | "
        f"{np.median(parts['SliceSync'][0]) / 1e6:.2f} / {np.median(parts['SliceSync'][1]) / 1e6:.2f} | "
        f"{np.median(parts['native'][0]) / 1e6:.2f} / {np.median(parts['native'][1]) / 1e6:.2f} | |"
    )
    for nViews, samples in sorted(report["viewCounts"].items()):
        rows.append(
            f"| {nViews} views | click | {fmt(samples['SliceSync'])} | {fmt(samples['native'])} | "
            f"{ratio(samples['SliceSync'], samples['native']):.2f} |"
        )
    return rows


def findings(config: Config, report: dict) -> list:
    """One sentence per goal case saying where SliceSync's time goes, from this run's figures."""
    lines = []
    for label, shown, hidden in CASES:
        s = report["clicks"][label]["samples"]
        engine, floor = s["engine"].median, s["floor"].median
        ownEvents = s["SliceSync"].median - engine
        nativeEvents = s["native"].median - floor
        targets = max(shown - 1, 1)
        if hidden:
            jumps = (
                f"SliceSync's jumps cost {engine:.3f} ms ({targets} shown views moved) against {floor:.3f} ms for "
                f"the native click's JumpAllSlices + SetCrosshairRAS ({shown + hidden - 1} views moved)"
            )
        else:
            jumps = (
                f"SliceSync's jumps cost {engine:.3f} ms against {floor:.3f} ms for the native click's "
                f"JumpAllSlices + SetCrosshairRAS ({(engine - floor) * 1000 / targets:+.1f} us per target view)"
            )
        lines.append(
            f"- {label}: click ratio {ratio(s['SliceSync'], s['native']):.2f}. Without events, {jumps}; the events "
            f"(Slicer's dispatch included) cost {ownEvents:.3f} ms against {nativeEvents:.3f} ms."
        )
    return lines


def header(config: Config, report: dict, machine: dict, wall: float, when: str) -> list:
    kind = "quick smoke run" if config.quick else "full run"
    return [
        f"SliceSync benchmark, {kind}, {when}, {wall:.0f} s wall time.",
        "",
        f"Machine: {machine['cpu']}; {machine['os']}; Python {machine['python']}, VTK {machine['vtk']}, "
        f"slicer-core {machine['slicerCore']}; off-screen renderer {machine['renderer']}.",
        "",
        f"Views carry the ten displayable managers of a Slicer slice view, the Markups logic registered. SliceSync: "
        f"clamp, keepInView, crosshair placed. Native: Slicer's C++ click and click-and-drag (slice intersection "
        f"widget event translations, crosshair behaviour OffsetJumpSlice). Contenders alternate click by click at the "
        f"same pixels, targets reset before each, after a warm-up. Times: {report['clock']} clock for MRML-level "
        f"rows, wall clock end to end. Ratios: SliceSync / native, of the medians.",
        "",
    ]


def footer(config: Config, report: dict, plotPath: str) -> list:
    if config.quick:
        return ["", f"Quick smoke run: too few iterations to judge the goals. Plot: {plotPath}"]
    reached = goals(config, report)
    missed = [name for name, ok in reached.items() if not ok]
    return ["", f"Goals not reached: {'; '.join(missed) if missed else 'none'}. Plot: {plotPath}"]


def readmeBlock(config: Config, report: dict, machine: dict, when: str) -> str:
    """The README's benchmark figures: every number in it comes from this run."""
    lines = [
        README_START,
        f"Latest full run ({when}): {machine['cpu']}, Python {machine['python']}, VTK {machine['vtk']}, "
        f"slicer-core {machine['slicerCore']}, {report['clock']} clock (end to end: wall clock).",
        "",
        *mainTable(config, report),
        "",
        "Where SliceSync's time goes (same run):",
        "",
        *findings(config, report),
        README_END,
    ]
    return "\n".join(lines)


def updateReadme(path: str, block: str) -> bool:
    """Replace the README's benchmark block; return False if the markers are missing."""
    with open(path) as f:
        text = f.read()
    start, end = text.find(README_START), text.find(README_END)
    if start < 0 or end < start:
        return False
    with open(path, "w") as f:
        f.write(text[:start] + block + text[end + len(README_END) :])
    return True


def plot(config: Config, report: dict, path: str) -> None:
    """Write the figure: ratios per case, cost against views, drag steps, end to end."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(2, 2, figsize=(11, 8))
    colors = {"SliceSync": "tab:blue", "native": "tab:orange", "shift": "tab:gray"}

    ax = axes[0][0]
    labels = [label for label, _, _ in CASES]
    clickRatios = [
        ratio(report["clicks"][k]["samples"]["SliceSync"], report["clicks"][k]["samples"]["native"]) for k in labels
    ]
    dragRatios = [ratio(report["drag"][k]["SliceSync"], report["drag"][k]["native"]) for k in labels]
    x = np.arange(len(labels))
    ax.bar(x - 0.2, clickRatios, 0.4, label="click", color="tab:blue")
    ax.bar(x + 0.2, dragRatios, 0.4, label="drag step", color="tab:cyan")
    for index, label in enumerate(labels):
        goal = GOAL_HIDDEN if label == HIDDEN_CASE else GOAL_CLICK
        ax.hlines(goal, index - 0.45, index + 0.45, colors="k", linestyles=":")
    ax.axhline(1.0, color="tab:orange", linewidth=1)
    ax.set_xticks(x, labels, fontsize=8)
    ax.set_ylabel("SliceSync / native C++ (medians)")
    ax.set_title("Ratio to Slicer's native click (dotted: goal)")
    ax.legend(fontsize=8)

    ax = axes[0][1]
    counts = sorted(report["viewCounts"])
    for name in ("SliceSync", "native"):
        medians = [report["viewCounts"][n][name].median for n in counts]
        ax.plot(counts, medians, "o-", color=colors[name], label=f"{name} click, median")
    ax.set_xlabel("shown slice views")
    ax.set_ylabel("ms per click (MRML, no render)")
    ax.set_xticks(counts)
    ax.set_yscale("log")
    ax.set_title("Click cost against the number of views")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)

    ax = axes[1][0]
    drag = report["drag"][CASES[0][0]]
    top = max(np.percentile(np.asarray(drag[name].values) / 1e6, 99) for name in drag if drag[name].values)
    for name in ("SliceSync", "native", "shift"):
        values = np.asarray(drag[name].values) / 1e6
        if len(values):
            ax.hist(values, bins=60, range=(0, top * 1.2), alpha=0.5, color=colors[name], label=name)
    ax.set_xlabel("ms per mouse move, 3 views")
    ax.set_title("Drag step cost")
    ax.legend(fontsize=8)

    ax = axes[1][1]
    e2e = report["e2e"]
    medians = [e2e[name].median for name in ("SliceSync", "native")]
    ax.bar(
        ["SliceSync click\n+ render", "native click\n+ render"], medians, color=[colors["SliceSync"], colors["native"]]
    )
    for index, value in enumerate(medians):
        ax.text(index, value / 2, f"{value:.1f} ms", ha="center")
    ax.set_ylabel("ms, median")
    ax.set_title("End to end: 3 views 512x512, 256^3 volume, Mesa")
    figure.suptitle("SliceSync against Slicer's native C++ click (headless, real MRML, ten displayable managers)")
    figure.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)
