"""Pure layout pieces of the Wuhan network, on hand-made inputs: S-curves, movement rules, lane
sections with left-turn and auxiliary lanes, green-split rule."""

from __future__ import annotations

import math

import pytest

from maps.wuhan.network_build import movements
from maps.wuhan.network_lanes import lane_sections
from maps.wuhan.network_layout import ARTERIAL_3, COLLECTOR, EXPRESSWAY, s_curve
from maps.wuhan.network_model import JunctionSpec, Leg, Piece, RoadSpec


def _road(rid: int, cls, length: float = 500.0, **kw) -> RoadSpec:
    return RoadSpec(rid, f"r{rid}", cls, 0.0, 0.0, 0.0, (Piece(length),), **kw)


def test_s_curve_shifts_sideways_and_keeps_heading() -> None:
    road = RoadSpec(1, "ramp", EXPRESSWAY, 10.0, 20.0, 0.3, s_curve(380.0, -138.75))
    x, y, h = road.pose_at(road.length_m)
    fx, fy = math.cos(0.3), math.sin(0.3)  # forward unit vector; left is (-fy, fx)
    dx, dy = x - 10.0, y - 20.0
    assert dx * fx + dy * fy == pytest.approx(380.0, abs=1e-9)
    assert -dx * fy + dy * fx == pytest.approx(-138.75, abs=1e-9)
    assert h == pytest.approx(0.3, abs=1e-12)
    # both arcs: radius R = L / (2 sin theta), theta = 2 atan(d / L)
    theta = 2 * math.atan(138.75 / 380.0)
    first, second = road.pieces
    assert first.curvature == pytest.approx(-2 * math.sin(theta) / 380.0)
    assert second.curvature == pytest.approx(-first.curvature)


def test_movements_of_a_t_junction() -> None:
    """Arterial 2x3 west (ends here) and east (starts here), collector 2x1 north (starts)."""
    west, east, north = _road(1, ARTERIAL_3), _road(2, ARTERIAL_3), _road(3, COLLECTOR)
    legs = (Leg(west, "successor", -25.0, 0.0, 0.0, "W"),
            Leg(east, "predecessor", 25.0, 0.0, math.pi, "E"),
            Leg(north, "predecessor", 0.0, 25.0, -math.pi / 2, "N"))
    got = {(m.from_road, m.to_road, m.from_lane, m.to_lane, m.turn)
           for m in movements(JunctionSpec(9, "T", 0.0, 0.0, "signalised", legs=legs))}
    expected = {
        # from the west (lanes -1 left-turn lane, -2..-4 through; east road: -1 median)
        (1, 2, -2, -2, "straight"), (1, 2, -3, -3, "straight"), (1, 2, -4, -4, "straight"),
        (1, 3, -1, -1, "left"),  # north road starts here: outbound lanes are < 0
        # from the east (lanes 1 left-turn lane, 2..4 through; west road ends: outbound > 0)
        (2, 1, 2, 2, "straight"), (2, 1, 3, 3, "straight"), (2, 1, 4, 4, "straight"),
        (2, 3, 4, -1, "right"),
        # from the north collector (inbound lane 1): right to the west, left to the east
        (3, 1, 1, 4, "right"), (3, 2, 1, -2, "left"),
    }
    assert got == expected


def test_lane_sections_of_an_arterial_block() -> None:
    sections = lane_sections(_road(1, ARTERIAL_3, 520.0))
    assert [s.s for s in sections] == [0.0, 60.0, 90.0, 430.0, 460.0]
    roles = [[(lane.role, lane.shape) for lane in s.right[:2]] for s in sections]
    assert roles == [[("median", "const"), ("through", "const")]] * 3 + [
        [("median", "down"), ("bay", "up")], [("bay", "const"), ("through", "const")]]
    left = [[(lane.role, lane.shape) for lane in s.left[:2]] for s in sections]
    assert left[0] == [("bay", "const"), ("through", "const")]
    assert left[1] == [("median", "up"), ("bay", "down")]
    assert all(s.right[-1].role == "sidewalk" for s in sections)


def test_lane_sections_of_an_expressway_segment_with_both_auxiliary_lanes() -> None:
    road = _road(1, EXPRESSWAY, 910.0, aux_start_m=150.0, aux_end_m=150.0)
    sections = lane_sections(road)
    assert [s.s for s in sections] == [0.0, 100.0, 150.0, 760.0, 810.0]
    shapes = [[lane.shape for lane in s.right if lane.role == "aux"] for s in sections]
    assert shapes == [["const"], ["down"], [], ["up"], ["const"]]
    assert all(len(s.left) == len(s.right) for s in sections)
    assert [len(s.right) for s in sections] == [4, 4, 3, 4, 4]  # no sidewalk


def test_plan_of_the_t_junction_splits_green_by_through_lanes() -> None:
    from maps.wuhan.network_plans import junction_plan
    west, east, north = _road(1, ARTERIAL_3), _road(2, ARTERIAL_3), _road(3, COLLECTOR)
    legs = (Leg(west, "successor", -25.0, 0.0, 0.0, "W"),
            Leg(east, "predecessor", 25.0, 0.0, math.pi, "E"),
            Leg(north, "predecessor", 0.0, 25.0, -math.pi / 2, "N"))
    plan = junction_plan(JunctionSpec(9, "T", 0.0, 0.0, "signalised", legs=legs))
    # 100 s - 2 x (3 + 2) s = 90 s of green, 3 : 1 through lanes -> 67.5 -> 68 s and 22 s
    assert [ph["green_s"] for ph in plan["phases"]] == [68.0, 22.0]
    assert [ph["vehicle_signals"] for ph in plan["phases"]] == [["91", "92"], ["93"]]
    lanes = {s["id"]: s["lanes"] for s in plan["signals"]}
    assert lanes == {"91": [-4, -1], "92": [1, 4], "93": [1, 1]}  # left-turn lanes included
    stops = {s["id"]: s["s"] for s in plan["signals"]}
    assert stops == {"91": 492.0, "92": 8.0, "93": 8.0}  # 8 m from the junction end
