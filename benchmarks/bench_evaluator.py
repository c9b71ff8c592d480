"""Time the evaluator: score_case on a synthetic 300 s, 20 Hz recording with 10 entities (per
metric), score_case on a real smoke-suite recording with the Wuhan map, write_report with
figures, and the run-level aggregation over 1000 case results.

Prints figures only (no pass/fail): ``python benchmarks/bench_evaluator.py [RUN_DIR]`` (RUN_DIR:
a run folder of ``testzone run --suite smoke``; its cut-in case is scored with its map).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "evaluator"))

from evaluator_fixtures import FakeAreaNet, FakeSignal, make_recording, red, straight  # noqa: E402

from evaluator import score_case, write_report  # noqa: E402
from evaluator.aggregate import totals  # noqa: E402
from evaluator.case import CaseResult  # noqa: E402
from evaluator.metrics import default_metrics  # noqa: E402


def synthetic() -> None:
    tracks = {"ego": straight(0.0, 12.0, y=-1.75)}
    for i in range(9):
        tracks[f"car{i}"] = straight(30.0 + 25.0 * i, 12.5, y=-1.75 + 3.5 * (i % 2))
    t0 = time.perf_counter()
    rec = make_recording(tracks, 300.0, signals=red())
    net = FakeAreaNet(limit_mps=13.9, signals=[FakeSignal("s1", "1", 2000.0)])
    print(f"synthetic: {len(rec.frames)} frames, {len(tracks)} entities, "
          f"built in {time.perf_counter() - t0:.2f} s")
    for m in default_metrics():
        t = time.perf_counter()
        m.compute(rec, net)
        print(f"  {m.name:13s} {time.perf_counter() - t:6.3f} s")
    t1 = time.perf_counter()
    res = score_case(rec, net)
    t2 = time.perf_counter()
    with tempfile.TemporaryDirectory() as d:
        write_report(d, [res], {"run_id": "bench"})
        t3 = time.perf_counter()
    print(f"  score_case total {t2 - t1:.2f} s (verdict {res.verdict}, score {res.score:.1f})")
    print(f"  write_report (no recording figures) {t3 - t2:.2f} s")


def real(run_dir: Path) -> None:
    from maps import load_opendrive
    from testzone.recording import read_recording
    rec = read_recording(run_dir / "cases" / "cut_in" / "recording.jsonl")
    t0 = time.perf_counter()
    net = load_opendrive(rec.header.map_file)
    t1 = time.perf_counter()
    score_case(rec, net)
    t2 = time.perf_counter()
    score_case(rec, net)
    t3 = time.perf_counter()
    print(f"cut_in ({len(rec.frames)} frames, Wuhan section map): load map {t1 - t0:.2f} s, "
          f"score_case first {t2 - t1:.2f} s (map areas built), again {t3 - t2:.2f} s")


def aggregate() -> None:
    results = [CaseResult(f"c{i:04d}", "s.xosc", "pass" if i % 3 else "fail", float(i % 100),
                          family=f"f{i % 4}", parameters={"Speed": i % 10, "Gap": i % 7})
               for i in range(1000)]
    t = time.perf_counter()
    totals(results)
    print(f"aggregate 1000 cases (2 varied parameters): {time.perf_counter() - t:.3f} s")


if __name__ == "__main__":
    synthetic()
    if len(sys.argv) > 1:
        real(Path(sys.argv[1]))
    aggregate()
