"""Georeferencing through header geoReference and offset."""

from __future__ import annotations

import math
import pickle
from pathlib import Path

import pytest

import maps
from maps_samples import two_roads_end_to_end, write

WUHAN = "+proj=tmerc +lat_0=30.5 +lon_0=114.3 +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"


def _net(tmp_path, header: str) -> maps.RoadNetwork:
    text = two_roads_end_to_end().replace('name="t">', f'name="t">{header}')
    return maps.load_opendrive(write(tmp_path, "geo.xodr", text))


def test_origin_is_the_projection_origin(tmp_path):
    net = _net(tmp_path, f"<geoReference><![CDATA[{WUHAN}]]></geoReference>")
    assert net.geo_reference == WUHAN
    assert net.to_lonlat(0.0, 0.0) == pytest.approx((114.3, 30.5), abs=1e-12)
    # 1 km north: meridian arc 1 deg = 110.85 km at 30.5 deg latitude (WGS84) -> +0.009021 deg
    lon, lat = net.to_lonlat(0.0, 1000.0)
    assert lon == pytest.approx(114.3, abs=1e-9) and lat == pytest.approx(30.5 + 1 / 110.85,
                                                                           abs=2e-5)
    assert net.from_lonlat(lon, lat) == pytest.approx((0.0, 1000.0), abs=1e-6)


def test_header_offset_shifts_and_turns(tmp_path):
    net = _net(tmp_path, f"<geoReference><![CDATA[{WUHAN}]]></geoReference>"
                         f'<offset x="100" y="0" z="0" hdg="{math.pi / 2}"/>')
    plain = _net(tmp_path, f"<geoReference><![CDATA[{WUHAN}]]></geoReference>")
    # inertial (10, 0) turned by 90 degrees is (0, 10), plus the offset (100, 0)
    assert net.to_lonlat(10.0, 0.0) == pytest.approx(plain.to_lonlat(100.0, 10.0), abs=1e-12)
    assert net.from_lonlat(*net.to_lonlat(3.0, 4.0)) == pytest.approx((3.0, 4.0), abs=1e-6)


def test_esmini_utm_string_with_geoid_grid():
    net = maps.load_opendrive(Path(__file__).resolve().parents[3] / "shared" / "reference" /
                              "esmini" / "resources" / "xodr" / "e6mini.xodr")
    # PROJ's utm keeps its fixed 500 km false easting whatever +x_0 says, so inertial (0, 0)
    # is 500 km west of zone 32's central meridian (9 E) on the equator: the same point as a
    # transverse Mercator with k = 0.9996 and x_0 = 500 km (the vertical geoid grid, absent
    # offline, is ignored)
    from pyproj import Transformer
    tm = Transformer.from_crs("+proj=tmerc +lon_0=9 +k=0.9996 +x_0=500000 +ellps=GRS80",
                              "EPSG:4326", always_xy=True)
    expected = tm.transform(0.0, 0.0)
    assert expected[0] == pytest.approx(9.0 - 500 / 111.32, abs=0.02)  # ~111.32 km/deg
    assert net.to_lonlat(0.0, 0.0) == pytest.approx(expected, abs=1e-9)
    assert pickle.loads(pickle.dumps(net._georef())).to_lonlat(0.0, 0.0) == pytest.approx(
        expected, abs=1e-9)


def test_missing_or_bad_georeference(tmp_path):
    with pytest.raises(maps.MapsError, match="no <geoReference>"):
        _net(tmp_path, "").to_lonlat(0.0, 0.0)
    with pytest.raises(maps.MapsError, match="not a usable PROJ string"):
        _net(tmp_path, "<geoReference>+proj=nonsense</geoReference>").to_lonlat(0.0, 0.0)


def test_header_offset_leaves_road_coordinates_alone(tmp_path):
    """The offset relates the inertial frame to the projected one; like esmini, positions
    stay in the file's inertial frame (only to_lonlat/from_lonlat apply it)."""
    net = _net(tmp_path, f"<geoReference><![CDATA[{WUHAN}]]></geoReference>"
                         f'<offset x="1000" y="-500" z="3" hdg="0.3"/>')
    assert net.offset == pytest.approx((1000.0, -500.0, 3.0, 0.3))
    p = net.lane_to_world("1", -1, 10.0)
    assert (p.x, p.y, p.z) == pytest.approx((10.0, 0.5 - 1.75, 0.0))
    c = net.world_to_lane(10.0, -1.25, 0.0)
    assert (c.road_id, c.lane_id, c.s) == ("1", -1, pytest.approx(10.0))
