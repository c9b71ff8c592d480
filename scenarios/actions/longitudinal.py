"""Longitudinal actions (ASAM OpenSCENARIO 1.x ``LongitudinalAction``).

``SpeedAction``: target speed absolute, or relative to another entity (``delta`` [m/s] or
``factor``), optionally ``continuous`` (keeps following the reference after the transition),
reached through a TransitionDynamics. As in esmini, the new speed is set in the storyboard
step and used by the motion of the same step; a step shape applies at once; Performance limits
apply to the target speed and to the transition's peak rate (see :class:`SpeedRun`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from lxml import etree

from scenarios.actions.base import Done
from scenarios.controllers import overridden
from scenarios.actions.dynamics import Dynamics, blend, peak_rate, rate_duration
from scenarios.registry import ParseContext
from scenarios.runtime import Runtime
from scenarios.xmlsource import child, children, non_negative


@dataclass(frozen=True)
class SpeedTarget:
    """Absolute target [m/s] (``entity`` None), or relative to ``entity``'s speed."""

    value: float
    entity: str | None = None
    kind: str = "delta"
    continuous: bool = False

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> SpeedTarget:
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        src = ctx.src
        inner = next(children(el), None)
        if inner is not None and inner.tag == "AbsoluteTargetSpeed":
            return cls(src.attr(inner, "value", float))
        if inner is not None and inner.tag == "RelativeTargetSpeed":
            return cls(src.attr(inner, "value", float), src.attr(inner, "entityRef", str),
                       src.choice(inner, "speedTargetValueType", ("delta", "factor")),
                       src.attr(inner, "continuous", bool, False))
        raise src.error(el, "expected AbsoluteTargetSpeed or RelativeTargetSpeed")

    def speed(self, rt: Runtime) -> float:
        """The target speed now [m/s]."""
        if self.entity is None:
            return self.value
        ref = rt.speed_of(self.entity)
        return ref + self.value if self.kind == "delta" else ref * self.value


class SpeedRun:
    """A running SpeedAction on one entity, as esmini's ``LongSpeedAction``.

    - The target is limited to the entity's Performance ``maxSpeed``. A relative target is
      taken from its entity's speed when the action starts, once (``continuous="false"``:
      esmini ``TargetRelative::GetValue`` samples it once; an Ego told "its own speed + 2"
      reaches 12 from 10, not 14), or re-read every step (``continuous="true"``: it follows).
    - A ``time`` is the transition's duration. A ``distance`` becomes the duration
      ``2 d / |v0 + v1|`` at the start, and where the speed changes sign, the sum of the two
      parts on either side of 0 (d split as ``v0^2 : v1^2``). A ``rate`` sets the duration
      every step from the current change (:func:`rate_duration`), so the rate holds while a
      relative target moves.
    - The shape's peak rate is kept within Performance ``maxAcceleration`` (speeding up) or
      ``maxDeceleration`` (slowing down), whatever the dimension: a steeper transition runs
      stretched in time by peak / limit (esmini ``TransitionDynamics::SetMaxRate``).
    - It is reached when its time has run out, when the speed is within 1e-9 of the target,
      or when the entity's speed has already passed the target. A continuous relative target
      is then followed at once.
    """

    def __init__(self, rt: Runtime, actor: str, spec: SpeedAction) -> None:
        self.actor, self.spec = actor, spec
        mover = rt.mover(actor)
        self.fixed: float | None = None      # a relative target sampled at the start
        self.start, target = mover.speed, self.target(rt)
        if not spec.target.continuous:
            self.fixed = target
        dyn = spec.dynamics
        self.elapsed, self.reached = 0.0, False
        if dyn.shape == "step":
            self.length = 0.0
        elif dyn.dimension == "distance":
            self.length = distance_duration(abs(dyn.value), self.start, target)
        elif dyn.dimension == "time":
            self.length = abs(dyn.value)
        else:
            self.length = rate_duration(dyn.shape, target - self.start, dyn.value)
        if self.length < 1e-10:
            mover.speed = target   # as esmini's Start: a step change applies at once

    def target(self, rt: Runtime) -> float:
        """Target speed now [m/s], within +-maxSpeed (the start's for a target that is not
        continuous)."""
        if self.fixed is not None:
            return self.fixed
        vmax = rt.mover(self.actor).defn.performance.max_speed
        return max(-vmax, min(vmax, self.spec.target.speed(rt)))

    def step(self, rt: Runtime, dt: float) -> bool:
        """Set this step's speed; True when the action is complete."""
        mover = rt.mover(self.actor)
        target = self.target(rt)
        if not self.reached:
            speed = self._advance(mover, target, dt)
            if self.elapsed > self.length - 1e-9 or abs(speed - target) < 1e-9 or \
                    (target - self.start < 0.0) != (target - mover.speed < 0.0):
                self.reached = True
        mover.speed = target if self.reached else speed
        return self.reached and not self.spec.target.continuous

    def _advance(self, mover, target: float, dt: float) -> float:
        """Advance the transition by ``dt`` [s], stretched to the Performance limit; the
        speed it gives [m/s]."""
        dyn, delta = self.spec.dynamics, target - self.start
        if dyn.dimension == "rate" and dyn.shape != "step":
            self.length = rate_duration(dyn.shape, delta, dyn.value)
            peak = abs(dyn.value) if delta else 0.0
        else:
            peak = peak_rate(dyn.shape, delta, self.length)
        perf = mover.defn.performance
        limit = perf.max_acceleration if target > self.start else perf.max_deceleration
        if peak > limit:
            dt = dt * limit / peak if limit > 0.0 else 0.0
        self.elapsed = min(self.elapsed + dt, self.length)
        if self.length < 1e-10 or not math.isfinite(self.length):
            return target if self.length < 1e-10 else self.start
        return self.start + delta * blend(dyn.shape, self.elapsed / self.length)


def distance_duration(distance: float, v0: float, v1: float) -> float:
    """Duration [s] of a speed change from ``v0`` to ``v1`` [m/s] covering ``distance`` [m]
    at a constant rate of change (esmini ``LongSpeedAction::Start``): ``2 d / |v0 + v1|``; when
    the speed changes sign, the two parts on either side of 0, the distance split as
    ``v0^2 : v1^2``; 0 without a change (or when no time can cover it)."""
    if abs(v1 - v0) < 1e-10:
        return 0.0
    if abs(v0) > 1e-10 and abs(v1) > 1e-10 and (v0 < 0.0) != (v1 < 0.0):
        d0 = distance * v0 * v0 / (v0 * v0 + v1 * v1)
        return 2.0 * d0 / abs(v0) + 2.0 * (distance - d0) / abs(v1)
    return 2.0 * distance / abs(v0 + v1) if abs(v0 + v1) > 0.0 else 0.0


@dataclass(frozen=True)
class SpeedAction:
    """``SpeedAction``: SpeedActionDynamics + SpeedActionTarget."""

    ELEMENT = "SpeedAction"
    PRIVATE = True
    DOMAINS = ("longitudinal",)
    INITIAL_STATE = True
    dynamics: Dynamics
    target: SpeedTarget

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> SpeedAction:
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        dyn, tgt = child(el, "SpeedActionDynamics"), child(el, "SpeedActionTarget")
        if dyn is None or tgt is None:
            raise ctx.src.error(el, "expected SpeedActionDynamics and SpeedActionTarget")
        return cls(Dynamics.parse(dyn, ctx), SpeedTarget.parse(tgt, ctx))

    def start(self, rt: Runtime, actor: str | None) -> SpeedRun | Done:
        """Start on ``actor`` (None if global); return the run (see actions.base). Complete at
        once without effect while a controller overrides the longitudinal domain (esmini)."""
        assert actor is not None
        if overridden(rt, actor, "longitudinal"):
            return Done()
        return SpeedRun(rt, actor, self)


@dataclass(frozen=True)
class SpeedProfileAction:
    """``SpeedProfileAction`` (OpenSCENARIO 1.2): speeds to reach one after the other.

    Entries (speed [m/s], time [s] or None): each is reached linearly over its ``time`` (the
    duration from the previous entry); without a time, at the DynamicConstraints'
    maxAcceleration/maxDeceleration (else the entity's Performance). With ``entityRef`` the
    speeds are offsets to that entity's speed when the action starts. An entry at time 0
    gives the start speed in ``position`` mode; ``follow`` mode starts from the current speed
    (esmini), with the same linear segments (esmini's jerk-limited smoothing in follow mode is
    not modelled).
    """

    ELEMENT = "SpeedProfileAction"
    PRIVATE = True
    DOMAINS = ("longitudinal",)
    entries: tuple[tuple[float, float | None], ...]
    entity: str | None = None
    follow: bool = False
    max_acceleration: float | None = None
    max_deceleration: float | None = None

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> SpeedProfileAction:
        """Read this element; ScenarioError without SpeedProfileEntry."""
        a = ctx.src.attr
        entries = tuple((a(e, "speed", float), a(e, "time", non_negative, None))
                        for e in children(el, "SpeedProfileEntry"))
        if not entries:
            raise ctx.src.error(el, "expected at least one SpeedProfileEntry")
        dc = child(el, "DynamicConstraints")
        return cls(entries, a(el, "entityRef", str, None),
                   ctx.src.choice(el, "followingMode", ("position", "follow"), "follow")
                   == "follow",
                   a(dc, "maxAcceleration", non_negative, None) if dc is not None else None,
                   a(dc, "maxDeceleration", non_negative, None) if dc is not None else None)

    def start(self, rt: Runtime, actor: str | None):
        """Start on ``actor`` (None if global); return the run (see actions.base)."""
        assert actor is not None
        if overridden(rt, actor, "longitudinal"):
            return Done()
        return SpeedProfileRun(rt, actor, self)


class SpeedProfileRun:
    """Piecewise-linear speed over time through the profile's entries."""

    def __init__(self, rt: Runtime, actor: str, spec: SpeedProfileAction) -> None:
        self.actor = actor
        mover = rt.mover(actor)
        perf = mover.defn.performance
        acc = spec.max_acceleration or perf.max_acceleration
        dec = spec.max_deceleration or perf.max_deceleration
        base = rt.speed_of(spec.entity) if spec.entity else 0.0
        entries = list(spec.entries)
        t, v = 0.0, mover.speed
        if entries[0][1] == 0.0:
            if not spec.follow:
                v = entries[0][0] + base
            entries = entries[1:]
        self.knots = [(t, v)]
        for speed, time in entries:
            target = speed + base
            if time is None:
                rate = acc if target > v else dec
                time = abs(target - v) / rate if rate > 0 else 0.0
            t += max(time, 0.0)
            self.knots.append((t, target))
            v = target
        self.elapsed = 0.0
        mover.speed = self.knots[0][1]

    def speed_at(self, t: float) -> float:
        """Profile speed [m/s] at ``t`` [s] after the start."""
        for (t0, v0), (t1, v1) in zip(self.knots, self.knots[1:]):
            if t <= t1:
                return v1 if t1 <= t0 else v0 + (v1 - v0) * (t - t0) / (t1 - t0)
        return self.knots[-1][1]

    def step(self, rt: Runtime, dt: float) -> bool:
        """Set this step's speed; True at the end of the profile."""
        self.elapsed += dt
        rt.mover(self.actor).speed = self.speed_at(self.elapsed)
        return self.elapsed >= self.knots[-1][0] - 1e-9


LONGITUDINAL_ACTIONS = (SpeedAction, SpeedProfileAction)
LONGITUDINAL_UNSUPPORTED = ()
