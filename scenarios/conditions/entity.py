"""EntityConditions (ASAM OpenSCENARIO 1.x clause "ByEntityCondition"), one class each.

Each class tests one triggering entity (``test(rt, entity)``); the triggering-entities rule,
edges and delays are applied by :mod:`scenarios.conditions.base`. Distances follow
:mod:`scenarios.measure`; headway and time-to-collision follow esmini's ``OSCCondition.cpp``
(undefined -> false: target behind, or triggering entity not moving).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from lxml import etree

from scenarios import measure
from scenarios.conditions.base import (SMALL_NUMBER, EntityConditionBase, LastingConditionBase,
                                       compare)
from scenarios.conditions.value import rule_of
from scenarios.motion import is_offroad
from scenarios.registry import ParseContext
from scenarios.xmlsource import non_negative
from scenarios.runtime import Runtime

SYSTEMS = ("entity", "road", "lane", "trajectory")
DISTANCE_TYPES = (measure.LONGITUDINAL, measure.LATERAL, measure.EUCLIDEAN, "cartesianDistance")


def _geometry(el: etree._Element, ctx: ParseContext, default_kind: str) -> tuple[str, str, bool]:
    """(coordinateSystem, relativeDistanceType, freespace); OSC 1.0 ``alongRoute`` -> road."""
    src = ctx.src
    system = src.choice(el, "coordinateSystem", SYSTEMS, None)
    if system is None:
        system = "road" if src.attr(el, "alongRoute", bool, False) else "entity"
    kind = src.choice(el, "relativeDistanceType", DISTANCE_TYPES, default_kind)
    if kind == "cartesianDistance":
        kind = measure.EUCLIDEAN
    return system, kind, src.attr(el, "freespace", bool, False)


@dataclass(frozen=True)
class _Rated(EntityConditionBase):
    value: float
    rule: str


DIRECTIONS = ("longitudinal", "lateral", "vertical")


def _direction(el, ctx) -> str | None:
    """The 1.2 ``direction`` attribute (DirectionalDimension), or None."""
    return ctx.src.choice(el, "direction", DIRECTIONS, None)


def _component(vx: float, vy: float, heading: float, direction: str | None) -> float:
    """Component of a world-frame vector along ``direction`` of a frame with ``heading``
    [rad] (longitudinal: x forward, lateral: y left; vertical: 0 on the ground plane)."""
    if direction == "vertical":
        return 0.0
    c, s = math.cos(heading), math.sin(heading)
    return c * vx + s * vy if direction == "longitudinal" else -s * vx + c * vy


@dataclass(frozen=True)
class SpeedCondition(_Rated):
    """Speed of the triggering entity [m/s] against ``value``; with the 1.2 ``direction``, the
    component of its velocity along that axis of its own frame."""

    ELEMENT = "SpeedCondition"
    direction: str | None = None

    @classmethod
    def parse(cls, el, ctx):
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        return cls(ctx.src.attr(el, "value", float), rule_of(el, ctx), _direction(el, ctx))

    def test(self, rt: Runtime, entity: str) -> bool:
        """Raw test for one triggering entity (None: undefined = false)."""
        if self.direction is None:
            return compare(rt.speed_of(entity), self.value, self.rule)
        st = rt.mover(entity).state()
        return compare(_component(*st.velocity, st.pose.h, self.direction), self.value,
                       self.rule)


@dataclass(frozen=True)
class AccelerationCondition(_Rated):
    """Acceleration [m/s^2] of the triggering entity against ``value``: with the 1.2
    ``direction``, that component in the entity's frame (longitudinal: the rate of change of
    its speed, signed; lateral: speed x yaw rate, positive to the left; vertical: 0 on the
    ground plane); without it the total acceleration, the magnitude of the two (ASAM
    OpenSCENARIO 1.2 AccelerationCondition: "if not given, the total acceleration is
    considered"; esmini the same), so never negative (semantics15 audit: the signed
    longitudinal value had been compared, and the lateral component was always 0)."""

    ELEMENT = "AccelerationCondition"
    direction: str | None = None

    @classmethod
    def parse(cls, el, ctx):
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        return cls(ctx.src.attr(el, "value", float), rule_of(el, ctx), _direction(el, ctx))

    def test(self, rt: Runtime, entity: str) -> bool:
        """Raw test for one triggering entity (None: undefined = false)."""
        m = rt.mover(entity)
        lon, lat = m.acceleration, m.speed * m.yaw_rate
        acc = {None: math.hypot(lon, lat), "longitudinal": lon, "lateral": lat}.get(
            self.direction, 0.0)
        return compare(acc, self.value, self.rule)


@dataclass(frozen=True)
class RelativeSpeedCondition(_Rated):
    """Speed of the triggering entity minus the speed of ``entityRef`` [m/s]; with the 1.2
    ``direction``, that component of the relative velocity in the triggering entity's frame."""

    ELEMENT = "RelativeSpeedCondition"
    entity: str = ""
    direction: str | None = None

    @classmethod
    def parse(cls, el, ctx):
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        return cls(ctx.src.attr(el, "value", float), rule_of(el, ctx),
                   ctx.src.attr(el, "entityRef", str), _direction(el, ctx))

    def test(self, rt: Runtime, entity: str) -> bool:
        """Raw test for one triggering entity (None: undefined = false)."""
        if self.direction is None:
            return compare(rt.speed_of(entity) - rt.speed_of(self.entity), self.value,
                           self.rule)
        me, other = rt.mover(entity).state(), rt.mover(self.entity).state()
        (ax, ay), (bx, by) = me.velocity, other.velocity
        return compare(_component(ax - bx, ay - by, me.pose.h, self.direction), self.value,
                       self.rule)


@dataclass(frozen=True)
class TraveledDistanceCondition(EntityConditionBase):
    """Odometer of the triggering entity >= ``value`` [m]."""

    ELEMENT = "TraveledDistanceCondition"
    value: float

    @classmethod
    def parse(cls, el, ctx):
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        return cls(ctx.src.attr(el, "value", non_negative))

    def test(self, rt: Runtime, entity: str) -> bool:
        """Raw test for one triggering entity (None: undefined = false)."""
        return rt.mover(entity).odometer >= self.value


@dataclass(frozen=True)
class StandStillCondition(LastingConditionBase):
    """Speed below 1e-3 m/s (esmini's threshold) for at least ``duration`` [s]."""

    ELEMENT = "StandStillCondition"
    duration: float

    @classmethod
    def parse(cls, el, ctx):
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        return cls(ctx.src.attr(el, "duration", non_negative))

    def now(self, rt: Runtime, entity: str) -> bool:
        """Whether ``entity`` is slower than 1e-3 m/s at ``rt.time``."""
        return abs(rt.speed_of(entity)) < 1e-3


@dataclass(frozen=True)
class CollisionCondition(EntityConditionBase):
    """The triggering entity overlaps ``entityRef`` (or any entity of ``type``)."""

    ELEMENT = "CollisionCondition"
    entity: str | None = None
    object_type: str | None = None

    @classmethod
    def parse(cls, el, ctx):
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        target = next((c for c in el if isinstance(c.tag, str)), None)
        if target is None:
            raise ctx.src.error(el, "expected EntityRef or ByType")
        if target.tag == "EntityRef":
            return cls(entity=ctx.src.attr(target, "entityRef", str))
        return cls(object_type=ctx.src.attr(target, "objectType", str))

    def test(self, rt: Runtime, entity: str) -> bool:
        """Raw test for one triggering entity (None: undefined = false)."""
        for pair in rt.contacts:
            if entity not in pair:
                continue
            (other,) = pair - {entity}
            if self.entity is not None and other == self.entity:
                return True
            if self.object_type is not None and _object_type(rt, other) == self.object_type:
                return True
        return False


def _object_type(rt: Runtime, name: str) -> str:
    element = rt.mover(name).defn.element
    return {"Vehicle": "vehicle", "Pedestrian": "pedestrian"}.get(element, "miscellaneous")


@dataclass(frozen=True)
class _ToEntity(_Rated):
    """Shared form of the conditions measured from the triggering entity to ``entityRef``
    (value, rule, coordinate system, relative distance type, freespace); ``DEFAULT_KIND`` is
    the distance type when the file gives none."""

    DEFAULT_KIND = measure.EUCLIDEAN
    entity: str = ""
    system: str = "entity"
    kind: str = measure.EUCLIDEAN
    freespace: bool = False

    @classmethod
    def parse(cls, el, ctx):
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        system, kind, free = _geometry(el, ctx, cls.DEFAULT_KIND)
        return cls(ctx.src.attr(el, "value", float), rule_of(el, ctx),
                   ctx.src.attr(el, "entityRef", str), system, kind, free)


@dataclass(frozen=True)
class RelativeDistanceCondition(_ToEntity):
    """Distance from the triggering entity to ``entityRef`` (absolute value) [m]."""

    ELEMENT = "RelativeDistanceCondition"

    def test(self, rt: Runtime, entity: str) -> bool:
        """Raw test for one triggering entity (None: undefined = false)."""
        d = measure.between(rt, entity, self.entity, self.system, self.kind, self.freespace)
        return compare(abs(d) if d is not None else 1e10, self.value, self.rule)


@dataclass(frozen=True)
class DistanceCondition(_Rated):
    """Distance from the triggering entity to a position (absolute value) [m]."""

    ELEMENT = "DistanceCondition"
    position: object = None
    system: str = "entity"
    kind: str = measure.EUCLIDEAN
    freespace: bool = False

    @classmethod
    def parse(cls, el, ctx):
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        system, kind, free = _geometry(el, ctx, measure.EUCLIDEAN)
        return cls(ctx.src.attr(el, "value", float), rule_of(el, ctx), ctx.position(el),
                   system, kind, free)

    def test(self, rt: Runtime, entity: str) -> bool:
        """Raw test for one triggering entity (None: undefined = false)."""
        p = self.position.resolve(rt)
        d = measure.to_point(rt, entity, p.pose, p.coord, self.system, self.kind, self.freespace)
        return compare(abs(d) if d is not None else 1e10, self.value, self.rule)


@dataclass(frozen=True)
class ReachPositionCondition(EntityConditionBase):
    """Reference point within ``tolerance`` [m] of a position (OSC 1.0/1.1; deprecated in
    1.2 in favour of DistanceCondition)."""

    ELEMENT = "ReachPositionCondition"
    position: object
    tolerance: float

    @classmethod
    def parse(cls, el, ctx):
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        return cls(ctx.position(el), ctx.src.attr(el, "tolerance", non_negative))

    def test(self, rt: Runtime, entity: str) -> bool:
        """Raw test for one triggering entity (None: undefined = false)."""
        p = self.position.resolve(rt).pose
        me = rt.mover(entity).pose
        return math.hypot(me.x - p.x, me.y - p.y) < self.tolerance


@dataclass(frozen=True)
class TimeHeadwayCondition(_ToEntity):
    """Headway [s]: distance from the triggering entity to ``entityRef`` over its speed."""

    ELEMENT = "TimeHeadwayCondition"
    DEFAULT_KIND = measure.LONGITUDINAL
    kind: str = measure.LONGITUDINAL

    def test(self, rt: Runtime, entity: str) -> bool | None:
        """Raw test for one triggering entity (None: undefined = false)."""
        d = measure.between(rt, entity, self.entity, self.system, self.kind, self.freespace)
        v = rt.speed_of(entity)
        if d is None or d < 0 or v < SMALL_NUMBER:
            return None
        return compare(abs(d / v), self.value, self.rule)


@dataclass(frozen=True)
class TimeToCollisionCondition(_Rated):
    """Time to collision [s] with ``entityRef`` or a position: distance over closing speed
    (the triggering entity's velocity projected on the target's, minus the target speed)."""

    ELEMENT = "TimeToCollisionCondition"
    entity: str | None = None
    position: object = None
    system: str = "entity"
    kind: str = measure.LONGITUDINAL
    freespace: bool = False

    @classmethod
    def parse(cls, el, ctx):
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        system, kind, free = _geometry(el, ctx, measure.LONGITUDINAL)
        target = next((c for c in el if c.tag == "TimeToCollisionConditionTarget"), None)
        if target is None:
            raise ctx.src.error(el, "expected TimeToCollisionConditionTarget")
        ref = next((c for c in target if c.tag == "EntityRef"), None)
        entity = ctx.src.attr(ref, "entityRef", str) if ref is not None else None
        position = ctx.position(target) if ref is None else None
        return cls(ctx.src.attr(el, "value", float), rule_of(el, ctx), entity, position,
                   system, kind, free)

    def test(self, rt: Runtime, entity: str) -> bool | None:
        """Raw test for one triggering entity (None: undefined = false)."""
        me = rt.mover(entity)
        if self.entity is not None:
            d = measure.between(rt, entity, self.entity, self.system, self.kind, self.freespace)
            other = rt.mover(self.entity)
            ov = other.state().velocity
            onorm = math.hypot(*ov)
            if onorm < SMALL_NUMBER:
                closing = me.speed
            else:
                mv = me.state().velocity
                proj = (mv[0] * ov[0] + mv[1] * ov[1]) / onorm
                closing = math.copysign(1.0, me.speed) * math.copysign(1.0, proj) * \
                    (proj - abs(other.speed))
        else:
            p = self.position.resolve(rt)
            d = measure.to_point(rt, entity, p.pose, p.coord, self.system, self.kind,
                                 self.freespace)
            closing = me.speed
        if d is None or abs(d) < SMALL_NUMBER or abs(closing) < SMALL_NUMBER:
            return None
        ttc = d / closing
        return None if ttc < 0 else compare(ttc, self.value, self.rule)


@dataclass(frozen=True)
class OffroadCondition(LastingConditionBase):
    """Off road (:func:`scenarios.motion.is_offroad`) for at least ``duration`` [s]."""

    ELEMENT = "OffroadCondition"
    duration: float

    @classmethod
    def parse(cls, el, ctx):
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        return cls(ctx.src.attr(el, "duration", non_negative))

    def now(self, rt: Runtime, entity: str) -> bool:
        """Off road now."""
        m = rt.mover(entity)
        return is_offroad(rt.net, m.coord if not m.external else m.lane)


ENTITY_CONDITIONS = (OffroadCondition, SpeedCondition, AccelerationCondition,
                     RelativeSpeedCondition,
                     TraveledDistanceCondition, StandStillCondition, CollisionCondition,
                     RelativeDistanceCondition, DistanceCondition, ReachPositionCondition,
                     TimeHeadwayCondition, TimeToCollisionCondition)
ENTITY_UNSUPPORTED = ()
