"""The generators are deterministic: a fresh run writes the committed files (numbers equal up
to the last bits of floats, which BLAS kernels round differently on different CPUs)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from wuhan_helpers import CASES_DIR, MAP_DIR, ROOT, rounding_difference

GENERATORS = [
    (MAP_DIR / "generate_section1.py", MAP_DIR,
     ["wuhan_section1.xodr", "wuhan_section1.signals.json", "wuhan_section1.rsu.json"]),
    (CASES_DIR / "generate_section1_cases.py", CASES_DIR,
     ["cut_in.xosc", "stationary_vehicle.xosc", "pedestrian_crossing.xosc",
      "rlvw_red_light.xosc", "glosa_green_arrival.xosc", "hlw_hazard.xosc"]),
    # catalogue.json, suites.json and the distributions: generate_catalogue.py
    # (tests/wuhan/test_catalogue_files.py)
]


@pytest.mark.parametrize("script,committed,names", GENERATORS,
                         ids=["map", "cases"])
def test_generator_reproduces_committed_files(tmp_path: Path, script: Path, committed: Path,
                                              names: list[str]) -> None:
    done = subprocess.run([sys.executable, str(script), "--out", str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    for name in names:
        diff = rounding_difference((tmp_path / name).read_bytes(), (committed / name).read_bytes())
        assert diff is None, f"{name} differs from the committed file: {diff}"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names)


def test_header_carries_no_wall_clock_date() -> None:
    text = (MAP_DIR / "wuhan_section1.xodr").read_text(encoding="utf-8")
    assert 'date="2026-11-30T00:00:00"' in text
    for name in ("cut_in.xosc", "stationary_vehicle.xosc", "pedestrian_crossing.xosc"):
        assert 'date="2026-11-30T00:00:00"' in (CASES_DIR / name).read_text(encoding="utf-8")
