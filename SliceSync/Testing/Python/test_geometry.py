"""The hand-written geometry (clamping, containment, keep-in-view pan) checked with numbers alone."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from SliceSyncLib import Geometry

finite = st.floats(min_value=-200, max_value=200, allow_nan=False)
positive = st.floats(min_value=0.1, max_value=5)


def randomRotation(a, b, c):
    q = np.array([1.0, a, b, c])
    w, x, y, z = q / np.linalg.norm(q)
    return np.array(
        [
            [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
            [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
            [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
        ]
    )


@settings(max_examples=200, deadline=None)
@given(
    rotation=st.tuples(finite, finite, finite),
    spacing=st.tuples(positive, positive, positive),
    origin=st.tuples(finite, finite, finite),
    dims=st.tuples(st.integers(1, 60), st.integers(1, 60), st.integers(1, 60)),
    normal=st.tuples(finite, finite, finite).filter(lambda n: math.hypot(*n) > 1e-3),
)
def test_box_range_along_normal_matches_the_extreme_voxel_centres(rotation, spacing, origin, dims, normal):
    matrix = np.eye(4)
    matrix[:3, :3] = randomRotation(*[v / 100 for v in rotation]) @ np.diag(spacing)
    matrix[:3, 3] = origin
    extent = (0, dims[0] - 1, 0, dims[1] - 1, 0, dims[2] - 1)
    n = np.asarray(normal) / np.linalg.norm(normal)

    box = Geometry.volumeBoxFromIJKToWorld(matrix.tolist(), extent)
    low, high = Geometry.boxRangeAlongNormal(box, tuple(n))

    corners = [matrix @ (i, j, k, 1.0) for i, j, k in itertools.product(*[(0, d - 1) for d in dims])]
    values = [float(n @ corner[:3]) for corner in corners]
    assert math.isclose(low, min(values), abs_tol=1e-6)
    assert math.isclose(high, max(values), abs_tol=1e-6)


def test_an_empty_extent_has_no_box():
    assert Geometry.volumeBoxFromIJKToWorld(np.eye(4).tolist(), (0, -1, 0, 9, 0, 9)) is None


@pytest.mark.parametrize(
    ("point", "expected"),
    [((0.0, 0.0, 5.0), (0.0, 0.0, 5.0)), ((3.0, 4.0, 50.0), (3.0, 4.0, 10.0)), ((3.0, 4.0, -50.0), (3.0, 4.0, -2.0))],
)
def test_clamp_moves_only_along_the_normal_and_only_as_far_as_needed(point, expected):
    assert Geometry.clampAlongNormal(point, (0.0, 0.0, 1.0), -2.0, 10.0) == pytest.approx(expected)


def test_clamp_along_an_oblique_normal_lands_on_the_bound():
    normal = tuple(np.array([1.0, 1.0, 0.0]) / math.sqrt(2))
    clamped = Geometry.clampAlongNormal((10.0, 10.0, 3.0), normal, -1.0, 5.0)
    assert Geometry.dot(clamped, normal) == pytest.approx(5.0)
    difference = np.subtract(clamped, (10.0, 10.0, 3.0))
    assert np.allclose(np.cross(difference, normal), 0.0)


def test_inside_image_includes_the_half_voxel_around_the_voxel_centres():
    worldToIJK = np.diag([0.5, 0.5, 0.2, 1.0]).tolist()  # 2 x 2 x 5 mm voxels at the origin
    extent = (0, 9, 0, 9, 0, 3)
    assert Geometry.isInsideImage(worldToIJK, extent, (-0.99, 0.0, 0.0))
    assert not Geometry.isInsideImage(worldToIJK, extent, (-1.01, 0.0, 0.0))
    assert Geometry.isInsideImage(worldToIJK, extent, (0.0, 0.0, 17.4))
    assert not Geometry.isInsideImage(worldToIJK, extent, (0.0, 0.0, 17.6))


def test_a_degenerate_slice_matrix_is_refused():
    with pytest.raises(ValueError):
        Geometry.planeNormalAndOrigin(np.zeros((4, 4)).tolist())


def test_keep_in_view_shift_is_none_inside_and_minimal_outside():
    xyToRAS = np.diag([0.5, 0.5, 1.0, 1.0])  # 0.5 mm pixels, view 200 x 100 pixels
    rasToXY = np.linalg.inv(xyToRAS)
    size = (200, 100)
    assert Geometry.keepInViewShift(rasToXY.tolist(), xyToRAS.tolist(), (50.0, 25.0, 0.0), size, 0.05) is None

    shift = Geometry.keepInViewShift(rasToXY.tolist(), xyToRAS.tolist(), (150.0, 25.0, 0.0), size, 0.05)
    # The point at x = 300 px must come back to 190 px (the 5 % margin): 110 px = 55 mm, nothing along y.
    assert shift == pytest.approx((55.0, 0.0, 0.0))
