"""Map-dependent metrics against the real maps.RoadNetwork of the Wuhan section (road 1 runs
along +x to the junction; vehicle light 1001 at s = 972 orientation '+', pedestrian light 2001
at s = 976; lane speed limit 60 km/h)."""

from pathlib import Path

import pytest

from evaluator import score_case
from evaluator.metrics import RedLightMetric, SpeedingMetric
from testzone.world import BoundingBox, LaneCoord, SignalColor, SignalState

from evaluator_fixtures import make_recording

XODR = Path(__file__).resolve().parents[2] / "maps" / "wuhan" / "wuhan_section1.xodr"


@pytest.fixture(scope="module")
def net():
    from maps import load_opendrive
    return load_opendrive(XODR)


def along_lane(net, s0, v, road="1", lane=-1):
    def fn(t):
        s = s0 + v * t
        p = net.lane_to_world(road, lane, s)
        return {"pose": p, "speed": v, "lane": LaneCoord(road, lane, s, -1.75, 0.0)}
    return fn


def all_red(t):
    return {i: SignalState(i, SignalColor.RED) for i in ("1001", "2001")}


def test_red_light_on_real_map(net):
    # Front bumper s + 1.4 + 2.3 passes 972 when s = 968.3: from s0 = 950 at 10 m/s, t = 1.83 s
    # -> first frame 1.85 s. The pedestrian light 2001 (red too) does not count.
    box = {"ego": BoundingBox(cx=1.4, length=4.6, width=1.9)}
    rec = make_recording({"ego": along_lane(net, 950.0, 10.0)}, 2.5, boxes=box, signals=all_red)
    r = RedLightMetric().compute(rec, net)
    assert r.statistics["red_light_violation_count"].value == 1
    assert r.statistics["signals_passed"].value == 1
    assert r.events[0]["signal_id"] == "1001"
    assert r.events[0]["t"] == pytest.approx(1.85)


def test_speeding_on_real_map(net):
    # 66 km/h in a 60 km/h lane: ratio 0.1, excess 1.6667 m/s for the whole 2 s.
    v = 66 / 3.6
    rec = make_recording({"ego": along_lane(net, 100.0, v)}, 2.0)
    s = {k: x.value for k, x in SpeedingMetric().compute(rec, net).statistics.items()}
    assert s["speed_over_limit_ratio_max"] == pytest.approx(0.1)
    assert s["speed_over_limit_max_mps"] == pytest.approx(6 / 3.6)
    assert s["speeding_duration_s"] == pytest.approx(2.05)  # 41 samples x 0.05 s
    res = score_case(rec, net)
    assert {c.criterion.id: c.status for c in res.criteria}["speed_limit"] == "pass"
    assert res.skipped == {}
