"""Transition dynamics shared by Speed, LaneChange and LaneOffset actions.

ASAM OpenSCENARIO 1.x ``TransitionDynamics``: a shape (step, linear, cubic, sinusoidal) over a
dimension (time [s], distance [m] or rate [unit/s]). Shapes map progress f in [0, 1] to a
blend factor (esmini ``OSCPrivateAction.cpp`` TransitionDynamics):

* step: 1; linear: f; cubic: 3f^2 - 2f^3; sinusoidal: (1 - cos(pi f)) / 2.

A rate is the peak slope of the shape: the duration of a change of size D at peak rate r is
``k * |D| / r`` with k = 1 (linear), 1.5 (cubic), pi/2 (sinusoidal), 0 (step).

:class:`Progress` tracks how far a transition has come: each step the action first adds the
step's time (or distance) and then evaluates, so an action started at t0 with duration T
completes in the step evaluated at ``t0 + T - dt`` (esmini: the cut-in brake at -4 m/s^2 from
36 m/s starts at 8.00 s and ends at 16.95 s).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType

from lxml import etree

from scenarios.registry import ParseContext
from scenarios.xmlsource import REQUIRED, non_negative

SHAPES = ("step", "linear", "cubic", "sinusoidal")
DIMENSIONS = ("time", "distance", "rate")
_PEAK = MappingProxyType({"step": 0.0, "linear": 1.0, "cubic": 1.5,
                          "sinusoidal": math.pi / 2})


def blend(shape: str, f: float) -> float:
    """Blend factor in [0, 1] of ``shape`` at progress ``f`` (clamped to [0, 1])."""
    f = min(max(f, 0.0), 1.0)
    if shape == "step":
        return 1.0
    if shape == "linear":
        return f
    if shape == "cubic":
        return f * f * (3.0 - 2.0 * f)
    return (1.0 - math.cos(math.pi * f)) / 2.0


def peak_rate(shape: str, delta: float, length: float) -> float:
    """Peak slope [unit per s or m] of a change of ``delta`` over ``length`` (esmini
    ``TransitionDynamics::EvaluatePrimPeak``): ``k * |delta| / length``, k as
    :func:`rate_duration`; inf for a step or an empty length (0 without a change)."""
    if delta == 0.0:
        return 0.0
    if shape == "step" or length < 1e-10:
        return math.inf
    return _PEAK[shape] * abs(delta) / length


def rate_duration(shape: str, delta: float, rate: float) -> float:
    """Duration [s] of a change of ``delta`` at peak ``rate`` (0 for step or zero change)."""
    if rate == 0.0:
        return math.inf if delta else 0.0
    return _PEAK[shape] * abs(delta) / abs(rate)


@dataclass(frozen=True)
class Dynamics:
    """One TransitionDynamics element: shape, dimension and value (s, m or unit/s)."""

    shape: str
    dimension: str
    value: float

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> Dynamics:
        """Read this element (``ELEMENT``); ScenarioError on bad input.

        A time [s] or distance [m] must be >= 0 (ASAM range [0..inf[); a rate keeps its sign
        as written (esmini's files write decelerations as negative rates; only ``|rate|`` is
        used). A ``step`` has no duration, so its ``dynamicsDimension`` and ``value`` may be
        left out (the schema requires them; esmini's slow-lead-vehicle.xosc and others omit
        them and esmini reads them as undefined and 0): ``time`` and 0.
        """
        src = ctx.src
        shape = src.choice(el, "dynamicsShape", SHAPES)
        step = shape == "step"
        dimension = src.choice(el, "dynamicsDimension", DIMENSIONS, "time" if step else REQUIRED)
        return cls(shape, dimension,
                   src.attr(el, "value", float if dimension == "rate" else non_negative,
                            0.0 if step else REQUIRED))

    def span(self, delta: float) -> tuple[str, float]:
        """Return (``time`` or ``distance``, length [s or m]) for a change of ``delta``."""
        if self.shape == "step":
            return "time", 0.0
        if self.dimension == "rate":
            return "time", rate_duration(self.shape, delta, self.value)
        return self.dimension, abs(self.value)


class Progress:
    """Progress of one transition from ``start`` to ``end`` over ``length`` of ``measure``."""

    def __init__(self, shape: str, measure: str, length: float, start: float, end: float):
        self.shape, self.measure, self.length = shape, measure, length
        self.start, self.end = start, end
        self.elapsed = 0.0

    def advance(self, dt: float, speed: float) -> float:
        """Add one step (``dt`` [s] or ``|speed| * dt`` [m]) and return the progress in [0, 1]."""
        self.elapsed += dt if self.measure == "time" else abs(speed) * dt
        return self.fraction()

    def fraction(self) -> float:
        """Progress in [0, 1]."""
        if self.length <= 0.0:
            return 1.0
        return min(self.elapsed / self.length, 1.0)

    def value(self, end: float | None = None) -> float:
        """Current value, optionally towards a moved ``end``."""
        target = self.end if end is None else end
        return self.start + (target - self.start) * blend(self.shape, self.fraction())

    @property
    def done(self) -> bool:
        """True when the transition has reached its end (within 1e-9 of the length)."""
        return self.length <= 0.0 or self.elapsed >= self.length - 1e-9
