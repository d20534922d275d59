"""A headless bench of real Slicer slice views, wired as Slicer wires them, for tests, demos and benchmarks.

Everything here is Slicer's own C++ core from the ``slicer-core`` wheel: the scene, the application and
slice logics, the displayable managers (crosshair, markups, ...), ``vtkMRMLSliceViewInteractorStyle`` and
an off-screen render window per view. Events are sent to each view's real interactor at pixel positions.
"""

from __future__ import annotations

import math
import os
import tempfile
from dataclasses import dataclass
from typing import Callable, Iterable, Optional, Sequence

import slicer
import vtk

from SliceSyncLib.Scenarios import InteractorViewDriver
from SliceSyncLib.Scenarios import observerCount as observerCount  # re-exported: one definition for tests and self-test

DEFAULT_DISPLAYABLE_MANAGERS = (
    "vtkMRMLCrosshairDisplayableManager",
    "vtkMRMLMarkupsDisplayableManager",
    "vtkMRMLScalarBarDisplayableManager",
    "vtkMRMLModelSliceDisplayableManager",
    "vtkMRMLSegmentationsDisplayableManager2D",
    "vtkMRMLTransformsDisplayableManager2D",
)

# The ten displayable managers of a slice view in the Slicer application: qMRMLSliceView's own six, plus those the
# Markups, Segmentations, Transforms and Colors modules register. The factory is a process-wide singleton, so a bench
# built with these makes every later bench in the same process carry them too.
SLICE_VIEW_DISPLAYABLE_MANAGERS = (
    "vtkMRMLVolumeGlyphSliceDisplayableManager",
    "vtkMRMLModelSliceDisplayableManager",
    "vtkMRMLCrosshairDisplayableManager",
    "vtkMRMLOrientationMarkerDisplayableManager",
    "vtkMRMLRulerDisplayableManager",
    "vtkMRMLScalarBarDisplayableManager",
    "vtkMRMLMarkupsDisplayableManager",
    "vtkMRMLSegmentationsDisplayableManager2D",
    "vtkMRMLTransformsDisplayableManager2D",
    "vtkMRMLColorLegendDisplayableManager",
)

STANDARD_VIEWS = (("Red", "Axial"), ("Yellow", "Sagittal"), ("Green", "Coronal"))


@dataclass
class BenchView(InteractorViewDriver):
    """One headless slice view: node, logic, interactor, interactor style and render window.

    The events (move, press, release, click) and the pixel/RAS conversions are those of the view driver the
    in-Slicer self-test uses, so the bench and Slicer send exactly the same events.
    """

    name: str
    sliceNode: slicer.vtkMRMLSliceNode
    sliceLogic: slicer.vtkMRMLSliceLogic
    interactor: vtk.vtkRenderWindowInteractor
    renderWindow: vtk.vtkRenderWindow
    renderer: vtk.vtkRenderer
    displayableManagers: slicer.vtkMRMLDisplayableManagerGroup
    style: slicer.vtkMRMLSliceViewInteractorStyle
    imageActor: Optional[vtk.vtkActor2D] = None
    renderCount: int = 0

    @property
    def compositeNode(self) -> slicer.vtkMRMLSliceCompositeNode:
        """The slice composite node (which volumes the view shows)."""
        return self.sliceLogic.GetSliceCompositeNode()

    def size(self) -> tuple[int, int]:
        """Return the view's size in pixels."""
        return tuple(self.renderWindow.GetSize())  # type: ignore[return-value]

    def drag(self, points: Sequence[tuple[int, int]]) -> None:
        """Press at the first point, move through the others with the button held, release at the last."""
        first, *rest = points
        self.press(*first)
        for x, y in rest:
            self.move(x, y)
        self.release(*(rest[-1] if rest else first))

    def sliceToRAS(self) -> list[float]:
        """Return the 16 elements of the view's SliceToRAS matrix."""
        m = self.sliceNode.GetSliceToRAS()
        return [m.GetElement(r, c) for r in range(4) for c in range(4)]

    def showImage(self) -> None:
        """Draw the slice logic's resliced image in the render window, as the Slicer GUI does."""
        if self.imageActor is None:
            mapper = vtk.vtkImageMapper()
            mapper.SetColorWindow(255)
            mapper.SetColorLevel(127.5)
            self.imageActor = vtk.vtkActor2D()
            self.imageActor.SetMapper(mapper)
            self.imageActor.GetProperty().SetDisplayLocationToBackground()
            self.renderer.AddViewProp(self.imageActor)
        self.imageActor.GetMapper().SetInputConnection(self.sliceLogic.GetImageDataConnection())

    def render(self) -> None:
        """Render the view off-screen."""
        self.renderCount += 1
        self.renderWindow.Render()


class SliceViewBench:
    """A scene with real Slicer logics and any number of headless slice views."""

    def __init__(self, displayableManagers: Iterable[str] = DEFAULT_DISPLAYABLE_MANAGERS) -> None:
        self.scene = slicer.vtkMRMLScene()
        crosshair = slicer.vtkMRMLCrosshairNode()
        crosshair.SetSingletonTag("default")
        crosshair.SetName("Crosshair")
        self.scene.AddNode(crosshair)

        self._tmp = tempfile.TemporaryDirectory(prefix="slicesync-")
        self.appLogic = slicer.vtkSlicerApplicationLogic()
        self.appLogic.SetMRMLScene(self.scene)
        # No Slicer installation here: an empty home and share folder stand in for it (no colour files).
        os.makedirs(os.path.join(self._tmp.name, "share", "ColorFiles"), exist_ok=True)
        self.appLogic.SetHomeDirectory(self._tmp.name)
        self.appLogic.SetShareDirectory("share")
        self.colorLogic = slicer.vtkSlicerColorLogic()
        self.colorLogic.SetMRMLApplicationLogic(self.appLogic)
        self.colorLogic.SetMRMLScene(self.scene)
        self.appLogic.SetModuleLogic("Colors", self.colorLogic)
        # The markups displayable manager asks the Markups logic which widget each markups node gets.
        self.markupsLogic = slicer.vtkSlicerMarkupsLogic()
        self.markupsLogic.SetMRMLApplicationLogic(self.appLogic)
        self.markupsLogic.SetMRMLScene(self.scene)
        self.appLogic.SetModuleLogic("Markups", self.markupsLogic)
        self.appLogic.SetSliceLogics(vtk.vtkCollection())
        self.appLogic.SetViewLogics(vtk.vtkCollection())
        slicer.vtkMRMLSliceNode.AddDefaultSliceOrientationPresets(self.scene, True)

        self.volumesLogic = slicer.vtkSlicerVolumesLogic()
        self.volumesLogic.SetMRMLScene(self.scene)
        self.volumesLogic.SetMRMLApplicationLogic(self.appLogic)

        self.factory = slicer.vtkMRMLSliceViewDisplayableManagerFactory.GetInstance()
        self.factory.SetMRMLApplicationLogic(self.appLogic)
        for name in displayableManagers:
            if not self.factory.IsDisplayableManagerRegistered(name):
                self.factory.RegisterDisplayableManager(name)
        self.views: dict[str, BenchView] = {}

    @property
    def interactionNode(self) -> slicer.vtkMRMLInteractionNode:
        """The scene's interaction node (Place / ViewTransform / window-level mode)."""
        return self.appLogic.GetInteractionNode()

    @property
    def crosshairNode(self) -> slicer.vtkMRMLCrosshairNode:
        """The scene's default crosshair node."""
        return self.scene.GetNodeByID("vtkMRMLCrosshairNodedefault")

    def addView(
        self, name: str, orientation: str = "Axial", viewGroup: int = 0, size: tuple[int, int] = (256, 256)
    ) -> BenchView:
        """Create a slice view named ``name`` as Slicer does (logic, managers, interactor style)."""
        renderWindow = vtk.vtkRenderWindow()
        renderWindow.SetOffScreenRendering(1)
        renderWindow.SetMultiSamples(0)
        renderWindow.SetSize(*size)
        renderer = vtk.vtkRenderer()
        renderer.GetActiveCamera().ParallelProjectionOn()
        renderWindow.AddRenderer(renderer)
        interactor = vtk.vtkRenderWindowInteractor()
        interactor.SetRenderWindow(renderWindow)
        interactor.Initialize()
        interactor.SetInteractorStyle(vtk.vtkInteractorStyleUser())

        sliceLogic = slicer.vtkMRMLSliceLogic()
        sliceLogic.SetMRMLApplicationLogic(self.appLogic)
        self.appLogic.GetSliceLogics().AddItem(sliceLogic)
        sliceLogic.SetMRMLScene(self.scene)
        sliceNode = sliceLogic.AddSliceNode(name)
        sliceNode.SetOrientation(orientation)
        sliceNode.SetViewGroup(viewGroup)
        # Slicer's layout manager marks each view it shows as mapped; slice-intersection lines and their
        # interactive handles are drawn (and pickable) only for intersecting views that are mapped.
        sliceNode.SetMappedInLayout(1)

        managers = slicer.vtkMRMLDisplayableManagerGroup()
        managers.Initialize(self.factory, renderer)
        managers.SetMRMLDisplayableNode(sliceNode)
        style = slicer.vtkMRMLSliceViewInteractorStyle()
        style.SetDisplayableManagers(managers)
        style.SetSliceLogic(sliceLogic)
        style.SetInteractor(interactor)
        sliceLogic.ResizeSliceNode(*size)

        view = BenchView(name, sliceNode, sliceLogic, interactor, renderWindow, renderer, managers, style)
        self.views[name] = view
        return view

    def addStandardViews(self, size: tuple[int, int] = (256, 256)) -> list[BenchView]:
        """Create Red (axial), Yellow (sagittal) and Green (coronal)."""
        return [self.addView(name, orientation, size=size) for name, orientation in STANDARD_VIEWS]

    def addViewGroup(self, viewGroup: int, suffix: str, size: tuple[int, int] = (256, 256)) -> list[BenchView]:
        """Create axial, sagittal and coronal views in ``viewGroup``, named Red/Yellow/Green + ``suffix``."""
        return [self.addView(name + suffix, orientation, viewGroup, size) for name, orientation in STANDARD_VIEWS]

    def loadVolume(self, path: str, name: Optional[str] = None, labelMap: bool = False) -> slicer.vtkMRMLVolumeNode:
        """Read a volume file with Slicer's own reader (vtkSlicerVolumesLogic)."""
        name = name or os.path.basename(path).split(".")[0]
        volume = self.volumesLogic.AddArchetypeVolume(path, name, 1 if labelMap else 0)
        if volume is None:
            raise RuntimeError(f"Slicer could not read {path}")
        return volume

    def tempPath(self, fileName: str) -> str:
        """Return a path in this bench's temporary folder."""
        return os.path.join(self._tmp.name, fileName)

    def showVolume(
        self,
        volume: Optional[slicer.vtkMRMLVolumeNode],
        views: Optional[Iterable[BenchView]] = None,
        layer: str = "Background",
        fit: bool = True,
    ) -> None:
        """Show ``volume`` in a layer of each view (all by default) and fit the views to it."""
        volumeID = volume.GetID() if volume is not None else None
        for view in views if views is not None else self.views.values():
            getattr(view.compositeNode, f"Set{layer}VolumeID")(volumeID)
            if fit and volume is not None:
                view.sliceLogic.FitSliceToAll(*view.size())

    def writeVolume(self, fileName: str, array, affine) -> str:
        """Write a NIfTI file (array indexed [i, j, k], 4x4 IJK-to-RAS affine) and return its path."""
        import nibabel
        import numpy as np

        path = self.tempPath(fileName)
        nibabel.save(nibabel.Nifti1Image(np.asarray(array), np.asarray(affine, dtype=float)), path)
        return path

    def addSyntheticVolume(
        self, name: str, shape: Sequence[int], affine=None, dtype: str = "int16"
    ) -> slicer.vtkMRMLVolumeNode:
        """Write a gradient volume of ``shape`` with ``affine`` to NIfTI and read it back with Slicer's reader."""
        import numpy as np

        i, j, k = np.indices(shape)
        array = (i * 7 + j * 3 + k * 11).astype(dtype)
        path = self.writeVolume(f"{name}.nii.gz", array, np.eye(4) if affine is None else affine)
        return self.loadVolume(path, name)

    def setInteractiveSliceIntersections(self, enabled: bool = True) -> None:
        """Show slice intersections with their interactive handles in every view, as Slicer's toolbar does."""
        appLogic = slicer.vtkMRMLApplicationLogic
        # The application logic sets every slice display node and then modifies every slice node: only that
        # makes each view's slice-intersection widget switch to (or from) its interactive representation.
        self.appLogic.SetIntersectingSlicesEnabled(appLogic.IntersectingSlicesVisibility, enabled)
        self.appLogic.SetIntersectingSlicesEnabled(appLogic.IntersectingSlicesInteractive, enabled)

    def renderAll(self) -> None:
        """Render every view once."""
        for view in self.views.values():
            view.render()

    def close(self) -> None:
        """Disconnect the interactor styles and release the temporary folder."""
        for view in self.views.values():
            view.style.SetInteractor(None)
            view.displayableManagers.SetMRMLDisplayableNode(None)
            view.renderWindow.Finalize()
        self.views.clear()
        self._tmp.cleanup()


# -- helpers shared by the tests ---------------------------------------------------------------------------

# vtkMRMLSliceViewInteractorStyle actions, one bit each (vtkMRMLSliceIntersectionWidget::Action*).
STYLE_ACTION_BITS = tuple(1 << k for k in range(14))


def sliceOffset(view: BenchView) -> float:
    """The view's offset along its own normal, in its slice frame."""
    m = view.sliceNode.GetSliceToRAS()
    return sum(m.GetElement(k, 2) * m.GetElement(k, 3) for k in range(3))


def sliceBounds(view: BenchView, volume: slicer.vtkMRMLVolumeNode) -> tuple[float, float]:
    """Slicer's own voxel-centre extent of ``volume`` along the view's normal (its slice frame's z)."""
    bounds = [0.0] * 6
    view.sliceLogic.GetVolumeSliceBounds(volume, bounds, True)
    return bounds[4], bounds[5]


def planeIntersection(views: Sequence[BenchView]) -> tuple[float, float, float]:
    """The one point common to the planes of three views with independent normals (least squares beyond)."""
    import numpy as np

    normals, offsets = [], []
    for view in views:
        m = view.sliceNode.GetSliceToRAS()
        normal = [m.GetElement(k, 2) for k in range(3)]
        normals.append(normal)
        offsets.append(sum(normal[k] * m.GetElement(k, 3) for k in range(3)))
    point = np.linalg.lstsq(np.array(normals), np.array(offsets), rcond=None)[0]
    return tuple(float(c) for c in point)  # type: ignore[return-value]


def _comparable(value: float):
    """``value`` rounded, NaN as a string (so that equal states compare equal)."""
    return "nan" if math.isnan(value) else round(value, 9)


def userState(bench: SliceViewBench) -> dict:
    """Everything SliceSync must never change: all but the slice positions and the crosshair position."""
    state: dict = {}
    for name, view in bench.views.items():
        node = view.sliceNode
        composite = view.compositeNode
        matrix = node.GetSliceToRAS()
        state[name] = {
            "orientation": node.GetOrientation(),
            "orientationString": node.GetOrientationString(),
            "rotation": tuple(_comparable(matrix.GetElement(r, c)) for r in range(3) for c in range(3)),
            "fieldOfView": tuple(_comparable(v) for v in node.GetFieldOfView()),
            "dimensions": tuple(node.GetDimensions()),
            "viewGroup": node.GetViewGroup(),
            "jumpMode": node.GetJumpMode(),
            "spacingMode": node.GetSliceSpacingMode(),
            "sliceInteractionFlags": node.GetInteractionFlags(),
            "sliceVisible": node.GetSliceVisible(),
            "layoutName": node.GetLayoutName(),
            "composite": (
                composite.GetBackgroundVolumeID(),
                composite.GetForegroundVolumeID(),
                composite.GetLabelVolumeID(),
                composite.GetForegroundOpacity(),
                composite.GetLabelOpacity(),
                composite.GetLinkedControl(),
                composite.GetHotLinkedControl(),
                composite.GetCompositing(),
                composite.GetInteractionFlags(),
            )
            if composite is not None
            else None,
            "styleActions": tuple(view.style.GetActionEnabled(bit) for bit in STYLE_ACTION_BITS),
            "interactorStyle": view.interactor.GetInteractorStyle().GetClassName(),
        }
    crosshair = bench.crosshairNode
    if crosshair is not None:
        state["crosshair"] = (
            crosshair.GetCrosshairMode(),
            crosshair.GetCrosshairBehavior(),
            crosshair.GetCrosshairThickness(),
        )
    interaction = bench.scene.GetNodeByID("vtkMRMLInteractionNodeSingleton")
    if interaction is not None:
        state["interaction"] = (interaction.GetCurrentInteractionMode(), interaction.GetPlaceModePersistence())
    selection = bench.appLogic.GetSelectionNode()
    if selection is not None:
        state["placing"] = (selection.GetActivePlaceNodeClassName(), selection.GetActivePlaceNodeID())
    state["sceneNodes"] = tuple(bench.scene.GetNthNode(k).GetID() for k in range(bench.scene.GetNumberOfNodes()))
    return state


def planes(bench: SliceViewBench) -> dict[str, tuple]:
    """The full SliceToRAS matrix of every bench view (NaN as a string, so that equal matrices compare equal)."""
    return {name: tuple("nan" if math.isnan(v) else v for v in view.sliceToRAS()) for name, view in bench.views.items()}


class ModifiedCounter:
    """Counts the ModifiedEvents of views' slice nodes while active (its observers are removed on exit)."""

    def __init__(self, views: Iterable[BenchView]) -> None:
        self.counts: dict[str, int] = {}
        self._views = list(views)
        self._tags: list[tuple[vtk.vtkObject, int]] = []

    def _counter(self, name: str) -> Callable:
        def onModified(caller: vtk.vtkObject, event: str) -> None:
            self.counts[name] += 1

        return onModified

    def __enter__(self) -> ModifiedCounter:
        for view in self._views:
            self.counts[view.name] = 0
            tag = view.sliceNode.AddObserver(vtk.vtkCommand.ModifiedEvent, self._counter(view.name))
            self._tags.append((view.sliceNode, tag))
        return self

    def __exit__(self, *args) -> None:
        for node, tag in self._tags:
            node.RemoveObserver(tag)
        self._tags = []


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


def linearTransformNode(
    scene: slicer.vtkMRMLScene, matrix, name: str = "Registration"
) -> slicer.vtkMRMLLinearTransformNode:
    """A linear transform node holding the 4x4 ``matrix`` (to parent), added to ``scene``."""
    node = slicer.vtkMRMLLinearTransformNode()
    node.SetName(name)
    scene.AddNode(node)
    vtkMatrix = vtk.vtkMatrix4x4()
    for r in range(4):
        for c in range(4):
            vtkMatrix.SetElement(r, c, float(matrix[r][c]))
    node.SetMatrixTransformToParent(vtkMatrix)
    return node


def displacementTransformNode(
    scene: slicer.vtkMRMLScene, kind: str, low: Sequence[float], high: Sequence[float]
) -> slicer.vtkMRMLTransformNode:
    """A smooth, invertible non-linear transform of a few millimetres over the box [low, high] (and 15 mm beyond).

    ``kind`` "grid": a vtkMRMLGridTransformNode with a vtkOrientedGridTransform (a sampled sine/cosine field);
    "bspline": a vtkMRMLBSplineTransformNode with a vtkOrientedBSplineTransform (seeded random coefficients).
    """
    import numpy as np
    from vtk.util import numpy_support

    margin = 15.0
    spacing = 6.0 if kind == "grid" else 14.0
    origin = [low[k] - margin for k in range(3)]
    dimensions = [int(math.ceil((high[k] - low[k] + 2 * margin) / spacing)) + 1 for k in range(3)]
    image = vtk.vtkImageData()
    image.SetDimensions(*dimensions)
    image.SetSpacing(spacing, spacing, spacing)
    image.SetOrigin(*origin)
    image.AllocateScalars(vtk.VTK_DOUBLE, 3)
    values = numpy_support.vtk_to_numpy(image.GetPointData().GetScalars())
    if kind == "grid":
        points = np.array([image.GetPoint(k) for k in range(image.GetNumberOfPoints())])
        values[:, 0] = 3.0 * np.sin(points[:, 1] / 17.0) + 1.0
        values[:, 1] = 2.5 * np.cos(points[:, 2] / 13.0)
        values[:, 2] = 2.0 * np.sin(points[:, 0] / 19.0) - 1.5
        transform = slicer.vtkOrientedGridTransform()
        transform.SetDisplacementGridData(image)
        node = slicer.vtkMRMLGridTransformNode()
    elif kind == "bspline":
        values[:] = np.random.RandomState(7).uniform(-2.5, 2.5, values.shape)
        transform = slicer.vtkOrientedBSplineTransform()
        transform.SetCoefficientData(image)
        node = slicer.vtkMRMLBSplineTransformNode()
    else:
        raise ValueError(f"kind must be 'grid' or 'bspline', got {kind!r}")
    image.Modified()
    node.SetName(f"{kind} registration")
    scene.AddNode(node)
    node.SetAndObserveTransformToParent(transform)
    return node


def pressKey(view: BenchView, text: str, x: Optional[int] = None, y: Optional[int] = None) -> None:
    """Press and release a key such as "Ctrl+Shift+Up" or "f" on the view's interactor, with the mouse at (x, y).

    As Qt's VTK adapter does: the interactor carries the modifiers, the key code (the character for a
    one-character key symbol, else 0) and the VTK key symbol, then KeyPressEvent and KeyReleaseEvent are sent.
    """
    *modifiers, keySym = text.split("+")
    held = {m.lower() for m in modifiers}
    width, height = view.size()
    x = width // 2 if x is None else x
    y = height // 2 if y is None else y
    keyCode = keySym if len(keySym) == 1 else "\0"
    iren = view.interactor
    iren.SetEventInformation(int(x), int(y), int("ctrl" in held), int("shift" in held), keyCode, 0, keySym)
    iren.SetAltKey(int("alt" in held))
    iren.InvokeEvent(vtk.vtkCommand.KeyPressEvent)
    iren.InvokeEvent(vtk.vtkCommand.KeyReleaseEvent)
