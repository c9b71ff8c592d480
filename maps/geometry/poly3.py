"""Cubic polynomial geometry (ASAM OpenDRIVE 1.4, clause 5.3.4.1.4 "Cubic polynomial";
deprecated since 1.6): ``v(u) = a + b u + c u^2 + d u^3`` in the local frame.

Treated as the parametric cubic ``(u, v(u))`` whose end parameter ``u_max`` makes the arc
length equal to ``length`` (found by Newton iteration on the arc-length integral), so all the
arc-length machinery of :class:`~maps.geometry.param_poly3.ParamPoly3` is shared.
"""

from __future__ import annotations

import numpy as np

from maps.geometry.param_poly3 import ParamPoly3

_GL_X, _GL_W = np.polynomial.legendre.leggauss(20)


def _arc_length(coeffs: tuple[float, float, float, float], u_end: float) -> float:
    _, b, c, d = coeffs
    u = 0.5 * u_end * (_GL_X + 1.0)
    return float(0.5 * u_end * (_GL_W * np.sqrt(1.0 + (b + u * (2 * c + 3 * d * u)) ** 2)).sum())


def solve_u_max(coeffs: tuple[float, float, float, float], length: float) -> float:
    """End abscissa ``u`` [m] at which the curve ``v(u)`` has arc length ``length`` [m]."""
    _, b, c, d = coeffs
    u = length / np.sqrt(1.0 + b * b)
    for _ in range(30):
        f = _arc_length(coeffs, u) - length
        slope = np.sqrt(1.0 + (b + u * (2 * c + 3 * d * u)) ** 2)
        step = f / slope
        u -= step
        if abs(step) < 1e-12 * max(1.0, length):
            break
    return float(u)


class Poly3(ParamPoly3):
    """A deprecated ``poly3`` geometry, coefficients ``(a, b, c, d)`` [m, -, 1/m, 1/m^2]."""

    kind = "poly3"

    def __init__(self, s: float, x: float, y: float, hdg: float, length: float,
                 a: float, b: float, c: float, d: float) -> None:
        coeffs = (float(a), float(b), float(c), float(d))
        u_max = solve_u_max(coeffs, float(length))
        super().__init__(s, x, y, hdg, length, (0.0, 1.0, 0.0, 0.0), coeffs, u_max)
