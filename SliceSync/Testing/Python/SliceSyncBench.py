"""A headless bench of real Slicer slice views, wired as Slicer wires them, for tests, demos and benchmarks.

Everything here is Slicer's own C++ core from the ``slicer-core`` wheel: the scene, the application and
slice logics, the displayable managers (crosshair, markups, ...), ``vtkMRMLSliceViewInteractorStyle`` and
an off-screen render window per view. Events are sent to each view's real interactor at pixel positions.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence

import slicer
import vtk

from SliceSyncLib.Scenarios import InteractorViewDriver

DEFAULT_DISPLAYABLE_MANAGERS = (
    "vtkMRMLCrosshairDisplayableManager",
    "vtkMRMLMarkupsDisplayableManager",
    "vtkMRMLScalarBarDisplayableManager",
    "vtkMRMLModelSliceDisplayableManager",
    "vtkMRMLSegmentationsDisplayableManager2D",
    "vtkMRMLTransformsDisplayableManager2D",
)

STANDARD_VIEWS = (("Red", "Axial"), ("Yellow", "Sagittal"), ("Green", "Coronal"))


def observerCount(obj: vtk.vtkObject) -> int:
    """Return how many observers ``obj`` carries, read from VTK's own PrintSelf listing."""
    text = str(obj)
    start = text.find("Registered Events:")
    return 0 if start < 0 else text.count("vtkObserver (", start)


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
