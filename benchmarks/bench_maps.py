"""Benchmark of the maps package on esmini's reference roads and the Wuhan networks.

Prints, per road file: load time (wall and CPU), time of the first ``world_to_lane`` (what it
builds lazily), peak Python memory of a load (tracemalloc, measured in a separate load so it
does not slow the timed one), and the median time of ``lane_to_world``, ``world_to_lane``
(with heading; points on junction connecting roads and points elsewhere) and ``advance``
(1.5 m steps) over 2000 random driving-lane positions, with the targets beside them. The
spatial index is warmed up on all points before ``world_to_lane`` is timed (its tiles are
built once per run). Times are wall-clock on a shared machine: compare runs made together,
and read the CPU column when the machine is busy.

Run: ``.venv/bin/python benchmarks/bench_maps.py [FILE.xodr ...]``.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import maps  # noqa: E402
from maps.road import DRIVING_TYPES  # noqa: E402
from testzone.world import LaneCoord  # noqa: E402

REFERENCE = ROOT.parent / "shared" / "reference" / "esmini"
TARGET_LOAD_S = 1.5
"""Load plus first query of the 106 km Wuhan network [s]."""
TARGET_W2L_JUNCTION_US = 50.0
"""Median world_to_lane inside junctions [us]."""


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
    return statistics.median(times) * 1e6 if times else float("nan")


def _load(path: Path) -> tuple[maps.RoadNetwork, float, float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w0, c0 = time.perf_counter(), time.process_time()
        net = maps.load_opendrive(path)
        return net, time.perf_counter() - w0, time.process_time() - c0


def _peak_mb(path: Path) -> float:
    tracemalloc.start()
    try:
        _load(path)
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def bench(path: Path, n: int = 2000) -> None:
    """Print one line of figures for ``path``."""
    net, load_wall, load_cpu = _load(path)
    pts = _samples(net, n, random.Random(1))
    p0 = net.lane_to_world(pts[0].road_id, pts[0].lane_id, pts[0].s)
    t0 = time.perf_counter()
    net.world_to_lane(p0.x, p0.y, p0.h)
    first = time.perf_counter() - t0
    l2w = _median_us(net.lane_to_world, [(c.road_id, c.lane_id, c.s, 0.3) for c in pts])
    poses = [net.lane_to_world(c.road_id, c.lane_id, c.s, 0.3) for c in pts]
    queries = [(p.x, p.y, p.h) for p in poses]
    for q in queries:  # build the index tiles once
        net.world_to_lane(*q)
    in_j = [q for q, c in zip(queries, pts) if net.roads[c.road_id].junction != "-1"]
    out_j = [q for q, c in zip(queries, pts) if net.roads[c.road_id].junction == "-1"]
    w2l_in, w2l_out = _median_us(net.world_to_lane, in_j), _median_us(net.world_to_lane, out_j)
    adv = _median_us(net.advance, [(c, 1.5) for c in pts])
    peak = _peak_mb(path)
    print(f"{path.name:42s} roads {len(net.roads):5d}  load {load_wall * 1e3:7.1f} ms "
          f"(cpu {load_cpu * 1e3:7.1f})  first query {first * 1e3:6.1f} ms  "
          f"peak {peak:6.1f} MB  lane_to_world {l2w:5.1f} us  world_to_lane junctions "
          f"{w2l_in:6.1f} us (target < {TARGET_W2L_JUNCTION_US:.0f}) elsewhere {w2l_out:5.1f} us  "
          f"advance {adv:5.1f} us")
    if "wuhan_testzone" in path.name:
        total = load_wall + first
        print(f"{'':42s} Wuhan load + first query {total:.2f} s (target < {TARGET_LOAD_S} s)")


def main(argv: list[str]) -> None:
    """Benchmark the files given, or every reference road and Wuhan network."""
    files = [Path(a) for a in argv] or (sorted(REFERENCE.rglob("*.xodr")) +
                                        sorted((ROOT / "maps" / "wuhan").glob("*.xodr")))
    for path in files:
        bench(path)


if __name__ == "__main__":
    main(sys.argv[1:])
