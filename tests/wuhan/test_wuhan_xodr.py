"""Section-1 OpenDRIVE file: schema validity and geometry checked against the hand layout.

Hand layout (docs/wuhan.md): junction centre at (0, 0); road 1 from (-1000, 0) east to x = -20;
road 2 from x = 20 east to 1000; road 3 from (0, -300) north to y = -20; road 4 from y = 20 north
to 300. Lanes 3.5 m (ids +/-1, +/-2), sidewalks 3 m (+/-3). Stop lines 8 m and crosswalks 4 m
from each road's junction end.
"""

from __future__ import annotations

import math

import pytest
from lxml import etree

from wuhan_helpers import XODR, road, road_pose, safe_parse, schema_dir, width_at

LEN = {"1": 980.0, "2": 980.0, "3": 280.0, "4": 280.0}


def test_valid_against_opendrive_17_schema() -> None:
    folder = schema_dir()
    if folder is None or not (folder / "opendrive_17_core.xsd").exists():
        pytest.skip("OpenDRIVE 1.7 XSD not shipped with scenariogeneration here")
    schema = etree.XMLSchema(safe_parse(folder / "opendrive_17_core.xsd"))
    assert schema.validate(safe_parse(XODR)), schema.error_log


def test_header(xodr) -> None:
    header = xodr.find("header")
    assert (header.get("revMajor"), header.get("revMinor")) == ("1", "7")
    geo = header.findtext("geoReference").strip()
    assert "+proj=tmerc" in geo and "+lat_0=30.49" in geo and "+lon_0=114.15" in geo
    assert "<![CDATA[" in XODR.read_text(encoding="utf-8")


def test_approach_roads_lengths_and_ends(xodr) -> None:
    expected_start = {"1": (-1000.0, 0.0, 0.0), "2": (20.0, 0.0, 0.0),
                      "3": (0.0, -300.0, math.pi / 2), "4": (0.0, 20.0, math.pi / 2)}
    for rid, length in LEN.items():
        r = road(xodr, rid)
        assert float(r.get("length")) == pytest.approx(length)
        x, y, h = road_pose(r, 0.0)
        ex, ey, eh = expected_start[rid]
        assert (x, y) == pytest.approx((ex, ey), abs=1e-6)
        assert abs(math.remainder(h - eh, 2 * math.pi)) < 1e-9
        assert -math.pi < h <= math.pi
    assert road_pose(road(xodr, "1"), 980.0) == pytest.approx((-20.0, 0.0, 0.0), abs=1e-6)
    assert road_pose(road(xodr, "3"), 280.0)[:2] == pytest.approx((0.0, -20.0), abs=1e-6)


def test_arterial_is_two_km_through_the_junction(xodr) -> None:
    straight = [r for r in xodr.findall("road") if r.get("junction") == "500"
                and {r.find("link/predecessor").get("elementId"),
                     r.find("link/successor").get("elementId")} == {"1", "2"}]
    assert len(straight) == 4  # 2 lanes x 2 directions
    total = LEN["1"] + float(straight[0].get("length")) + LEN["2"]
    assert total == pytest.approx(2000.0)


def test_planview_is_continuous(xodr) -> None:
    for r in xodr.findall("road"):
        geoms = r.find("planView").findall("geometry")
        assert sum(float(g.get("length")) for g in geoms) == pytest.approx(float(r.get("length")))
        for prev, nxt in zip(geoms, geoms[1:]):
            end = road_pose(r, float(nxt.get("s")) - 1e-12)
            start = tuple(float(nxt.get(k)) for k in ("x", "y", "hdg"))
            assert end == pytest.approx(start, abs=1e-4), r.get("id")


def _contact_edge(xodr, link: etree._Element, lane_id: int) -> tuple[float, float, float]:
    """Inner edge pose of ``lane_id`` at the contact point, heading in its driving direction."""
    r = road(xodr, link.get("elementId"))
    s = float(r.get("length")) if link.get("contactPoint") == "end" else 0.0
    t = math.copysign((abs(lane_id) - 1) * 3.5, lane_id)
    x, y, h = road_pose(r, s, t)
    return x, y, h if lane_id < 0 else h + math.pi


def test_connecting_roads_meet_their_lanes(xodr) -> None:
    links = {(c.get("connectingRoad")): int(c.find("laneLink").get("from"))
             for c in xodr.find("junction").findall("connection")}
    assert len(links) == 16
    for r in xodr.findall("road"):
        if r.get("junction") != "500":
            continue
        lane = r.find("lanes/laneSection/right/lane")
        pred_lane = int(lane.find("link/predecessor").get("id"))
        succ_lane = int(lane.find("link/successor").get("id"))
        assert pred_lane == links[r.get("id")]
        start = _contact_edge(xodr, r.find("link/predecessor"), pred_lane)
        end = _contact_edge(xodr, r.find("link/successor"), succ_lane)
        got_start, got_end = road_pose(r, 0.0), road_pose(r, float(r.get("length")))
        for got, want in ((got_start, start), (got_end, end)):
            assert got[:2] == pytest.approx(want[:2], abs=1e-3), r.get("id")
            assert abs(math.remainder(got[2] - want[2], 2 * math.pi)) < 1e-3, r.get("id")


def test_lane_layout_and_widths(xodr) -> None:
    sec = road(xodr, "1").find("lanes/laneSection")
    types = {int(l.get("id")): l.get("type") for l in sec.iter("lane")}
    assert types == {3: "sidewalk", 2: "driving", 1: "driving", 0: "none",
                     -1: "driving", -2: "driving", -3: "sidewalk"}
    for lane in sec.iter("lane"):
        if lane.get("id") != "0":
            expected = 3.0 if lane.get("type") == "sidewalk" else 3.5
            assert width_at(lane, 500.0) == pytest.approx(expected)


def test_bus_bay_on_east_leg(xodr) -> None:
    sections = road(xodr, "2").findall("lanes/laneSection")
    assert [float(s.get("s")) for s in sections] == [0.0, 220.0, 300.0]
    bay = sections[1].find("right/lane[@id='-3']")
    assert bay.get("type") == "bus"
    # cubic taper 0 -> 3 m over 20 m: half-way 1.5 m; full 3 m from 20 to 60 m; back to 0 at 80 m
    for ds, w in ((0.0, 0.0), (10.0, 1.5), (20.0, 3.0), (40.0, 3.0), (70.0, 1.5), (80.0, 0.0)):
        assert width_at(bay, ds) == pytest.approx(w, abs=1e-9), ds
    assert sections[0].find("right/lane[@id='-3']").find("link/successor").get("id") == "-4"
    assert sections[2].find("right/lane[@id='-3']").find("link/predecessor").get("id") == "-4"
    assert sections[2].find("right/lane[@id='-4']") is None


def test_speed_limits(xodr) -> None:
    for r in xodr.findall("road"):
        speed = r.find("type/speed")
        assert speed.get("unit") == "km/h"
        turning = False
        if r.get("junction") == "500":
            h0 = road_pose(r, 0.0)[2]
            h1 = road_pose(r, float(r.get("length")))[2]
            turning = abs(math.remainder(h1 - h0, 2 * math.pi)) > 0.1
        assert float(speed.get("max")) == (30.0 if turning else 60.0), r.get("id")


def test_signals_at_stop_lines(xodr) -> None:
    expected = {"1001": ("1", (-28.0, -7.5), "+", ("-2", "-1")),
                "1002": ("2", (28.0, 7.5), "-", ("1", "2")),
                "1003": ("3", (7.5, -28.0), "+", ("-2", "-1")),
                "1004": ("4", (-7.5, 28.0), "-", ("1", "2"))}
    signals = {s.get("id"): (s, s.getparent().getparent()) for s in xodr.iter("signal")}
    assert len(signals) == 8
    assert all(s.get("dynamic") == "yes" for s, _ in signals.values())
    for sid, (rid, xy, orientation, lanes) in expected.items():
        sig, r = signals[sid]
        assert (r.get("id"), sig.get("type"), sig.get("orientation")) == (rid, "1000001",
                                                                          orientation)
        pose = road_pose(r, float(sig.get("s")), float(sig.get("t")))
        assert pose[:2] == pytest.approx(xy, abs=1e-6)
        validity = sig.find("validity")
        assert (validity.get("fromLane"), validity.get("toLane")) == lanes
    assert sorted(s.get("type") for s, _ in signals.values()).count("1000002") == 4


def test_crosswalks_and_bus_stop(xodr) -> None:
    centres = {"crosswalk-W": (-24.0, 0.0), "crosswalk-E": (24.0, 0.0),
               "crosswalk-S": (0.0, -24.0), "crosswalk-N": (0.0, 24.0)}
    objects = {o.get("id"): (o, o.getparent().getparent()) for o in xodr.iter("object")}
    for oid, xy in centres.items():
        obj, r = objects[oid]
        assert obj.get("type") == "crosswalk"
        assert float(obj.get("width")) == pytest.approx(14.0)  # the whole carriageway
        assert road_pose(r, float(obj.get("s")), float(obj.get("t")))[:2] == pytest.approx(xy)
    stop, r = objects["busstop-S1-01"]
    assert stop.get("subtype") == "busStop"
    assert road_pose(r, float(stop.get("s")), float(stop.get("t")))[:2] == pytest.approx(
        (280.0, -11.5))
    # the shelter stands on the sidewalk (lane -4 of the bay section: t in [-13, -10])
    assert -13.0 <= float(stop.get("t")) <= -10.0
