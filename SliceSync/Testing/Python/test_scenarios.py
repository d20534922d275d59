"""The shared click-to-sync scenarios (SliceSyncLib.Scenarios), run on the headless bench.

The same scenarios run inside Slicer from SliceSyncTest; here each runs twice: once driving the bench's
own BenchView, once through InteractorViewDriver, the adapter the Slicer self-test uses.
"""

from __future__ import annotations

import pytest

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
def test_scenario(bench, anatomical, engine, name, driver):
    Scenarios.runScenario(name, makeContext(bench, engine, anatomical, driver))


@pytest.mark.parametrize("source", ["Yellow", "Green"])
def test_scenarios_from_other_sources(bench, anatomical, engine, source):
    """Clicking in the sagittal or coronal view works as well as in the axial one."""
    ctx = makeContext(bench, engine, anatomical, "interactor")
    ctx.source = source
    for name in ("offsetJumpKeepsPan", "clampStopsAtVolumeEdge", "centeredJumpCentresPoint"):
        Scenarios.runScenario(name, ctx)


def obliqueAffine():
    """IJK-to-RAS of a volume rotated 25 degrees about S and 10 about R, anisotropic, off-centre."""
    import numpy as np

    a, b = np.radians(25.0), np.radians(10.0)
    aboutS = np.array([[np.cos(a), -np.sin(a), 0], [np.sin(a), np.cos(a), 0], [0, 0, 1]])
    aboutR = np.array([[1, 0, 0], [0, np.cos(b), -np.sin(b)], [0, np.sin(b), np.cos(b)]])
    affine = np.eye(4)
    affine[:3, :3] = aboutS @ aboutR @ np.diag([1.3, 0.8, 2.2])
    affine[:3, 3] = (14.0, -22.0, 9.0)
    return affine


@pytest.mark.parametrize(
    "name", ["offsetJumpKeepsPan", "clampStopsAtVolumeEdge", "ignoreOutsideSkipsClick", "centeredJumpCentresPoint"]
)
def test_scenarios_on_an_oblique_volume(bench, engine, name):
    """The same scenarios with a rotated, anisotropic volume (what addVolumeFromArray builds in Slicer's test)."""
    volume = bench.addSyntheticVolume("oblique", (30, 22, 14), obliqueAffine())
    bench.showVolume(volume)
    Scenarios.runScenario(name, makeContext(bench, engine, volume, "interactor"))
