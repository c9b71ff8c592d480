"""Section 1 through the project's own OpenDRIVE reader (maps.load_opendrive).

Expected values come from the hand layout (docs/wuhan.md), not from the reader.
"""

from __future__ import annotations

import math

import pytest
from pyproj import Transformer

from wuhan_helpers import XODR

maps = pytest.importorskip("maps")
if not hasattr(maps, "load_opendrive"):
    pytest.skip("maps.load_opendrive not available yet", allow_module_level=True)


@pytest.fixture(scope="module")
def net():
    return maps.load_opendrive(XODR)


def test_network_shape(net) -> None:
    assert len(net.roads) == 4 + 16 and list(net.junctions) == ["500"]
    assert net.bounds == pytest.approx((-1000.0, -300.0, 1000.0, 300.0), abs=1e-6)
    assert net.lane_ids("1", 500.0) == [3, 2, 1, -1, -2, -3]
    assert net.lane_ids("2", 100.0) == [3, 2, 1, -1, -2, -3]
    assert net.lane_ids("2", 260.0) == [3, 2, 1, -1, -2, -3, -4]


@pytest.mark.parametrize("road_id,lane_id,s,width", [
    ("1", -1, 10.0, 3.5), ("1", 2, 900.0, 3.5), ("1", -3, 500.0, 3.0), ("3", 1, 100.0, 3.5),
    ("2", -3, 230.0, 1.5), ("2", -3, 260.0, 3.0), ("2", -4, 260.0, 3.0)])
def test_lane_widths(net, road_id, lane_id, s, width) -> None:
    assert net.lane_width(road_id, lane_id, s) == pytest.approx(width, abs=1e-9)


def test_speed_limits(net) -> None:
    assert net.speed_limit("1", -1, 10.0) == pytest.approx(60 / 3.6)
    assert net.speed_limit("102", -1, 5.0) == pytest.approx(30 / 3.6)  # right turn W -> S


def test_positions_and_driving_direction(net) -> None:
    pose = net.lane_to_world("1", -2, 500.0)
    assert (pose.x, pose.y, pose.h) == pytest.approx((-500.0, -5.25, 0.0), abs=1e-9)
    pose = net.lane_to_world("2", 2, 100.0)  # westbound lane on the east leg
    assert (pose.x, pose.y) == pytest.approx((120.0, 5.25), abs=1e-9)
    assert abs(math.remainder(pose.h - math.pi, 2 * math.pi)) < 1e-9
    coord = net.world_to_lane(-100.0, -1.75, 0.0)
    assert (coord.road_id, coord.lane_id, coord.s) == ("1", -1, pytest.approx(900.0))


def test_advance_straight_through_the_junction(net) -> None:
    start = net.world_to_lane(-100.0, -5.25, 0.0)  # road 1 lane -2 s = 900
    end = net.advance(start, 150.0)  # 80 m to the junction + 40 m across + 30 m
    assert (end.road_id, end.lane_id, end.s) == ("2", -2, pytest.approx(30.0, abs=1e-6))


def test_signals_and_geo_reference(net) -> None:
    by_id = {s.id: s for s in net.signals}
    assert len(by_id) == 8
    assert (by_id["1001"].x, by_id["1001"].y) == pytest.approx((-28.0, -7.5), abs=1e-9)
    assert (by_id["1004"].x, by_id["1004"].y) == pytest.approx((-7.5, 28.0), abs=1e-9)
    to_geo = Transformer.from_crs(net.geo_reference, "EPSG:4326", always_xy=True)
    assert to_geo.transform(0.0, 0.0) == pytest.approx((114.15, 30.49), abs=1e-9)


def test_reader_reports_no_issues() -> None:
    if not hasattr(maps, "check_opendrive"):
        pytest.skip("maps.check_opendrive not available")
    assert list(maps.check_opendrive(XODR)) == []
