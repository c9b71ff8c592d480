"""Time score_case and write_report on a synthetic 300 s, 20 Hz recording with 10 entities.

Prints figures only (no pass/fail): ``python benchmarks/bench_evaluator.py``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "evaluator"))

from evaluator_fixtures import FakeNet, FakeSignal, make_recording, red, straight  # noqa: E402

from evaluator import score_case, write_report  # noqa: E402


def main() -> None:
    tracks = {"ego": straight(0.0, 12.0)}
    for i in range(9):
        tracks[f"car{i}"] = straight(30.0 + 25.0 * i, 12.5, y=3.5 * (i % 2))
    t0 = time.perf_counter()
    rec = make_recording(tracks, 300.0, signals=red())
    t1 = time.perf_counter()
    net = FakeNet(limit_mps=13.9, signals=[FakeSignal("s1", "1", 2000.0)])
    res = score_case(rec, net)
    t2 = time.perf_counter()
    with tempfile.TemporaryDirectory() as d:
        write_report(d, [res], {"run_id": "bench"})
        t3 = time.perf_counter()
    print(f"frames: {len(rec.frames)}, entities: {len(tracks)}")
    print(f"build recording: {t1 - t0:.2f} s")
    print(f"score_case: {t2 - t1:.2f} s  (verdict {res.verdict}, score {res.score:.1f})")
    print(f"write_report (no recording figures): {t3 - t2:.2f} s")


if __name__ == "__main__":
    main()
