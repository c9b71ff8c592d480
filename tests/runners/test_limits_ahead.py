"""The speed limit ahead in the Observation (runners.observation.LimitsAhead).

Automaker pass 14: a stack that reads no map was told of tz_speed_limit_change's lower limit
only once inside the 50 km/h zone, 20 % over it. On wuhan_testzone.xodr road 112 (520 m,
60 km/h) lane 2 is driven towards s = 0, where the junction's connecting road 100310 has
50 km/h: from s the change lies s metres ahead.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from maps import load_opendrive
from runners.agent_protocol import observation_from_dict, observation_to_dict
from runners.interfaces import Observation
from runners.observation import LIMITS_HORIZON_M, LimitsAhead
from testzone.world import EntityKind, EntityState, LaneCoord, Pose

TESTZONE = Path(__file__).resolve().parents[2] / "maps" / "wuhan" / "wuhan_testzone.xodr"
KMH50 = 50 / 3.6


@pytest.fixture(scope="module")
def net():
    return load_opendrive(TESTZONE)


def test_the_change_is_placed_where_the_lane_reaches_the_lower_zone(net) -> None:
    assert net.speed_limit("112", 2, 100.0) == pytest.approx(60 / 3.6)
    ahead = LimitsAhead(net)
    ((d, limit),) = ahead(LaneCoord("112", 2, 100.0, 0.0))
    assert d == pytest.approx(100.0, abs=2.0 / 64 + 1e-6) and limit == pytest.approx(KMH50)
    # 40 m on along the same lane: the same change, 40 m nearer
    ((d, _),) = ahead(LaneCoord("112", 2, 60.0, 0.0))
    assert d == pytest.approx(60.0, abs=2.0 / 64 + 1e-6)
    # farther than the horizon: nothing yet; and once it comes within 200 m it is there at
    # once, not after the next rebuild 50 m on (hostile pass 14: from s = 205 to 155 the
    # change was missing)
    assert 230.0 > LIMITS_HORIZON_M
    fresh = LimitsAhead(net)
    assert fresh(LaneCoord("112", 2, 230.0, 0.0)) == ()       # walked from here
    assert fresh(LaneCoord("112", 2, 201.0, 0.0)) == ()
    ((d, _),) = fresh(LaneCoord("112", 2, 190.0, 0.0))        # 40 m on: no rebuild yet
    assert d == pytest.approx(190.0, abs=2.0 / 64 + 1e-6)


def test_it_goes_over_the_wire(net) -> None:
    ego = EntityState("Ego", EntityKind.VEHICLE, Pose(0.0, 0.0))
    obs = Observation(0.0, ego, speed_limit=60 / 3.6, speed_limit_ahead=((100.031, KMH50),))
    sent = observation_to_dict(obs)
    assert sent["speed_limit_ahead"] == [[100.031, KMH50]]
    assert observation_from_dict(sent).speed_limit_ahead == ((100.031, KMH50),)


def test_the_limits_ahead_follow_the_route_still_ahead() -> None:
    """Review 14: on a route through a junction twice, the limits were looked up along the
    whole route, whose first branch (straight on, 100) won at the second pass; the turn
    taken then (103, 30 km/h) was not told. The runner passes the route still ahead."""
    from maps.traversal import RouteWalk
    section1 = load_opendrive(TESTZONE.parent / "wuhan_section1.xodr")
    here = LaneCoord("1", -1, section1.roads["1"].length - 150.0, 0.0)
    route = ("1", "100", "2", "3", "1", "103", "4")
    assert LimitsAhead(section1)(here, route) == ()
    walk = RouteWalk()                   # what the runner keeps: the first pass, then round
    for road in ("1", "100", "2", "3", "1"):
        still = walk.ahead(route, road)
    assert still == ("1", "103", "4")
    ahead = LimitsAhead(section1)(here, still)
    assert [round(v * 3.6) for _, v in ahead] == [30, 60]
    assert ahead[0][0] == pytest.approx(150.0, abs=2.0 / 64 + 1e-6)
