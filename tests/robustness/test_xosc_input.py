"""Hostile `.xosc` input through the real `testzone` command (a subprocess, as a user runs it).

Each test asserts what the platform promises for bad input: exit status 2, one line
`error: FILE:LINE: <Element>: ...` naming the file, no Python traceback, and the run folder
(summary.json, report.html) still written with the other cases in it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WUHAN = ROOT / "scenarios" / "wuhan"
MAP = ROOT / "maps" / "wuhan" / "wuhan_section1.xodr"


def tz(*args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), COLUMNS="200")
    return subprocess.run([sys.executable, "-m", "runners.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def mutant(tmp_path: Path, name: str, old: str, new: str) -> Path:
    """cut_in.xosc with one text substitution, its LogicFile made absolute."""
    text = (WUHAN / "cut_in.xosc").read_text(encoding="utf-8")
    text = text.replace("../../maps/wuhan/wuhan_section1.xodr", str(MAP))
    assert old in text, old
    path = tmp_path / f"{name}.xosc"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def assert_bad_input(res: subprocess.CompletedProcess, path: Path) -> None:
    out = res.stdout + res.stderr
    assert "Traceback" not in out, out[-3000:]
    assert res.returncode == 2, (res.returncode, out[-3000:])
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("error:")]
    assert errors and any(f"{path.name}:" in ln for ln in errors), res.stderr[-3000:]


def run(path: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return tz("run", str(path), *extra, "--workers", "1", "--out", str(out))


DEEP = "${" + "(" * 3000 + "1" + ")" * 3000 + "}"
HUGE_POW = "${10 ** 10 ** 10}"


def test_deeply_nested_expression_is_bad_input_not_a_crash(tmp_path: Path) -> None:
    # observed: exit 3, "RecursionError: maximum recursion depth exceeded", no file or line
    bad = mutant(tmp_path, "deep", 'name="EgoS" parameterType="double" value="50.0"',
                 f'name="EgoS" parameterType="double" value="{DEEP}"')
    assert_bad_input(run(bad, tmp_path / "run"), bad)


def test_deeply_nested_expression_scenario_check_has_no_traceback(tmp_path: Path) -> None:
    # observed: exit 1 with a rich traceback ending in RecursionError
    bad = mutant(tmp_path, "deep", 'name="EgoS" parameterType="double" value="50.0"',
                 f'name="EgoS" parameterType="double" value="{DEEP}"')
    res = tz("scenario", "check", str(bad))
    assert "Traceback" not in res.stdout + res.stderr, res.stderr[-2000:]
    assert res.returncode == 2


def test_overflowing_power_is_bad_input_with_file_and_line(tmp_path: Path) -> None:
    # observed: run exits 3 "OverflowError: math range error"; scenario check prints a traceback
    bad = mutant(tmp_path, "pow", 'name="EgoS" parameterType="double" value="50.0"',
                 f'name="EgoS" parameterType="double" value="{HUGE_POW}"')
    assert_bad_input(run(bad, tmp_path / "run"), bad)
    res = tz("scenario", "check", str(bad))
    assert "Traceback" not in res.stdout + res.stderr, res.stderr[-2000:]
    assert res.returncode == 2


def test_nan_position_is_bad_input_and_the_report_is_still_written(tmp_path: Path) -> None:
    # observed: GEOSException for the case, then a traceback from the bird's-eye figure
    # (matplotlib "figure size must be positive finite"), exit 1, no report.html
    bad = mutant(tmp_path, "nan_s", 's="${$EgoS - $CutInLag}"', 's="NaN"')
    res = run(bad, tmp_path / "run")
    assert_bad_input(res, bad)
    assert (tmp_path / "run" / "report.html").is_file()


def test_nan_case_does_not_lose_the_other_cases_report(tmp_path: Path) -> None:
    # observed: the good case is computed, but the run dies writing report.html (traceback)
    bad = mutant(tmp_path, "nan_s", 's="${$EgoS - $CutInLag}"', 's="inf"')
    res = tz("run", str(WUHAN / "cut_in.xosc"), str(bad), "--workers", "1",
                   "--out", str(tmp_path / "run"))
    assert "Traceback" not in res.stdout + res.stderr, res.stderr[-3000:]
    assert res.returncode == 2, res.returncode
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    verdicts = {c["case_id"]: c["verdict"] for c in summary["cases"]}
    assert verdicts.get("cut_in") == "pass" and verdicts.get("nan_s") == "error", verdicts
    assert (tmp_path / "run" / "report.html").is_file()


def test_nan_speed_parameter_is_bad_input(tmp_path: Path) -> None:
    # observed: exit 3, "ValueError: Out of range float values are not JSON compliant"
    bad = mutant(tmp_path, "nan_speed", 'name="EgoSpeed" parameterType="double" value="13.888889"',
                 'name="EgoSpeed" parameterType="double" value="nan"')
    assert_bad_input(run(bad, tmp_path / "run"), bad)


def test_scenario_without_ego_is_bad_input_naming_the_file(tmp_path: Path) -> None:
    # observed: exit 3, "evaluation failed: ...: <header.ego>: the recording header names no
    # ego vehicle" -- a property of the scenario file, found only after simulating it
    text = (WUHAN / "cut_in.xosc").read_text(encoding="utf-8")
    text = text.replace("../../maps/wuhan/wuhan_section1.xodr", str(MAP))
    text = text.replace('name="Ego"', 'name="Car1"').replace('entityRef="Ego"', 'entityRef="Car1"')
    bad = tmp_path / "no_ego.xosc"
    bad.write_text(text, encoding="utf-8")
    assert_bad_input(run(bad, tmp_path / "run"), bad)


def test_negative_lane_change_duration_is_reported_by_check(tmp_path: Path) -> None:
    # observed: `scenario check` 0 errors and `run` passes with a -3 s lane change
    bad = mutant(tmp_path, "neg_duration",
                 'name="LaneChangeDuration" parameterType="double" value="3.0"',
                 'name="LaneChangeDuration" parameterType="double" value="-3.0"')
    res = tz("scenario", "check", str(bad))
    assert res.returncode == 2, res.stdout + res.stderr
    assert "LaneChangeActionDynamics" in res.stdout + res.stderr
