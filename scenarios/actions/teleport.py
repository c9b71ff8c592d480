"""``TeleportAction`` (ASAM OpenSCENARIO 1.x): put an entity at a position at once.

The entity keeps its speed; afterwards it follows the lane it was put on (esmini's default
controller), from the next step on: in the step of the teleport it stays where it was put
(esmini; checked on trajectory-test.xosc, whose Target stays put for one step after its
AlignHeadingAction). Applied to external entities too: the runner reads the new pose from the world
state (initial placement of the vehicle under test). As esmini: a vehicle's trailers are lined
up behind it (``scenarios.trailers.align``); a towed trailer is not teleported (its tow
vehicle places it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from lxml import etree

from testzone.world import wrap_angle

from scenarios.actions.base import Done
from scenarios.motion import occupied
from scenarios.registry import ParseContext
from scenarios.runtime import Runtime
from scenarios.trailers import align


@dataclass(frozen=True)
class TeleportAction:
    """``TeleportAction`` with one ``Position``."""

    ELEMENT = "TeleportAction"
    PRIVATE = True
    APPLIES_TO_EXTERNAL = True
    DOMAINS = ("longitudinal", "lateral")  # as esmini: ends running motion actions
    position: object

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> TeleportAction:
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        return cls(ctx.position(el))

    def start(self, rt: Runtime, actor: str | None) -> Done:
        """Start on ``actor`` (None if global); return the run (see actions.base)."""
        assert actor is not None
        mover = rt.mover(actor)
        if mover.tow is not None and not mover.external:
            return Done()       # as esmini: the tow vehicle places its trailers
        placement = self.position.resolve(rt)
        mover.pose = placement.pose
        mover.coord = placement.coord
        mover.lat_rate = 0.0
        mover.lane = occupied(rt.net, placement.coord) if placement.coord is not None else None
        mover.reverse = False
        mover.held = True   # as esmini: a teleported entity does not move in that step
        if placement.coord is not None:
            c = placement.coord
            lane_h = rt.net.lane_to_world(c.road_id, c.lane_id, c.s, c.offset).h
            mover.reverse = abs(wrap_angle(placement.pose.h - lane_h)) > math.pi / 2
        if mover.trailer is not None:
            align(rt, actor)
        return Done()


@dataclass(frozen=True)
class VisibilityAction:
    """``VisibilityAction``: only ``graphics`` is kept (as ``EntityState.visible``)."""

    ELEMENT = "VisibilityAction"
    PRIVATE = True
    DOMAINS = ()
    graphics: bool
    traffic: bool
    sensors: bool

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> VisibilityAction:
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        a = ctx.src.attr
        return cls(a(el, "graphics", bool), a(el, "traffic", bool), a(el, "sensors", bool))

    def start(self, rt: Runtime, actor: str | None) -> Done:
        """Start on ``actor`` (None if global); return the run (see actions.base)."""
        assert actor is not None
        rt.mover(actor).visible = self.graphics
        return Done()


TELEPORT_ACTIONS = (TeleportAction, VisibilityAction)
