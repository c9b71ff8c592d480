"""``SynchronizeAction`` (ASAM OpenSCENARIO 1.x, clause "SynchronizeAction").

The actor adapts its speed so that it reaches ``TargetPosition`` when the master entity reaches
``TargetPositionMaster``, optionally arriving at a ``FinalSpeed`` (absolute, or relative to the
master's speed) held over a ``SteadyState`` stretch (distance [m] or time [s]) before the
target. The speed law follows esmini v3.6.0 (``OSCPrivateAction.cpp`` SynchronizeAction):

* distances: along the road network (``net.longitudinal_distance``, reference-line lengths;
  the straight line when the network finds no path or an entity is off the road), absolute,
  minus the tolerance; speeds projected on the road's s axis;
* the action ends (setting the final speed if any) when either entity is within its
  tolerance, when either distance grows (target passed), or when the master reaches its target
  within the step;
* without FinalSpeed: constant acceleration to the average speed ``dist / t_master``;
* with FinalSpeed: a linear profile when the speed lies on it, else a two-phase profile
  (convex: accelerate then decelerate; concave: the reverse) whose corner speed ``vx`` solves
  the pair of equations of esmini's design note; when ``vx < 0`` the actor brakes to a stop
  (at -8 m/s^2 when the stop would need more than half the distance), waits, and restarts on
  the linear profile that arrives at the final speed;
* with a steady state the profile targets the start of the steady stretch and the actor then
  holds the final speed.

Target positions that refer to entities (Relative*) are resolved again at every step, others
once at the start.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from lxml import etree

from scenarios.actions.base import refuse_own_reference
from scenarios.registry import ParseContext
from scenarios.runtime import Placement, Runtime
from scenarios.xmlsource import child, children, non_negative

SMALL = 1e-10
"""esmini's SMALL_NUMBER."""
LARGE = 1e10
"""esmini's LARGE_NUMBER: "no time" / "never"."""
STOP_DECELERATION = -8.0
"""Deceleration [m/s^2] of an immediate stop (esmini MAX_DECELERATION)."""
DEFAULT_TOLERANCE = 1.0
"""Default targetTolerance / targetToleranceMaster [m] (esmini's default)."""


@dataclass(frozen=True)
class FinalSpeed:
    """``FinalSpeed``: AbsoluteSpeed ``value`` [m/s], or RelativeSpeedToMaster (``kind`` delta
    [m/s] or factor); ``steady`` = (``distance`` [m] | ``time`` [s], value) or None."""

    value: float
    relative: bool = False
    kind: str = "delta"
    steady: tuple[str, float] | None = None

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> FinalSpeed:
        """Read ``FinalSpeed``; ScenarioError when it holds neither speed element."""
        src = ctx.src
        inner = next(children(el), None)
        if inner is None or inner.tag not in ("AbsoluteSpeed", "RelativeSpeedToMaster"):
            raise src.error(el, "expected AbsoluteSpeed or RelativeSpeedToMaster")
        steady = None
        ss = child(inner, "SteadyState")
        how = next(children(ss), None) if ss is not None else None
        if how is not None and how.tag == "TargetDistanceSteadyState":
            steady = ("distance", src.attr(how, "distance", non_negative))
        elif how is not None and how.tag == "TargetTimeSteadyState":
            steady = ("time", src.attr(how, "time", non_negative))
        elif how is not None:
            raise src.error(how, "expected TargetDistanceSteadyState or TargetTimeSteadyState")
        if inner.tag == "AbsoluteSpeed":
            return cls(src.attr(inner, "value", float), steady=steady)
        return cls(src.attr(inner, "value", float), True,
                   src.choice(inner, "speedTargetValueType", ("delta", "factor")), steady)

    def speed(self, master_speed: float) -> float:
        """The final speed now [m/s] given the master's speed [m/s]."""
        if not self.relative:
            return self.value
        return master_speed + self.value if self.kind == "delta" else master_speed * self.value


def _position(holder: etree._Element | None, parent: etree._Element, ctx: ParseContext):
    inner = next(children(holder), None) if holder is not None else None
    if inner is None:
        raise ctx.src.error(holder if holder is not None else parent,
                            "expected a position element")
    return ctx.positions.parse(inner, ctx)


@dataclass(frozen=True)
class SynchronizeAction:
    """``SynchronizeAction``: master entity, both target positions, tolerances [m], final speed."""

    ELEMENT = "SynchronizeAction"
    PRIVATE = True
    REFERENCE = ("masterEntityRef", "master")
    DOMAINS = ("longitudinal",)
    master: str
    target_master: object
    target: object
    tolerance_master: float = DEFAULT_TOLERANCE
    tolerance: float = DEFAULT_TOLERANCE
    final_speed: FinalSpeed | None = None

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> SynchronizeAction:
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        a = ctx.src.attr
        fs = child(el, "FinalSpeed")
        return cls(a(el, "masterEntityRef", str),
                   _position(child(el, "TargetPositionMaster"), el, ctx),
                   _position(child(el, "TargetPosition"), el, ctx),
                   a(el, "targetToleranceMaster", non_negative, DEFAULT_TOLERANCE),
                   a(el, "targetTolerance", non_negative, DEFAULT_TOLERANCE),
                   FinalSpeed.parse(fs, ctx) if fs is not None else None)

    def start(self, rt: Runtime, actor: str | None) -> SynchronizeRun:
        """Start on ``actor``; return the run (see actions.base)."""
        assert actor is not None
        refuse_own_reference(self, (actor,))
        return SynchronizeRun(rt, actor, self)


def _dynamic(pos: object) -> bool:
    return type(pos).__name__.startswith("Relative")


def road_distance(rt: Runtime, name: str, target: Placement) -> float:
    """Absolute distance [m] from entity ``name`` to ``target``: along the road network when
    both are on it and connected (esmini ``Position::Delta``), else the straight line."""
    m = rt.mover(name)
    if m.coord is not None and target.coord is not None:
        try:
            d = rt.net.longitudinal_distance(m.coord, target.coord)
        except Exception:  # noqa: BLE001 - a network error means "no path": straight line
            d = None
        if d is not None:
            return abs(d)
    return math.hypot(target.pose.x - m.pose.x, target.pose.y - m.pose.y)


def s_speed(rt: Runtime, name: str) -> float:
    """Speed [m/s] projected on the road's s axis, with the sign of the speed (esmini
    ``SIGN(speed) * |GetVelS()|``); the entity's heading departs from its lane's by
    ``atan(lat_rate)``."""
    m = rt.mover(name)
    return m.speed * math.cos(math.atan(m.lat_rate)) if m.coord is not None else m.speed


def corner(s: float, t: float, v0: float, v1: float) -> tuple[float, float]:
    """Two-phase profile (esmini's design note, case 2): starting at ``v0`` [m/s], constant
    acceleration to ``vx`` at time x, then constant acceleration to ``v1`` at ``t`` [s],
    covering ``s`` [m]. Returns (vx [m/s], first-phase acceleration [m/s^2]); (0, 0) when no
    corner time lies in (0, t)."""
    if abs(v1 - v0) < SMALL:
        vx = (s - t / 2 * v0) / (t / 2)
        return vx, (vx - v0) / (t / 2)
    root = math.sqrt(2.0) * math.sqrt(max(2 * s * s - 2 * (v1 + v0) * t * s
                                          + (v1 * v1 + v0 * v0) * t * t, 0.0))
    for sign in (1.0, -1.0):
        x = -(sign * root + 2 * s - 2 * v1 * t) / (2 * (v1 - v0))
        vx = (2 * s - sign * root) / (2 * t)
        if 0 < x < t:
            return vx, (vx - v0) / x
    return 0.0, 0.0


class SynchronizeRun:
    """A running SynchronizeAction (modes as esmini: none, linear, non_linear, stopped,
    stop_now, waiting, steady)."""

    def __init__(self, rt: Runtime, actor: str, spec: SynchronizeAction) -> None:
        self.actor, self.spec = actor, spec
        self.target = spec.target.resolve(rt)
        self.target_master = spec.target_master.resolve(rt)
        self.last_dist = self.last_master = LARGE
        self.mode, self.convex = "none", False
        self.steady_dist = 0.0
        fs = spec.final_speed
        if fs is not None and fs.steady is not None:
            kind, value = fs.steady
            self.steady_dist = value if kind == "distance" else \
                value * fs.speed(rt.speed_of(spec.master))

    def _distances(self, rt: Runtime) -> tuple[float, float]:
        if _dynamic(self.spec.target):
            self.target = self.spec.target.resolve(rt)
        if _dynamic(self.spec.target_master):
            self.target_master = self.spec.target_master.resolve(rt)
        return (road_distance(rt, self.actor, self.target),
                road_distance(rt, self.spec.master, self.target_master))

    def step(self, rt: Runtime, dt: float) -> bool:
        """Set this step's speed; True when the action is complete."""
        spec, mover = self.spec, rt.mover(self.actor)
        dist, master_dist = self._distances(rt)
        done = (dist < spec.tolerance + SMALL or master_dist < spec.tolerance_master + SMALL
                or dist > self.last_dist or master_dist > self.last_master)
        self.last_dist, self.last_master = dist, master_dist
        dist = max(dist - spec.tolerance, SMALL)
        master_dist = max(master_dist - spec.tolerance_master, SMALL)
        t_master = LARGE
        master_speed = s_speed(rt, spec.master)
        if master_speed > SMALL:
            t_master = master_dist / master_speed
            done = done or t_master < dt
        fs = spec.final_speed
        if done:
            if fs is not None:
                mover.speed = fs.speed(rt.speed_of(spec.master))
            return True
        if fs is None:
            final = 2 * dist / t_master - mover.speed
            mover.speed += (final - mover.speed) / t_master * dt
            return False
        acc = self._final_speed_law(rt, dist, t_master, fs.speed(rt.speed_of(spec.master)), dt)
        if acc is not None:
            mover.speed += acc * dt
        return False

    def _final_speed_law(self, rt: Runtime, dist: float, t: float, v1: float,
                         dt: float) -> float | None:
        """esmini's final-speed law: set the speed directly (return None) or return the
        acceleration [m/s^2] to apply this step."""
        mover = rt.mover(self.actor)
        if self.steady_dist > 0.0 and self.mode != "steady":
            t_ss = self.steady_dist / v1 if v1 else LARGE
            if dist - self.steady_dist < SMALL or t - t_ss < SMALL:
                self.mode = "steady"
            else:
                dist -= self.steady_dist
                t -= t_ss
        if self.mode == "steady":
            mover.speed = v1
            return None
        if self.mode == "waiting":
            if t >= LARGE:
                return None
            self.mode = "none"
        if self.mode == "stop_now":
            mover.speed += STOP_DECELERATION * dt
            if mover.speed < 0:
                mover.speed, self.mode = 0.0, "waiting"
            return None
        if self.mode == "stopped":
            if v1 > 0 and t < 2 * dist / v1:
                self.mode = "linear"
            else:
                mover.speed = 0.0
                return None
        if self.mode == "linear":
            linear = 2 * dist / t - max(v1, 0.0) if t >= 0.001 and dist >= 0.001 else 0.0
            mover.speed = 0.0 if t > LARGE - 1 else max(0.0, linear)
            return None
        if self.mode == "non_linear" and t < LARGE:
            if abs(mover.speed - (2 * dist / t - v1)) < 0.1:
                self.mode = "linear"      # passed the apex: keep the speed this step
                return None
        return self._two_phase(rt, dist, t, v1, dt)

    def _two_phase(self, rt: Runtime, dist: float, t: float, v1: float,
                   dt: float) -> float | None:
        mover = rt.mover(self.actor)
        if self.mode == "none":
            self.mode = "non_linear"
            self.convex = (v1 + mover.speed) / 2 < dist / t
        v0 = s_speed(rt, self.actor)
        vx, acc = corner(dist, t, v0, v1)
        if self.mode == "non_linear" and ((not self.convex and acc > 0)
                                          or (self.convex and acc < 0)):
            self.mode = "linear"          # reached the apex: keep the speed this step
            return 0.0
        if self.mode == "non_linear" and vx < 0:
            t1 = 2 * v0 * dist / (v0 * v0 + v1 * v1)
            acc = -v0 / t1 if abs(t1) > SMALL else 0.0
            if t1 * v0 / 2 > dist / 2:
                acc, self.mode = STOP_DECELERATION, "stop_now"
            if v0 + acc * dt < 0:
                mover.speed, self.mode = 0.0, "stopped"
                return None
        return acc


SYNCHRONIZE_ACTIONS = (SynchronizeAction,)
