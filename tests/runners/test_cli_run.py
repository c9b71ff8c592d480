"""``testzone run`` as a user types it: report folder, exit statuses, determinism, Ray."""

from __future__ import annotations

import json
from pathlib import Path

from lxml import etree
from typer.testing import CliRunner

from runners.cli import app

ROOT = Path(__file__).resolve().parents[2]
WUHAN = ROOT / "scenarios" / "wuhan"


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def summary_without_times(run_dir: Path) -> dict:
    doc = json.loads((run_dir / "summary.json").read_text())
    doc.pop("manifest", None)  # carries the creation time and the command line
    return doc


def test_bad_input_exits_2_with_one_line_and_other_cases_still_run(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xosc"
    bad.write_text("<OpenSCENARIO>\n  <FileHeader revMajor='1' revMinor='1'/>\n  <Entities>\n")
    res = invoke("run", str(bad), str(WUHAN / "cut_in.xosc"), "--workers", "1",
                 "--out", str(tmp_path / "run"))
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.output.splitlines() if ln.startswith("error: bad")]
    assert len(lines) == 1 and "bad.xosc:" in lines[0]
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    verdicts = {c["case_id"]: c["verdict"] for c in summary["cases"]}
    assert verdicts == {"bad": "error", "cut_in": "pass"}
    for name in ("manifest.json", "junit.xml", "report.html"):
        assert (tmp_path / "run" / name).is_file()


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert invoke("run", str(tmp_path / "missing.xosc")).exit_code == 2
    assert invoke("run", "--suite", "no-such-suite").exit_code == 2
    res = invoke("run", str(WUHAN / "cut_in.xosc"), "--agent", "nope")
    assert res.exit_code == 2 and "nope" in res.output
    assert invoke("run").exit_code == 2


def test_failed_criteria_exit_1_and_junit_names_them(tmp_path: Path) -> None:
    res = invoke("run", str(WUHAN / "stationary_vehicle.xosc"), "--agent", "naive",
                 "--workers", "1", "--out", str(tmp_path))
    assert res.exit_code == 1, res.output
    assert "no_collision" in res.output
    junit = etree.parse(str(tmp_path / "junit.xml"))
    failed = [tc.get("name") for tc in junit.iter("testcase") if tc.find("failure") is not None]
    assert any("no_collision" in name for name in failed)


def test_two_runs_give_identical_summaries_and_ray_matches_in_process(tmp_path: Path) -> None:
    files = [str(WUHAN / "cut_in.xosc"), str(WUHAN / "stationary_vehicle.xosc")]
    a = invoke("run", *files, "--workers", "1", "--out", str(tmp_path / "a"))
    b = invoke("run", *files, "--workers", "1", "--out", str(tmp_path / "b"))
    c = invoke("run", *files, "--workers", "2", "--out", str(tmp_path / "ray"))
    assert a.exit_code == b.exit_code == c.exit_code and a.exit_code in (0, 1), c.output
    sa = summary_without_times(tmp_path / "a")
    assert sa == summary_without_times(tmp_path / "b")
    assert sa == summary_without_times(tmp_path / "ray")
    raw_a = (tmp_path / "a" / "summary.json").read_text()
    raw_b = (tmp_path / "b" / "summary.json").read_text()
    strip = [ln for ln in raw_a.splitlines() if "created" not in ln and "command" not in ln]
    assert strip == [ln for ln in raw_b.splitlines() if "created" not in ln
                     and "command" not in ln]
