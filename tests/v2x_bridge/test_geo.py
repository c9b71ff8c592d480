"""GeoFrame: the map frame <-> WGS84, checked against ellipsoid radii computed by hand."""

from __future__ import annotations

import math

import pytest

from v2x_bridge import GeoFrame, V2XError
from v2x_bridge.geo import DEFAULT_LAT_DEG, DEFAULT_LON_DEG

A = 6378137.0                      # WGS84 semi-major axis [m]
E2 = 0.0066943799901413165         # WGS84 first eccentricity squared


def _radii(lat_deg: float) -> tuple[float, float]:
    """Meridian (M) and prime-vertical (N) radii of curvature [m]."""
    s2 = math.sin(math.radians(lat_deg)) ** 2
    return A * (1 - E2) / (1 - E2 * s2) ** 1.5, A / math.sqrt(1 - E2 * s2)


def test_default_plane_origin_is_the_wuhan_test_zone():
    lon, lat = GeoFrame().to_lonlat(0.0, 0.0)
    assert lon == pytest.approx(114.15, abs=1e-12) and lat == pytest.approx(30.49, abs=1e-12)


def test_one_km_north_and_east_match_the_radii_of_curvature():
    geo = GeoFrame(None)
    m, n = _radii(DEFAULT_LAT_DEG)
    _, lat = geo.to_lonlat(0.0, 1000.0)
    assert (lat - DEFAULT_LAT_DEG) == pytest.approx(math.degrees(1000.0 / m), rel=1e-4)
    lon, _ = geo.to_lonlat(1000.0, 0.0)
    expected = math.degrees(1000.0 / (n * math.cos(math.radians(DEFAULT_LAT_DEG))))
    assert (lon - DEFAULT_LON_DEG) == pytest.approx(expected, rel=1e-4)


def test_roundtrip_xy_lonlat():
    geo = GeoFrame()
    for x, y in [(0.0, 0.0), (-1234.5, 987.6), (5000.0, -3000.0)]:
        bx, by = geo.to_xy(*geo.to_lonlat(x, y))
        assert bx == pytest.approx(x, abs=1e-6) and by == pytest.approx(y, abs=1e-6)


def test_meridian_convergence_off_the_central_meridian():
    geo = GeoFrame()
    # On the central meridian grid north is true north.
    assert geo.true_heading(0.0, 0.0, math.pi / 2) == pytest.approx(math.pi / 2, abs=1e-7)
    # 5 km east: convergence ~ dlon * sin(lat) (spherical approximation).
    lon, _ = geo.to_lonlat(5000.0, 0.0)
    gamma = (lon - DEFAULT_LON_DEG) * math.sin(math.radians(DEFAULT_LAT_DEG))
    h_true = geo.true_heading(5000.0, 0.0, math.pi / 2)
    assert math.degrees(math.pi / 2 - h_true) == pytest.approx(gamma, rel=2e-2)
    back = geo.map_heading(*geo.to_lonlat(5000.0, 0.0), h_true)
    assert back == pytest.approx(math.pi / 2, abs=1e-7)


def test_explicit_proj_string_is_used():
    geo = GeoFrame("+proj=utm +zone=50 +datum=WGS84 +units=m +no_defs")
    lon, lat = geo.to_lonlat(500000.0, 0.0)       # UTM 50 central meridian is 117 E
    assert lon == pytest.approx(117.0) and lat == pytest.approx(0.0, abs=1e-9)


def test_bad_proj_string():
    with pytest.raises(V2XError) as err:
        GeoFrame("+proj=nonsense")
    assert err.value.element == "geoReference"


class _Net:
    """A road network's georeference as maps.RoadNetwork holds it."""
    geo_reference = "+proj=utm +zone=50 +datum=WGS84 +units=m +no_defs"
    offset = (500000.0, 100.0, 0.0, math.pi / 2)


def test_header_offset_is_applied_as_the_map_does():
    # offset (500 km, 100 m) turned by 90 deg: map (0, 10) is projected (500000 - 10, 100),
    # 10 m west of UTM 50's central meridian (117 E); map heading 0 (map x) is true north
    geo = GeoFrame.of_map(_Net())
    lon, lat = geo.to_lonlat(0.0, 10.0)
    ref_lon, ref_lat = GeoFrame(_Net.geo_reference).to_lonlat(499990.0, 100.0)
    assert (lon, lat) == (pytest.approx(ref_lon, abs=1e-12), pytest.approx(ref_lat, abs=1e-12))
    assert lon < 117.0
    assert geo.true_heading(0.0, 0.0, 0.0) == pytest.approx(math.pi / 2, abs=1e-6)
    assert geo.to_xy(lon, lat) == (pytest.approx(0.0, abs=1e-6), pytest.approx(10.0, abs=1e-6))


def test_layout_projection_replaces_the_maps_and_its_offset():
    geo = GeoFrame.of_map(_Net(), "+proj=utm +zone=50 +datum=WGS84 +units=m +no_defs")
    assert geo.to_lonlat(500000.0, 0.0) == (pytest.approx(117.0), pytest.approx(0.0, abs=1e-9))
    assert GeoFrame.of_map(None).to_lonlat(0.0, 0.0) == (pytest.approx(DEFAULT_LON_DEG),
                                                          pytest.approx(DEFAULT_LAT_DEG))
