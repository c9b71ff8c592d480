"""Parametric cubic geometry (ASAM OpenDRIVE 1.8, clause 7.4.5 "Parametric cubic curve").

In the local frame (u along the start heading, v to its left) the curve is
``u(p) = aU + bU p + cU p^2 + dU p^3``, ``v(p) = aV + ...``, with ``p`` in ``[0, length]``
(``pRange="arcLength"``) or ``[0, 1]`` (``pRange="normalized"``). ``p`` is not in general the
arc length, so ``ds`` is mapped to ``p`` through an arc-length table: 64 intervals, 5-point
Gauss-Legendre arc length per interval, cubic Hermite inversion (the same idea as esmini's
s-to-p map; error well below 1e-6 m for road-like curves). The table is scaled so that the
end of the curve sits at ``ds = length`` as the file states.
"""

from __future__ import annotations

import math
from bisect import bisect_right

import numpy as np

from maps.geometry.base import Geometry

_GL_X, _GL_W = np.polynomial.legendre.leggauss(5)
_INTERVALS = 64


class ParamPoly3(Geometry):
    """A parametric cubic; ``p_max`` is the end parameter (``length`` or 1)."""

    kind = "paramPoly3"

    def __init__(self, s: float, x: float, y: float, hdg: float, length: float,
                 u: tuple[float, float, float, float], v: tuple[float, float, float, float],
                 p_max: float) -> None:
        super().__init__(s, x, y, hdg, length)
        self.u = tuple(float(c) for c in u)
        self.v = tuple(float(c) for c in v)
        self.p_max = float(p_max)
        self._build_table()

    def _speed(self, p: np.ndarray | float):
        (_, bu, cu, du), (_, bv, cv, dv) = self.u, self.v
        du_ = bu + p * (2 * cu + 3 * du * p)
        dv_ = bv + p * (2 * cv + 3 * dv * p)
        return np.hypot(du_, dv_)

    def _build_table(self) -> None:
        p = np.linspace(0.0, self.p_max, _INTERVALS + 1)
        half = 0.5 * (p[1:] - p[:-1])
        mid = 0.5 * (p[1:] + p[:-1])
        nodes = mid[:, None] + half[:, None] * _GL_X[None, :]
        seg = (self._speed(nodes) * _GL_W[None, :]).sum(axis=1) * half
        cum = np.concatenate([[0.0], np.cumsum(seg)])
        self.curve_length = float(cum[-1])
        scale = self.length / self.curve_length if self.curve_length > 0 else 1.0
        self._s_tab = (cum * scale).tolist()
        self._p_tab = p.tolist()
        # dp/ds at the nodes, for Hermite interpolation of p(s)
        sp = self._speed(p) * scale
        self._dpds = np.where(sp > 1e-12, 1.0 / np.maximum(sp, 1e-12), 0.0).tolist()

    def param(self, ds: float) -> float:
        """Curve parameter ``p`` at local arc length ``ds`` [m] (clamped to the segment)."""
        st = self._s_tab
        if ds <= 0.0:
            return 0.0
        if ds >= st[-1]:
            return self.p_max
        i = bisect_right(st, ds) - 1
        h = st[i + 1] - st[i]
        if h <= 0.0:
            return self._p_tab[i]
        t = (ds - st[i]) / h
        t2, t3 = t * t, t * t * t
        return ((2 * t3 - 3 * t2 + 1) * self._p_tab[i] + (t3 - 2 * t2 + t) * h * self._dpds[i]
                + (-2 * t3 + 3 * t2) * self._p_tab[i + 1] + (t3 - t2) * h * self._dpds[i + 1])

    def local(self, p: float) -> tuple[float, float, float, float, float, float]:
        """Local ``(u, v, u', v', u'', v'')`` at parameter ``p`` (derivatives w.r.t. p)."""
        au, bu, cu, du = self.u
        av, bv, cv, dv = self.v
        return (au + p * (bu + p * (cu + p * du)), av + p * (bv + p * (cv + p * dv)),
                bu + p * (2 * cu + 3 * du * p), bv + p * (2 * cv + 3 * dv * p),
                2 * cu + 6 * du * p, 2 * cv + 6 * dv * p)

    def _pose(self, local: tuple[float, ...]) -> tuple[float, float, float]:
        """``(x, y, heading)`` from the :meth:`local` values at one parameter."""
        uu, vv, du, dv, _, _ = local
        x, y = self.to_world(uu, vv)
        return (x, y, self.hdg + math.atan2(dv, du))

    @staticmethod
    def _curvature(local: tuple[float, ...]) -> float:
        """Signed curvature [1/m] from the :meth:`local` values at one parameter."""
        _, _, du, dv, ddu, ddv = local
        n = math.hypot(du, dv)
        return 0.0 if n < 1e-12 else (du * ddv - dv * ddu) / (n * n * n)

    def pose(self, ds: float) -> tuple[float, float, float]:
        """Return ``(x, y, heading)`` at ``ds`` [m]: local point rotated by ``hdg``."""
        return self._pose(self.local(self.param(ds)))

    def curvature(self, ds: float) -> float:
        """Signed curvature ``(u'v'' - v'u'') / |r'|^3`` [1/m]."""
        return self._curvature(self.local(self.param(ds)))

    def frame(self, ds: float) -> tuple[float, float, float, float]:
        """``(x, y, heading, curvature)`` at ``ds`` [m], the curve parameter found once."""
        local = self.local(self.param(ds))
        return (*self._pose(local), self._curvature(local))
