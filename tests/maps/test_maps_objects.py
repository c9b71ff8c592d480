"""Objects (footprints, repeats), road marks and signal validity/inertial positions.

The sample road runs along +x from the origin, so road (s, t) is world (s, t) and every
footprint below is derived by hand."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import maps
from maps_samples import _lane, document, line, road, write

ESMINI = (Path(__file__).resolve().parents[3] / "shared" / "reference" / "esmini" / "resources"
          / "xodr")

OBJECTS = (
    '<objects>'
    # 4 m (along s) x 14 m (across) crosswalk centred on s=50, t=0
    '<object id="cw" type="crosswalk" s="50" t="0" hdg="0" length="4" width="14"/>'
    # parking space turned by +90 deg: local u is world +y, local v is world -x
    '<object id="p1" type="parkingSpace" s="20" t="-6" hdg="1.5707963267948966">'
    '<outline><cornerLocal u="0" v="0" z="0" height="0"/><cornerLocal u="5" v="0" z="0" '
    'height="0"/><cornerLocal u="5" v="2.5" z="0" height="0"/><cornerLocal u="0" v="2.5" '
    'z="0" height="0"/></outline></object>'
    '<object id="pole" type="pole" s="10" t="5" zOffset="0.5" radius="0.1" height="3"/>'
    '<object id="bus" type="none" subtype="busStop" s="60" t="-7">'
    '<outlines><outline id="0"><cornerRoad s="60" t="-7" dz="0" height="0"/>'
    '<cornerRoad s="80" t="-7" dz="0" height="0"/><cornerRoad s="80" t="-8.5" dz="0" '
    'height="0"/><cornerRoad s="60" t="-8.5" dz="0" height="0"/></outline></outlines>'
    '</object>'
    '<object id="poles" type="pole" s="0" t="4" radius="0.05">'
    '<repeat s="0" length="30" distance="10" tStart="4" tEnd="7"/></object>'
    '<object id="rail" type="railing" s="0" t="-9">'
    '<repeat s="0" length="100" distance="0" tStart="-9" tEnd="-9"/></object>'
    '<object id="hedge" type="vegetation" s="0" t="9">'
    '<repeat s="0" length="100" distance="0" tStart="9" tEnd="9" widthStart="1" '
    'widthEnd="1"/></object>'
    '</objects>')

SIGNALS = (
    '<signals>'
    '<signal id="s1" s="30" t="-5" zOffset="2" dynamic="yes" orientation="-" type="1000001" '
    'subtype="-1" hOffset="0"><validity fromLane="1" toLane="2"/><validity fromLane="-1" '
    'toLane="-1"/></signal>'
    '<signal id="s2" s="40" t="5" dynamic="no" orientation="+" type="274" subtype="" '
    'value="50" unit="km/h"><positionInertial x="5" y="6" z="1" hdg="0.5"/></signal>'
    '<signalReference id="s1" s="70" t="5" orientation="+"/>'
    '</signals>')

MARK_SECTIONS = (
    '<laneSection s="0"><center><lane id="0" type="none"><roadMark sOffset="0" type="solid" '
    'weight="standard" color="yellow" width="0.15"/></lane></center><right>'
    '<lane id="-1" type="driving"><width sOffset="0" a="3.5" b="0" c="0" d="0"/>'
    '<roadMark sOffset="0" type="solid" weight="standard" color="standard" width="0.12"/>'
    '<roadMark sOffset="40" type="broken" weight="bold" color="standard" laneChange="both"/>'
    '</lane></right></laneSection>'
    '<laneSection s="60"><right><lane id="-1" type="driving"><width sOffset="0" a="3.5" '
    'b="0" c="0" d="0"/><roadMark sOffset="10" type="solid" color="standard"/></lane>'
    '</right></laneSection>')


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    r = road("1", 100, line(0, 0, 0, 0, 100), left=_lane(1, 3.5) + _lane(2, 3.5),
             right=_lane(-1, 3.5) + _lane(-2, 2.0, "sidewalk"), extra="",
             lanes_extra="")
    r = r.replace("</lanes>", "</lanes>" + OBJECTS + SIGNALS)
    return maps.load_opendrive(write(tmp_path_factory.mktemp("o"), "obj.xodr", document(r)))


def _by_id(net, oid):
    return [o for o in net.objects if o.id == oid]


def test_crosswalk_rectangle(net):
    (cw,) = _by_id(net, "cw")
    assert cw.is_crosswalk and cw.closed
    xs, ys = zip(*cw.outlines[0])
    assert (min(xs), max(xs), min(ys), max(ys)) == pytest.approx((48, 52, -7, 7), abs=1e-9)
    assert cw.polygon.area == pytest.approx(56.0, abs=1e-9)
    assert [c.id for c in net.crosswalks()] == ["cw"]


def test_parking_space_corner_local_turned(net):
    (p,) = _by_id(net, "p1")
    # origin (20, -6); u -> +y, v -> -x
    assert np.allclose(p.outlines[0], [(20, -6), (20, -1), (17.5, -1), (17.5, -6)],
                       atol=1e-9)
    assert p.polygon.area == pytest.approx(12.5, abs=1e-9)
    assert p.h == pytest.approx(math.pi / 2)


def test_pole_circle_and_height(net):
    (p,) = _by_id(net, "pole")
    assert (p.x, p.y, p.z) == pytest.approx((10, 5, 0.5))
    # regular 16-gon of circumradius r: area 8 r^2 sin(pi/8)
    assert p.polygon.area == pytest.approx(8 * 0.01 * math.sin(math.pi / 8), rel=1e-9)
    assert p.polygon.centroid.coords[0] == pytest.approx((10, 5), abs=1e-12)


def test_bus_stop_corner_road(net):
    (b,) = _by_id(net, "bus")
    assert b.type == "none" and b.subtype == "busStop"
    assert b.polygon.area == pytest.approx(20 * 1.5, abs=1e-9)
    assert b.polygon.bounds == pytest.approx((60, -8.5, 80, -7), abs=1e-9)


def test_repeat_every_ten_metres_interpolates_t(net):
    poles = _by_id(net, "poles")
    assert [p.repeat_index for p in poles] == [0, 1, 2, 3]
    assert np.allclose([(p.x, p.y) for p in poles], [(0, 4), (10, 5), (20, 6), (30, 7)])


def test_continuous_repeats_polyline_and_strip(net):
    (rail,) = _by_id(net, "rail")
    assert not rail.closed and rail.polygon is None
    assert rail.outlines[0][0] == pytest.approx((0, -9)) and \
        rail.outlines[0][-1] == pytest.approx((100, -9))
    (hedge,) = _by_id(net, "hedge")
    assert hedge.polygon.area == pytest.approx(100.0, abs=1e-6)
    assert hedge.polygon.bounds == pytest.approx((0, 8.5, 100, 9.5), abs=1e-9)


def test_object_repeat_limit(tmp_path):
    obj = ('<objects><object id="x" type="pole" s="0" t="4" radius="0.05">'
           '<repeat s="0" length="100" distance="0.0001"/></object></objects>')
    r = road("1", 100, line(0, 0, 0, 0, 100), right=_lane(-1, 3.5))
    p = write(tmp_path, "many.xodr", document(r.replace("</lanes>", "</lanes>" + obj)))
    with pytest.raises(maps.MapsError, match="at most 100000") as info:
        maps.load_opendrive(p)
    assert info.value.element == "repeat" and info.value.line == 4


def test_signal_validity_position_and_reference(net):
    s1, s2, ref = net.signals
    # orientation "-" on a road along +x: traffic heading pi; zOffset 2 above z = 0
    assert (s1.x, s1.y, s1.z, s1.h) == pytest.approx((30, -5, 2, math.pi))
    assert s1.validity == ((1, 2), (-1, -1))
    assert [s1.applies_to(i) for i in (2, 1, -1, -2)] == [True, True, True, False]
    # positionInertial overrides the road position
    assert (s2.x, s2.y, s2.z, s2.h) == pytest.approx((5, 6, 1, 0.5))
    assert s2.validity == () and s2.applies_to(-2) and not s2.applies_to(1)
    assert s2.value == 50 and s2.unit == "km/h"
    assert ref.is_reference and ref.id == "s1" and (ref.x, ref.y) == pytest.approx((70, 5))


def test_road_marks_with_s_ranges(tmp_path):
    r = road("1", 100, line(0, 0, 0, 0, 100), sections=MARK_SECTIONS)
    net = maps.load_opendrive(write(tmp_path, "marks.xodr", document(r)))
    marks = net.road_marks("1")
    got = [(lid, m.s_start, m.s_end, m.type, m.weight, m.color, m.width, m.lane_change)
           for lid, m in marks]
    assert got == [(0, 0, 60, "solid", "standard", "yellow", 0.15, None),
                   (-1, 0, 40, "solid", "standard", "standard", 0.12, None),
                   (-1, 40, 60, "broken", "bold", "standard", None, "both"),
                   (-1, 70, 100, "solid", "standard", "standard", None, None)]


def test_esmini_objects_and_signals_counts():
    net = maps.load_opendrive(ESMINI / "e6mini.xodr")
    # rail-pole repeat every 4 m over 1464.43 m: floor(1464.43/4) + 1 = 367 per side
    assert len([o for o in net.objects if o.type == "rail-pole"]) == 2 * 367
    # guide posts every 50 m: floor(1464.43/50) + 1 = 30 per side
    assert len([o for o in net.objects if o.type == "guide-post"]) == 2 * 30
    signs = maps.load_opendrive(ESMINI / "straight_500m_signs.xodr")
    assert len(signs.objects) == 15
    s0 = signs.signals[0]
    assert s0.validity == ((-3, -1), (1, 3)) and not s0.applies_to(0)


def test_signal_orientation_follows_the_traffic_rule():
    # LHT (road@rule): the lanes > 0 run along +s, so a "+" signal holds for them
    from maps.model import Signal
    plus = Signal("s", "1", 10.0, 0.0, True, "+", "1000001", "", 0.0, 0.0, 0.0, 0.0)
    assert [plus.applies_to(i) for i in (2, 1, -1, -2)] == [False, False, True, True]
    assert [plus.applies_to(i, "LHT") for i in (2, 1, -1, -2)] == [True, True, False, False]
