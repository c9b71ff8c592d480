"""Step time of the ``idm`` reference agent with and without MOBIL lane changes.

Runs two Wuhan section-1 cases once with ``idm`` (the smoke suite's stationary vehicle and
cut-in), then replays every recorded frame as an Observation (the sensor model of the runner)
to a fresh agent and times ``agent.step`` alone: ``IdmAgent(mobil=None)`` (lane keeping only,
the agent before MOBIL) against the default ``IdmAgent()``. Prints the mean, median and 99th
percentile per step [ms]; the budget is the 50 ms simulation step (real time at dt = 0.05 s).

    .venv/bin/python benchmarks/bench_idm_step.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CASES = ("stationary_vehicle", "cut_in")


def replay_times(rec, net, agent) -> list[float]:
    """Wall time [s] of ``agent.step`` on each frame of the recording ``rec``."""
    from runners.interfaces import VehicleSpec
    from runners.observation import SensorModel, observe
    agent.setup(VehicleSpec("Ego"), net, {})
    sensor = SensorModel()
    out = []
    for world in rec.frames:
        obs = observe(world, "Ego", net, sensor)
        t0 = time.perf_counter()
        agent.step(obs)
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    """Print the step-time table."""
    from maps import load_opendrive
    from runners.agents.idm import IdmAgent
    from runners.case import RunOptions, TestCase, run_case
    from testzone.recording import read_recording
    net = load_opendrive(ROOT / "maps" / "wuhan" / "wuhan_section1.xodr")
    print(f"{'case':20s} {'agent':14s} {'steps':>6s} {'mean ms':>8s} {'median':>8s} "
          f"{'p99':>8s}")
    with tempfile.TemporaryDirectory() as tmp:
        for case in CASES:
            d = Path(tmp) / case
            run_case(TestCase(case, str(ROOT / "scenarios" / "wuhan" / f"{case}.xosc")),
                     RunOptions(agent="idm"), d)
            rec = read_recording(d / "recording.jsonl")
            for label, agent in (("idm no MOBIL", IdmAgent(mobil=None)),
                                 ("idm + MOBIL", IdmAgent())):
                times = sorted(replay_times(rec, net, agent))
                p99 = times[min(len(times) - 1, int(0.99 * len(times)))]
                print(f"{case:20s} {label:14s} {len(times):6d} "
                      f"{1e3 * statistics.fmean(times):8.3f} "
                      f"{1e3 * statistics.median(times):8.3f} {1e3 * p99:8.3f}")


if __name__ == "__main__":
    main()
