"""Routes (ASAM OpenSCENARIO 1.x ``Route``): waypoints an entity is guided through.

A :class:`RouteFollower` answers ``net.advance``'s ``choose`` callback at junctions: it follows
the road sequence planned between the waypoints by ``net.route`` (each waypoint's
``routeStrategy``), and falls back to the continuation whose far end is nearest to the next
waypoint not yet reached (a waypoint counts as reached once the entity is on its road).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from lxml import etree

from testzone.world import LaneCoord

from maps.errors import MapsError
from maps.routing import STRATEGIES

from scenarios.errors import UnsupportedElementError
from scenarios.motion import driving_sign
from scenarios.registry import ParseContext
from scenarios.runtime import Placement, Runtime
from scenarios.xmlsource import child, children


@dataclass(frozen=True)
class Route:
    """A route: name, waypoint positions (position specs), closed flag."""

    name: str
    waypoints: tuple[Any, ...]
    closed: bool = False
    strategies: tuple[str, ...] = ()

    @classmethod
    def parse(cls, holder: etree._Element, ctx: ParseContext) -> Route:
        """Read the ``Route`` (or the route ``CatalogReference``) inside ``holder``.

        Raises:
            ScenarioError: neither is present, or the catalog entry is not a Route.
        """
        el, ctx = ctx.inline_or_catalog(holder, "Route")
        wps = tuple(ctx.position(w) for w in children(el, "Waypoint"))
        if len(wps) < 2:
            raise ctx.src.error(el, "a Route needs at least two Waypoints")
        strategies = tuple(ctx.src.attr(w, "routeStrategy", str, "shortest")
                           for w in children(el, "Waypoint"))
        return cls(ctx.src.attr(el, "name", str, ""), wps,
                   ctx.src.attr(el, "closed", bool, False), strategies)


def join_legs(roads: list[str], leg: list[str]) -> None:
    """Append route leg ``leg`` (road ids) to ``roads`` in place, the road they share at the
    waypoint between them once."""
    roads.extend(leg[1:] if roads and leg and leg[0] == roads[-1] else leg)


class RouteFollower:
    """Junction choices of one entity along a route (see module docstring).

    When the network plans routes (``net.route(a, b, strategy)``, maps' Dijkstra over the
    road graph) the waypoint-to-waypoint plans are joined into one road sequence and each
    choice takes the next road of it; without a plan (or off it) the continuation ending
    nearest to the next waypoint is taken.
    """

    def __init__(self, rt: Runtime, entity: str, waypoints: list[Placement],
                 strategies: tuple[str, ...] = ()) -> None:
        self.rt, self.entity = rt, entity
        self.waypoints = waypoints
        self.strategies = tuple(strategies)   # routeStrategy of each waypoint
        self.next = 1
        self.plan = self._plan()
        self.done_upto = -1

    def strategy(self, i: int) -> str:
        """The routeStrategy of waypoint ``i`` (the strategy of the leg that reaches it;
        ``shortest`` when the route gives none)."""
        return self.strategies[i] if i < len(self.strategies) else "shortest"

    def _plan(self) -> list[str] | None:
        """The joined waypoint-to-waypoint plans; for an externally driven entity each leg
        enters its waypoint's road in the waypoint lane's driving direction where the map
        allows (``net.route(..., goal_lane=True)``), else as esmini plans (any direction)."""
        planner = getattr(self.rt.net, "route", None)
        if planner is None:
            return None
        mover = self.rt.movers.get(self.entity)
        external = mover is not None and mover.external
        roads: list[str] = []
        for i, (a, b) in enumerate(zip(self.waypoints, self.waypoints[1:])):
            if a.coord is None or b.coord is None:
                return None
            strategy = self.strategy(i + 1)
            strategy = strategy if strategy in STRATEGIES else "shortest"
            try:
                # the vehicle under test arrives in its waypoints' lanes where it can
                part = planner(a.coord, b.coord, strategy, goal_lane=True) if external \
                    else None
                part = part or planner(a.coord, b.coord, strategy)
            except MapsError:
                return None
            if not part:
                return None
            join_legs(roads, part)
        return roads

    def _target(self) -> Placement:
        m = self.rt.movers.get(self.entity)
        road = m.coord.road_id if m is not None and m.coord is not None else None
        while self.next < len(self.waypoints) - 1:
            wp = self.waypoints[self.next].coord
            if wp is None or wp.road_id != road:
                break
            self.next += 1
        return self.waypoints[self.next]

    def _far_end(self, c: LaneCoord) -> tuple[float, float]:
        net = self.rt.net
        road = getattr(net, "roads", {}).get(c.road_id)
        length = getattr(road, "length", None)
        if length is None:
            p = net.lane_to_world(c.road_id, c.lane_id, c.s, c.offset)
            return p.x, p.y
        sign = driving_sign(net, c.road_id, c.lane_id)
        end = min(max(length - 1e-6, 0.0), length) if sign > 0 else 1e-6
        p = net.lane_to_world(c.road_id, c.lane_id, end, c.offset)
        return p.x, p.y

    def choose(self, options: list[LaneCoord]) -> LaneCoord:
        """Take the next road of the plan, else the continuation nearest the next waypoint."""
        if self.plan is not None:
            m = self.rt.movers.get(self.entity)
            here = m.coord.road_id if m is not None and m.coord is not None else None
            for i in range(self.done_upto + 1, len(self.plan)):
                if self.plan[i] == here:
                    self.done_upto = i
                    break
            ahead = {rid: i for i, rid in enumerate(self.plan) if i > self.done_upto}
            on_plan = [o for o in options if o.road_id in ahead]
            if on_plan:
                best = min(on_plan, key=lambda o: ahead[o.road_id])
                self.done_upto = ahead[best.road_id]
                return best
        target = self._target().pose
        return min(options, key=lambda c: math.dist(self._far_end(c), (target.x, target.y)))


def route_start(rt: Runtime, follower: RouteFollower, lane_id: int, path_s: float,
                offset: float = 0.0) -> LaneCoord:
    """Lane position ``path_s`` [m] along the route from its first waypoint, in ``lane_id``."""
    first = follower.waypoints[0].coord
    if first is None:
        raise ValueError("first waypoint is off the road network")
    start = LaneCoord(first.road_id, lane_id, first.s, math.nan, offset)
    if path_s == 0.0:
        return start
    return rt.net.advance(start, path_s, follower.choose)


def in_route_position(el: etree._Element, ctx: ParseContext) -> tuple[int, float, float]:
    """(laneId, pathS, laneOffset) of ``InRoutePosition/FromLaneCoordinates``.

    Raises:
        UnsupportedElementError: FromCurrentEntity / FromRoadCoordinates.
    """
    inner = child(el, "InRoutePosition")
    how = next(children(inner), None) if inner is not None else None
    if how is None or how.tag != "FromLaneCoordinates":
        raise ctx.src.error(how if how is not None else el,
                            "only InRoutePosition/FromLaneCoordinates is supported",
                            UnsupportedElementError)
    a = ctx.src.attr
    return a(how, "laneId", int), a(how, "pathS", float), a(how, "laneOffset", float, 0.0)
