"""The README's main job: the demo renders real views, clicks, and writes the before/after picture."""

from __future__ import annotations

import numpy as np
from PIL import Image
from SliceSyncDemo import VIEW_SIZE, run


def test_demo_writes_a_picture_where_the_click_changed_only_the_other_views(tmp_path):
    path = run(None, str(tmp_path / "demo.png"), None)

    pixels = np.asarray(Image.open(path).convert("RGB")).astype(int)
    assert pixels.shape == (2 * VIEW_SIZE + 6, 3 * VIEW_SIZE, 3)
    before, after = pixels[:VIEW_SIZE], pixels[VIEW_SIZE + 6 :]
    tiles = [slice(k * VIEW_SIZE, (k + 1) * VIEW_SIZE) for k in range(3)]
    changed = [np.abs(after[:, tile] - before[:, tile]).sum(axis=2) > 30 for tile in tiles]
    # Red (the clicked view) differs only by the drawn cross; Yellow and Green now cut through the lesion.
    assert changed[0].sum() < 100
    assert changed[1].sum() > 1000
    assert changed[2].sum() > 1000
