"""Piecewise cubic polynomials of OpenDRIVE records.

OpenDRIVE describes elevation, superelevation, lane offset, lane width and lane border as a
sequence of records ``(s_i, a, b, c, d)``, each valid from ``s_i`` up to the next record, with
value ``a + b*ds + c*ds**2 + d*ds**3`` where ``ds = s - s_i`` [ASAM OpenDRIVE 1.8, clause 7.x
"Polynomials" and 9.3 "Lane offset", 11.5 "Lane width"]. Units follow the record (m for
widths and offsets, rad for superelevation).
"""

from __future__ import annotations

from bisect import bisect_right
from typing import NamedTuple


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
