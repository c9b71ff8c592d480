"""`testzone report` / `testzone compare` on damaged run folders (subprocesses, as a user runs them).

Promise: a damaged run folder ends in one `error: FILE: ...` line and exit 2, never a
traceback; what is still readable is not lost.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CUT_IN = ROOT / "scenarios" / "wuhan" / "cut_in.xosc"


def tz(*args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), COLUMNS="200")
    return subprocess.run([sys.executable, "-m", "runners.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def good_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("robust_report") / "run"
    res = tz("run", str(CUT_IN), "--workers", "1", "--max-time", "5", "--out", str(out))
    assert (out / "summary.json").is_file(), res.stderr[-2000:]
    return out


def damaged(good_run: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "run"
    shutil.copytree(good_run, copy)
    return copy


def assert_clean_error(res: subprocess.CompletedProcess, name: str) -> None:
    out = res.stdout + res.stderr
    assert "Traceback" not in out, out[-3000:]
    assert res.returncode == 2, (res.returncode, out[-3000:])
    assert any(ln.startswith("error:") and name in ln for ln in res.stderr.splitlines()), out


def test_summary_that_is_a_json_list_is_a_clean_error(good_run: Path, tmp_path: Path) -> None:
    # observed: report and compare exit 1 with a traceback ending in
    # "AttributeError: 'list' object has no attribute 'get'"
    run = damaged(good_run, tmp_path)
    (run / "summary.json").write_text("[]")
    assert_clean_error(tz("report", str(run)), "summary.json")
    assert_clean_error(tz("compare", str(good_run), str(run)), "summary.json")


def test_recording_with_binary_garbage_is_a_clean_error(good_run: Path, tmp_path: Path) -> None:
    # observed: exit 1 with a traceback ending in UnicodeDecodeError
    run = damaged(good_run, tmp_path)
    rec = next(run.glob("cases/*/recording.jsonl"))
    with rec.open("ab") as fh:
        fh.write(bytes(range(128, 256)) * 40)
    res = tz("report", str(run))
    out = res.stdout + res.stderr
    assert "Traceback" not in out, out[-3000:]
    assert res.returncode in (0, 2), res.returncode
    if res.returncode == 2:
        assert "recording.jsonl" in res.stderr


def test_recording_truncated_mid_line_still_rebuilds(good_run: Path, tmp_path: Path) -> None:
    # observed (holds): exit 0, report rebuilt from the stored verdicts; a guard for the
    # crash-safety promise (a run killed mid-write leaves exactly this)
    run = damaged(good_run, tmp_path)
    rec = next(run.glob("cases/*/recording.jsonl"))
    data = rec.read_bytes()
    rec.write_bytes(data[: len(data) // 2])
    res = tz("report", str(run))
    assert "Traceback" not in res.stdout + res.stderr, res.stderr[-3000:]
    assert res.returncode == 0, res.stderr
    assert json.loads((run / "summary.json").read_text())["cases"]
    assert (run / "report.html").is_file()
