"""The esmini-style trace: collision ids from the x sweep equal the all-pairs test, and names
that would break an unquoted row are written with ``_``."""

from __future__ import annotations

import random

from runners.trace_csv import _cell, _overlaps
from testzone.world import BoundingBox, EntityKind, EntityState, Pose, boxes_overlap


def test_the_sweep_finds_exactly_the_overlapping_pairs():
    rng = random.Random(7)
    entities = {}
    for i in range(150):
        box = BoundingBox(rng.uniform(-2, 2), rng.uniform(-1, 1), 0.75, rng.uniform(0.5, 18),
                          rng.uniform(0.5, 3), 1.5)
        pose = Pose(rng.uniform(0, 120), rng.uniform(0, 30), 0.0, rng.uniform(-3.2, 3.2))
        entities[f"e{i}"] = EntityState(f"e{i}", EntityKind.VEHICLE, pose, box=box)
    got = _overlaps(entities)
    for n, e in entities.items():
        want = [m for m, o in entities.items() if m != n and boxes_overlap(e, o)]
        assert got[n] == want
    assert sum(map(len, got.values())) > 50        # the layout is dense enough to matter


def test_names_cannot_split_a_row():
    # observed: an entity named "Car, 2\nx" split its row in two and shifted the columns
    assert _cell("Car, 2\nx") == "Car_ 2_x"
    assert _cell("停车 车辆") == "停车 车辆"
