"""Arc geometry (ASAM OpenDRIVE 1.8, clause 7.4.3 "Arc"): constant curvature."""

from __future__ import annotations

import math

from maps.geometry.base import Geometry


def chord(ds: float, k: float) -> tuple[float, float]:
    """Chord of a circular arc: ``(chord_length [m], half_angle [rad])`` for arc length ``ds``.

    Uses ``chord = ds * sin(a)/a`` with ``a = k*ds/2``, which stays exact as ``k -> 0`` (a
    straight line) instead of dividing by a tiny curvature.
    """
    a = 0.5 * k * ds
    if abs(a) < 1e-9:
        return ds * (1.0 - a * a / 6.0), a
    return ds * math.sin(a) / a, a


class Arc(Geometry):
    """A circular arc of curvature ``curvature`` [1/m] (positive = counter-clockwise)."""

    kind = "arc"

    def __init__(self, s: float, x: float, y: float, hdg: float, length: float,
                 curvature: float) -> None:
        super().__init__(s, x, y, hdg, length)
        self.k = float(curvature)

    def pose(self, ds: float) -> tuple[float, float, float]:
        """Return ``(x, y, heading)`` at ``ds`` [m] along the arc."""
        c, a = chord(ds, self.k)
        direction = self.hdg + a
        return (self.x + c * math.cos(direction), self.y + c * math.sin(direction),
                self.hdg + self.k * ds)

    def curvature(self, ds: float) -> float:
        """The arc's constant curvature [1/m]."""
        return self.k

    def frame(self, ds: float) -> tuple[float, float, float, float]:
        """``(x, y, heading, curvature)`` at ``ds`` [m]: :meth:`pose` and the curvature."""
        return (*self.pose(ds), self.k)
