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

from scenarios.actions.dynamics import Dynamics, Progress, rate_duration
from scenarios.registry import ParseContext
from scenarios.runtime import Runtime
from scenarios.xmlsource import child, children


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

    def start(self, rt: Runtime, actor: str | None) -> SpeedRun:
        """Start on ``actor`` (None if global); return the run (see actions.base)."""
        assert actor is not None
        return SpeedRun(rt, actor, self)


LONGITUDINAL_ACTIONS = (SpeedAction,)
LONGITUDINAL_UNSUPPORTED = ("LongitudinalDistanceAction", "SpeedProfileAction")
