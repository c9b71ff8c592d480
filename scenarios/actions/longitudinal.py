"""Longitudinal actions (ASAM OpenSCENARIO 1.x ``LongitudinalAction``).

``SpeedAction``: target speed absolute, or relative to another entity (``delta`` [m/s] or
``factor``), optionally ``continuous`` (keeps following the reference after the transition),
reached through a TransitionDynamics. As in esmini, the new speed is set in the storyboard
step and used by the motion of the same step; a step shape applies at once; Performance limits
apply to the target speed and to rates (see :class:`SpeedRun`).
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from scenarios.actions.base import Done
from scenarios.controllers import overridden
from scenarios.actions.dynamics import Dynamics, Progress, rate_duration
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
    """A running SpeedAction on one entity.

    As esmini (``LongSpeedAction``): the target is limited to the entity's Performance
    ``maxSpeed``; a ``rate`` is limited to ``maxAcceleration`` (speeding up) or
    ``maxDeceleration`` (slowing down); a ``distance`` is turned into the duration
    ``2 d / (v0 + v_target)`` at the start.
    """

    def __init__(self, rt: Runtime, actor: str, spec: SpeedAction) -> None:
        self.actor, self.spec = actor, spec
        mover = rt.mover(actor)
        v0, target = mover.speed, self.target(rt)
        dyn = spec.dynamics
        if dyn.shape == "step":
            length = 0.0
        elif dyn.dimension == "rate":
            perf = mover.defn.performance
            limit = perf.max_acceleration if target > v0 else perf.max_deceleration
            length = rate_duration(dyn.shape, target - v0, min(abs(dyn.value), limit))
        elif dyn.dimension == "distance":
            length = 2.0 * abs(dyn.value) / (v0 + target) if v0 + target > 0 else 0.0
        else:
            length = abs(dyn.value)
        self.progress = Progress(dyn.shape, "time", length, v0, target)
        if length <= 0.0:
            mover.speed = target   # as esmini's Start: a step change applies at once

    def target(self, rt: Runtime) -> float:
        """Target speed now [m/s], within +-maxSpeed."""
        vmax = rt.mover(self.actor).defn.performance.max_speed
        return max(-vmax, min(vmax, self.spec.target.speed(rt)))

    def step(self, rt: Runtime, dt: float) -> bool:
        """Set this step's speed; True when the action is complete."""
        mover = rt.mover(self.actor)
        self.progress.advance(dt, mover.speed)
        mover.speed = self.progress.value(self.target(rt))
        return self.progress.done and not self.spec.target.continuous


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
