"""Routing actions (ASAM OpenSCENARIO 1.x ``RoutingAction``).

``AssignRouteAction``: the entity follows a route: at junctions it takes the continuation
towards the next waypoint (:class:`scenarios.routes.RouteFollower`). Atomic, as in esmini.

``AcquirePositionAction``: a route from where the entity is to the position.
``RandomRouteAction`` (1.3): no waypoints; at every junction the entity takes one of the
continuations, drawn with the run's seeded random generator (:class:`RandomRoute`), until
another routing action replaces it. AssignRoute and AcquirePosition also apply to an externally driven ego: the engine does not move it, but keeps the route
so the runner can hand it to the stack under test (``ScenarioEngine.route_of``).
``snap`` puts an entity moved off its lane (trajectories) back on the nearest lane.
(FollowTrajectoryAction: ``scenarios.actions.trajectory``.)
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

from lxml import etree

from testzone.world import EntityKind, LaneCoord, wrap_angle

from scenarios.actions.base import Done
from scenarios.motion import WALKING_LANE_TYPES, center_shift, lane_type, neighbour, occupied
from scenarios.registry import ParseContext
from scenarios.routes import Route, RouteFollower
from scenarios.runtime import Mover, Placement, Runtime



def _walking_lane(rt: Runtime, c: LaneCoord) -> LaneCoord:
    """A point on a non-walking lane (a border) is given to the next walking lane outwards,
    else inwards (esmini reports a pedestrian on a kerb border as on the sidewalk)."""
    if lane_type(rt.net, c.road_id, c.lane_id, c.s) in WALKING_LANE_TYPES:
        return c
    out = 1 if c.lane_id > 0 else -1
    for direction in (out, -out):
        nxt = neighbour(rt.net, c.road_id, c.s, c.lane_id, direction, WALKING_LANE_TYPES)
        if nxt is not None:
            shift = center_shift(rt.net, c.road_id, c.s, c.lane_id, nxt)
            return LaneCoord(c.road_id, nxt, c.s, c.t, c.offset - shift)
    return c


def snap(rt: Runtime, mover: Mover) -> None:
    """Set ``mover.lane``/``coord`` from its pose: vehicles on driving lanes, pedestrians on
    the lane under them (borders given to the sidewalk)."""
    p = mover.pose
    coord = None
    if mover.defn.kind == EntityKind.PEDESTRIAN:
        try:
            coord = rt.net.world_to_lane(p.x, p.y, p.h, lane_types=None)
        except TypeError:  # a network without lane-type filtering
            coord = None
        if coord is not None:
            coord = _walking_lane(rt, occupied(rt.net, coord, None))
    if coord is None:
        coord = rt.net.world_to_lane(p.x, p.y, p.h)
    mover.coord = coord
    mover.lane = coord if coord is None or mover.defn.kind == EntityKind.PEDESTRIAN \
        else occupied(rt.net, coord)
    if coord is not None:
        lane_h = rt.net.lane_to_world(coord.road_id, coord.lane_id, coord.s, coord.offset).h
        mover.reverse = abs(wrap_angle(p.h - lane_h)) > math.pi / 2


@dataclass(frozen=True)
class AssignRouteAction:
    """``AssignRouteAction`` with an inline Route or a RouteCatalog reference."""

    ELEMENT = "AssignRouteAction"
    PRIVATE = True
    DOMAINS = ()
    APPLIES_TO_EXTERNAL = True  # an external ego gets the route to drive (engine.route_of)
    route: Route

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> AssignRouteAction:
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        return cls(Route.parse(el, ctx))

    def start(self, rt: Runtime, actor: str | None) -> Done:
        """Start on ``actor`` (None if global); return the run (see actions.base)."""
        assert actor is not None
        waypoints = [w.resolve(rt) for w in self.route.waypoints]
        rt.mover(actor).route = RouteFollower(rt, actor, waypoints, self.route.strategies)
        return Done()


@dataclass(frozen=True)
class AcquirePositionAction:
    """``AcquirePositionAction``: a route from where the entity is to ``position``."""

    ELEMENT = "AcquirePositionAction"
    PRIVATE = True
    DOMAINS = ()
    APPLIES_TO_EXTERNAL = True  # an external ego gets the route to drive (engine.route_of)
    position: object

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> AcquirePositionAction:
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        return cls(ctx.position(el))

    def start(self, rt: Runtime, actor: str | None) -> Done:
        """Start on ``actor`` (None if global); return the run (see actions.base)."""
        assert actor is not None
        mover = rt.mover(actor)
        here = Placement(mover.pose, mover.coord)
        mover.route = RouteFollower(rt, actor, [here, self.position.resolve(rt)])
        return Done()


class RandomRoute:
    """The route of a RandomRouteAction: no waypoints and no plan; :meth:`choose` draws one of
    the continuations at a junction with ``rng`` (the run's seeded ``random.Random``, so a run
    repeats with its seed)."""

    waypoints: tuple = ()
    strategies: tuple = ()
    plan = None

    def __init__(self, rng: Any) -> None:
        self.rng = rng

    def choose(self, options: list[LaneCoord]) -> LaneCoord:
        """One of ``options`` (the continuations ``maps.traversal.advance`` offers, in its
        order), uniformly at random."""
        return options[self.rng.randrange(len(options))]


@dataclass(frozen=True)
class RandomRouteAction:
    """``RandomRouteAction`` (OpenSCENARIO 1.3; empty element): see the module docstring. An
    externally driven ego is not given one (its stack chooses its own way)."""

    ELEMENT = "RandomRouteAction"
    PRIVATE = True
    DOMAINS = ()

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> RandomRouteAction:
        """Read this element (``ELEMENT``; it has no attributes or children)."""
        return cls()

    def start(self, rt: Runtime, actor: str | None) -> Done:
        """Give ``actor`` a :class:`RandomRoute` on the run's generator."""
        assert actor is not None
        rt.mover(actor).route = RandomRoute(rt.rng if rt.rng is not None else random.Random(0))
        return Done()


ROUTING_ACTIONS = (AssignRouteAction, AcquirePositionAction, RandomRouteAction)
ROUTING_UNSUPPORTED: tuple[str, ...] = ()
"""Valid OpenSCENARIO 1.3 routing actions this player does not play (none)."""
