"""The readout at the cursor, checked against numpy arrays of the same files (slicer.util.arrayFromVolume).

Points are chosen as voxel centres (plus a fraction of a voxel) with nibabel's own affine of each file. The
expected IJK is Slicer's (its RAS-to-IJK, which may flip axes of the file: anatomical.nii's k is), the expected
value is both the arrayFromVolume element at that IJK and nibabel's data at the file's own voxel.
"""

from __future__ import annotations

import nibabel
import numpy as np
import pytest
import slicer
import slicer.util
import vtk
from conftest import anatomicalPath

from SliceSyncBench import obliqueAffine

LABEL_NAMES = ("background", "liver", "kidney", "spleen")


def fileIJK(path, ras):
    """The file's voxel whose centre is nearest to ``ras``, from the file's own affine (nibabel)."""
    affine = nibabel.load(path).affine
    ijk = np.linalg.inv(affine) @ np.array([*ras, 1.0])
    return tuple(int(np.floor(c + 0.5)) for c in ijk[:3])


def fileValue(path, ras):
    """nibabel's data of the file at the voxel nearest to ``ras`` (a tuple for RGB)."""
    data = np.asanyarray(nibabel.load(path).dataobj)[fileIJK(path, ras)]
    return tuple(float(c) for c in data) if data.dtype.names else float(data)


def expectedIJK(volume, ras):
    """Slicer's IJK of the voxel nearest to ``ras`` (its RAS-to-IJK matrix, no transform)."""
    m = vtk.vtkMatrix4x4()
    volume.GetRASToIJKMatrix(m)
    ijk = m.MultiplyPoint((*ras, 1.0))[:3]
    return tuple(int(np.floor(c + 0.5)) for c in ijk)


def voxelCentre(path, ijk, offset=(0.0, 0.0, 0.0)):
    """World RAS of voxel ``ijk`` (plus ``offset`` in voxels), from the file's own affine."""
    affine = nibabel.load(path).affine
    return tuple(float(c) for c in (affine @ np.array([*(np.add(ijk, offset)), 1.0]))[:3])


def entryFor(readout, volume):
    entries = [entry for entry in readout.layers if entry.volumeName == volume.GetName()]
    assert len(entries) == 1, f"{volume.GetName()} should be listed exactly once: {readout.layers}"
    return entries[0]


@pytest.fixture
def layered(bench):
    """anatomical.nii as background, an RGB volume as foreground and a label map with named colours as label,
    in every view (each written to a file and read back with Slicer's reader)."""
    scalarPath = anatomicalPath()
    scalar = bench.loadVolume(scalarPath, "anatomical")

    shape = (20, 18, 12)
    i, j, k = np.indices(shape)
    rgb = np.zeros(shape, dtype=[("R", "u1"), ("G", "u1"), ("B", "u1")])
    rgb["R"], rgb["G"], rgb["B"] = i * 12, j * 13, k * 20
    rgbPath = bench.tempPath("rgb.nii.gz")
    nibabel.save(nibabel.Nifti1Image(rgb, obliqueAffine()), rgbPath)
    color = bench.loadVolume(rgbPath, "rgb")

    labels = ((i // 5 + j // 6 + k // 4) % len(LABEL_NAMES)).astype("int16")
    labelAffine = np.diag([1.5, 1.5, 2.5, 1.0])
    labelAffine[:3, 3] = (-12.0, -14.0, -8.0)
    labelPath = bench.writeVolume("labels.nii.gz", labels, labelAffine)
    label = bench.loadVolume(labelPath, "labels", labelMap=True)
    table = slicer.vtkMRMLColorTableNode()
    table.SetTypeToUser()
    table.SetName("organs")
    table.SetNumberOfColors(len(LABEL_NAMES))
    for index, name in enumerate(LABEL_NAMES):
        table.SetColor(index, name, 0.2 * index, 0.5, 0.5, 1.0)
    bench.scene.AddNode(table)
    label.GetDisplayNode().SetAndObserveColorNodeID(table.GetID())

    bench.showVolume(scalar)
    bench.showVolume(color, layer="Foreground", fit=False)
    bench.showVolume(label, layer="Label", fit=False)
    return {"scalar": (scalar, scalarPath), "rgb": (color, rgbPath), "label": (label, labelPath)}


def test_readout_before_any_sync_has_no_point_and_says_so(bench, layered, engine):
    readout = engine.readout()

    assert readout.ras is None
    assert readout.layers == []
    assert readout.text() == "No synced point yet"


def test_readout_lists_each_shown_volume_once_with_its_layer(bench, layered, engine):
    yellow = bench.views["Yellow"]
    # The scalar volume is also Yellow's foreground: still listed once, as the background it is elsewhere.
    yellow.compositeNode.SetForegroundVolumeID(layered["scalar"][0].GetID())
    engine.syncTo((1.0, 2.0, 3.0))

    readout = engine.readout()

    assert [(entry.volumeName, entry.layer) for entry in readout.layers] == [
        ("anatomical", "background"),
        ("rgb", "foreground"),
        ("labels", "label"),
    ]


@pytest.mark.parametrize("offset", [(0.0, 0.0, 0.0), (0.3, -0.4, 0.2), (-0.45, 0.45, -0.3)])
def test_readout_of_a_scalar_volume_matches_its_array(bench, layered, engine, offset):
    volume, path = layered["scalar"]
    array = slicer.util.arrayFromVolume(volume)
    ras = voxelCentre(path, (17, 9, 4), offset)

    engine.syncTo(ras)
    entry = entryFor(engine.readout(), volume)

    i, j, k = expectedIJK(volume, ras)
    assert (i, j, k) == (17, 9, 20), "Slicer reads anatomical.nii with its k axis flipped"
    assert entry.layer == "background"
    assert entry.ijk == (i, j, k)
    assert isinstance(entry.value, float)
    assert entry.value == float(array[k, j, i]) == fileValue(path, ras)
    assert entry.label is None


def test_readout_of_an_rgb_volume_gives_the_three_components(bench, layered, engine):
    volume, path = layered["rgb"]
    array = slicer.util.arrayFromVolume(volume)
    ras = voxelCentre(path, (13, 4, 7), (0.2, 0.3, -0.3))

    engine.syncTo(ras)
    entry = entryFor(engine.readout(), volume)

    i, j, k = expectedIJK(volume, ras)
    assert entry.layer == "foreground"
    assert entry.ijk == (i, j, k)
    assert entry.value == tuple(float(c) for c in array[k, j, i]) == fileValue(path, ras)
    assert entry.value == (13 * 12.0, 4 * 13.0, 7 * 20.0)
    assert entry.label is None


@pytest.mark.parametrize("fileVoxel", [(2, 3, 1), (7, 3, 1), (7, 9, 5), (19, 17, 11)])
def test_readout_of_a_label_map_names_the_label_from_its_colour_table(bench, layered, engine, fileVoxel):
    volume, path = layered["label"]
    array = slicer.util.arrayFromVolume(volume)
    ras = voxelCentre(path, fileVoxel, (0.1, -0.2, 0.3))

    engine.syncTo(ras)
    entry = entryFor(engine.readout(), volume)

    i, j, k = expectedIJK(volume, ras)
    value = int(array[k, j, i])
    assert value == fileValue(path, ras)
    assert entry.layer == "label"
    assert entry.ijk == (i, j, k)
    assert entry.value == float(value)
    assert entry.label == LABEL_NAMES[value]


def test_readout_of_the_label_maps_four_labels_names_each(bench, layered, engine):
    volume, path = layered["label"]
    names = set()
    for fileVoxel in [(0, 0, 0), (5, 0, 0), (10, 0, 0), (15, 0, 0)]:
        engine.syncTo(voxelCentre(path, fileVoxel))
        names.add(entryFor(engine.readout(), volume).label)

    assert names == set(LABEL_NAMES)


def test_readout_after_a_real_click_reads_every_layer_at_the_clicked_point(bench, layered, engine):
    red = bench.views["Red"]
    ras = red.pixelToRAS(131, 117)

    red.click(131, 117)
    readout = engine.readout()

    assert readout.ras == pytest.approx(ras, abs=1e-9)
    inside = 0
    for key in ("scalar", "rgb", "label"):
        volume, path = layered[key]
        entry = entryFor(readout, volume)
        array = slicer.util.arrayFromVolume(volume)
        i, j, k = expectedIJK(volume, ras)
        if all(0 <= c < n for c, n in zip((i, j, k), array.shape[:3][::-1])):
            inside += 1
            expected = array[k, j, i]
            assert entry.ijk == (i, j, k)
            assert entry.value == (tuple(float(c) for c in expected) if key == "rgb" else float(expected))
            assert entry.value == fileValue(path, ras)
        else:
            assert entry.ijk is None and entry.value is None
    assert inside >= 2, "the click should fall inside the scalar volume and the label map at least"


def test_readout_outside_a_volume_has_no_voxel_value_or_label(bench, layered, engine):
    label, labelPath = layered["label"]
    scalar, scalarPath = layered["scalar"]
    # Inside the anatomical volume, one voxel beyond the label map's last slice.
    ras = voxelCentre(labelPath, (10, 9, 12))
    assert fileIJK(labelPath, ras)[2] == 12
    scalarIJK = expectedIJK(scalar, ras)
    assert all(0 <= c < n for c, n in zip(scalarIJK, (33, 41, 25)))

    engine.syncTo(ras)
    readout = engine.readout()

    outside = entryFor(readout, label)
    assert (outside.ijk, outside.value, outside.label) == (None, None, None)
    assert entryFor(readout, scalar).ijk == scalarIJK
    assert "label: labels: outside" in readout.text().splitlines()


def test_readout_text_gives_the_point_and_one_line_per_volume(bench, layered, engine):
    volume, path = layered["label"]
    ras = voxelCentre(path, (7, 3, 1))
    engine.syncTo(ras)

    lines = engine.readout().text().splitlines()

    r, a, s = ras
    assert lines[0] == f"R {r:.2f}, A {a:.2f}, S {s:.2f} mm"
    assert len(lines) == 4
    i, j, k = expectedIJK(volume, ras)
    value = int(slicer.util.arrayFromVolume(volume)[k, j, i])
    assert lines[3] == f"label: labels: IJK ({i}, {j}, {k}), value {value} ({LABEL_NAMES[value]})"


def test_readout_of_a_volume_under_a_linear_transform_reads_the_voxel_under_the_world_point(bench, layered, engine):
    volume, path = layered["scalar"]
    array = slicer.util.arrayFromVolume(volume)
    transform = slicer.vtkMRMLLinearTransformNode()
    bench.scene.AddNode(transform)
    matrix = vtk.vtkMatrix4x4()
    rotation = vtk.vtkTransform()
    rotation.RotateZ(30.0)
    rotation.PostMultiply()
    rotation.Translate(6.0, -4.0, 2.5)
    matrix.DeepCopy(rotation.GetMatrix())
    transform.SetMatrixTransformToParent(matrix)
    volume.SetAndObserveTransformNodeID(transform.GetID())
    local = voxelCentre(path, (11, 20, 8), (0.2, 0.1, -0.2))
    world = matrix.MultiplyPoint((*local, 1.0))[:3]

    engine.syncTo(world)
    entry = entryFor(engine.readout(), volume)

    assert entry.ijk == expectedIJK(volume, local)
    i, j, k = entry.ijk
    assert entry.value == float(array[k, j, i]) == fileValue(path, local)


def test_readout_of_a_volume_under_a_nonlinear_transform_uses_its_transform_from_world(bench, layered, engine):
    volume, path = layered["scalar"]
    array = slicer.util.arrayFromVolume(volume)
    # A displacement grid (non-linear by kind) that shifts everything by the same vector.
    shift = (4.0, -3.0, 2.0)
    grid = vtk.vtkImageData()
    grid.SetOrigin(-100.0, -100.0, -100.0)
    grid.SetSpacing(50.0, 50.0, 50.0)
    grid.SetDimensions(5, 5, 5)
    grid.AllocateScalars(vtk.VTK_DOUBLE, 3)
    for c in range(3):
        grid.GetPointData().GetScalars().FillComponent(c, shift[c])
    gridTransform = slicer.vtkOrientedGridTransform()
    gridTransform.SetDisplacementGridData(grid)
    transform = slicer.vtkMRMLGridTransformNode()
    bench.scene.AddNode(transform)
    transform.SetAndObserveTransformToParent(gridTransform)
    volume.SetAndObserveTransformNodeID(transform.GetID())
    assert not transform.IsTransformToWorldLinear()
    local = voxelCentre(path, (5, 30, 14), (-0.2, 0.1, 0.3))
    world = tuple(local[c] + shift[c] for c in range(3))

    engine.syncTo(world)
    entry = entryFor(engine.readout(), volume)

    assert entry.ijk == expectedIJK(volume, local)
    i, j, k = entry.ijk
    assert entry.value == float(array[k, j, i]) == fileValue(path, local)


def test_readout_with_snap_on_reads_the_voxel_the_cursor_snapped_to(bench, layered, engine):
    volume, path = layered["scalar"]
    array = slicer.util.arrayFromVolume(volume)
    engine.setSnapToVoxel(True)
    engine.setReferenceVolume(volume)
    red = bench.views["Red"]

    red.click(131, 117)
    readout = engine.readout()

    m = vtk.vtkMatrix4x4()
    volume.GetRASToIJKMatrix(m)
    ijk = m.MultiplyPoint((*readout.ras, 1.0))[:3]
    assert ijk == pytest.approx([round(c) for c in ijk], abs=1e-6), "the cursor should be a voxel centre"
    entry = entryFor(readout, volume)
    assert entry.ijk == tuple(int(round(c)) for c in ijk)
    i, j, k = entry.ijk
    assert entry.value == float(array[k, j, i]) == fileValue(path, readout.ras)
