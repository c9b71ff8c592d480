"""``LongitudinalDistanceAction`` and ``LateralDistanceAction`` (ASAM OpenSCENARIO 1.x).

Both keep a distance to a reference entity, measured between reference points or, with
``freespace``, between bounding boxes; ``continuous`` keeps them running, otherwise they end
when the distance is reached (within 0.1 m, esmini's LONGITUDINAL_DISTANCE_THRESHOLD).

Longitudinal (esmini v3.6.0 ``LongDistanceAction``): the distance is the reference's position
along the actor's heading (``distance`` [m], or ``timeGap`` [s] times the reference's speed);
``displacement`` trailing (actor behind), leading (actor ahead) or ``any`` (the side it is on
when it starts). Without DynamicConstraints the actor is put at the distance at once and takes
the reference's speed; with them a critically damped spring ``a = k e - 2 sqrt(k) dv``, ``k =
0.4 x (maxAcceleration when too close, else maxDeceleration)``, clamped to the constraints,
its change per step to maxAccelerationRate / maxDecelerationRate, and maxSpeed, sets the
speed (the first step, at the start, changes nothing: dt = 0 there).

Lateral: the distance is the difference of road-frame ``t`` (boxes: minus half widths), to the
left or right of the reference (``displacement`` leftToReferencedEntity / rightTo... / any: the
side it is on); without constraints the actor's lane offset jumps to it, with them the same
damped spring moves it sideways (maxAcceleration/maxDeceleration/maxSpeed as lateral limits).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from lxml import etree

from scenarios.actions.base import refuse_own_reference
from scenarios.controllers import overridden
from scenarios.measure import between
from scenarios.motion import place
from scenarios.registry import ParseContext
from scenarios.runtime import Runtime, local_xy
from scenarios.xmlsource import child, distance_magnitude, non_negative

THRESHOLD = 0.1
"""Distance tolerance [m] that ends a non-continuous action (esmini)."""
SPRING = 0.4
"""Spring constant per unit of acceleration limit [1/m] (esmini's LongDistanceAction)."""
UNLIMITED = 1.0e10
"""A limit the DynamicConstraints leave out, in the spring [m/s^2]: esmini's LARGE_NUMBER. Finite
on purpose: with one limit given and the other infinite, ``error * inf - rate * inf`` is NaN."""


@dataclass(frozen=True)
class Constraints:
    """``DynamicConstraints``: maxAcceleration, maxDeceleration [m/s^2], maxSpeed [m/s], and
    (OpenSCENARIO 1.2) maxAccelerationRate, maxDecelerationRate [m/s^3]; left out: no limit."""

    max_acceleration: float = math.inf
    max_deceleration: float = math.inf
    max_speed: float = math.inf
    max_acceleration_rate: float = math.inf
    max_deceleration_rate: float = math.inf

    @classmethod
    def parse(cls, holder: etree._Element, ctx: ParseContext) -> Constraints | None:
        """Read ``holder``'s DynamicConstraints, or None."""
        el = child(holder, "DynamicConstraints")
        if el is None:
            return None
        a = ctx.src.attr
        return cls(a(el, "maxAcceleration", non_negative, math.inf),
                   a(el, "maxDeceleration", non_negative, math.inf),
                   a(el, "maxSpeed", non_negative, math.inf),
                   a(el, "maxAccelerationRate", non_negative, math.inf),
                   a(el, "maxDecelerationRate", non_negative, math.inf))

    @property
    def limited(self) -> bool:
        """False when acceleration and deceleration are both unlimited (jump at once)."""
        return math.isfinite(self.max_acceleration) or math.isfinite(self.max_deceleration)

    def spring(self, error: float, rate: float) -> float:
        """Damped-spring acceleration [m/s^2] for position error ``error`` [m] and relative
        speed ``rate`` [m/s], clamped; a limit left out counts as :data:`UNLIMITED`."""
        tension = min(self.max_acceleration if error < 0.0 else self.max_deceleration,
                      UNLIMITED)
        k = tension * SPRING
        acc = error * k - rate * 2.0 * math.sqrt(k)
        return min(max(acc, -min(self.max_deceleration, UNLIMITED)),
                   min(self.max_acceleration, UNLIMITED))

    def jerk_limited(self, acc: float, previous: float, dt: float) -> float:
        """``acc`` [m/s^2] moved from ``previous`` by at most the rate limit times ``dt`` [s]:
        maxAccelerationRate when the acceleration rises, maxDecelerationRate when it falls
        (the standard's reading: both bound the jerk; esmini's LongDistanceAction bounds a fall
        only while braking, a rise only while accelerating, and lets a positive acceleration
        drop at once). A rate left out counts as :data:`UNLIMITED` (``dt`` = 0 changes nothing,
        and never gives inf x 0)."""
        if acc < previous:
            return max(previous - min(self.max_deceleration_rate, UNLIMITED) * dt, acc)
        return min(previous + min(self.max_acceleration_rate, UNLIMITED) * dt, acc)


def _flag(el: etree._Element, ctx: ParseContext, name: str) -> bool:
    return ctx.src.attr(el, name, bool, False)


@dataclass(frozen=True)
class LongitudinalDistanceAction:
    """``LongitudinalDistanceAction``: reference entity, distance [m] or time gap [s]."""

    ELEMENT = "LongitudinalDistanceAction"
    PRIVATE = True
    REFERENCE = ("entityRef", "entity")
    DOMAINS = ("longitudinal",)
    entity: str
    value: float
    time_gap: bool = False
    freespace: bool = False
    continuous: bool = False
    displacement: str = "trailingReferencedEntity"
    constraints: Constraints | None = None

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> LongitudinalDistanceAction:
        """Read this element; ScenarioError without distance or timeGap."""
        a = ctx.src.attr
        gap = a(el, "timeGap", distance_magnitude, None)
        dist = a(el, "distance", distance_magnitude, None)
        if (gap is None) == (dist is None):
            raise ctx.src.error(el, "expected exactly one of distance and timeGap")
        return cls(a(el, "entityRef", str), gap if dist is None else dist, dist is None,
                   _flag(el, ctx, "freespace"), _flag(el, ctx, "continuous"),
                   ctx.src.choice(el, "displacement", ("trailingReferencedEntity",
                                                       "leadingReferencedEntity", "any"),
                                  "trailingReferencedEntity"),
                   Constraints.parse(el, ctx))

    def start(self, rt: Runtime, actor: str | None):
        """Start on ``actor``; return the run."""
        assert actor is not None
        refuse_own_reference(self, (actor,))
        return LongitudinalDistanceRun(rt, actor, self)


class LongitudinalDistanceRun:
    """A running LongitudinalDistanceAction (see module docstring)."""

    def __init__(self, rt: Runtime, actor: str, spec: LongitudinalDistanceAction) -> None:
        self.actor, self.spec = actor, spec
        self.leading = spec.displacement == "leadingReferencedEntity" or (
            spec.displacement == "any" and self.distance(rt) < 0.0)
        self.last = rt.time
        self.acceleration = 0.0

    def distance(self, rt: Runtime) -> float:
        """Reference's position ahead of the actor [m] (negative: behind)."""
        if self.spec.freespace:
            d = between(rt, self.actor, self.spec.entity, "entity", "longitudinal", True)
            if d is not None:
                return d
        ref = rt.mover(self.spec.entity).pose
        return local_xy(rt.mover(self.actor).pose, ref.x, ref.y)[0]

    def step(self, rt: Runtime, dt: float) -> bool:
        """Adjust speed (or position); True when done (never if continuous)."""
        if overridden(rt, self.actor, "longitudinal"):
            return False
        mover, ref = rt.mover(self.actor), rt.mover(self.spec.entity)
        dt_real, self.last = rt.time - self.last, rt.time
        wanted = abs(self.spec.value * (abs(ref.speed) if self.spec.time_gap else 1.0))
        error = self.distance(rt) - (-wanted if self.leading else wanted)
        done = not self.spec.continuous and abs(error) < THRESHOLD
        c = self.spec.constraints
        if c is None or not c.limited:
            if mover.coord is not None and error:
                moved = rt.net.advance(mover.coord, -error if mover.reverse else error)
                mover.coord = replace(moved, offset=mover.coord.offset)
                place(rt.net, mover)
            mover.speed = ref.speed
            return done
        self.acceleration = c.jerk_limited(c.spring(error, mover.speed - ref.speed),
                                           self.acceleration, dt_real)
        speed = mover.speed + self.acceleration * dt_real
        mover.speed = min(max(speed, -c.max_speed), c.max_speed)
        return done


@dataclass(frozen=True)
class LateralDistanceAction:
    """``LateralDistanceAction``: reference entity, distance [m] (road-frame t)."""

    ELEMENT = "LateralDistanceAction"
    PRIVATE = True
    REFERENCE = ("entityRef", "entity")
    DOMAINS = ("lateral",)
    entity: str
    value: float = 0.0
    freespace: bool = False
    continuous: bool = False
    displacement: str = "any"
    constraints: Constraints | None = None

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> LateralDistanceAction:
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        a = ctx.src.attr
        return cls(a(el, "entityRef", str), a(el, "distance", distance_magnitude, 0.0),
                   _flag(el, ctx, "freespace"), _flag(el, ctx, "continuous"),
                   ctx.src.choice(el, "displacement", ("any", "leftToReferencedEntity",
                                                       "rightToReferencedEntity"), "any"),
                   Constraints.parse(el, ctx))

    def start(self, rt: Runtime, actor: str | None):
        """Start on ``actor``; return the run."""
        assert actor is not None
        refuse_own_reference(self, (actor,))
        return LateralDistanceRun(rt, actor, self)


class LateralDistanceRun:
    """A running LateralDistanceAction (see module docstring)."""

    def __init__(self, rt: Runtime, actor: str, spec: LateralDistanceAction) -> None:
        self.actor, self.spec = actor, spec
        now = self.offset(rt)
        self.left = spec.displacement == "leftToReferencedEntity" or (
            spec.displacement == "any" and (now is None or now >= 0.0))
        self.v_lat = 0.0
        self.last = rt.time

    def offset(self, rt: Runtime) -> float | None:
        """Actor's road-frame t minus the reference's [m] (boxes: the gap), or None when they
        are not both on the same road."""
        a, b = rt.mover(self.actor), rt.mover(self.spec.entity)
        if a.lane is None or b.lane is None or a.lane.road_id != b.lane.road_id:
            return None
        d = a.lane.t - b.lane.t
        if self.spec.freespace:
            half = (a.defn.box.width + b.defn.box.width) / 2
            d = math.copysign(max(abs(d) - half, 0.0), d)
        return d

    def step(self, rt: Runtime, dt: float) -> bool:
        """Move the actor sideways; True when done (never if continuous)."""
        mover = rt.mover(self.actor)
        now = self.offset(rt)
        if now is None or mover.coord is None:
            return not self.spec.continuous
        dt_real, self.last = rt.time - self.last, rt.time
        error = (self.spec.value if self.left else -self.spec.value) - now
        done = not self.spec.continuous and abs(error) < THRESHOLD
        c = self.spec.constraints
        if c is None or not c.limited:
            shift, mover.lat_rate = error, 0.0
        else:
            self.v_lat += c.spring(error, self.v_lat) * dt_real
            self.v_lat = min(max(self.v_lat, -c.max_speed), c.max_speed)
            shift = self.v_lat * dt
            mover.lat_rate = self.v_lat / mover.speed if mover.speed else 0.0
        mover.coord = replace(mover.coord, offset=mover.coord.offset + shift)
        place(rt.net, mover)
        return done


DISTANCE_ACTIONS = (LongitudinalDistanceAction, LateralDistanceAction)
