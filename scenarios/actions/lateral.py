"""Lateral actions (ASAM OpenSCENARIO 1.x ``LateralAction``), as esmini performs them.

``LaneChangeAction``: at start the entity's reference lane switches to the target lane and its
offset is re-expressed from that lane's centre; the offset then moves to ``targetLaneOffset``
along the transition shape. With dimension ``time`` the lateral speed may not exceed the
longitudinal speed (esmini stretches the step). A relative target counts from the lane of the
referenced entity and skips lane 0 (esmini ``LatLaneChangeAction::Start``).

``LaneOffsetAction``: the offset from the current lane centre moves to an absolute value, or
to another entity's offset plus a value, over a shape whose duration follows from
``maxLateralAcc`` a: sinusoidal ``pi * sqrt(D / (2 a))``, cubic ``sqrt(6 D / a)``, linear
``2 sqrt(D / a)`` (the shapes' peak accelerations), step at once.

Each step the action sets the offset and the slope ``d offset / ds`` that turns the heading
(:func:`scenarios.motion.place`). Offsets are in the road frame (+ towards +t) of the road the
action started on; where the entity crosses onto a road whose t axis points the other way (end
to end, start to start: its direction of travel along s turns round) they are mirrored, so the
transition keeps its side relative to the driving direction, as esmini's do (checked on
follow_route_controller_test_medium: a lane change from road 202 into junction road 208).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from lxml import etree

from scenarios.actions.dynamics import SHAPES, Dynamics, Progress
from scenarios.errors import ScenarioError
from scenarios.motion import center_shift, driving_sign, lane_center_t, place, s_direction
from scenarios.registry import ParseContext
from scenarios.runtime import Mover, Runtime
from scenarios.xmlsource import child, children, non_negative

SMALL = 1e-10


def _set_offset(rt: Runtime, mover: Mover, offset: float, previous: float, dt: float) -> None:
    """Set the offset [m] from the reference lane's centre; the heading slope is the change
    from ``previous`` (the transition's last value: a jump of the reference lane, e.g. off a
    vanished lane, does not turn the entity) per metre travelled this step."""
    assert mover.coord is not None
    ds = mover.speed * dt
    mover.lat_rate = (offset - previous) / ds if abs(ds) > SMALL else 0.0
    mover.coord = replace(mover.coord, offset=offset)
    place(rt.net, mover)


def _target_lane(ref: int, value: int, ref_s_dir: int) -> int:
    """Lane ``value`` lanes left (in the travel direction ``ref_s_dir`` along s) of ``ref``.

    Left of travel along +s is +t (higher ids); lane 0 is skipped.
    """
    step = value * ref_s_dir
    target = ref + step
    if ref * target <= 0 and step != 0:
        target += 1 if step > 0 else -1
    return target


class LateralRun:
    """A running lateral transition of one entity's offset.

    Args:
        actor: the entity. progress: the offset transition.
        lane_change: True for LaneChangeAction: progress is added before evaluating, the
            lateral speed is capped by the longitudinal one, and the step's motion speed is
            fixed here; False for LaneOffsetAction: evaluated before progress is added (esmini's
            timing for each, checked on lane_change.xosc and cut-in.xosc).
        continuous_target: for a continuous LaneOffsetAction, the moving target.
        s_dir: the actor's direction of travel along s at the start (+1 / -1): the offsets
            are in that road frame, mirrored while the actor travels the other way along s.
    """

    def __init__(self, actor: str, progress: Progress, lane_change: bool,
                 continuous_target: LaneOffsetTarget | None = None, s_dir: int = 1) -> None:
        self.actor, self.progress = actor, progress
        self.lane_change = lane_change
        self.continuous = continuous_target
        self.s_dir = s_dir
        self.last = progress.start

    def _dt(self, dt: float, speed: float) -> float:
        p = self.progress
        span = abs(p.end - p.start)
        if self.lane_change and p.measure == "time" and p.length * abs(speed) < span:
            return dt * abs(speed) * p.length / span
        return dt

    def step(self, rt: Runtime, dt: float) -> bool:
        """Move the offset one step; True when complete."""
        mover = rt.mover(self.actor)
        p = self.progress
        if mover.coord is None:
            return True
        if self.lane_change:
            if abs(mover.speed) < SMALL and p.length > 0:
                return False
            mover.move_speed = mover.speed
            p.advance(self._dt(dt, mover.speed), mover.speed)
        frame = s_direction(rt.net, mover) * self.s_dir
        end = frame * self.continuous.offset(rt, mover) if self.continuous else None
        value = p.value(end)
        _set_offset(rt, mover, frame * value, frame * self.last, dt)
        self.last = value
        done = p.done
        if not self.lane_change:
            p.advance(dt, mover.speed)
        if done:
            mover.lat_rate = 0.0
            place(rt.net, mover)
            return self.continuous is None
        return False


@dataclass(frozen=True)
class LaneChangeAction:
    """``LaneChangeAction``: LaneChangeActionDynamics + LaneChangeTarget."""

    ELEMENT = "LaneChangeAction"
    PRIVATE = True
    DOMAINS = ("lateral",)
    dynamics: Dynamics
    value: int
    entity: str | None = None
    target_offset: float = 0.0

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> LaneChangeAction:
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        src = ctx.src
        dyn, tgt = child(el, "LaneChangeActionDynamics"), child(el, "LaneChangeTarget")
        inner = next(children(tgt), None) if tgt is not None else None
        if dyn is None or inner is None:
            raise src.error(el, "expected LaneChangeActionDynamics and LaneChangeTarget")
        offset = src.attr(el, "targetLaneOffset", float, 0.0)
        if inner.tag == "RelativeTargetLane":
            return cls(Dynamics.parse(dyn, ctx), src.attr(inner, "value", int),
                       src.attr(inner, "entityRef", str), offset)
        if inner.tag == "AbsoluteTargetLane":
            return cls(Dynamics.parse(dyn, ctx), src.attr(inner, "value", int), None, offset)
        raise src.error(inner, "expected RelativeTargetLane or AbsoluteTargetLane")

    def start(self, rt: Runtime, actor: str | None) -> LateralRun:
        """Start on ``actor`` (None if global); return the run (see actions.base)."""
        assert actor is not None
        mover = rt.mover(actor)
        if mover.coord is None or mover.lane is None:
            raise ScenarioError(f"'{actor}' is not on a lane", element=self.ELEMENT)
        if self.entity is None:
            target = self.value
        else:
            ref = rt.mover(self.entity).lane
            if ref is None:
                raise ScenarioError(f"'{self.entity}' is not on a lane", element=self.ELEMENT)
            ref_mover = rt.mover(self.entity)
            target = _target_lane(ref.lane_id, self.value, s_direction(rt.net, ref_mover)
                                  if ref_mover.coord is not None else 1)
        c = mover.coord
        s_dir = s_direction(rt.net, mover)
        try:
            shift = center_shift(rt.net, c.road_id, c.s, c.lane_id, target)
        except KeyError:
            raise ScenarioError(f"no lane {target} next to lane {c.lane_id} of road "
                                f"{c.road_id} at s={c.s:.2f} for '{actor}'",
                                element=self.ELEMENT) from None
        mover.coord = replace(c, lane_id=target, offset=c.offset - shift)
        mover.reverse = s_dir != driving_sign(rt.net, c.road_id, target)
        start = mover.coord.offset
        measure, length = self.dynamics.span(self.target_offset - start)
        return LateralRun(actor, Progress(self.dynamics.shape, measure, length, start,
                                          self.target_offset), lane_change=True, s_dir=s_dir)


@dataclass(frozen=True)
class LaneOffsetTarget:
    """Absolute offset [m] from the centre of the actor's lane (``entity`` None), or
    ``value`` [m] to the left of ``entity`` (RelativeTargetLaneOffset).

    As esmini's ``LatLaneOffsetAction::Start``: the relative target is the point ``value``
    to the left of the referred entity in its own direction of travel (its road ``t`` plus
    ``value``, minus when it travels against s), expressed as an offset from the centre of
    the actor's own lane, wherever the two are.
    """

    value: float
    entity: str | None = None

    def offset(self, rt: Runtime, mover: Mover) -> float:
        """The target offset now, from the centre of ``mover``'s reference lane [m] (road t
        direction)."""
        if self.entity is None:
            return self.value
        ref = rt.mover(self.entity)
        if ref.lane is None:
            return self.value
        side = s_direction(rt.net, ref) if ref.coord is not None else 1
        target_t = ref.lane.t + side * self.value
        own = mover.coord
        centre = math.nan if own is None else \
            lane_center_t(rt.net, own.road_id, own.lane_id, own.s)
        if math.isnan(centre) or own.road_id != ref.lane.road_id:
            return ref.lane.offset + self.value   # no common road frame: beside its lane
        return target_t - centre


@dataclass(frozen=True)
class LaneOffsetAction:
    """``LaneOffsetAction``: LaneOffsetActionDynamics + LaneOffsetTarget, ``continuous``."""

    ELEMENT = "LaneOffsetAction"
    PRIVATE = True
    DOMAINS = ("lateral",)
    shape: str
    max_lateral_acc: float
    target: LaneOffsetTarget
    continuous: bool = False

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> LaneOffsetAction:
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        src = ctx.src
        dyn, tgt = child(el, "LaneOffsetActionDynamics"), child(el, "LaneOffsetTarget")
        inner = next(children(tgt), None) if tgt is not None else None
        if dyn is None or inner is None:
            raise src.error(el, "expected LaneOffsetActionDynamics and LaneOffsetTarget")
        if inner.tag == "AbsoluteTargetLaneOffset":
            target = LaneOffsetTarget(src.attr(inner, "value", float))
        elif inner.tag == "RelativeTargetLaneOffset":
            target = LaneOffsetTarget(src.attr(inner, "value", float),
                                      src.attr(inner, "entityRef", str))
        else:
            raise src.error(inner, "expected AbsoluteTargetLaneOffset or RelativeTargetLaneOffset")
        return cls(src.choice(dyn, "dynamicsShape", SHAPES),
                   src.attr(dyn, "maxLateralAcc", non_negative, 0.5), target,
                   src.attr(el, "continuous", bool, False))

    def duration(self, delta: float) -> float:
        """Duration [s] of an offset change of ``delta`` [m] at ``max_lateral_acc``."""
        d, a = abs(delta), max(self.max_lateral_acc, SMALL)
        return {"step": 0.0, "linear": 2.0 * math.sqrt(d / a), "cubic": math.sqrt(6.0 * d / a),
                "sinusoidal": math.pi * math.sqrt(d / (2.0 * a))}[self.shape]

    def start(self, rt: Runtime, actor: str | None) -> LateralRun:
        """Start on ``actor`` (None if global); return the run (see actions.base)."""
        assert actor is not None
        mover = rt.mover(actor)
        if mover.coord is None:
            raise ScenarioError(f"'{actor}' is not on a lane", element=self.ELEMENT)
        start = mover.coord.offset
        end = self.target.offset(rt, mover)
        return LateralRun(actor, Progress(self.shape, "time", self.duration(end - start), start,
                                          end), lane_change=False,
                          continuous_target=self.target if self.continuous else None,
                          s_dir=s_direction(rt.net, mover))


LATERAL_ACTIONS = (LaneChangeAction, LaneOffsetAction)
LATERAL_UNSUPPORTED = ()
