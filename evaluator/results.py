"""Typed, serialisable metric results, after nuPlan's ``metrics/metric_result.py``.

Three records: a :class:`Statistic` (name, unit, value), a :class:`TimeSeries` (unit, timestamps,
values of equal length, checked at construction) and a :class:`Violation` (start, duration,
extremum, mean). A metric returns one :class:`MetricResult` holding them.

JSON form: non-finite floats (``inf`` is the TTC with nothing ahead) are written as the strings
``"inf"``, ``"-inf"`` and ``"nan"`` so files stay strict JSON (``allow_nan=False``) and read back
to the same floats; :func:`encode_float` / :func:`decode_float` do that both ways.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from evaluator.errors import EvaluationError

#: Value kinds a statistic may carry, named by its unit. ``bool`` statistics hold 0.0 or 1.0.
UNIT_BOOL = "bool"
UNIT_COUNT = "count"


def encode_float(v: float | None) -> float | str | None:
    """Return ``v`` as a JSON-safe value: finite floats rounded to 9 significant digits.

    Non-finite floats become ``"inf"``, ``"-inf"`` or ``"nan"``; None stays None. Rounding keeps
    ``summary.json`` byte-identical across platforms whose last-bit arithmetic differs.
    """
    if v is None:
        return None
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return float(f"{v:.9g}")


def decode_float(v: Any) -> float | None:
    """Inverse of :func:`encode_float`.

    Raises:
        EvaluationError: ``v`` is neither a number, None nor one of the three strings.
    """
    if v is None:
        return None
    if isinstance(v, str):
        if v in ("inf", "-inf", "nan"):
            return float(v)
        raise EvaluationError(f"expected a number, 'inf', '-inf' or 'nan', got {v!r}")
    return float(v)


@dataclass(frozen=True)
class Statistic:
    """One named number with its unit.

    Attributes:
        name: unique statistic name with its unit as suffix (``ttc_min_s``, ``decel_peak_mps2``).
        unit: the unit in words (``s``, ``m``, ``m/s``, ``m/s^2``, ``m/s^3``, ``rad/s``,
            ``count``, ``bool``, ``ratio``).
        value: the value in that unit, or None when not applicable (no lead vehicle, no map).
    """

    name: str
    unit: str
    value: float | None

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form ``{"unit": ..., "value": ...}`` (the name is the key outside)."""
        return {"unit": self.unit, "value": encode_float(self.value)}


@dataclass(frozen=True)
class TimeSeries:
    """Values sampled at simulation times.

    Attributes:
        name: what is sampled (``ttc_s``). unit: unit of ``values``.
        timestamps: simulation times [s], increasing.
        values: one value per timestamp (None where undefined).

    Raises:
        EvaluationError: ``timestamps`` and ``values`` differ in length.
    """

    name: str
    unit: str
    timestamps: tuple[float, ...]
    values: tuple[float | None, ...]

    def __post_init__(self) -> None:
        if len(self.timestamps) != len(self.values):
            raise EvaluationError(
                f"time series needs equal lengths, got {len(self.timestamps)} timestamps and "
                f"{len(self.values)} values", element=self.name)


@dataclass(frozen=True)
class Violation:
    """A contiguous interval during which a bound was exceeded.

    Attributes:
        name: the bound violated (``speed_limit``). start: first sample time [s].
        duration: length of the interval [s] (number of samples times dt).
        extremum: the worst value reached, in ``unit``. mean: mean value over the interval.
        unit: unit of ``extremum`` and ``mean``.
    """

    name: str
    start: float
    duration: float
    extremum: float
    mean: float
    unit: str

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form (all fields, floats encoded)."""
        return {"name": self.name, "start": encode_float(self.start),
                "duration": encode_float(self.duration), "extremum": encode_float(self.extremum),
                "mean": encode_float(self.mean), "unit": self.unit}


@dataclass(frozen=True)
class MetricResult:
    """What one metric computed over one recording.

    Attributes:
        metric: the metric's name (``ttc``, ``comfort``). category: ``safety``, ``rules``,
            ``comfort``, ``progress``, ``v2x`` or ``scenario`` (the scenario's own monitors).
        statistics: the statistics, keyed by name.
        series: optional time series (kept in memory for plots, not written to summary.json).
        violations: intervals where a bound was exceeded.
        events: discrete findings (collisions, red-light crossings) as JSON-ready dicts.
        skipped: why the metric could not be computed (e.g. ``"no road network"``), else "".
    """

    metric: str
    category: str
    statistics: dict[str, Statistic] = field(default_factory=dict)
    series: tuple[TimeSeries, ...] = ()
    violations: tuple[Violation, ...] = ()
    events: tuple[dict[str, Any], ...] = ()
    skipped: str = ""


def held_spans(times: list[float] | tuple[float, ...]) -> list[float]:
    """The time [s] each sample stands for: ``times[i+1] - times[i]``, 0 for the last one (a
    recorded state holds until the next frame; the run ends at the last). So N samples of a
    run of T seconds add up to T, not T + dt."""
    return [b - a for a, b in zip(times, times[1:])] + ([0.0] if times else [])


def masked_time(times: list[float] | tuple[float, ...], mask: list[bool],
                weights: list[float] | None = None) -> float:
    """Total time [s] where ``mask`` holds (:func:`held_spans`), each span times its
    ``weights`` entry when given (the integral of a sample-held quantity, e.g. [m/s x s])."""
    spans = held_spans(times)
    if weights is None:
        return sum(w for w, m in zip(spans, mask) if m)
    return sum(w * x for w, x, m in zip(spans, weights, mask) if m)


def violations_from_mask(name: str, times: list[float] | tuple[float, ...], mask: list[bool],
                         values: list[float], unit: str, worst: str = "max") -> list[Violation]:
    """Group consecutive True samples of ``mask`` into :class:`Violation` intervals.

    Args:
        times: sample times [s]; mask: True where the bound is exceeded; values: the quantity
            compared; worst: ``"max"`` or ``"min"``, which end of ``values`` is the extremum.

    An interval lasts from its first sample to the next sample outside it (or the last
    sample of the run): :func:`held_spans`.
    """
    out: list[Violation] = []
    i, n = 0, len(mask)
    while i < n:
        if not mask[i]:
            i += 1
            continue
        j = i
        while j < n and mask[j]:
            j += 1
        seg = values[i:j]
        ext = max(seg) if worst == "max" else min(seg)
        end = times[j] if j < n else times[n - 1]
        out.append(Violation(name, times[i], end - times[i], ext, sum(seg) / len(seg), unit))
        i = j
    return out
