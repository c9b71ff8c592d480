"""Embedded simulator benchmark: the esmini reference scenarios and a 20-case suite.

Prints, per reference scenario: start-up wall time (parse .xosc, load .xodr, Init), stepping
wall time, simulated seconds, real-time factor (simulated s / stepping wall s) and the ratio of
our total wall time to esmini's (from shared/reference/esmini/README.md, REF column).
Then runs 20-case suites with --workers 1 and --workers 2 and prints the speed-up and the
per-case overhead of Ray: the smoke suite's 3 short files cycled (about 1 s a case, where
Ray's fixed start-up and shut-down costs weigh most) and the first 20 cases of gbt41798.

    .venv/bin/python benchmarks/bench_sim.py [--suite-only | --reference-only]
        [--speedup-suite v2x-day1 --agent idm-v2x --cases 0]   # another suite, all 26 cases
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
REF = ROOT.parent / "shared" / "reference" / "esmini"
# esmini v3.6.0 median wall times [s] with CSV and log (README "Timing of these runs", REF)
ESMINI_WALL = {"cut-in": 0.09, "synchronize": 0.10, "acc-test": 0.02,
               "follow_route_controller_test_medium": 0.16}
SCENARIOS = ["cut-in", "lane_change", "pedestrian_collision", "pedestrian", "acc-test",
             "synchronize", "ltap-od", "routing-test", "trajectory-test"]


def time_reference(name: str, repeats: int = 3) -> dict | None:
    """Median start-up and stepping times of one reference scenario with every entity
    following the storyboard (the ``scenario`` agent)."""
    from maps import load_opendrive
    from scenarios import ScenarioEngine, load_scenario
    path = REF / "resources" / "xosc" / f"{name}.xosc"
    starts, steps, sims = [], [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        try:
            sc = load_scenario(path)
            net = load_opendrive(sc.road_network_path)
            engine = ScenarioEngine(sc, net, dt=0.05, external=frozenset(), seed=1,
                                    on_event=lambda e: None)
            world = engine.initialize()
        except Exception as exc:  # noqa: BLE001 - report and go on
            print(f"{name:38s} not supported: {str(exc)[:90]}")
            return None
        t1 = time.perf_counter()
        while not engine.done and world.time < 600.0:
            world = engine.step(0.05, {})
        t2 = time.perf_counter()
        starts.append(t1 - t0)
        steps.append(t2 - t1)
        sims.append(world.time)
    return {"start": statistics.median(starts), "step": statistics.median(steps),
            "sim": sims[0]}


def reference_table() -> None:
    print(f"{'scenario':38s} {'start s':>8s} {'step s':>8s} {'sim s':>7s} {'RTF':>8s} "
          f"{'esmini s':>8s} {'ratio':>6s}")
    for name in SCENARIOS:
        r = time_reference(name)
        if r is None:
            continue
        total = r["start"] + r["step"]
        rtf = r["sim"] / r["step"] if r["step"] > 0 else float("inf")
        es = ESMINI_WALL.get(name)
        ratio = f"{total / es:6.2f}" if es else "     -"
        print(f"{name:38s} {r['start']:8.3f} {r['step']:8.3f} {r['sim']:7.2f} {rtf:8.0f} "
              f"{es if es else '-':>8} {ratio}")


def suite_speedup(n_cases: int = 20, suite: str = "smoke", agent: str = "idm") -> None:
    """Wall time of a suite on 1 and 2 workers: ``n_cases`` cases cycling through the suite's
    files (0: the suite as it is)."""
    from runners.case import RunOptions
    from runners.suite import make_cases, run_suite, suite_files
    files = suite_files(suite)
    if n_cases:
        files = (files * ((n_cases + len(files) - 1) // len(files)))[:n_cases]
    n_cases = len(files)
    opts = RunOptions(agent=agent)
    walls = {}
    for workers in (1, 2):
        cases = make_cases(files, seed=0)
        with tempfile.TemporaryDirectory() as d:
            t0 = time.perf_counter()
            rep = run_suite(cases, opts, Path(d), workers=workers, argv=["bench"])
            walls[workers] = time.perf_counter() - t0
            case_sum = sum(r.get("wall_time_s", 0.0) for r in rep.results)
        print(f"{suite}, {n_cases} cases, --workers {workers}: {walls[workers]:.1f} s wall "
              f"({case_sum:.1f} s of it simulating, the rest scoring, figures, start-up)")
    extra = walls[2] - walls[1] / 2
    print(f"speed-up on 2 workers ({suite}, {n_cases} cases): {walls[1] / walls[2]:.2f}x "
          f"(target >= 1.8); 2 workers took {extra:.1f} s more than half of 1 worker's wall "
          f"({extra / n_cases * 1000:.0f} ms/case: Ray's start-up, shut-down and per-worker "
          f"imports)")

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--suite-only", action="store_true")
    ap.add_argument("--reference-only", action="store_true")
    ap.add_argument("--speedup-suite", action="append",
                    help="suite for the speed-up figure, repeatable (default: smoke and "
                         "gbt41798, 20 cases of each: smoke cycles its 3 short files, so "
                         "Ray's fixed costs show; gbt41798's first 20 are the test zone's "
                         "own cases)")
    ap.add_argument("--cases", type=int, default=20, help="cases per suite (0: all of it)")
    ap.add_argument("--agent", default="idm")
    a = ap.parse_args()
    if not a.suite_only:
        reference_table()
    if not a.reference_only:
        for suite in a.speedup_suite or ["smoke", "gbt41798"]:
            suite_speedup(a.cases, suite, a.agent)
