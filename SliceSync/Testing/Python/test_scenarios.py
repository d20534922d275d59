"""The shared click-to-sync scenarios (SliceSyncLib.Scenarios), run on the headless bench.

The same scenarios run inside Slicer from SliceSyncTest; here each runs twice: once driving the bench's
own BenchView, once through InteractorViewDriver, the adapter the Slicer self-test uses.
"""

from __future__ import annotations

import pytest

from SliceSyncBench import obliqueAffine
from SliceSyncLib import Scenarios


def makeContext(bench, engine, volume, driver: str) -> Scenarios.ScenarioContext:
    if driver == "bench":
        views = dict(bench.views)
    else:
        views = {
            name: Scenarios.InteractorViewDriver(name, view.sliceNode, view.interactor)
            for name, view in bench.views.items()
        }
    return Scenarios.ScenarioContext(
        engine=engine,
        views=views,
        volume=volume,
        interactionNode=bench.interactionNode,
        crosshairNode=bench.crosshairNode,
    )


@pytest.mark.parametrize("driver", ["bench", "interactor"])
@pytest.mark.parametrize("name", sorted(Scenarios.SCENARIOS))
def test_each_shared_scenario_passes_with_either_driver(bench, anatomical, engine, name, driver):
    Scenarios.runScenario(name, makeContext(bench, engine, anatomical, driver))


@pytest.mark.parametrize("source", ["Yellow", "Green"])
def test_scenarios_from_other_sources(bench, anatomical, engine, source):
    """Clicking in the sagittal or coronal view works as well as in the axial one."""
    ctx = makeContext(bench, engine, anatomical, "interactor")
    ctx.source = source
    for name in ("offsetJumpKeepsPan", "clampStopsAtVolumeEdge", "centeredJumpCentresPoint"):
        Scenarios.runScenario(name, ctx)


@pytest.mark.parametrize(
    "name", ["offsetJumpKeepsPan", "clampStopsAtVolumeEdge", "ignoreOutsideSkipsClick", "centeredJumpCentresPoint"]
)
def test_scenarios_on_an_oblique_volume(bench, engine, name):
    """The same scenarios with a rotated, anisotropic volume (what addVolumeFromArray builds in Slicer's test)."""
    volume = bench.addSyntheticVolume("oblique", (30, 22, 14), obliqueAffine())
    bench.showVolume(volume)
    Scenarios.runScenario(name, makeContext(bench, engine, volume, "interactor"))
