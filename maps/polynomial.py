"""Piecewise cubic polynomials of OpenDRIVE records.

OpenDRIVE describes elevation, superelevation, lane offset, lane width and lane border as a
sequence of records ``(s_i, a, b, c, d)``, each valid from ``s_i`` up to the next record, with
value ``a + b*ds + c*ds**2 + d*ds**3`` where ``ds = s - s_i`` [ASAM OpenDRIVE 1.8, clause 7.x
"Polynomials" and 9.3 "Lane offset", 11.5 "Lane width"]. Units follow the record (m for
widths and offsets, rad for superelevation).
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from typing import Iterable, NamedTuple


class Cubic(NamedTuple):
    """One record: value ``a + b*ds + c*ds^2 + d*ds^3`` for ``ds = s - start``.

    Attributes:
        start: the record's start (``s``, ``sOffset`` or ``ds`` attribute) [m].
        a, b, c, d: coefficients (units: value, value/m, value/m^2, value/m^3).
    """

    start: float
    a: float
    b: float = 0.0
    c: float = 0.0
    d: float = 0.0

    def value(self, s: float) -> float:
        """Value at ``s`` [m] (same frame as ``start``; no range check)."""
        ds = s - self.start
        return self.a + ds * (self.b + ds * (self.c + ds * self.d))

    def shifted(self, start: float) -> Cubic:
        """The same polynomial written around ``start`` [m] instead of ``self.start`` (its
        Taylor expansion there: the value at every s is unchanged)."""
        h = start - self.start
        b, c, d = self.b, self.c, self.d
        return Cubic(start, self.value(start), b + h * (2.0 * c + 3.0 * h * d), c + 3.0 * h * d,
                     d)

    def lowest(self, s0: float, s1: float) -> tuple[float, float]:
        """``(s [m], value)`` where the polynomial is lowest on ``[s0, s1]`` (``s0 <= s1``, in
        the frame of ``start``), found exactly: the smaller of its values at both ends and at
        the critical points inside, the roots of ``b + 2c ds + 3d ds^2``; the first such s
        on a tie."""
        best = (s0, self.value(s0))
        for s in (s1, *(self.start + ds for ds in _critical_points(self.b, self.c, self.d))):
            if s0 < s <= s1:
                v = self.value(s)
                if v < best[1]:
                    best = (s, v)
        return best


def _critical_points(b: float, c: float, d: float) -> tuple[float, ...]:
    """Real roots ``ds`` of ``b + 2c ds + 3d ds^2`` (the derivative of a cubic), computed so
    that a tiny ``d`` (exporters write 1e-18 for 0) loses no precision in the finite root."""
    if d == 0.0:
        return (-b / (2.0 * c),) if c != 0.0 else ()
    disc = c * c - 3.0 * b * d
    if disc < 0.0:
        return ()
    q = -(c + math.copysign(math.sqrt(disc), c))
    if q == 0.0:  # b = c = 0: a double root at 0
        return (0.0,)
    return (q / (3.0 * d), b / q)


def combined(terms: Iterable[tuple[float, Cubic]], start: float) -> Cubic:
    """``sum(factor * cubic)`` of ``(factor, cubic)`` terms as one :class:`Cubic` written
    around ``start`` [m] (every cubic's start in the same frame)."""
    a = b = c = d = 0.0
    for factor, cubic in terms:
        r = cubic.shifted(start)
        a, b, c, d = a + factor * r.a, b + factor * r.b, c + factor * r.c, d + factor * r.d
    return Cubic(start, a, b, c, d)


class Piecewise:
    """A sequence of :class:`Cubic` records sorted by start, evaluated at any ``s``.

    Before the first record the first record is extrapolated (esmini does the same: a record
    starting late still applies from the start); an empty sequence evaluates to 0.

    Args:
        records: the records in file order (they are sorted by start, stable).
    """

    __slots__ = ("records", "_starts")

    def __init__(self, records: list[Cubic] | tuple[Cubic, ...] = ()) -> None:
        self.records = tuple(records) if len(records) < 2 else \
            tuple(sorted(records, key=lambda r: r.start))
        self._starts = [r.start for r in self.records]

    def __bool__(self) -> bool:
        return bool(self.records)

    def record_at(self, s: float) -> Cubic | None:
        """The record in force at ``s`` [m] (the first one before its start), or None when
        there are none."""
        return self._record(s)

    def pieces(self, lo: float, hi: float) -> list[tuple[Cubic, float, float]]:
        """``(record, s0, s1)`` [m] for each record in force somewhere on ``[lo, hi]``, with
        the part ``[s0, s1]`` it covers: from its start (the first record: from ``lo``, as
        :meth:`value` extrapolates it) to the next record's start or ``hi`` (ASAM OpenDRIVE
        1.8 clause 11.6: a record holds until the next one or the section end). Records
        that never apply there (starting at or after ``hi``, or followed by one with the
        same start) are left out; ``lo == hi`` gives the record in force at that point."""
        recs = self.records
        if not recs:
            return []
        if hi <= lo:
            return [(self._record(lo), lo, lo)]
        out = []
        last = len(recs) - 1
        for i, r in enumerate(recs):
            s0 = lo if i == 0 else max(r.start, lo)
            s1 = hi if i == last else min(recs[i + 1].start, hi)
            if s0 < s1:
                out.append((r, s0, s1))
        return out

    def starts_within(self, lo: float, hi: float) -> list[float]:
        """Starts [m] of the records after the first that lie strictly inside ``(lo, hi)``:
        where the polynomial in force changes (found by bisection, so a lane with many
        records costs no more than it has records)."""
        starts = self._starts
        return starts[max(bisect_right(starts, lo), 1):bisect_left(starts, hi)]

    def _record(self, s: float) -> Cubic | None:
        if not self.records:
            return None
        i = bisect_right(self._starts, s) - 1
        return self.records[i if i > 0 else 0]

    def value(self, s: float) -> float:
        """Value at ``s`` (same units as the records)."""
        records = self.records
        if len(records) == 1:  # most records of a map: no search
            start, a, b, c, d = records[0]
        else:
            r = self._record(s)
            if r is None:
                return 0.0
            start, a, b, c, d = r
        ds = s - start
        return a + ds * (b + ds * (c + ds * d))

    def derivative(self, s: float) -> float:
        """First derivative d(value)/ds at ``s`` (value units per metre)."""
        r = self._record(s)
        if r is None:
            return 0.0
        ds = s - r.start
        return r.b + ds * (2.0 * r.c + 3.0 * ds * r.d)
