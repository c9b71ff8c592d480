"""EntityConditions on the road geometry (ASAM OpenSCENARIO 1.x): EndOfRoadCondition,
RelativeClearanceCondition (1.2), AngleCondition and RelativeAngleCondition (1.2).

* EndOfRoad: the entity cannot go on along its lane (a road end without a continuation in
  its direction of travel: :data:`END_PROBE` further along it the network returns the same
  place) for ``duration`` [s] -- esmini's end-of-road status.
* RelativeClearance: no other entity (of the listed EntityRefs; all when none is listed)
  within ``distanceBackward`` .. ``distanceForward`` [m] along the road (boxes with
  ``freeSpace``) in the lanes of the RelativeLaneRanges (relative lane counts, +: to the left
  of the entity's lane, in its direction of travel), opposite-direction lanes only with
  ``oppositeLanes``.
* Angle: the heading/pitch/roll of the entity (``coordinateSystem`` ``road``: relative to the
  reference line, ``lane``: to the lane's driving direction, else absolute) within
  ``angleTolerance`` of ``angle`` [rad]. RelativeAngle: the same relative to another entity's.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from testzone.world import wrap_angle

from scenarios import measure
from scenarios.conditions.base import EntityConditionBase, LastingConditionBase
from scenarios.motion import driving_sign, s_direction
from scenarios.registry import ParseContext
from scenarios.runtime import Runtime
from scenarios.xmlsource import children, non_negative

END_PROBE = 0.5
"""Probe distance [m] of the end-of-road test."""
ANGLE_TYPES = ("heading", "pitch", "roll")


@dataclass(frozen=True)
class EndOfRoadCondition(LastingConditionBase):
    """At the end of its road (no continuation) for at least ``duration`` [s]."""

    ELEMENT = "EndOfRoadCondition"
    duration: float

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> EndOfRoadCondition:
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        return cls(ctx.src.attr(el, "duration", non_negative))

    def now(self, rt: Runtime, entity: str) -> bool:
        """True when moving END_PROBE further along the lane stays (almost) in place."""
        m = rt.mover(entity)
        c = m.coord if not m.external else m.lane
        if c is None:
            return False
        step = -END_PROBE if m.reverse else END_PROBE
        ahead = rt.net.advance(c, step)
        return ahead.road_id == c.road_id and abs(ahead.s - c.s) < END_PROBE / 2


def _lane_index(rt: Runtime, road: str, s: float, lane: int) -> int | None:
    ids = rt.net.lane_ids(road, s)
    return ids.index(lane) if lane in ids else None


@dataclass(frozen=True)
class RelativeClearanceCondition(EntityConditionBase):
    """Free space around the entity (see module docstring)."""

    ELEMENT = "RelativeClearanceCondition"
    forward: float
    backward: float
    freespace: bool
    opposite: bool
    ranges: tuple[tuple[int, int], ...] = ()
    entities: tuple[str, ...] = ()

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> RelativeClearanceCondition:
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        a = ctx.src.attr
        return cls(a(el, "distanceForward", non_negative, 0.0),
                   a(el, "distanceBackward", non_negative, 0.0),
                   a(el, "freeSpace", bool), a(el, "oppositeLanes", bool),
                   tuple((a(r, "from", int), a(r, "to", int))
                         for r in children(el, "RelativeLaneRange")),
                   tuple(a(r, "entityRef", str) for r in children(el, "EntityRef")))

    def _relative_lane(self, rt: Runtime, me, other) -> int | None:
        a, b = me.lane, other.lane
        if a is None or b is None or a.road_id != b.road_id:
            return None
        ia, ib = _lane_index(rt, a.road_id, a.s, a.lane_id), \
            _lane_index(rt, b.road_id, b.s, b.lane_id)
        if ia is None or ib is None:
            return None
        left_to_right = ia - ib          # lane_ids() run from left (+t) to right
        return left_to_right * s_direction(rt.net, me) if me.coord is not None else \
            left_to_right

    def test(self, rt: Runtime, entity: str) -> bool:
        """True when the clearance is free."""
        me = rt.mover(entity)
        others = self.entities or tuple(n for n in rt.movers if n != entity)
        for name in others:
            other = rt.movers.get(name)
            if other is None or not other.present or name == entity:
                continue
            rel = self._relative_lane(rt, me, other)
            if rel is None:
                continue
            if not self.opposite and other.lane is not None and me.lane is not None and \
                    driving_sign(rt.net, other.lane.road_id, other.lane.lane_id) != \
                    driving_sign(rt.net, me.lane.road_id, me.lane.lane_id):
                continue
            if self.ranges and not any(lo <= rel <= hi for lo, hi in self.ranges):
                continue
            d = measure.between(rt, entity, name, "road", measure.LONGITUDINAL, self.freespace)
            if d is not None and -self.backward <= d <= self.forward:
                return False
        return True


def _angle(rt: Runtime, entity: str, kind: str, system: str | None) -> float:
    m = rt.mover(entity)
    value = {"heading": m.pose.h, "pitch": m.pose.p, "roll": m.pose.r}[kind]
    if kind != "heading" or system not in ("road", "lane") or m.lane is None:
        return value
    c = m.lane
    ref = rt.net.road_to_world(c.road_id, c.s, c.t).h if system == "road" else \
        rt.net.lane_to_world(c.road_id, c.lane_id, c.s, c.offset).h
    return wrap_angle(value - ref)


@dataclass(frozen=True)
class AngleCondition(EntityConditionBase):
    """Angle (heading, pitch or roll) [rad] within ``tolerance`` of ``angle``."""

    ELEMENT = "AngleCondition"
    kind: str
    angle: float
    tolerance: float
    system: str | None = None

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> AngleCondition:
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        a = ctx.src.attr
        return cls(ctx.src.choice(el, "angleType", ANGLE_TYPES), a(el, "angle", float),
                   a(el, "angleTolerance", float), a(el, "coordinateSystem", str, None))

    def test(self, rt: Runtime, entity: str) -> bool:
        """Raw test for one triggering entity."""
        value = _angle(rt, entity, self.kind, self.system)
        return abs(wrap_angle(value - self.angle)) <= self.tolerance + 1e-12


@dataclass(frozen=True)
class RelativeAngleCondition(EntityConditionBase):
    """Angle of the triggering entity minus that of ``entity`` within ``tolerance`` of
    ``angle`` [rad]."""

    ELEMENT = "RelativeAngleCondition"
    entity: str
    kind: str
    angle: float
    tolerance: float

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> RelativeAngleCondition:
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        a = ctx.src.attr
        return cls(a(el, "entityRef", str), ctx.src.choice(el, "angleType", ANGLE_TYPES),
                   a(el, "angle", float), a(el, "angleTolerance", float))

    def test(self, rt: Runtime, entity: str) -> bool:
        """Raw test for one triggering entity."""
        diff = wrap_angle(_angle(rt, entity, self.kind, None)
                          - _angle(rt, self.entity, self.kind, None))
        return abs(wrap_angle(diff - self.angle)) <= self.tolerance + 1e-12


GEOMETRY_CONDITIONS = (EndOfRoadCondition, RelativeClearanceCondition, AngleCondition,
                       RelativeAngleCondition)
