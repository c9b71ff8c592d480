"""The common base of reference-line geometries (ASAM OpenDRIVE 1.8, clause 7.4 "Geometry").

A geometry starts at road coordinate ``s`` at the inertial point ``(x, y)`` with heading
``hdg`` and runs for ``length`` metres. Subclasses implement :meth:`Geometry.pose` and
:meth:`Geometry.curvature` at a local distance ``ds`` in ``[0, length]``; everything else is
written once here (after esmini's RoadManager ``Geometry`` class family).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod

import numpy as np


class Geometry(ABC):
    """One ``planView/geometry`` record.

    Attributes:
        s: start of the segment along the road reference line [m].
        x, y: start point in the inertial frame [m].
        hdg: start heading [rad], counter-clockwise from the x axis.
        length: segment length [m] (> 0).
        line: the ``geometry`` element's line in the .xodr (set by the parser; None for a
            geometry built in code), for messages.
    """

    kind = "geometry"
    line: int | None = None

    def __init__(self, s: float, x: float, y: float, hdg: float, length: float) -> None:
        self.s = float(s)
        self.x = float(x)
        self.y = float(y)
        self.hdg = float(hdg)
        self.length = float(length)
        self._cos = math.cos(self.hdg)
        self._sin = math.sin(self.hdg)

    @abstractmethod
    def pose(self, ds: float) -> tuple[float, float, float]:
        """Return ``(x [m], y [m], heading [rad])`` at local distance ``ds`` [m] (not wrapped)."""

    @abstractmethod
    def curvature(self, ds: float) -> float:
        """Return the signed curvature [1/m] at ``ds`` (positive = turning left)."""

    def frame(self, ds: float) -> tuple[float, float, float, float]:
        """``(x [m], y [m], heading [rad], curvature [1/m])`` at ``ds`` [m]: :meth:`pose` and
        :meth:`curvature` in one call, for geometries that share work between them."""
        x, y, h = self.pose(ds)
        return x, y, h, self.curvature(ds)

    def to_world(self, u: float, v: float) -> tuple[float, float]:
        """Map a point ``(u, v)`` of the local frame (u along ``hdg``, v to its left) [m]."""
        return (self.x + u * self._cos - v * self._sin, self.y + u * self._sin + v * self._cos)

    def poses(self, ds: np.ndarray) -> np.ndarray:
        """Vectorised :meth:`pose`: ``ds`` shape (N,) [m] -> array (N, 3) of (x, y, heading)."""
        return np.array([self.pose(float(d)) for d in np.asarray(ds, dtype=float)]).reshape(-1, 3)

    def end_pose(self) -> tuple[float, float, float]:
        """Pose at ``ds = length``."""
        return self.pose(self.length)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(s={self.s:.3f}, x={self.x:.3f}, y={self.y:.3f}, "
                f"hdg={self.hdg:.4f}, length={self.length:.3f})")
