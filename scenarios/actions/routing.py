"""Routing actions (ASAM OpenSCENARIO 1.x ``RoutingAction``).

``AssignRouteAction``: the entity follows a route: at junctions it takes the continuation
towards the next waypoint (:class:`scenarios.routes.RouteFollower`). Atomic, as in esmini.

``FollowTrajectoryAction`` with a ``Polyline`` shape and ``TimeReference/None``: the entity
moves along the polyline through the vertex positions at its own speed (set by other actions),
inside the action's step as esmini does (``MoveTrajectoryDS``), so it uses the speed set by
actions stepped before it. Its heading goes linearly from one vertex's heading to the next
along each segment. When the polyline ends the entity is snapped to the nearest lane and
continues there. Clothoid/Nurbs shapes and Timing references are not supported.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, replace

from lxml import etree

from testzone.world import EntityKind, LaneCoord, Pose, wrap_angle

from scenarios.actions.base import Done
from scenarios.errors import UnsupportedElementError
from scenarios.motion import (WALKING_LANE_TYPES, center_shift, lane_type, neighbour, occupied,
                              place)
from scenarios.registry import ParseContext
from scenarios.routes import Route, RouteFollower
from scenarios.runtime import Mover, Placement, Runtime
from scenarios.xmlsource import child, children



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


class PolylineRun:
    """A running FollowTrajectoryAction along a polyline."""

    def __init__(self, rt: Runtime, actor: str, poses: list[Pose], start: float) -> None:
        self.actor = actor
        self.poses = poses
        self.cum = [0.0]
        for a, b in zip(poses, poses[1:]):
            self.cum.append(self.cum[-1] + math.hypot(b.x - a.x, b.y - a.y))
        self.s = start

    def pose_at(self, s: float) -> Pose:
        """Pose at path distance ``s`` [m] (clamped to the polyline)."""
        s = min(max(s, 0.0), self.cum[-1])
        i = min(max(bisect.bisect_right(self.cum, s) - 1, 0), len(self.poses) - 2)
        seg = self.cum[i + 1] - self.cum[i]
        f = (s - self.cum[i]) / seg if seg > 0 else 1.0
        a, b = self.poses[i], self.poses[i + 1]
        h = wrap_angle(a.h + f * wrap_angle(b.h - a.h))
        return Pose(a.x + f * (b.x - a.x), a.y + f * (b.y - a.y), a.z + f * (b.z - a.z), h,
                    a.p, a.r)

    def step(self, rt: Runtime, dt: float) -> bool:
        """Move along the polyline by speed * dt; True at its end."""
        mover = rt.mover(self.actor)
        ds = mover.speed * dt
        self.s += ds
        mover.pose = self.pose_at(self.s)
        mover.odometer += abs(ds)
        mover.held = True
        snap(rt, mover)
        done = self.s >= self.cum[-1] - 1e-9
        leftover = self.s - self.cum[-1]
        if done and leftover > 0.0 and mover.coord is not None:
            # the rest of the step continues along the lane (as esmini's default controller)
            moved = rt.net.advance(mover.coord, -leftover if mover.reverse else leftover)
            mover.coord = replace(moved, offset=mover.coord.offset)
            place(rt.net, mover)
        return done


@dataclass(frozen=True)
class FollowTrajectoryAction:
    """``FollowTrajectoryAction``: Polyline shape, TimeReference None."""

    ELEMENT = "FollowTrajectoryAction"
    PRIVATE = True
    DOMAINS = ("lateral",)  # speed comes from longitudinal actions (TimeReference None)
    vertices: tuple[object, ...]
    initial_offset: float = 0.0

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> FollowTrajectoryAction:
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        src = ctx.src
        ref = child(el, "TrajectoryRef")  # OSC 1.1+; 1.0 has the Trajectory directly
        holder = ref if ref is not None else el
        traj = next((c for c in children(holder) if c.tag in ("Trajectory", "CatalogReference")),
                    None)
        if traj is None:
            raise src.error(el, "expected a Trajectory or a CatalogReference")
        if traj.tag == "CatalogReference":
            traj, entry_src = ctx.catalogs.resolve(src, traj)
            ctx = ctx.with_source(entry_src)
        time_ref = child(el, "TimeReference")
        timing = next(children(time_ref), None) if time_ref is not None else None
        if timing is not None and timing.tag != "None":
            raise src.error(timing, "a known element this player does not support "
                                    "(only TimeReference/None)", UnsupportedElementError)
        shape = child(traj, "Shape")
        kind = next(children(shape), None) if shape is not None else None
        if kind is None or kind.tag != "Polyline":
            raise ctx.src.error(kind if kind is not None else traj,
                                "a known shape this player does not support (only Polyline)",
                                UnsupportedElementError)
        vertices = tuple(ctx.position(v) for v in children(kind, "Vertex"))
        if len(vertices) < 2:
            raise ctx.src.error(kind, "a Polyline needs at least two Vertex elements")
        return cls(vertices, src.attr(el, "initialDistanceOffset", float, 0.0))

    def start(self, rt: Runtime, actor: str | None) -> PolylineRun:
        """Start on ``actor`` (None if global); return the run (see actions.base)."""
        assert actor is not None
        poses = [v.resolve(rt).pose for v in self.vertices]
        return PolylineRun(rt, actor, poses, self.initial_offset)


ROUTING_ACTIONS = (AssignRouteAction, AcquirePositionAction, FollowTrajectoryAction)
