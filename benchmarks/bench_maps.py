"""Benchmark of the maps package on esmini's reference roads and the Wuhan networks.

Prints, per road file: load time (wall and CPU), time of the first ``world_to_lane`` (what it
builds lazily), peak Python memory of a load (tracemalloc, measured in a separate load so it
does not slow the timed one), and the median time of ``lane_to_world``, ``world_to_lane``
(with heading; over all points, and split into points on junction connecting roads and points
elsewhere) and ``advance``
(1.5 m steps) over 2000 random driving-lane positions, with the targets beside them. The
spatial index is warmed up on all points before ``world_to_lane`` is timed (its tiles are
built once per run). Times are wall-clock on a shared machine: every figure is the median of
``--rounds`` repetitions (3 by default: a fresh load each, and a pass over all the points
each); ``world_to_lane`` also shows the median over the points of each point's best time
over the passes, which other users of the machine disturb less. Compare runs made together,
and read the CPU columns when the machine is busy.

Run: ``.venv/bin/python benchmarks/bench_maps.py [--rounds N] [FILE.xodr ...]``.
"""

from __future__ import annotations

import math
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
ROUNDS = 3
"""Repetitions of every measurement (a fresh load, a pass over the points); the median is
printed."""


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


def _timings_us(fn, args: list, rounds: int = 1) -> tuple[float, float]:
    """``fn(*a)`` for every ``a`` in ``args``, in ``rounds`` passes: the median over the passes
    of each pass's median time [us], and the median over ``args`` of each one's best time
    over the passes [us] (what is left when the other users of the machine are not in the
    way). NaN without ``args``."""
    if not args:
        return float("nan"), float("nan")
    medians, best = [], [math.inf] * len(args)
    for _ in range(rounds):
        times = []
        for a in args:
            t0 = time.perf_counter()
            fn(*a)
            times.append(time.perf_counter() - t0)
        medians.append(statistics.median(times))
        best = [min(b, t) for b, t in zip(best, times)]
    return statistics.median(medians) * 1e6, statistics.median(best) * 1e6


def _median_us(fn, args: list, rounds: int = 1) -> float:
    """Median over ``rounds`` passes of the median time [us] of ``fn(*a)`` over ``args``."""
    return _timings_us(fn, args, rounds)[0]


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


def _load_and_query(path: Path, query: tuple | None) -> tuple:
    """A fresh load of ``path`` and its first ``world_to_lane(*query)`` (None: the first
    sampled position, which is then chosen from this load). Returns the network, the load's
    wall and CPU time [s], the first query's wall and CPU time [s], and the query."""
    net, load_wall, load_cpu = _load(path)
    if query is None:
        p0 = _samples(net, 1, random.Random(1))[0]
        pose = net.lane_to_world(p0.road_id, p0.lane_id, p0.s)
        query = (pose.x, pose.y, pose.h)
    w0, c0 = time.perf_counter(), time.process_time()
    net.world_to_lane(*query)
    return net, load_wall, load_cpu, time.perf_counter() - w0, time.process_time() - c0, query


def bench(path: Path, n: int = 2000, rounds: int = ROUNDS) -> None:
    """Print one line of figures for ``path``, each the median of ``rounds`` repetitions.
    The queries are timed on the first load (as a program would see them), the further
    loads only time the load and its first query."""
    net, *times, query = _load_and_query(path, None)
    runs = [times]
    pts = _samples(net, n, random.Random(1))
    l2w = _median_us(net.lane_to_world, [(c.road_id, c.lane_id, c.s, 0.3) for c in pts],
                     rounds)
    poses = [net.lane_to_world(c.road_id, c.lane_id, c.s, 0.3) for c in pts]
    queries = [(p.x, p.y, p.h) for p in poses]
    for q in queries:  # build the index tiles once
        net.world_to_lane(*q)
    in_j = [q for q, c in zip(queries, pts) if net.roads[c.road_id].junction != "-1"]
    out_j = [q for q, c in zip(queries, pts) if net.roads[c.road_id].junction == "-1"]
    w2l_all, _ = _timings_us(net.world_to_lane, queries, rounds)
    w2l_in, best_in = _timings_us(net.world_to_lane, in_j, rounds)
    w2l_out, best_out = _timings_us(net.world_to_lane, out_j, rounds)
    adv = _median_us(net.advance, [(c, 1.5) for c in pts], rounds)
    n_roads = len(net.roads)
    del net, pts, poses, queries, in_j, out_j
    for _ in range(rounds - 1):
        runs.append(_load_and_query(path, query)[1:5])
    load_wall, load_cpu, first, _ = (statistics.median(col) for col in zip(*runs))
    total = statistics.median(r[0] + r[2] for r in runs)
    total_cpu = statistics.median(r[1] + r[3] for r in runs)
    peak = _peak_mb(path)
    print(f"{path.name:42s} roads {n_roads:5d}  load {load_wall * 1e3:7.1f} ms "
          f"(cpu {load_cpu * 1e3:7.1f})  first query {first * 1e3:6.1f} ms  "
          f"peak {peak:6.1f} MB  lane_to_world {l2w:5.1f} us  world_to_lane all points "
          f"{w2l_all:5.1f} us, junctions "
          f"{w2l_in:6.1f} us (best of {rounds} {best_in:6.1f}; target < "
          f"{TARGET_W2L_JUNCTION_US:.0f}) elsewhere {w2l_out:5.1f} us (best {best_out:5.1f})  "
          f"advance {adv:5.1f} us")
    if "wuhan_testzone" in path.name:
        print(f"{'':42s} Wuhan load + first query {total:.2f} s (cpu {total_cpu:.2f} s; "
              f"target < {TARGET_LOAD_S} s)")


def main(argv: list[str]) -> None:
    """Benchmark the files given, or every reference road and Wuhan network;
    ``--rounds N`` sets the repetitions (default :data:`ROUNDS`)."""
    rounds = ROUNDS
    if "--rounds" in argv:
        k = argv.index("--rounds")
        rounds = max(1, int(argv[k + 1]))
        argv = argv[:k] + argv[k + 2:]
    files = [Path(a) for a in argv] or (sorted(REFERENCE.rglob("*.xodr")) +
                                        sorted((ROOT / "maps" / "wuhan").glob("*.xodr")))
    for path in files:
        bench(path, rounds=rounds)


if __name__ == "__main__":
    main(sys.argv[1:])
