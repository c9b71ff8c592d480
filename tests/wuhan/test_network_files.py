"""Whole Wuhan network: the committed files are reproducible, schema-valid and hold the public
figures (about 106 km of road, 96 intersections), read straight from the XML with lxml.

Expected numbers are derived by hand from the layout in docs/wuhan.md: a 10 x 10 grid with the
four corners as bends gives 10*10 - 4 = 96 intersections, 8*8 = 64 of them four-way and
4*8 = 32 T; collectors are streets 2, 4, 5, 7, so 4*4 = 16 intersections are collector x
collector (15 priority junctions + the roundabout at node (5, 5)); 96 - 16 = 80 are signalised,
plus 2 ramp terminals per interchange x 2 interchanges = 84 signalised junctions.
"""

from __future__ import annotations

import math
from collections import Counter

import pytest
from lxml import etree
from pyproj import Transformer

from wuhan_helpers import MAP_DIR, rounding_difference, safe_parse, schema_dir

XODR = MAP_DIR / "wuhan_testzone.xodr"
NAMES = ["wuhan_testzone.xodr", "wuhan_testzone.signals.json", "wuhan_testzone.rsu.json"]


@pytest.fixture(scope="module")
def root() -> etree._Element:
    return safe_parse(XODR).getroot()


def test_generator_reproduces_committed_files() -> None:
    from maps.wuhan.generate_network import render
    fresh = render()
    assert sorted(fresh) == sorted(NAMES)
    for name in NAMES:
        diff = rounding_difference(fresh[name], (MAP_DIR / name).read_bytes())
        assert diff is None, \
            f"{name} differs from the committed file ({diff}): rerun maps/wuhan/generate_network.py"


def test_valid_against_opendrive_17_schema() -> None:
    folder = schema_dir()
    if folder is None or not (folder / "opendrive_17_core.xsd").exists():
        pytest.skip("OpenDRIVE 1.7 XSD not shipped with scenariogeneration here")
    schema = etree.XMLSchema(safe_parse(folder / "opendrive_17_core.xsd"))
    assert schema.validate(safe_parse(XODR)), schema.error_log.last_error


def test_total_length_is_about_106_km(root) -> None:
    outside = [float(r.get("length")) for r in root.findall("road") if r.get("junction") == "-1"]
    total_km = sum(outside) / 1000.0
    assert 100.0 <= total_km <= 112.0
    assert total_km == pytest.approx(106.0, abs=1.0)
    inside = [float(r.get("length")) for r in root.findall("road") if r.get("junction") != "-1"]
    # connecting roads (one per lane movement, not counted) stay inside junctions whose legs
    # end at most 41.5 m from the centre (the roundabout): none can be longer than ~2 x 41.5 m
    assert len(inside) > 1000 and 0.0 < max(inside) < 90.0


def test_ids_unique_and_links_resolve(root) -> None:
    road_ids = [r.get("id") for r in root.findall("road")]
    junction_ids = [j.get("id") for j in root.findall("junction")]
    signal_ids = [s.get("id") for s in root.iter("signal")]
    object_ids = [o.get("id") for o in root.iter("object")]
    for ids in (road_ids, junction_ids, signal_ids, object_ids):
        assert len(ids) == len(set(ids))
    roads, junctions = set(road_ids), set(junction_ids)
    for link in root.iter("predecessor", "successor"):
        if link.getparent().tag != "link" or link.getparent().getparent().tag != "road":
            continue
        target = roads if link.get("elementType") == "road" else junctions
        assert link.get("elementId") in target


def test_junction_counts(root) -> None:
    kinds = Counter(j.get("type", "default") for j in root.findall("junction"))
    assert kinds["direct"] == 4  # 2 interchanges x (west, east) merge/diverge points
    default = [j for j in root.findall("junction") if j.get("type", "default") == "default"]
    # 95 grid junctions + 4 roundabout junctions + 4 ramp terminals
    assert len(default) == 103
    assert len(root.findall("junction")) >= 96
    grid = [j for j in default if j.get("name").startswith("J") and "-RB-" not in j.get("name")]
    assert len(grid) == 95  # the 96th grid intersection is the roundabout
    legs = Counter(len({c.get("incomingRoad") for c in j.findall("connection")}) for j in grid)
    # 64 interior four-way less the roundabout, plus (3, 0) and (6, 0), which the interchange
    # roads turn from T into four-way; 32 - 2 T
    assert legs == {4: 65, 3: 30}


def test_signalised_junctions_have_one_signal_per_approach(root) -> None:
    by_junction = Counter()
    for sig in root.iter("signal"):
        assert sig.get("dynamic") == "yes"
        assert sig.get("type") == "1000001"
        by_junction[int(sig.get("id")) // 10] += 1
    assert len(by_junction) == 84
    # four-way: 65 less 15 collector x collector = 50 with 4 approaches; 30 T + the northern
    # terminals (two-way N and S legs, inbound off-ramp) with 3; southern terminals with 2
    assert Counter(by_junction.values()) == {4: 50, 3: 32, 2: 2}


def test_speed_records(root) -> None:
    speeds = Counter()
    for r in root.findall("road"):
        if r.get("junction") != "-1":
            continue
        types = r.findall("type")
        assert len(types) == 1
        speed = types[0].find("speed")
        assert speed.get("unit") == "km/h"
        speeds[int(float(speed.get("max")))] += 1
    assert set(speeds) == {40, 50, 60, 80}
    assert speeds[80] == 5  # expressway segments


def test_georeference_round_trip() -> None:
    text = XODR.read_text(encoding="utf-8")
    assert "<![CDATA[+proj=tmerc +lat_0=30.49 +lon_0=114.15" in text
    geo = safe_parse(XODR).getroot().find("header/geoReference").text.strip()
    to_geo = Transformer.from_crs(geo, "EPSG:4326", always_xy=True)
    lon, lat = to_geo.transform(0.0, 0.0)
    assert (lat, lon) == pytest.approx((30.49, 114.15), abs=1e-9)
    # the north-east ring corner (2565, 2565): 1 deg of latitude is ~110.85 km at 30.5 N
    lon, lat = to_geo.transform(2565.0, 2565.0)
    assert lat == pytest.approx(30.49 + 2565.0 / 110_850.0, abs=2e-5)
    assert lon == pytest.approx(114.15 + 2565.0 / (111_320.0 * math.cos(math.radians(30.5))),
                                abs=2e-5)
    back = Transformer.from_crs("EPSG:4326", geo, always_xy=True).transform(lon, lat)
    assert back == pytest.approx((2565.0, 2565.0), abs=1e-6)


def test_objects(root) -> None:
    subtypes = Counter(o.get("subtype") or o.get("type") for o in root.iter("object"))
    assert subtypes["stopLine"] == sum(1 for _ in root.iter("signal"))
    assert subtypes["busStop"] >= 100
    assert subtypes["crosswalk"] >= 4 * 84
