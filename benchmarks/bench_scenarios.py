"""Benchmark: wall time of the storyboard engine on esmini's reference scenarios.

Prints, per scenario: simulated seconds, median wall seconds over 5 runs (load excluded and
included) and the real-time factor. Run: ``.venv/bin/python benchmarks/bench_scenarios.py``.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from maps import load_opendrive  # noqa: E402
from scenarios import ScenarioEngine, load_scenario  # noqa: E402

XOSC = Path(__file__).resolve().parents[2] / "shared" / "reference" / "esmini" / "resources" / "xosc"


def run_once(name: str) -> tuple[float, float, float]:
    t0 = time.perf_counter()
    sc = load_scenario(XOSC / f"{name}.xosc")
    net = load_opendrive(sc.road_network_path)
    t1 = time.perf_counter()
    eng = ScenarioEngine(sc, net, dt=0.05)
    eng.initialize()
    while not eng.done:
        eng.step(0.05, {})
    t2 = time.perf_counter()
    return eng.time, t2 - t1, t2 - t0


def main() -> None:
    print(f"{'scenario':14s} {'sim s':>7s} {'run s':>8s} {'RTF':>7s} {'load+run s':>10s}")
    for name in ("cut-in", "lane_change", "pedestrian", "routing-test", "ltap-od", "synchronize",
                 "trajectory-test", "acc-test"):
        runs = [run_once(name) for _ in range(5)]
        sim = runs[0][0]
        run_s = statistics.median(r[1] for r in runs)
        total = statistics.median(r[2] for r in runs)
        print(f"{name:14s} {sim:7.2f} {run_s:8.3f} {sim / run_s:6.0f}x {total:10.3f}")


if __name__ == "__main__":
    main()
