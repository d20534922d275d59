"""Demo: open a real volume in three headless Slicer slice views, click in one, save a PNG of the synced views.

    python SliceSync/Testing/Python/SliceSyncDemo.py [--volume FILE] [--output out/slicesync-demo.png]

Without --volume a head-like phantom is generated, written to NIfTI and read back with Slicer's reader.
The top row shows the views before the click, the bottom row after it; the yellow cross marks the point.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(os.path.dirname(HERE))]

import vtk  # noqa: E402
from vtk.util.numpy_support import vtk_to_numpy  # noqa: E402

from SliceSyncBench import SliceViewBench  # noqa: E402
from SliceSyncLib import SliceSyncEngine  # noqa: E402

VIEW_SIZE = 320
# Where the phantom's lesion lies in RAS (voxel centre + 24, -22, +2 under the phantom's affine).
LESION_RAS = (-100.0 + 1.6 * 87.5, -100.0 + 1.6 * 41.5, 1.0)


def phantom(shape=(128, 128, 96)) -> np.ndarray:
    """A head-like phantom: skull shell, brain, ventricles and a small bright lesion."""
    i, j, k = np.indices(shape, dtype=float)
    center = [(n - 1) / 2 for n in shape]

    def ellipsoid(c, radii):
        return sum(((axis - ci) / r) ** 2 for axis, ci, r in zip((i, j, k), c, radii)) <= 1.0

    volume = np.zeros(shape, dtype=np.int16)
    volume[ellipsoid(center, (58, 62, 44))] = 900
    volume[ellipsoid(center, (52, 56, 39))] = 350
    volume[ellipsoid((center[0] - 10, center[1] + 4, center[2] + 4), (6, 18, 10))] = 80
    volume[ellipsoid((center[0] + 10, center[1] + 4, center[2] + 4), (6, 18, 10))] = 80
    volume[ellipsoid((center[0] + 24, center[1] - 22, center[2] + 2), (7, 7, 6))] = 700
    noise = np.random.default_rng(0).normal(0, 15, shape)
    return (volume + noise).astype(np.int16)


def grab(view) -> np.ndarray:
    """Return the view's rendered pixels as an RGB array, top row first."""
    view.render()
    grabber = vtk.vtkWindowToImageFilter()
    grabber.SetInput(view.renderWindow)
    grabber.SetInputBufferTypeToRGB()
    grabber.ReadFrontBufferOff()
    grabber.Update()
    image = grabber.GetOutput()
    width, height, _ = image.GetDimensions()
    pixels = vtk_to_numpy(image.GetPointData().GetScalars()).reshape(height, width, -1)
    return np.flipud(pixels[:, :, :3]).copy()


def drawCross(pixels: np.ndarray, x: float, y: float, color=(255, 220, 0), size=9) -> None:
    """Draw a cross at VTK display position (x, y) (origin bottom left)."""
    height, width, _ = pixels.shape
    column, row = int(round(x)), int(round(height - 1 - y))
    for delta in range(-size, size + 1):
        for c, r in ((column + delta, row), (column, row + delta)):
            if 0 <= c < width and 0 <= r < height:
                pixels[r, c] = color


def run(volumePath, outputPath, clickPixel) -> str:
    """Build the views, click, and write the before/after PNG; return its path."""
    from PIL import Image

    bench = SliceViewBench()
    try:
        views = bench.addStandardViews(size=(VIEW_SIZE, VIEW_SIZE))
        generated = volumePath is None
        if generated:
            affine = np.diag([1.6, 1.6, 2.0, 1.0])
            affine[:3, 3] = (-100.0, -100.0, -95.0)
            volumePath = bench.writeVolume("phantom.nii.gz", phantom(), affine)
        volume = bench.loadVolume(volumePath, "demo")
        bench.showVolume(volume)
        for view in views:
            view.sliceLogic.SnapSliceOffsetToIJK()
            view.showImage()
        before = np.concatenate([grab(view) for view in views], axis=1)

        engine = SliceSyncEngine(bench.scene)
        for view in views:
            engine.addView(view.sliceNode, view.interactor)
        engine.setEnabled(True)
        red = views[0]
        if clickPixel is None:  # the phantom's lesion, else a point off-centre
            target = red.rasToPixel(LESION_RAS) if generated else (0.62 * VIEW_SIZE, 0.6 * VIEW_SIZE)
            clickPixel = tuple(int(round(c)) for c in target)
        point = red.pixelToRAS(*clickPixel)
        red.click(*clickPixel)
        logging.info(engine.statusText())

        afterTiles = []
        for view in views:
            tile = grab(view)
            drawCross(tile, *view.rasToPixel(point))
            afterTiles.append(tile)
        after = np.concatenate(afterTiles, axis=1)
        gap = np.full((6, after.shape[1], 3), 40, dtype=np.uint8)
        os.makedirs(os.path.dirname(os.path.abspath(outputPath)), exist_ok=True)
        Image.fromarray(np.concatenate([before, gap, after], axis=0)).save(outputPath)
        engine.cleanup()
        return outputPath
    finally:
        bench.close()


def main(argv=None) -> int:
    """Parse the command line and run the demo."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--volume", help="a volume file Slicer can read (default: a generated phantom)")
    parser.add_argument("--output", default=os.path.join("out", "slicesync-demo.png"))
    parser.add_argument("--click", type=int, nargs=2, metavar=("X", "Y"), help="pixel to click in Red")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    path = run(args.volume, args.output, tuple(args.click) if args.click else None)
    logging.info("Wrote %s", path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
