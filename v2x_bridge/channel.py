"""The radio channel between a sender (RSU or OBU) and the receiver: range, loss, latency.

Everything is driven by simulation time and a ``numpy.random.Generator`` owned by the bridge,
so a run is reproducible message for message. Per transmission, in this order:

1. range cut-off: beyond the sender's range the message is dropped (``out_of_range``), no
   random draw is made;
2. loss: one uniform draw ``u``; dropped (``lost``) when ``u < p(d)`` with
   ``p(d) = p0 + (p_range - p0) * (d / range)^2`` (``p_range`` = ``loss_at_range``, equal to
   ``p0`` = ``loss_probability`` unless set: a simple distance-dependent PER shape);
3. latency: ``latency_s`` plus a jitter draw (always made when in range, so the draw sequence
   does not depend on the loss outcome): ``none``; ``uniform`` on [0, jitter_s];
   ``exponential`` with mean ``jitter_s``; ``normal`` as |N(0, jitter_s)|.

``position_noise_m`` is the per-axis standard deviation of Gaussian noise the bridge adds to
RSM participant positions (roadside sensing error), drawn from the same generator.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from v2x_bridge.errors import V2XError

JITTERS = ("none", "uniform", "exponential", "normal")


@dataclass(frozen=True)
class Transmission:
    """Outcome of one transmission: delivered or not, latency [s], drop reason (or None)."""

    delivered: bool
    latency_s: float
    reason: str | None = None


@dataclass(frozen=True)
class ChannelModel:
    """Channel parameters (see the module docstring).

    Attributes:
        latency_s: fixed latency [s] (default 0.02 s, a typical PC5 end-to-end figure).
        jitter: ``none``, ``uniform``, ``exponential`` or ``normal``.
        jitter_s: jitter scale [s].
        loss_probability: packet loss probability near the sender, in [0, 1].
        loss_at_range: loss probability at the range edge, in [0, 1] (None: constant loss).
        position_noise_m: RSM sensing noise standard deviation per axis [m].
        use_range: False disables the range cut-off.

    Raises:
        V2XError: a parameter out of its range (``element`` names it).
    """

    latency_s: float = 0.02
    jitter: str = "none"
    jitter_s: float = 0.0
    loss_probability: float = 0.0
    loss_at_range: float | None = None
    position_noise_m: float = 0.0
    use_range: bool = True

    def __post_init__(self) -> None:
        checks = (("latency_s", self.latency_s, 0.0, 10.0), ("jitter_s", self.jitter_s, 0.0, 10.0),
                  ("loss_probability", self.loss_probability, 0.0, 1.0),
                  ("position_noise_m", self.position_noise_m, 0.0, 100.0))
        if self.loss_at_range is not None:
            checks += (("loss_at_range", self.loss_at_range, 0.0, 1.0),)
        for name, value, lo, hi in checks:
            if not (math.isfinite(value) and lo <= value <= hi):
                raise V2XError(f"{name} = {value!r} outside [{lo}, {hi}]", element=name)
        if self.jitter not in JITTERS:
            raise V2XError(f"unknown jitter {self.jitter!r}, expected one of {JITTERS}",
                           element="jitter")

    def loss_at(self, distance_m: float, range_m: float) -> float:
        """Loss probability at ``distance_m`` from a sender of range ``range_m`` [m]."""
        if self.loss_at_range is None or range_m <= 0.0:
            return self.loss_probability
        r = min(1.0, distance_m / range_m)
        return self.loss_probability + (self.loss_at_range - self.loss_probability) * r * r

    def _jitter(self, rng: np.random.Generator) -> float:
        if self.jitter == "uniform":
            return float(rng.uniform(0.0, self.jitter_s))
        if self.jitter == "exponential":
            return float(rng.exponential(self.jitter_s)) if self.jitter_s > 0 else 0.0
        if self.jitter == "normal":
            return abs(float(rng.normal(0.0, self.jitter_s)))
        return 0.0

    def transmit(self, rng: np.random.Generator, distance_m: float, range_m: float) -> Transmission:
        """Decide the fate of one message sent over ``distance_m`` by a sender of ``range_m``."""
        if self.use_range and distance_m > range_m:
            return Transmission(False, 0.0, "out_of_range")
        lost = float(rng.random()) < self.loss_at(distance_m, range_m)
        latency = self.latency_s + self._jitter(rng)
        if lost:
            return Transmission(False, latency, "lost")
        return Transmission(True, latency)
