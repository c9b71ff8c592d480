"""``lane@direction`` (ASAM OpenDRIVE 1.8 clause 11.2): a lane driven against its side's
direction, or both ways (maps15 audit: the attribute was ignored, silently)."""

from __future__ import annotations

import math

from maps import load_opendrive
from maps.validate import check_opendrive
from tests.maps.maps_samples import _lane, document, line, road, write
from testzone.world import LaneCoord


def _map(tmp_path, directions: dict[int, str]):
    """Road 1: 100 m along +x, right-hand traffic; lanes 1, -1, -2 (3.5 m), with the given
    ``direction`` attributes."""
    def lane(lid: int) -> str:
        text = _lane(lid, 3.5)
        d = directions.get(lid)
        return text.replace(f'<lane id="{lid}"', f'<lane id="{lid}" direction="{d}"') if d \
            else text
    doc = document(road("1", 100.0, line(0, 0, 0, 0, 100.0), left=lane(1),
                        right=lane(-1) + lane(-2)))
    return write(tmp_path, "dir.xodr", doc.replace('revMinor="6"', 'revMinor="8"'))


def test_a_reversed_lane_is_driven_against_its_sides_direction(tmp_path):
    """Hand values: lane -1 reversed runs along -s: heading pi at s=50, 10 m on is s=40;
    lane -2 (no attribute) and lane 1 keep right-hand traffic's directions (0 and pi)."""
    net = load_opendrive(_map(tmp_path, {-1: "reversed"}))
    assert net.driving_sign("1", -1) == -1
    assert net.driving_sign("1", -2) == 1 and net.driving_sign("1", 1) == -1
    assert math.isclose(abs(net.lane_to_world("1", -1, 50.0).h), math.pi, abs_tol=1e-9)
    assert math.isclose(net.lane_to_world("1", -2, 50.0).h, 0.0, abs_tol=1e-9)
    moved = net.advance(LaneCoord("1", -1, 50.0, -1.75), 10.0)
    assert math.isclose(moved.s, 40.0, abs_tol=1e-9)
    assert not net.two_way("1", -1)


def test_a_both_ways_lane_is_two_way_and_keeps_its_sides_direction(tmp_path):
    net = load_opendrive(_map(tmp_path, {-1: "both", 1: "standard"}))
    assert net.two_way("1", -1) and not net.two_way("1", 1) and not net.two_way("1", -2)
    assert net.driving_sign("1", -1) == 1


def test_wrong_way_has_no_wrong_way_on_a_two_way_lane(tmp_path):
    """An ego driving along -s in lane -1 (heading pi): wrong way on a standard lane, not on
    a reversed or a two-way one."""
    from evaluator.metrics.wrong_way import WrongWayMetric
    from testzone.world import BoundingBox, EntityKind, EntityState, Pose

    def against(directions) -> bool:
        net = load_opendrive(_map(tmp_path, directions))
        st = EntityState("ego", EntityKind.VEHICLE, Pose(50.0, -1.75, 0.0, math.pi), 10.0,
                         BoundingBox(4.5, 1.8, 1.5), lane=LaneCoord("1", -1, 50.0, -1.75))
        return WrongWayMetric()._against(net, st, st.lane)
    assert against({})
    assert not against({-1: "reversed"})
    assert not against({-1: "both"})


def test_map_check_warns_of_an_unknown_direction(tmp_path):
    issues = check_opendrive(_map(tmp_path, {-1: "backwards"}))
    found = [i for i in issues if "direction 'backwards'" in i.message]
    assert len(found) == 1 and found[0].severity == "warning" and found[0].line == 4
