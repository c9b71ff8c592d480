"""The map's inertial frame <-> WGS84 longitude/latitude, and headings from true north.

:class:`GeoFrame` is the map's own georeference (``maps.geo.GeoReference``: the
``<geoReference>`` PROJ string and the header ``offset``, ASAM OpenDRIVE 1.8 clause 2.3.6, through
pyproj), so a V2X message and a scenario's GeoPosition put a point at the same place, plus the
heading conversions the message set needs (true north, not grid north).

When the map has no geoReference, :data:`DEFAULT_PROJ` is used: a transverse Mercator plane
tangent at 30.49 N, 114.15 E (the Wuhan ICV test zone), scale 1, no false easting/northing, so
the map origin is that point and distances near it are true to better than 1e-6 within 10 km.
"""

from __future__ import annotations

import math

import numpy as np

from maps.errors import MapsError
from maps.geo import GeoReference, wgs84_geod
from testzone.world import wrap_angle
from v2x_bridge.errors import V2XError

DEFAULT_LAT_DEG = 30.49
DEFAULT_LON_DEG = 114.15
DEFAULT_PROJ = (f"+proj=tmerc +lat_0={DEFAULT_LAT_DEG} +lon_0={DEFAULT_LON_DEG} +k=1 "
                "+x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs")
"""Local plane used when a map has no geoReference (Wuhan test zone)."""

_GEOD = wgs84_geod()
_STEP_M = 1.0
_NO_OFFSET = (0.0, 0.0, 0.0, 0.0)


class GeoFrame(GeoReference):
    """Conversions between the map frame and WGS84 (scalars or numpy arrays).

    Args:
        proj: PROJ string of the map frame (OpenDRIVE ``geoReference``); None or blank ->
            :data:`DEFAULT_PROJ`.
        offset: the map's header ``offset`` (x, y, z [m], hdg [rad]), see
            ``maps.geo.GeoReference``.

    Raises:
        V2XError: the PROJ string is not understood by PROJ (``element="geoReference"``).
    """

    def __init__(self, proj: str | None = None,
                 offset: tuple[float, float, float, float] = _NO_OFFSET) -> None:
        try:
            super().__init__((proj or "").strip() or DEFAULT_PROJ, offset)
        except MapsError as exc:
            raise V2XError(exc.message, element="geoReference") from None

    @classmethod
    def of_map(cls, net: object | None, proj: str | None = None) -> GeoFrame:
        """The frame of road network ``net`` (its ``geo_reference`` and ``offset``; None: the
        default plane). ``proj``, when given (an RSU layout's own ``geo_reference``), replaces
        the map's projection, and the header offset is then not applied: the layout's PROJ
        string maps the inertial frame directly. V2XError as the constructor."""
        if proj:
            return cls(proj)
        return cls(getattr(net, "geo_reference", None),
                   tuple(getattr(net, "offset", None) or _NO_OFFSET))

    def __repr__(self) -> str:
        return f"GeoFrame({self.proj!r}, offset={self.offset!r})"

    def to_xy(self, lon, lat):
        """(lon, lat) [deg] -> map (x, y) [m] (scalars or arrays): ``from_lonlat``."""
        return self.from_lonlat(lon, lat)

    def true_heading(self, x: float, y: float, h: float) -> float:
        """Map heading ``h`` [rad, CCW from map x] at (x, y) -> heading from *true* east [rad].

        The grid of a projected map is rotated against true north away from its central
        meridian (meridian convergence), and the header offset turns the map frame inside it;
        the message set wants true north. Computed by projecting a 1 m step along ``h`` and
        taking the WGS84 geodesic azimuth.
        """
        lon, lat = self.to_lonlat(np.array([x, x + _STEP_M * math.cos(h)]),
                                  np.array([y, y + _STEP_M * math.sin(h)]))
        az, _, _ = _GEOD.inv(lon[0], lat[0], lon[1], lat[1])
        return wrap_angle(math.radians(90.0 - az))

    def map_heading(self, lon: float, lat: float, h_true: float) -> float:
        """Inverse of :meth:`true_heading`: heading from true east at (lon, lat) -> map heading."""
        az = 90.0 - math.degrees(h_true)
        lon2, lat2, _ = _GEOD.fwd(lon, lat, az, _STEP_M)
        x, y = self.to_xy(np.array([lon, lon2]), np.array([lat, lat2]))
        return math.atan2(y[1] - y[0], x[1] - x[0])
