"""``testzone run --backend carla`` with no CARLA: one clear line, exit status 3, every case
recorded as an error (a closed local port; and the carla package made unimportable)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CASES = [ROOT / "scenarios" / "wuhan" / "stationary_vehicle.xosc",
         ROOT / "scenarios" / "wuhan" / "cut_in.xosc"]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_cli(tmp: Path, *extra: str, env: dict | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "runners.cli", "run", *map(str, CASES), "--out",
           str(tmp / "run"), "--backend", "carla", *extra]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


def check_recorded(tmp: Path, needle: str) -> None:
    for case in ("stationary_vehicle", "cut_in"):
        res = json.loads((tmp / "run" / "cases" / case / "result.json").read_text())
        assert res["verdict"] == "error" and needle in res["error"]
    summary = json.loads((tmp / "run" / "summary.json").read_text())
    assert "stationary_vehicle" in json.dumps(summary)


def test_closed_port_gives_one_line_and_exit_3(tmp_path: Path) -> None:
    pytest.importorskip("carla", reason="the CARLA client wheel is not installed (x86_64 only)")
    port = closed_port()
    p = run_cli(tmp_path, "--carla-servers", f"127.0.0.1:{port}", "--connect-timeout", "1")
    assert p.returncode == 3, p.stderr
    lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, p.stderr
    assert f"127.0.0.1:{port} within 1 s" in lines[0] and "CarlaUE4.sh" in lines[0]
    assert "2 case(s) recorded as errors" in lines[0]
    assert "Traceback" not in p.stderr
    check_recorded(tmp_path, f"127.0.0.1:{port}")


def test_missing_carla_package_says_how_to_install(tmp_path: Path) -> None:
    shadow = tmp_path / "shadow" / "carla"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('No module named carla (test)')\n")
    env = {"PYTHONPATH": f"{tmp_path / 'shadow'}{os.pathsep}{ROOT}"}
    p = run_cli(tmp_path, env=env)
    assert p.returncode == 3, p.stderr
    lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "pip install '.[carla]'" in lines[0], p.stderr
    check_recorded(tmp_path, "pip install '.[carla]'")


def test_unknown_backend_is_a_usage_error(tmp_path: Path) -> None:
    p = subprocess.run([sys.executable, "-m", "runners.cli", "run", str(CASES[0]), "--backend",
                        "gazebo", "--out", str(tmp_path / "r")], cwd=ROOT, capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 2 and "expected 'embedded' or 'carla'" in p.stderr


def test_a_step_carla_physics_cannot_take_is_refused_before_any_case(tmp_path: Path) -> None:
    """--dt 0.2 s is more than CARLA's 16 physics sub-steps of 0.01 s: usage, exit 2, one
    line naming --dt, and no run folder (carla16 audit F7)."""
    p = run_cli(tmp_path, "--dt", "0.2")
    assert p.returncode == 2, p.stderr
    lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "--dt 0.2 s is longer than CARLA's physics can step" in lines[0]
    assert not (tmp_path / "run").exists()
