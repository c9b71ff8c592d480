"""The map's local metric frame <-> WGS84 longitude/latitude, through pyproj.

OpenDRIVE's ``<geoReference>`` holds a PROJ string for the inertial frame (x east, y north
[m]). :class:`GeoFrame` wraps it in two ``pyproj.Transformer`` objects (``always_xy=True``, so
every call takes and returns ``(x, y)`` / ``(lon, lat)`` in that order).

When the map has no geoReference, :data:`DEFAULT_PROJ` is used: a transverse Mercator plane
tangent at 30.49 N, 114.15 E (the Wuhan ICV test zone), scale 1, no false easting/northing, so
the map origin is that point and distances near it are true to better than 1e-6 within 10 km.
"""

from __future__ import annotations

import math

import numpy as np
import pyproj

from testzone.world import wrap_angle
from v2x_bridge.errors import V2XError

DEFAULT_LAT_DEG = 30.49
DEFAULT_LON_DEG = 114.15
DEFAULT_PROJ = (f"+proj=tmerc +lat_0={DEFAULT_LAT_DEG} +lon_0={DEFAULT_LON_DEG} +k=1 "
                "+x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs")
"""Local plane used when a map has no geoReference (Wuhan test zone)."""

_GEOD = pyproj.Geod(ellps="WGS84")
_STEP_M = 1.0


class GeoFrame:
    """Conversions between the map frame and WGS84.

    Args:
        proj: PROJ string of the map frame (OpenDRIVE ``geoReference``); None -> DEFAULT_PROJ.

    Raises:
        V2XError: the PROJ string is not understood by PROJ (``element="geoReference"``).
    """

    def __init__(self, proj: str | None = None) -> None:
        self.proj = (proj or "").strip() or DEFAULT_PROJ
        try:
            crs = pyproj.CRS.from_user_input(self.proj)
        except pyproj.exceptions.CRSError as exc:
            raise V2XError(f"invalid PROJ string {self.proj!r}: {exc}",
                           element="geoReference") from None
        self._fwd = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
        self._inv = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)

    def __repr__(self) -> str:
        return f"GeoFrame({self.proj!r})"

    def to_lonlat(self, x: float | np.ndarray, y: float | np.ndarray):
        """Map (x, y) [m] -> (lon, lat) [deg] (scalars or arrays)."""
        return self._fwd.transform(x, y)

    def to_xy(self, lon: float | np.ndarray, lat: float | np.ndarray):
        """(lon, lat) [deg] -> map (x, y) [m] (scalars or arrays)."""
        return self._inv.transform(lon, lat)

    def true_heading(self, x: float, y: float, h: float) -> float:
        """Map heading ``h`` [rad, CCW from map x] at (x, y) -> heading from *true* east [rad].

        The grid of a projected map is rotated against true north away from its central
        meridian (meridian convergence); the message set wants true north. Computed by
        projecting a 1 m step along ``h`` and taking the WGS84 geodesic azimuth.
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
