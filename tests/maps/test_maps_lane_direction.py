"""``lane@direction`` (ASAM OpenDRIVE 1.8 clause 11.2): a lane driven against its side's
direction, or both ways (maps15 audit: the attribute was ignored, silently)."""

from __future__ import annotations

import math

import pytest

from maps import load_opendrive
from maps.validate import check_opendrive
from tests.maps.maps_samples import _lane, document, line, road, write
from testzone.world import LaneCoord, Pose


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
    """An ego driving 2 s along -s in lane -1 (heading pi, 10 m/s): wrong way on a standard
    lane (one interval of 2 s), none on a reversed or a two-way one."""
    from evaluator.metrics.wrong_way import WrongWayMetric
    from tests.evaluator.evaluator_fixtures import make_recording

    def backwards(t):
        x = 80.0 - 10.0 * t
        return {"pose": Pose(x, -1.75, 0.0, math.pi), "speed": 10.0,
                "lane": LaneCoord("1", -1, x, -1.75)}

    def wrong_way(directions):
        net = load_opendrive(_map(tmp_path, directions))
        stats = WrongWayMetric().compute(make_recording({"ego": backwards}, 2.0), net).statistics
        return stats["wrong_way_count"].value, stats["wrong_way_time_s"].value
    assert wrong_way({}) == (1.0, pytest.approx(2.0))
    assert wrong_way({-1: "reversed"}) == (0.0, 0.0)
    assert wrong_way({-1: "both"}) == (0.0, 0.0)


def test_map_check_warns_of_an_unknown_direction(tmp_path):
    issues = check_opendrive(_map(tmp_path, {-1: "backwards"}))
    found = [i for i in issues if "direction 'backwards'" in i.message]
    assert len(found) == 1 and found[0].severity == "warning" and found[0].line == 4


def test_a_goal_in_a_two_way_lane_ahead_is_no_u_turn(tmp_path):
    """Review 15: from lane -1 (along +s) to s = 50 in lane 1, a both-ways lane: straight on
    along road 1; a standard lane 1 (driven against s) needs a U-turn, which this lone road
    does not offer (no route)."""
    start, goal = LaneCoord("1", -1, 10.0, -1.75), LaneCoord("1", 1, 50.0, 1.75)
    assert load_opendrive(_map(tmp_path, {1: "both"})).route(start, goal) == ["1"]
    assert load_opendrive(_map(tmp_path, {})).route(start, goal) is None


def test_a_route_leaves_a_two_way_lane_the_other_way_when_its_own_way_finds_nothing(tmp_path):
    """realinputs16: from a both-ways lane -1 at s = 60 to s = 20 on the same lone road, the
    route went only along +s (lane -1's side) and found nothing; lane -1 may be driven
    against s too: ["1"]. A standard lane -1 still has no route back (no U-turn here)."""
    start, behind = LaneCoord("1", -1, 60.0, -1.75), LaneCoord("1", -1, 20.0, -1.75)
    assert load_opendrive(_map(tmp_path, {-1: "both"})).route(start, behind) == ["1"]
    assert load_opendrive(_map(tmp_path, {})).route(start, behind) is None
    ahead = LaneCoord("1", -1, 90.0, -1.75)       # its own way first, as before
    assert load_opendrive(_map(tmp_path, {-1: "both"})).route(start, ahead) == ["1"]


def _two_sections(tmp_path, direction: str):
    """Road 1 with lane sections at s 0 (line 4, lane -1 given ``direction``) and 50 (line 6,
    lane -1 standard)."""
    def section(s0, attr):
        return (f'<laneSection s="{s0}"><right><lane id="-1" type="driving"{attr}>'
                f'<width sOffset="0" a="3.5" b="0" c="0" d="0"/></lane></right>'
                f'</laneSection>')
    sections = section(0, f' direction="{direction}"') + "\n\n" + section(50, "")
    doc = document(road("1", 100.0, line(0, 0, 0, 0, 100.0), sections=sections))
    return write(tmp_path, "mixed.xodr", doc.replace('revMinor="6"', 'revMinor="8"'))


@pytest.mark.parametrize("direction, effect, sign, two_way", [
    ("reversed", "driven reversed", -1, False), ("both", "two-way", 1, True)])
def test_a_lane_direction_in_some_sections_only_is_warned_of_once(tmp_path, direction, effect,
                                                                  sign, two_way):
    """One warning, at the lane of the section where the lane became mixed (line 6), and the
    road-level reading it announces (hostile pass 15: "both" in one section was silent)."""
    path = _two_sections(tmp_path, direction)
    found = [i for i in check_opendrive(path) if "some lane sections only" in i.message]
    assert [(i.message, i.line, i.severity) for i in found] == [
        (f'road 1 lane -1: direction="{direction}" in some lane sections only: the lane is '
         f'{effect} along the whole road', 6, "warning")]
    net = load_opendrive(path)
    assert (net.driving_sign("1", -1), net.two_way("1", -1)) == (sign, two_way)
