"""Reference-line geometries against closed forms and independent numerical integration."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.special import fresnel

from maps.geometry import Arc, Line, ParamPoly3, Poly3, Spiral


def test_line_pose():
    g = Line(10.0, 1.0, 2.0, math.radians(30), 20.0)
    x, y, h = g.pose(10.0)
    assert (x, y) == pytest.approx((1 + 10 * math.sqrt(3) / 2, 2 + 5.0), abs=1e-12)
    assert h == pytest.approx(math.radians(30)) and g.curvature(3.0) == 0.0


def test_arc_quarter_circle():
    # radius 100 m, a quarter turn left from the origin ends at (100, 100) heading pi/2
    g = Arc(0.0, 0.0, 0.0, 0.0, 50 * math.pi, 0.01)
    x, y, h = g.pose(50 * math.pi)
    assert (x, y, h) == pytest.approx((100.0, 100.0, math.pi / 2), abs=1e-9)
    # half-way: 45 degrees on the circle centred (0, 100)
    x, y, _ = g.pose(25 * math.pi)
    assert (x, y) == pytest.approx((100 * math.sin(math.pi / 4), 100 - 100 * math.cos(math.pi / 4)),
                                   abs=1e-9)


def test_arc_right_turn_negative_curvature():
    g = Arc(0.0, 0.0, 0.0, 0.0, 50 * math.pi, -0.01)
    assert g.pose(50 * math.pi) == pytest.approx((100.0, -100.0, -math.pi / 2), abs=1e-9)


def _integrate(hdg, k0, rate, L):
    theta = lambda s: hdg + k0 * s + 0.5 * rate * s * s
    x = quad(lambda s: math.cos(theta(s)), 0, L, epsabs=1e-13, epsrel=1e-13, limit=200)[0]
    y = quad(lambda s: math.sin(theta(s)), 0, L, epsabs=1e-13, epsrel=1e-13, limit=200)[0]
    return x, y


def test_spiral_from_zero_curvature_matches_fresnel():
    # k(s) = c s: x = sqrt(pi/c) C(L sqrt(c/pi)), y = sqrt(pi/c) S(L sqrt(c/pi))
    L, c = 80.0, 0.02 / 80.0
    g = Spiral(0.0, 0.0, 0.0, 0.0, L, 0.0, 0.02)
    S, C = fresnel(L * math.sqrt(c / math.pi))
    scale = math.sqrt(math.pi / c)
    x, y, h = g.pose(L)
    assert (x, y) == pytest.approx((scale * C, scale * S), abs=1e-9)
    assert h == pytest.approx(0.5 * c * L * L)


@pytest.mark.parametrize("k0,k1,hdg", [(0.01, -0.02, 0.3), (-0.05, 0.0, -2.0), (0.002, 0.0021, 1.0)])
def test_spiral_matches_numerical_integration(k0, k1, hdg):
    L = 60.0
    g = Spiral(5.0, 3.0, -4.0, hdg, L, k0, k1)
    for ds in (0.0, 17.3, L):
        ix, iy = _integrate(hdg, k0, (k1 - k0) / L, ds)
        x, y, h = g.pose(ds)
        assert (x, y) == pytest.approx((3.0 + ix, -4.0 + iy), abs=1e-8)
        assert g.curvature(ds) == pytest.approx(k0 + (k1 - k0) * ds / L)


def test_spiral_with_negligible_curvature_change_is_the_arc():
    L = 100.0
    s = Spiral(0.0, 0.0, 0.0, 0.0, L, 0.01, 0.01 + 1e-17)
    a = Arc(0.0, 0.0, 0.0, 0.0, L, 0.01)
    assert s.pose(L) == pytest.approx(a.pose(L), abs=1e-9)
    assert a.pose(L)[:2] == pytest.approx((100 * math.sin(1.0), 100 * (1 - math.cos(1.0))),
                                          abs=1e-9)


def test_spiral_survives_pickling():
    import pickle
    g = Spiral(0.0, 1.0, 2.0, 0.5, 30.0, 0.0, 0.03)
    assert pickle.loads(pickle.dumps(g)).pose(30.0) == pytest.approx(g.pose(30.0), abs=1e-12)


def _parabola_length(c, u):
    # arc length of v = c u^2 from 0 to u (closed form)
    return 0.5 * u * math.sqrt(1 + 4 * c * c * u * u) + math.asinh(2 * c * u) / (4 * c)


def test_param_poly3_parabola_closed_form():
    c, u_end = 0.01, 40.0
    L = _parabola_length(c, u_end)
    # pRange normalized: u(p) = u_end p, v(p) = c u_end^2 p^2, p in [0, 1]
    g = ParamPoly3(0.0, 10.0, 20.0, math.pi / 2, L, (0, u_end, 0, 0), (0, 0, c * u_end ** 2, 0),
                   1.0)
    for u in (0.0, 12.5, 31.0, u_end):
        ds = _parabola_length(c, u) if u else 0.0
        x, y, h = g.pose(ds)
        # local (u, c u^2) rotated by pi/2: x = 10 - c u^2, y = 20 + u
        assert (x, y) == pytest.approx((10 - c * u * u, 20 + u), abs=1e-6)
        assert h == pytest.approx(math.pi / 2 + math.atan(2 * c * u), abs=1e-7)
    assert g.curvature(0.0) == pytest.approx(2 * c)


def test_param_poly3_arclength_range_straight():
    g = ParamPoly3(0.0, 0.0, 0.0, 0.0, 25.0, (0, 1, 0, 0), (1.5, 0, 0, 0), 25.0)
    assert g.pose(10.0) == pytest.approx((10.0, 1.5, 0.0), abs=1e-9)


def test_poly3_solves_its_end_abscissa():
    c, u_end = 0.005, 30.0
    L = _parabola_length(c, u_end)
    g = Poly3(0.0, 0.0, 0.0, 0.0, L, 0.5, 0.0, c, 0.0)
    assert g.p_max == pytest.approx(u_end, abs=1e-8)
    assert g.pose(L)[:2] == pytest.approx((u_end, 0.5 + c * u_end ** 2), abs=1e-6)


def test_vectorised_poses_match_scalar():
    g = Arc(0.0, 1.0, 1.0, 0.2, 30.0, 0.02)
    ds = np.linspace(0, 30, 7)
    assert g.poses(ds) == pytest.approx(np.array([g.pose(d) for d in ds]))
