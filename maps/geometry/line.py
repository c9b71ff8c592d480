"""Straight line geometry (ASAM OpenDRIVE 1.8, clause 7.4.1 "Straight line")."""

from __future__ import annotations

import numpy as np

from maps.geometry.base import Geometry


class Line(Geometry):
    """A straight segment: heading constant, curvature 0."""

    kind = "line"

    def pose(self, ds: float) -> tuple[float, float, float]:
        """Return ``(x, y, heading)`` at ``ds`` [m] along the line."""
        return (self.x + ds * self._cos, self.y + ds * self._sin, self.hdg)

    def curvature(self, ds: float) -> float:
        """Curvature of a line: 0 [1/m]."""
        return 0.0

    def frame(self, ds: float) -> tuple[float, float, float, float]:
        """``(x, y, heading, curvature)`` at ``ds`` [m]: :meth:`pose` and a zero curvature."""
        return (*self.pose(ds), 0.0)

    def poses(self, ds: np.ndarray) -> np.ndarray:
        """Vectorised pose, shape (N, 3)."""
        ds = np.asarray(ds, dtype=float)
        return np.column_stack([self.x + ds * self._cos, self.y + ds * self._sin,
                                np.full_like(ds, self.hdg)])
