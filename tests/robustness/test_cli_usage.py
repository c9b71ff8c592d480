"""Bad `testzone run` usage (a subprocess, as a user types it).

Promise (docs/cli.md): a bad option value, agent or output folder is a usage error: one
`error:` line, exit 2, no traceback, before any case is simulated.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CUT_IN = ROOT / "scenarios" / "wuhan" / "cut_in.xosc"


def run(*args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT), COLUMNS="200")
    return subprocess.run([sys.executable, "-m", "runners.cli", "run", str(CUT_IN),
                           "--workers", "1", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def assert_usage_error(res: subprocess.CompletedProcess, mention: str) -> None:
    out = res.stdout + res.stderr
    assert "Traceback" not in out, out[-3000:]
    assert res.returncode == 2, (res.returncode, out[-3000:])
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("error:")]
    assert errors and mention in errors[0], res.stderr[-2000:]


def test_out_pointing_at_an_existing_file(tmp_path: Path) -> None:
    # observed: exit 1, traceback (FileExistsError / NotADirectoryError from mkdir)
    target = tmp_path / "already_here"
    target.write_text("x")
    assert_usage_error(run("--out", str(target)), "already_here")


def test_out_that_cannot_be_created(tmp_path: Path) -> None:
    # observed: exit 1, traceback from mkdir under /proc
    assert_usage_error(run("--out", "/proc/no-such-dir/run"), "/proc/no-such-dir/run")


def test_out_in_a_folder_that_takes_no_files(tmp_path: Path) -> None:
    # observed (as root): access() said writable, then a traceback writing manifest.json
    assert_usage_error(run("--out", "/proc/1/fd"), "/proc/1/fd")


def test_agent_file_that_raises_at_import(tmp_path: Path) -> None:
    # observed: exit 1, traceback ending in the agent module's RuntimeError
    agent = tmp_path / "raiser.py"
    agent.write_text('raise RuntimeError("boom at import")\n')
    assert_usage_error(run("--agent", f"{agent}:X", "--out", str(tmp_path / "r")), "raiser.py")


def test_agent_file_that_exits_at_import_does_not_end_the_run_silently(tmp_path: Path) -> None:
    # observed: the check imported the file into the runner, os._exit(0) ended the run with
    # exit 0 and no report
    agent = tmp_path / "quitter.py"
    agent.write_text("import os\nos._exit(0)\n")
    assert_usage_error(run("--agent", f"{agent}:X", "--out", str(tmp_path / "r")),
                       "exited with status 0")


def test_agent_spec_naming_a_directory(tmp_path: Path) -> None:
    (tmp_path / "pkg.py").mkdir()
    assert_usage_error(run("--agent", f"{tmp_path / 'pkg.py'}:X", "--out", str(tmp_path / "r")),
                       "is not a file")


@pytest.mark.parametrize("option, value", [("--agent", "zmq://127.0.0.1:99999"),
                                           ("--v2x-endpoint", "tcp://127.0.0.1:99999")])
def test_a_port_out_of_range_is_a_usage_error(tmp_path: Path, option: str, value: str) -> None:
    # observed: --agent: exit 3 "Connection refused"; --v2x-endpoint: bound another port
    assert_usage_error(run(option, value, "--out", str(tmp_path / "r")), "1-65535")


def test_agent_config_that_is_not_an_object(tmp_path: Path) -> None:
    # observed: exit 3 per case, "AttributeError: 'list' object has no attribute 'items'"
    # (a non-JSON file is already refused up front with exit 2)
    cfg = tmp_path / "cfg.json"
    cfg.write_text("[1, 2]")
    assert_usage_error(run("--agent-config", str(cfg), "--out", str(tmp_path / "r")), "cfg.json")


def test_dt_nan_is_a_usage_error(tmp_path: Path) -> None:
    # observed: exit 3 per case, "ValueError: Out of range float values are not JSON
    # compliant" (--dt 0 and --dt -1 are refused properly)
    assert_usage_error(run("--dt", "nan", "--out", str(tmp_path / "r")), "--dt")


def test_negative_max_time_is_a_usage_error(tmp_path: Path) -> None:
    # observed: accepted; the case ends at once and FAILS (exit 1, reached_stop_trigger)
    assert_usage_error(run("--max-time", "-5", "--out", str(tmp_path / "r")), "--max-time")


def test_nan_max_time_is_a_usage_error(tmp_path: Path) -> None:
    # observed: accepted, exit 0 (the time limit silently disabled)
    assert_usage_error(run("--max-time", "nan", "--out", str(tmp_path / "r")), "--max-time")


@pytest.mark.parametrize("config, says", [
    ('{"time_headway": "abc"}', "time_headway='abc': expected a finite number >= 0"),
    ('{"max_acceleration": 0}', "max_acceleration=0: expected a finite number >= 0.001"),
    # verify pass 11b: OverflowError in every case
    ('{"max_acceleration": 5e-324}', "max_acceleration=5e-324: expected a finite number >= "),
    ('{"delta": 1e6}', "delta=1000000.0: expected at most 100"),
    ('{"time_headaway": 1.5}', "key 'time_headaway' is not a parameter of agent 'idm'"),
    ('{"lane_changes": "no"}', "lane_changes='no': expected true or false"),
    ('{"horizon": 1e9}', "horizon=1000000000.0: expected at most 1000"),
    ("[" * 100000 + "]" * 100000, "nested too deeply"),
    # hostile pass 9: float() of a 400-digit value raised OverflowError (a traceback, exit 1)
    ('{"comfortable_deceleration": 1%s}' % ("0" * 400), "expected at most 1e+06"),
])
def test_reference_agent_config_values_are_checked_before_any_case(tmp_path: Path, config,
                                                                   says) -> None:
    # observed: exit 3 per case (TypeError, ZeroDivisionError), a typo or a string flag
    # silently accepted, a huge horizon running for minutes, a deep JSON array a traceback
    cfg = tmp_path / "cfg.json"
    cfg.write_text(config)
    assert_usage_error(run("--agent-config", str(cfg), "--out", str(tmp_path / "r")), says)
    assert not (tmp_path / "r").exists()
