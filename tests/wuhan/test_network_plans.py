"""Whole Wuhan network: signal plans (phases, cycle, green-wave offsets) and RSU layout, checked
against the map and against offsets recomputed by hand.

Hand rules (docs/wuhan.md): common cycle 100 s, yellow 3 s, all-red 2 s; a junction on an
arterial row (rows 0, 1, 3, 6, 8, 9) starts phase 1 (E-W) at (x - x0) / v mod 100, v the row's
speed limit (rows 0, 3, 6, 9: 60 km/h, rows 1, 8: 50 km/h); on a collector row, or at a ramp
terminal, phase 2 (N-S) starts at (y - y0) / v mod 100 along its column; x0 = y0 = -2565 m.
"""

from __future__ import annotations

import json
import math
import re

import pytest

from maps import load_opendrive
from wuhan_helpers import MAP_DIR

SPACING = 570.0
X0 = -2565.0
ROW_SPEED_KMH = {0: 60, 9: 60, 3: 60, 6: 60, 1: 50, 8: 50}
EXPRESSWAY_Y = X0 - 450.0


@pytest.fixture(scope="module")
def plans() -> list[dict]:
    data = json.loads((MAP_DIR / "wuhan_testzone.signals.json").read_text(encoding="utf-8"))
    assert data["cycle_s"] == 100.0
    return data["junctions"]


@pytest.fixture(scope="module")
def rsus() -> list[dict]:
    return json.loads((MAP_DIR / "wuhan_testzone.rsu.json").read_text(encoding="utf-8"))["rsus"]


@pytest.fixture(scope="module")
def net():
    return load_opendrive(MAP_DIR / "wuhan_testzone.xodr")


def _centre(name: str) -> tuple[float, float, int, str]:
    """(x, y, column, 'grid'|'terminal') of a plan's junction from its name."""
    m = re.fullmatch(r"J(\d)-(\d)", name)
    if m:
        i, j = int(m.group(1)), int(m.group(2))
        return X0 + i * SPACING, X0 + j * SPACING, i, "grid"
    m = re.fullmatch(r"X(\d)-T([NS])", name)
    c = int(m.group(1))
    return X0 + c * SPACING, EXPRESSWAY_Y + (150.0 if m.group(2) == "N" else -150.0), c, "terminal"


def test_every_plan_signal_is_in_the_map(plans, net) -> None:
    in_map = {s.id: s for s in net.signals}
    planned = [sig for p in plans for sig in p["signals"]]
    assert len(plans) == 84 and len(planned) == len(in_map) == 300
    for sig in planned:
        m = in_map[sig["id"]]
        assert m.road_id == sig["road_id"] and m.s == pytest.approx(sig["s"])
        assert m.dynamic


def test_phases_cover_each_signal_once_and_cycle_adds_up(plans) -> None:
    for p in plans:
        ids = sorted(s["id"] for s in p["signals"])
        in_phases = sorted(sid for ph in p["phases"] for sid in ph["vehicle_signals"])
        assert in_phases == ids
        assert all(ph["vehicle_signals"] for ph in p["phases"])
        assert sum(iv["duration_s"] for iv in p["intervals"]) == pytest.approx(100.0)
        for ph in p["phases"]:
            assert ph["green_s"] >= 20.0 and (ph["yellow_s"], ph["all_red_s"]) == (3.0, 2.0)
        p1, p2 = (set(ph["vehicle_signals"]) for ph in p["phases"])
        for iv in p["intervals"]:
            moving = {sid for sid, colour in iv["states"].items() if colour != "red"}
            assert not (moving & p1 and moving & p2), (p["name"], iv["name"])


def _expected_offset(p: dict) -> float:
    x, y, column, kind = _centre(p["name"])
    row = round((y - X0) / SPACING) if kind == "grid" else None
    if row in ROW_SPEED_KMH:
        return ((x - X0) / (ROW_SPEED_KMH[row] / 3.6)) % 100.0
    column_kmh = 60 if column in (0, 9, 3, 6) else 50
    g1 = p["phases"][0]["green_s"]
    return ((y - X0) / (column_kmh / 3.6) - (g1 + 5.0)) % 100.0


def test_offsets_follow_distance_over_speed(plans) -> None:
    for p in plans:
        assert p["offset_s"] == pytest.approx(_expected_offset(p), abs=1e-3), p["name"]


def test_green_wave_along_row_3(plans) -> None:
    """Eastbound at 60 km/h, a car leaving J1-3 at the start of its green reaches each next
    signalised junction of row 3 at the start of that junction's green."""
    row = {p["name"]: p for p in plans if p["name"].endswith("-3")}
    start = row["J1-3"]["offset_s"]
    for i in range(2, 9):
        travel = (i - 1) * SPACING / (60 / 3.6)
        late = (start + travel - row[f"J{i}-3"]["offset_s"]) % 100.0
        assert min(late, 100.0 - late) < 1e-3, i


def test_one_rsu_per_intersection_within_the_map(rsus, net, plans) -> None:
    xmin, ymin, xmax, ymax = net.bounds
    for r in rsus:
        assert xmin <= r["x"] <= xmax and ymin <= r["y"] <= ymax, r["id"]
    at = [r for r in rsus if r["junction_id"] is not None]
    assert len(at) == 96 + 4  # grid intersections (roundabout once) + ramp terminals
    signals = {s.id: s for s in net.signals}
    for p in plans:
        rsu = next(r for r in at if r["junction_id"] == p["junction_id"])
        assert sorted(rsu["signal_ids"]) == sorted(s["id"] for s in p["signals"])
        for sid in rsu["signal_ids"]:  # every signal it serves is well inside radio range
            s = signals[sid]
            assert math.hypot(s.x - rsu["x"], s.y - rsu["y"]) < 0.25 * rsu["range_m"]


def test_rsus_along_the_expressway_every_500_m_or_less(rsus) -> None:
    on_x = sorted(r["x"] for r in rsus if r["junction_id"] is None
                  and r["y"] == pytest.approx(EXPRESSWAY_Y))
    xs = [-3395.0] + on_x + [3395.0]  # expressway ends: 830 m beyond the ring road
    assert len(on_x) >= 9
    assert max(b - a for a, b in zip(xs, xs[1:])) <= 500.0
