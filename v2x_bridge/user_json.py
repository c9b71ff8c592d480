"""Checks on values read from users' JSON (RSU layouts, ``V2X.RSI`` contents).

JSON gives Python ``bool``, ``int`` (of any size), ``float`` (possibly ``nan``/``inf`` from
Python's parser) and the rest; a number field must be a real, finite value of sane size before
it reaches geometry or the ASN.1 encoder (a 400-digit integer overflows ``float``).
"""

from __future__ import annotations

import math
from typing import Any


def is_finite_number(value: Any, limit: float) -> bool:
    """True when ``value`` is an ``int`` or ``float`` (not ``bool``), finite, with
    ``|value| <= limit``. Never raises (huge ints are compared as ints)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    if isinstance(value, int):
        return abs(value) <= limit
    return math.isfinite(value) and abs(value) <= limit


def shown(value: Any, width: int = 40) -> str:
    """``repr(value)`` cut to ``width`` characters for an error message."""
    text = repr(value)
    return text if len(text) <= width else text[:width - 3] + "..."
