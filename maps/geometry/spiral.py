"""Spiral geometry (ASAM OpenDRIVE 1.8, clause 7.4.2 "Spiral"): an Euler spiral (clothoid).

Curvature varies linearly from ``curv_start`` to ``curv_end`` over the segment. Positions are
exact: they come from the generalised Fresnel integrals of Bertolazzi & Frego, "G1 fitting
with clothoids" (Math. Methods Appl. Sci. 2015) through the ``pyclothoids`` binding of their
Clothoids library, which keeps full precision when the curvature rate is tiny (a segment whose
curvature changes by ~1e-17 behaves as the arc it is) and when it is zero.
"""

from __future__ import annotations

import math

from pyclothoids import Clothoid

from maps.geometry.arc import chord
from maps.geometry.base import Geometry

_ARC_RATE = 1e-15
"""Below this curvature rate [1/m^2] the segment is evaluated with the closed-form arc."""


class Spiral(Geometry):
    """A clothoid segment from curvature ``curv_start`` to ``curv_end`` [1/m]."""

    kind = "spiral"

    def __init__(self, s: float, x: float, y: float, hdg: float, length: float,
                 curv_start: float, curv_end: float) -> None:
        super().__init__(s, x, y, hdg, length)
        self.k0 = float(curv_start)
        self.k1 = float(curv_end)
        self.rate = (self.k1 - self.k0) / self.length if self.length > 0 else 0.0
        self._arc = abs(self.rate) < _ARC_RATE
        self._curve = None  # built on first use (~0.1 ms each, most spirals of a big map
        #                     are never evaluated off the sampled index)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_curve"] = None
        return state

    def _clothoid(self):
        if self._curve is None:
            self._curve = Clothoid.StandardParams(self.x, self.y, self.hdg, self.k0, self.rate,
                                                  self.length)._ClothoidCurve
        return self._curve

    def pose(self, ds: float) -> tuple[float, float, float]:
        """Return ``(x, y, heading)`` at ``ds`` [m]; heading = hdg + k0*ds + rate*ds^2/2."""
        h = self.hdg + ds * (self.k0 + 0.5 * self.rate * ds)
        if self._arc:
            c, a = chord(ds, self.k0)
            return (self.x + c * math.cos(self.hdg + a), self.y + c * math.sin(self.hdg + a), h)
        curve = self._curve if self._curve is not None else self._clothoid()
        return (curve.X(ds), curve.Y(ds), h)

    def curvature(self, ds: float) -> float:
        """Curvature ``k0 + rate*ds`` [1/m]."""
        return self.k0 + self.rate * ds

    def frame(self, ds: float) -> tuple[float, float, float, float]:
        """``(x, y, heading, curvature)`` at ``ds`` [m]: :meth:`pose` and :meth:`curvature`
        without a second method lookup."""
        return (*self.pose(ds), self.k0 + self.rate * ds)
