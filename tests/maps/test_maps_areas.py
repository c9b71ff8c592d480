"""Lane polygons, drivable area, junction areas (shapely) against hand-derived areas and
esmini's vehicle positions."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import shapely

import maps
from maps_samples import _lane, document, line, road, t_junction, two_roads_end_to_end, write

ESMINI = Path(__file__).resolve().parents[3] / "shared" / "reference" / "esmini"


@pytest.fixture(scope="module")
def straight(tmp_path_factory):
    return maps.load_opendrive(write(tmp_path_factory.mktemp("a"), "s.xodr",
                                     two_roads_end_to_end()))


@pytest.fixture(scope="module")
def junction(tmp_path_factory):
    return maps.load_opendrive(write(tmp_path_factory.mktemp("j"), "j.xodr", t_junction()))


def test_lane_polygon_straight(straight):
    # road 1: laneOffset 0.5, lane 1 is 3.5 m wide: t in [0.5, 4.0] over s in [0, 100]
    poly = straight.lane_polygon("1", 1)
    assert poly.area == pytest.approx(350.0, abs=1e-6)
    assert poly.bounds == pytest.approx((0.0, 0.5, 100.0, 4.0), abs=1e-6)
    assert straight.lane_polygon("1", 1) is poly  # cached
    with pytest.raises(maps.MapsError, match="no lane 7"):
        straight.lane_polygon("1", 7)


def test_lane_polygon_on_arc_is_annulus_sector(junction):
    # road 12: radius-20 left arc over a quarter turn; lane -1 spans radii 20..23.5
    expected = 0.5 * (math.pi / 2) * (23.5 ** 2 - 20.0 ** 2)
    assert junction.lane_polygon("12", -1).area == pytest.approx(expected, rel=2e-3)
    # lane 1 spans radii 16.5..20
    expected = 0.5 * (math.pi / 2) * (20.0 ** 2 - 16.5 ** 2)
    assert junction.lane_polygon("12", 1).area == pytest.approx(expected, rel=2e-3)


def test_lane_in_non_consecutive_sections(tmp_path):
    secs = ('<laneSection s="0"><right>{a}{b}</right></laneSection>'
            '<laneSection s="30"><right>{a}</right></laneSection>'
            '<laneSection s="60"><right>{a}{b}</right></laneSection>').format(
        a=_lane(-1, 3.0), b=_lane(-2, 2.0))
    net = maps.load_opendrive(write(tmp_path, "ns.xodr",
                                    document(road("1", 100, line(0, 0, 0, 0, 100),
                                                  sections=secs))))
    poly = net.lane_polygon("1", -2)
    assert poly.geom_type == "MultiPolygon" and len(poly.geoms) == 2
    assert sorted(p.area for p in poly.geoms) == pytest.approx([60.0, 80.0], abs=1e-6)
    # lane_outline: the longest run only (s 60..100, t -3..-5), never bridging the gap
    ring = net.lane_outline("1", -2)
    assert shapely.Polygon(ring).area == pytest.approx(80.0, abs=1e-6)
    assert ring[:, 0].min() == pytest.approx(60.0)


def test_drivable_area_excludes_sidewalks(straight):
    area = straight.drivable_area()
    # road 1 driving lanes 1, -1, -2: t from 4.0 down to -6.0 (10 m) over 100 m; road 2:
    # lanes +-1 (7 m) over x 100..200; the sidewalk (lane 2, t 4..6) is left out
    assert area.area == pytest.approx(1000.0 + 700.0, abs=1e-6)
    assert area.contains(shapely.Point(50, -5.9))
    assert not area.contains(shapely.Point(50, 5.0))
    assert straight.drivable_area() is area


def test_junction_area(junction):
    area = junction.junction_area("100")
    straight = junction.lane_polygon("11", 1).union(junction.lane_polygon("11", -1))
    arc = junction.lane_polygon("12", 1).union(junction.lane_polygon("12", -1))
    assert area.area == pytest.approx(straight.union(arc).area, rel=1e-9)
    assert area.area > max(straight.area, arc.area)
    assert area.contains(shapely.Point(60, 0)) and area.contains(shapely.Point(
        50 + 20 * math.sin(math.pi / 4), 20 - 20 * math.cos(math.pi / 4)))
    assert not area.contains(shapely.Point(30, 0))  # on the incoming road
    with pytest.raises(maps.MapsError, match="no junction with id '7'"):
        junction.junction_area("7")


def test_esmini_vehicles_stay_in_the_drivable_area():
    """Every logged position of the ltap-od vehicles (through fabriksgatan's junction) lies in
    the drivable area, and in the junction area while esmini puts them on a junction road."""
    from esmini_csv import read_esmini_csv
    net = maps.load_opendrive(ESMINI / "resources/xodr/fabriksgatan.xodr")
    area = net.drivable_area()
    (jid,) = list(net.junctions)
    junction = net.junction_area(jid)
    _, ents = read_esmini_csv(ESMINI / "csv/ltap-od.csv")
    inside = 0
    for e in ents.values():
        pts = shapely.points(np.column_stack((e["World_Position_X"], e["World_Position_Y"])))
        assert shapely.contains(area.buffer(1e-6), pts).all()
        inside += int(shapely.contains(junction, pts).sum())
    assert inside > 10


def test_drivable_area_within_a_window(straight):
    """Road 2 alone meets the window x 120..180: its lanes +-1 (7 m wide) over 60 m."""
    window = (120, -10, 180, 10)
    part = shapely.clip_by_rect(straight.drivable_area_within(*window), *window)
    assert part.area == pytest.approx(60 * 7.0, abs=1e-6)
    window = (-50, -50, 250, 50)
    whole = shapely.clip_by_rect(straight.drivable_area_within(*window), *window)
    assert whole.equals(straight.drivable_area())


def test_drivable_area_within_equals_the_whole_network_area_in_any_window():
    """On the 106 km Wuhan network: 40 random 200 m windows, each the same area (to 1e-6 m^2)
    as the network's full drivable area clipped to it."""
    net = maps.load_opendrive(Path(__file__).resolve().parents[2] / "maps" / "wuhan"
                              / "wuhan_testzone.xodr")
    full = net.drivable_area()
    rng = np.random.default_rng(7)
    xmin, ymin, xmax, ymax = net.bounds
    for x, y in zip(rng.uniform(xmin, xmax, 40), rng.uniform(ymin, ymax, 40)):
        box = (x - 100, y - 100, x + 100, y + 100)
        got = shapely.clip_by_rect(net.drivable_area_within(*box), *box)
        want = shapely.clip_by_rect(full, *box)
        assert got.symmetric_difference(want).area < 1e-6
