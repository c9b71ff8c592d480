"""Geographic reference of a road network (ASAM OpenDRIVE 1.8 clause 2.3.6 "Georeferencing":
``header/geoReference`` holds a PROJ string of the projected frame; 1.6+ ``header/offset``
shifts and turns the inertial frame inside it).

Projection through pyproj (PROJ). The standard asks for a PROJ string; an authority code
(``EPSG:4547``) or WKT, which some exporters write, is read as well. Only the horizontal part is
used: vertical options such as ``+geoidgrids`` (which need grid files that may be absent
offline) are dropped.
"""

from __future__ import annotations

import functools
import math
import re
import warnings

import numpy as np

from maps.errors import MapsError

_VERTICAL = re.compile(r"\+(geoidgrids|vunits)=\S+")



@functools.lru_cache(maxsize=1)
def wgs84_geod():
    """The WGS84 ellipsoid's geodesic calculator (``pyproj.Geod``, Karney 2013), made once
    (pyproj is imported on first use: maps load without it)."""
    import pyproj
    return pyproj.Geod(ellps="WGS84")


class GeoReference:
    """Inertial (x, y) [m] <-> WGS84 longitude/latitude [deg], scalars or numpy arrays.

    Args:
        proj: the PROJ string of ``geoReference``.
        offset: header ``offset`` (x [m], y [m], z [m], hdg [rad]): projected coordinates are
            ``offset + R(hdg) (x, y)``.
        file: source file, for errors.

    Raises:
        MapsError: when PROJ rejects the string, or it is not a projected CRS: geographic
            (degrees, not metres) or geocentric (``+proj=geocent``: the RSM of hostile pass 8
            put every object at the North Pole).
    """

    def __init__(self, proj: str, offset: tuple[float, float, float, float] = (0, 0, 0, 0),
                 file: str | None = None) -> None:
        from pyproj import CRS, Transformer

        self.proj = proj
        self.offset = offset
        try:
            with warnings.catch_warnings():  # +init=: pyproj's deprecation note, a map check
                warnings.simplefilter("ignore", FutureWarning)     # warning instead
                crs = CRS.from_user_input(_VERTICAL.sub("", proj).strip())
            self._fwd = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
            self._inv = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
        except Exception as exc:  # pyproj raises several exception types
            raise MapsError(f"geoReference is not a usable PROJ string: {exc}", file=file,
                            element="geoReference") from None
        if not crs.is_projected:  # x, y would be read as degrees, or as earth-centred x, y
            kind = "a geographic CRS (longitude/latitude)" if crs.is_geographic else \
                "a geocentric CRS (earth-centred x, y, z)" if crs.is_geocentric else \
                f"not a projected CRS ({crs.type_name})"
            raise MapsError(f"geoReference is {kind}; the inertial frame needs a projected "
                            f"one in metres, e.g. +proj=tmerc or +proj=utm", file=file,
                            element="geoReference")

    def __getstate__(self) -> dict:
        return {"proj": self.proj, "offset": self.offset}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["proj"], state["offset"])

    def to_lonlat(self, x, y):
        """WGS84 ``(longitude, latitude)`` [deg] of the inertial point ``(x, y)`` [m] (floats
        for scalars, arrays for arrays)."""
        ox, oy, _, hdg = self.offset
        c, s = math.cos(hdg), math.sin(hdg)
        lon, lat = self._fwd.transform(ox + c * x - s * y, oy + s * x + c * y)
        return _plain(lon, lat)

    def from_lonlat(self, lon, lat):
        """Inertial ``(x, y)`` [m] of a WGS84 point given in degrees (floats for scalars,
        arrays for arrays)."""
        px, py = self._inv.transform(lon, lat)
        ox, oy, _, hdg = self.offset
        dx, dy = px - ox, py - oy
        c, s = math.cos(hdg), math.sin(hdg)
        return _plain(c * dx + s * dy, -s * dx + c * dy)


def _plain(a, b):
    """``(a, b)`` as floats when scalars, else as numpy arrays."""
    if np.ndim(a) == 0:
        return float(a), float(b)
    return np.asarray(a, dtype=float), np.asarray(b, dtype=float)
