"""Signal plan and RSU layout: internal consistency, safety of the plan, link to the map."""

from __future__ import annotations

import math

import pytest
from pyproj import Transformer

from wuhan_helpers import road, road_pose

ARTERIAL = {"1001", "1002"}
CROSS = {"1003", "1004"}
PED_OVER_ARTERIAL = {"2001", "2002"}  # crosswalks on the W and E legs
PED_OVER_CROSS = {"2003", "2004"}
CONFLICTS = [(ARTERIAL, CROSS), (ARTERIAL, PED_OVER_ARTERIAL), (CROSS, PED_OVER_CROSS)]


def test_cycle_adds_up(plan) -> None:
    intervals = plan["intervals"]
    assert sum(iv["duration_s"] for iv in intervals) == pytest.approx(plan["cycle_s"])
    assert plan["cycle_s"] == pytest.approx(80.0)
    for ph in plan["phases"]:
        own = [iv["duration_s"] for iv in intervals if iv["phase_id"] == ph["id"]]
        assert sum(own) == pytest.approx(ph["green_s"] + ph["yellow_s"] + ph["all_red_s"])


def test_no_conflicting_movements_released_together(plan) -> None:
    for iv in plan["intervals"]:
        states = iv["states"]
        for group_a, group_b in CONFLICTS:
            a_moving = any(states[s] != "red" for s in group_a)
            b_moving = any(states[s] != "red" for s in group_b)
            assert not (a_moving and b_moving), iv["name"]


def _seconds_until(plan: dict, start_index: int, pred) -> float:
    """Time from the start of interval ``start_index`` until ``pred(states)`` first holds."""
    intervals = plan["intervals"]
    t = 0.0
    for k in range(len(intervals)):
        iv = intervals[(start_index + k) % len(intervals)]
        if pred(iv["states"]):
            return t
        t += iv["duration_s"]
    raise AssertionError("never")


def test_pedestrian_clearance_covers_a_slow_walker(plan) -> None:
    """After the walk light ends, conflicting traffic stays red long enough for 14 m at 1.2 m/s."""
    needed = 14.0 / 1.2
    intervals = plan["intervals"]
    checked = 0
    for ped, conflicting in ((PED_OVER_ARTERIAL, ARTERIAL), (PED_OVER_CROSS, CROSS)):
        for i, iv in enumerate(intervals):
            prev = intervals[i - 1]
            walk_ended = all(prev["states"][p] == "green" for p in ped) and all(
                iv["states"][p] == "red" for p in ped)
            if walk_ended:
                wait = _seconds_until(plan, i, lambda st: any(st[s] == "green"
                                                              for s in conflicting))
                assert wait >= needed
                checked += 1
    assert checked == 2  # one walk interval per pedestrian group in the cycle


def test_plan_signals_exist_in_map(plan, xodr) -> None:
    in_map = {s.get("id"): s for s in xodr.iter("signal")}
    ids = {sig["id"] for sig in plan["signals"]}
    assert ids == set(in_map)
    for sig in plan["signals"]:
        el = in_map[sig["id"]]
        assert el.get("dynamic") == "yes" and el.get("type") == sig["type"]
        assert el.getparent().getparent().get("id") == sig["road_id"]
        assert float(el.get("s")) == pytest.approx(sig["s"])
    assert plan["junction_id"] == xodr.find("junction").get("id")


def test_rsu_layout(rsu, xodr, plan) -> None:
    assert rsu["geo_reference"] == xodr.find("header").findtext("geoReference").strip()
    by_id = {r["id"]: r for r in rsu["rsus"]}
    assert set(by_id) == {"RSU-S1-01", "RSU-S1-02"}
    for unit in rsu["rsus"]:
        assert unit["periods_s"] == {"SPAT": 0.1, "MAP": 1.0, "RSM": 0.1, "RSI": 0.5}
        assert unit["range_m"] == 300.0 and unit["sensing_radius_m"] == 150.0
    junction_rsu = by_id["RSU-S1-01"]
    assert junction_rsu["junction_id"] == xodr.find("junction").get("id")
    assert set(junction_rsu["signal_ids"]) == {s["id"] for s in plan["signals"]}
    for sig in xodr.iter("signal"):
        r = sig.getparent().getparent()
        x, y, _ = road_pose(r, float(sig.get("s")), float(sig.get("t")))
        assert math.hypot(x - junction_rsu["x"], y - junction_rsu["y"]) < 150.0  # sensed
    stop = next(o for o in xodr.iter("object") if o.get("id") == "busstop-S1-01")
    sx, sy, _ = road_pose(road(xodr, "2"), float(stop.get("s")), float(stop.get("t")))
    mid = by_id["RSU-S1-02"]
    assert mid["junction_id"] is None and mid["signal_ids"] == []
    assert math.hypot(sx - mid["x"], sy - mid["y"]) < 20.0


def test_geo_reference_round_trip(rsu) -> None:
    to_geo = Transformer.from_crs(rsu["geo_reference"], "EPSG:4326", always_xy=True)
    lon, lat = to_geo.transform(0.0, 0.0)
    assert (lon, lat) == pytest.approx((114.15, 30.49), abs=1e-9)
    # 1000 m east on the central parallel: d(lon) = x / (N cos(phi)), N the WGS84 prime-vertical
    # radius of curvature (first order; the tmerc correction at 1 km is < 1e-7 deg).
    a, f = 6378137.0, 1 / 298.257223563
    e2 = f * (2 - f)
    phi = math.radians(30.49)
    n = a / math.sqrt(1 - e2 * math.sin(phi) ** 2)
    lon_e, lat_e = to_geo.transform(1000.0, 0.0)
    assert lon_e == pytest.approx(114.15 + math.degrees(1000.0 / (n * math.cos(phi))), abs=1e-6)
    assert lat_e == pytest.approx(30.49, abs=1e-5)
    back = Transformer.from_crs("EPSG:4326", rsu["geo_reference"], always_xy=True)
    assert back.transform(lon_e, lat_e) == pytest.approx((1000.0, 0.0), abs=1e-6)
