"""Cubic records: exact minimum over an interval, re-expansion, and the part of a lane section
each record of a sequence covers (what `map check` uses for lane widths)."""

from __future__ import annotations

import pytest

from maps.polynomial import Cubic, Piecewise, combined


def test_lowest_is_at_a_critical_point_inside():
    # 1 - 3 x + x^3: derivative 3 x^2 - 3 is 0 at x = +-1; on [0, 3] the minimum is x = 1, -1
    assert Cubic(0.0, 1.0, -3.0, 0.0, 1.0).lowest(0.0, 3.0) == (1.0, -1.0)
    # the same record starting at s = 20: the minimum is at s = 21
    assert Cubic(20.0, 1.0, -3.0, 0.0, 1.0).lowest(20.0, 23.0) == (21.0, -1.0)


def test_lowest_is_at_an_end_when_the_critical_point_is_a_maximum_or_outside():
    # 2 x - x^2 peaks at x = 1; on [0, 3] it is lowest at the end, 6 - 9 = -3
    assert Cubic(0.0, 0.0, 2.0, -1.0, 0.0).lowest(0.0, 3.0) == (3.0, -3.0)
    # the dip of 3.5 - 1.6 x + 0.16 x^2 at x = 5 lies outside [6, 10] (increasing there):
    # lowest at x = 6, 3.5 - 9.6 + 5.76 = -0.34
    s, v = Cubic(0.0, 3.5, -1.6, 0.16, 0.0).lowest(6.0, 10.0)
    assert s == 6.0 and v == pytest.approx(-0.34)


def test_lowest_keeps_its_precision_with_a_rounding_size_cubic_term():
    # exporters write d = 1e-18 for 0: the finite critical point stays at x = 5
    s, v = Cubic(0.0, 3.5, -1.6, 0.16, 1e-18).lowest(0.0, 10.0)
    assert s == pytest.approx(5.0, abs=1e-12) and v == pytest.approx(-0.5, abs=1e-12)


def test_shifted_and_combined_keep_every_value():
    c = Cubic(2.0, 1.0, 2.0, 3.0, 4.0)
    assert c.shifted(5.0).start == 5.0
    for s in (-1.0, 2.0, 4.5, 7.0):
        assert c.shifted(5.0).value(s) == pytest.approx(c.value(s))
    other = Cubic(0.0, -1.0, 0.5, 0.0, -0.25)
    both = combined([(1.0, c), (-2.0, other)], 3.0)
    for s in (0.0, 3.0, 6.5):
        assert both.value(s) == pytest.approx(c.value(s) - 2.0 * other.value(s))


def test_pieces_give_each_record_the_part_it_covers():
    r0, r10a, r10b, r120 = (Cubic(0.0, 1.0), Cubic(10.0, 2.0), Cubic(10.0, 3.0),
                            Cubic(120.0, 4.0))
    pw = Piecewise([r0, r10a, r10b, r120])
    # the first of two records at s = 10 never applies (the later one wins at 10), nor does
    # a record starting past the end of the interval
    assert pw.pieces(0.0, 100.0) == [(r0, 0.0, 10.0), (r10b, 10.0, 100.0)]
    # a first record starting late is extrapolated back to the interval start, as value() does
    late = Piecewise([Cubic(5.0, 1.0), Cubic(20.0, 2.0)])
    assert [(a, b) for _, a, b in late.pieces(0.0, 50.0)] == [(0.0, 20.0), (20.0, 50.0)]
    assert Piecewise().pieces(0.0, 10.0) == []
