"""Demo: open a volume in three headless Slicer slice views, click in one, save a PNG of the synced views.

    python SliceSync/Testing/Python/SliceSyncDemo.py [--volume FILE] [--click X Y] [--output out/slicesync-demo.png]

Without --volume a head-like phantom is generated, written to NIfTI and read back with Slicer's reader.
--click X Y is a pixel of the Red (axial) view, whose size is 320 x 320: X from 0 (left) to 319, Y from
0 (bottom) to 319, origin at the bottom left as in VTK. The default is the phantom's lesion, or a point
off-centre in your volume. The top row shows the views before the click, the bottom row after it, with
the status line; the cross marks the clicked point. A missing or unreadable file, or a pixel outside the
view, is reported in one line on stderr with exit status 2.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Optional

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(os.path.dirname(HERE))]

import vtk  # noqa: E402
from vtk.util.numpy_support import vtk_to_numpy  # noqa: E402

from SliceSyncBench import SliceViewBench  # noqa: E402
from SliceSyncLib import SliceSyncEngine  # noqa: E402

VIEW_SIZE = 320
LABEL_HEIGHT = 22  # a text band above each row and below the picture
GAP = 6
VIEW_LABELS = ("Red (axial)", "Yellow (sagittal)", "Green (coronal)")
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
    """Draw a cross at VTK display position (x, y) (origin bottom left), outlined in black to show on bright tissue."""
    height, width, _ = pixels.shape
    column, row = int(round(x)), int(round(height - 1 - y))
    for ink, thickness, reach in (((0, 0, 0), 2, size + 2), (color, 0, size)):
        for delta in range(-reach, reach + 1):
            for side in range(-thickness, thickness + 1):
                for c, r in ((column + delta, row + side), (column + side, row + delta)):
                    if 0 <= c < width and 0 <= r < height:
                        pixels[r, c] = ink


def labelled(rows: list[tuple[str, np.ndarray]], footer: str) -> np.ndarray:
    """Stack picture rows, each under a text band naming it and its views, with footer text at the bottom."""
    from PIL import Image, ImageDraw

    width = rows[0][1].shape[1]
    bands = []
    for title, pixels in rows:
        band = Image.new("RGB", (width, LABEL_HEIGHT), (30, 30, 30))
        draw = ImageDraw.Draw(band)
        for index, label in enumerate(VIEW_LABELS):
            text = f"{title}: {label}" if index == 0 else label
            draw.text((index * VIEW_SIZE + 6, 5), text, fill=(235, 235, 235))
        bands += [np.asarray(band), pixels, np.full((GAP, width, 3), 40, dtype=np.uint8)]
    band = Image.new("RGB", (width, LABEL_HEIGHT), (30, 30, 30))
    ImageDraw.Draw(band).text((6, 5), footer, fill=(255, 220, 0))
    return np.concatenate([*bands, np.asarray(band)], axis=0)


class DemoError(Exception):
    """A problem with the demo's input, reported as one line."""


def readVolume(bench, path: str):
    """Read path with Slicer's reader; raise DemoError (one line) instead of printing VTK's error dump."""
    if not os.path.isfile(path):
        raise DemoError(f"{path}: {'a folder, not a volume file' if os.path.isdir(path) else 'no such file'}")
    if not os.access(path, os.R_OK):
        raise DemoError(f"{path}: cannot read the file")
    capture = vtk.vtkStringOutputWindow()
    previous = vtk.vtkOutputWindow.GetInstance()
    previous.Register(None)
    vtk.vtkOutputWindow.SetInstance(capture)
    verbosity = vtk.vtkLogger.GetCurrentVerbosityCutoff()
    vtk.vtkLogger.SetStderrVerbosity(vtk.vtkLogger.VERBOSITY_OFF)
    try:
        try:
            volume = bench.loadVolume(path, "demo")
        except RuntimeError:
            volume = None
    finally:
        vtk.vtkLogger.SetStderrVerbosity(verbosity)
        vtk.vtkOutputWindow.SetInstance(previous)
        previous.UnRegister(None)
    image = volume.GetImageData() if volume is not None else None
    if image is None or image.GetNumberOfPoints() == 0:
        raise DemoError(f"{path}: Slicer's volume reader could not read it as a volume")
    return volume


def run(volumePath, outputPath, clickPixel) -> str:
    """Build the views, click, and write the before/after PNG; return its path (DemoError for bad input)."""
    from PIL import Image

    if clickPixel is not None and not all(0 <= c < VIEW_SIZE for c in clickPixel):
        raise DemoError(
            f"--click {clickPixel[0]} {clickPixel[1]} is outside the Red view: "
            f"X and Y must be 0 to {VIEW_SIZE - 1} (origin at the bottom left)"
        )
    if volumePath is not None and not os.path.isfile(volumePath):
        what = "a folder, not a volume file" if os.path.isdir(volumePath) else "no such file"
        raise DemoError(f"{volumePath}: {what}")
    if volumePath is not None and not os.access(volumePath, os.R_OK):
        raise DemoError(f"{volumePath}: cannot read the file")
    # Off-screen rendering without a display makes VTK warn once ("bad X server connection"); errors still show.
    verbosity = vtk.vtkLogger.GetCurrentVerbosityCutoff()
    vtk.vtkLogger.SetStderrVerbosity(vtk.vtkLogger.VERBOSITY_ERROR)
    bench = SliceViewBench()
    try:
        views = bench.addStandardViews(size=(VIEW_SIZE, VIEW_SIZE))
        generated = volumePath is None
        if generated:
            affine = np.diag([1.6, 1.6, 2.0, 1.0])
            affine[:3, 3] = (-100.0, -100.0, -95.0)
            volumePath = bench.writeVolume("phantom.nii.gz", phantom(), affine)
        volume = readVolume(bench, volumePath)
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
        status = engine.statusText()
        logging.info(status)

        afterTiles = []
        for view in views:
            tile = grab(view)
            drawCross(tile, *view.rasToPixel(point))
            afterTiles.append(tile)
        after = np.concatenate(afterTiles, axis=1)
        picture = labelled(
            [("Before", before), (f"After a click at ({clickPixel[0]}, {clickPixel[1]})", after)], status
        )
        os.makedirs(os.path.dirname(os.path.abspath(outputPath)), exist_ok=True)
        Image.fromarray(picture).save(outputPath)
        engine.cleanup()
        return outputPath
    finally:
        bench.close()
        vtk.vtkLogger.SetStderrVerbosity(verbosity)


def outputProblem(path: str) -> Optional[str]:
    """Return None if a PNG can be written at path (its folder is made if missing), else why not, in a few words."""
    if os.path.isdir(path):
        return "is a folder: give a file name ending in .png"
    if not path.lower().endswith(".png"):
        return "the picture is a PNG: give a name ending in .png"
    existed = os.path.exists(path)
    try:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, "ab"):
            pass
    except OSError as error:
        return f"cannot write there ({error.strerror or error})"
    if not existed:
        os.remove(path)
    return None


def main(argv=None) -> int:
    """Parse the command line and run the demo."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--volume", help="a volume file Slicer can read (default: a generated phantom)")
    parser.add_argument("--output", default=os.path.join("out", "slicesync-demo.png"), help="the PNG to write")
    parser.add_argument(
        "--click",
        type=int,
        nargs=2,
        metavar=("X", "Y"),
        help=f"pixel to click in the Red view ({VIEW_SIZE} x {VIEW_SIZE}; origin at the bottom left)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    problem = outputProblem(args.output)
    if problem:
        sys.stderr.write(f"error: --output {args.output}: {problem}\n")
        return 2
    try:
        path = run(args.volume, args.output, tuple(args.click) if args.click else None)
    except DemoError as error:
        sys.stderr.write(f"error: {error}\n")
        return 2
    sys.stdout.write(f"{path}\n")  # the picture's path, for scripts; the log lines go to stderr
    return 0


if __name__ == "__main__":
    sys.exit(main())
