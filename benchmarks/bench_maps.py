"""Benchmark of the maps package on esmini's reference roads.

Prints, per road file (esmini's reference roads and the Wuhan networks in maps/wuhan/): load time, spatial-index build time, and the median time of
``lane_to_world``, ``world_to_lane`` (with heading; also for the points not on junction roads,
where fewer roads overlap) and ``advance`` (1.5 m steps) over 2000 random driving-lane
positions. Times are wall-clock on a shared machine: compare runs made together. Run: ``.venv/bin/python benchmarks/bench_maps.py``.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import maps  # noqa: E402
from maps.road import DRIVING_TYPES  # noqa: E402
from testzone.world import LaneCoord  # noqa: E402

REFERENCE = Path("/work/shared/reference/esmini")


def _samples(net: maps.RoadNetwork, n: int, rng: random.Random) -> list[LaneCoord]:
    roads = list(net.roads.values())
    out: list[LaneCoord] = []
    while len(out) < n:
        road = rng.choice(roads)
        s = rng.uniform(0.0, road.length)
        ids = [i for i in net.lane_ids(road.id, s) if net.lane_type(road.id, i, s) in DRIVING_TYPES]
        if ids:
            lane = rng.choice(ids)
            out.append(LaneCoord(road.id, lane, s, road.lane_center_t(lane, s)))
    return out


def _median_us(fn, args: list) -> float:
    times = []
    for a in args:
        t0 = time.perf_counter()
        fn(*a)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e6


def bench(path: Path, n: int = 2000) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        net = maps.load_opendrive(path)
        load = time.perf_counter() - t0
    t0 = time.perf_counter()
    net.world_to_lane(0.0, 0.0)
    index = time.perf_counter() - t0
    rng = random.Random(1)
    pts = _samples(net, n, rng)
    l2w = _median_us(net.lane_to_world, [(c.road_id, c.lane_id, c.s, 0.3) for c in pts])
    poses = [net.lane_to_world(c.road_id, c.lane_id, c.s, 0.3) for c in pts]
    w2l = _median_us(net.world_to_lane, [(p.x, p.y, p.h) for p in poses])
    plain = [(p.x, p.y, p.h) for p, c in zip(poses, pts) if net.roads[c.road_id].junction == "-1"]
    w2l_plain = _median_us(net.world_to_lane, plain) if plain else float("nan")
    adv = _median_us(net.advance, [(c, 1.5) for c in pts])
    print(f"{path.name:45s} roads {len(net.roads):3d}  load {load * 1e3:7.1f} ms  "
          f"index {index * 1e3:6.1f} ms  lane_to_world {l2w:6.1f} us  "
          f"world_to_lane {w2l:6.1f} us (outside junctions {w2l_plain:6.1f} us)  "
          f"advance {adv:6.1f} us")


def main() -> None:
    for path in sorted(REFERENCE.rglob("*.xodr")):
        bench(path)
    for path in sorted((ROOT / "maps" / "wuhan").glob("*.xodr")):
        bench(path)


if __name__ == "__main__":
    main()
