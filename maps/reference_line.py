"""The road reference line: the ``planView`` geometries laid end to end
(ASAM OpenDRIVE 1.8, clause 7 "Reference line").
"""

from __future__ import annotations

from bisect import bisect_right

import numpy as np

from maps.geometry.base import Geometry

MAX_SAMPLES = 100_000
"""Most samples :meth:`ReferenceLine.sample_s` puts inside one geometry (and
:func:`maps.areas.section_samples` inside one lane section): a bound on every sampling loop,
reached only by geometries far outside road scale (the parser refuses curvatures above
:data:`maps.parser.MAX_CURVATURE`; at that curvature and a 1 cm chord error the bound covers
28 km of one geometry). Past it the step grows so that the count stays at the bound."""


class ReferenceLine:
    """Sequence of geometries sorted by ``s``; evaluates pose and curvature at road ``s`` [m].

    ``s`` outside ``[0, length]`` is clamped to the first/last geometry and extrapolated along
    it (so tiny overshoots from rounding give continuous values).

    Args:
        geometries: the ``planView`` records (sorted by their ``s`` here; ``listed_in_order``
            says whether the file had them so).
        length: the road length [m] (``road@length``).
    """

    __slots__ = ("geometries", "length", "listed_in_order", "_starts", "_spans")

    def __init__(self, geometries: list[Geometry], length: float) -> None:
        self.listed_in_order = all(a.s <= b.s for a, b in zip(geometries, geometries[1:]))
        self.geometries = sorted(geometries, key=lambda g: g.s)
        self.length = float(length)
        self._starts = [g.s for g in self.geometries]
        inf = float("inf")
        bounds = [-inf, *self._starts[1:], inf]
        self._spans = [(g, lo, hi) for g, lo, hi in zip(self.geometries, bounds, bounds[1:])]

    def geometry_at(self, s: float) -> Geometry:
        """The geometry whose interval contains ``s`` [m]."""
        i = bisect_right(self._starts, s) - 1
        return self.geometries[i if i > 0 else 0]

    def geometry_span(self, s: float) -> tuple[Geometry, float, float]:
        """``(geometry, lo, hi)``: the geometry :meth:`geometry_at` gives for ``s`` and the
        s interval ``[lo, hi)`` [m] over which it keeps giving it (open-ended at the ends),
        so iterative callers can skip the lookup while s stays inside."""
        i = bisect_right(self._starts, s) - 1
        return self._spans[i if i > 0 else 0]

    def pose(self, s: float) -> tuple[float, float, float]:
        """``(x [m], y [m], heading [rad])`` of the reference line at ``s`` [m]."""
        g = self.geometry_at(s)
        return g.pose(s - g.s)

    def curvature(self, s: float) -> float:
        """Signed curvature [1/m] at ``s``."""
        g = self.geometry_at(s)
        return g.curvature(s - g.s)

    def sample_s(self, max_step: float = 2.0, chord_error: float = 0.01) -> np.ndarray:
        """Sample positions [m] covering ``[0, length]``: every geometry start, and inside each
        geometry a step no larger than ``max_step`` nor than the step giving a chord error of
        ``chord_error`` [m] at the geometry's largest curvature (sagitta ``k*h^2/8``), but at
        most :data:`MAX_SAMPLES` samples per geometry."""
        out: list[float] = []
        for i, g in enumerate(self.geometries):
            end = self.geometries[i + 1].s if i + 1 < len(self.geometries) else self.length
            seg = max(end - g.s, 0.0)
            kmax = max(abs(g.curvature(0.0)), abs(g.curvature(seg)), abs(g.curvature(seg / 2)))
            step = max_step if kmax < 1e-9 else min(max_step, (8 * chord_error / kmax) ** 0.5)
            n = max(1, min(MAX_SAMPLES, int(np.ceil(seg / step))))
            out.extend((g.s + seg * np.arange(n) / n).tolist())
        out.append(self.length)
        return np.array(out)
