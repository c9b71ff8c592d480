"""ParameterValueDistribution files that ask for absurd numbers of cases.

Promise: bad input gets a clear error and exit 2, promptly; the platform refuses (as it already
does for one DistributionRange of more than 1,000,000 values) rather than trying to write or
run millions of scenarios.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CUT_IN = ROOT / "scenarios" / "wuhan" / "cut_in.xosc"

HEAD = f"""<?xml version="1.0" encoding="utf-8"?>
<OpenSCENARIO>
  <FileHeader revMajor="1" revMinor="2" date="2024-01-01T00:00:00" description="d" author="t"/>
  <ParameterValueDistribution>
    <ScenarioFile filepath="{CUT_IN}"/>
"""
TAIL = """  </ParameterValueDistribution>
</OpenSCENARIO>
"""


def rng(name: str, step: float, lo: float, hi: float) -> str:
    return (f'<DeterministicSingleParameterDistribution parameterName="{name}">'
            f'<DistributionRange stepWidth="{step}"><Range lowerLimit="{lo}" upperLimit="{hi}"/>'
            f"</DistributionRange></DeterministicSingleParameterDistribution>\n")


def expand(tmp_path: Path, body: str, timeout: float = 45) -> subprocess.CompletedProcess:
    path = tmp_path / "dist.xosc"
    path.write_text(HEAD + body + TAIL, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT), COLUMNS="200")
    try:
        return subprocess.run([sys.executable, "-m", "runners.cli", "scenario", "expand",
                               str(path), "-o", str(tmp_path / "out")], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        written = len(list((tmp_path / "out").glob("*.xosc"))) if (tmp_path / "out").is_dir() else 0
        pytest.fail(f"expand still running after {timeout:.0f} s ({written} files written)")


def assert_refused(res: subprocess.CompletedProcess) -> None:
    out = res.stdout + res.stderr
    assert "Traceback" not in out, out[-2000:]
    assert res.returncode == 2, (res.returncode, out[-2000:])
    assert any(ln.startswith("error:") and "dist.xosc" in ln for ln in res.stderr.splitlines()), out


def test_cartesian_product_of_a_billion_is_refused(tmp_path: Path) -> None:
    # observed: three ranges of 1001 values each (each under the per-range cap): still running
    # after 60 s, growing; a 10-million product had written 5,486 files and 1.5 GB by then
    body = ("<Deterministic>\n" + rng("EgoSpeed", 0.001, 10, 11) + rng("EgoS", 0.001, 40, 41)
            + rng("CutInLag", 0.001, 9, 10) + "</Deterministic>\n")
    assert_refused(expand(tmp_path, body))


def test_stochastic_billion_runs_is_refused(tmp_path: Path) -> None:
    # observed: numberOfTestRuns="1000000000" still running after 60 s
    body = ('<Stochastic numberOfTestRuns="1000000000" randomSeed="1">'
            '<StochasticDistribution parameterName="EgoSpeed"><UniformDistribution>'
            '<Range lowerLimit="10" upperLimit="12"/></UniformDistribution>'
            "</StochasticDistribution></Stochastic>\n")
    assert_refused(expand(tmp_path, body))


def test_reversed_range_is_refused(tmp_path: Path) -> None:
    # holds today: a guard
    body = "<Deterministic>\n" + rng("EgoSpeed", 0.5, 12, 10) + "</Deterministic>\n"
    assert_refused(expand(tmp_path, body))


def test_zero_step_is_refused(tmp_path: Path) -> None:
    # holds today: a guard
    body = "<Deterministic>\n" + rng("EgoSpeed", 0, 10, 12) + "</Deterministic>\n"
    assert_refused(expand(tmp_path, body))


def test_a_bad_distribution_in_a_run_does_not_stop_the_other_cases(tmp_path: Path) -> None:
    """`testzone run bad.dist.xosc good.xosc`: the distribution (stepWidth 0) is one error
    case with the message naming its file and line; the good case still runs; exit 2."""
    import json
    bad = tmp_path / "dist.xosc"
    bad.write_text(HEAD + "<Deterministic>\n" + rng("EgoSpeed", 0, 10, 12)
                   + "</Deterministic>\n" + TAIL, encoding="utf-8")
    good = ROOT / "scenarios" / "wuhan" / "stationary_vehicle.xosc"
    env = dict(os.environ, PYTHONPATH=str(ROOT), COLUMNS="200")
    res = subprocess.run([sys.executable, "-m", "runners.cli", "run", str(bad), str(good),
                          "--workers", "1", "--out", str(tmp_path / "run")], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    out = res.stdout + res.stderr
    assert res.returncode == 2, out[-2000:]
    assert "Traceback" not in out
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    by_id = {c["case_id"]: c for c in summary["cases"]}
    assert by_id["dist"]["verdict"] == "error" and "stepWidth" in by_id["dist"]["error"]
    assert f"{bad}:" in by_id["dist"]["error"]
    assert by_id["stationary_vehicle"]["verdict"] == "pass"
