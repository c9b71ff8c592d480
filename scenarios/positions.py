"""OpenSCENARIO 1.x position elements (clause "Position"), one class each.

``spec.resolve(rt)`` turns a position into a :class:`~scenarios.runtime.Placement` (world pose
plus the lane position the default controller follows). Relative positions read the referenced
entity's state at that moment. Lane and road positions get their heading from the lane's
driving direction unless an ``Orientation`` says otherwise (type ``relative`` adds to it,
``absolute`` replaces it), as esmini does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from lxml import etree

from maps.errors import MapsError
from testzone.world import LaneCoord, Pose, wrap_angle

from scenarios.errors import ScenarioError
from scenarios.motion import lane_center_t, neighbour
from scenarios.registry import ParseContext, Registry
from scenarios.routes import Route, RouteFollower, in_route_position, route_start
from scenarios.runtime import Placement, Runtime
from scenarios.xmlsource import child


@dataclass(frozen=True)
class Orientation:
    """``Orientation``: ``relative`` (added to the reference heading) or ``absolute`` [rad]."""

    h: float = 0.0
    p: float = 0.0
    r: float = 0.0
    relative: bool = True

    @classmethod
    def parse(cls, holder: etree._Element, ctx: ParseContext) -> Orientation | None:
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        el = child(holder, "Orientation")
        if el is None:
            return None
        src = ctx.src
        return cls(src.attr(el, "h", float, 0.0), src.attr(el, "p", float, 0.0),
                   src.attr(el, "r", float, 0.0),
                   src.choice(el, "type", ("relative", "absolute"), "relative") == "relative")

    def apply(self, pose: Pose) -> Pose:
        """Return ``pose`` with this orientation applied."""
        if self.relative:
            return replace(pose, h=wrap_angle(pose.h + self.h), p=pose.p + self.p,
                           r=pose.r + self.r)
        return replace(pose, h=wrap_angle(self.h), p=self.p, r=self.r)


def _orient(pose: Pose, orientation: Orientation | None) -> Pose:
    return orientation.apply(pose) if orientation is not None else pose


def _on_lane(rt: Runtime, road: str, lane: int, s: float, offset: float,
             orientation: Orientation | None, where: str) -> Placement:
    try:
        pose = rt.net.lane_to_world(road, lane, s, offset)
    except MapsError as exc:
        raise ScenarioError(f"{where}: no lane {lane} at s={s:.3f} on road {road} ({exc})",
                            element=where) from None
    t = lane_center_t(rt.net, road, lane, s) + offset
    return Placement(_orient(pose, orientation), LaneCoord(road, lane, s, t, offset))


def _snap(rt: Runtime, pose: Pose) -> Placement:
    """Placement at a world pose, following the nearest lane afterwards (if any)."""
    coord = rt.net.world_to_lane(pose.x, pose.y, pose.h)
    return Placement(pose, coord)


@dataclass(frozen=True)
class WorldPosition:
    """``WorldPosition``: x, y, z [m], h, p, r [rad] in the inertial frame."""

    ELEMENT = "WorldPosition"
    x: float
    y: float
    z: float = 0.0
    h: float = 0.0
    p: float = 0.0
    r: float = 0.0

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> WorldPosition:
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        a = ctx.src.attr
        return cls(a(el, "x", float), a(el, "y", float), a(el, "z", float, 0.0),
                   a(el, "h", float, 0.0), a(el, "p", float, 0.0), a(el, "r", float, 0.0))

    def resolve(self, rt: Runtime) -> Placement:
        """Where this position is now (pose and lane position)."""
        return _snap(rt, Pose(self.x, self.y, self.z, wrap_angle(self.h), self.p, self.r))


@dataclass(frozen=True)
class LanePosition:
    """``LanePosition``: roadId, laneId, s [m], offset from the lane centre [m] (+ = +t)."""

    ELEMENT = "LanePosition"
    road_id: str
    lane_id: int
    s: float
    offset: float = 0.0
    orientation: Orientation | None = None

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> LanePosition:
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        a = ctx.src.attr
        return cls(a(el, "roadId", str), a(el, "laneId", int), a(el, "s", float),
                   a(el, "offset", float, 0.0), Orientation.parse(el, ctx))

    def resolve(self, rt: Runtime) -> Placement:
        """Where this position is now (pose and lane position)."""
        return _on_lane(rt, self.road_id, self.lane_id, self.s, self.offset, self.orientation,
                        self.ELEMENT)


@dataclass(frozen=True)
class RoadPosition:
    """``RoadPosition``: roadId, s [m], t [m] in the road frame."""

    ELEMENT = "RoadPosition"
    road_id: str
    s: float
    t: float
    orientation: Orientation | None = None

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> RoadPosition:
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        a = ctx.src.attr
        return cls(a(el, "roadId", str), a(el, "s", float), a(el, "t", float),
                   Orientation.parse(el, ctx))

    def resolve(self, rt: Runtime) -> Placement:
        """Where this position is now (pose and lane position)."""
        pose = rt.net.road_to_world(self.road_id, self.s, self.t)
        coord = rt.net.world_to_lane(pose.x, pose.y, None)
        if coord is not None:
            pose = replace(pose, h=rt.net.lane_to_world(coord.road_id, coord.lane_id,
                                                        coord.s, coord.offset).h)
        return Placement(_orient(pose, self.orientation), coord)


@dataclass(frozen=True)
class RelativeLanePosition:
    """``RelativeLanePosition``: dLane lanes and ds [m] (along s) from an entity's lane.

    ``dsLane`` (along the lane) is read as ``ds``. Lane 0 is skipped when counting dLane.
    """

    ELEMENT = "RelativeLanePosition"
    entity: str
    d_lane: int
    ds: float
    offset: float = 0.0
    orientation: Orientation | None = None

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> RelativeLanePosition:
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        a = ctx.src.attr
        ds = a(el, "ds", float, None)
        if ds is None:
            ds = a(el, "dsLane", float, 0.0)
        return cls(a(el, "entityRef", str), a(el, "dLane", int), ds,
                   a(el, "offset", float, 0.0), Orientation.parse(el, ctx))

    def resolve(self, rt: Runtime) -> Placement:
        """Where this position is now (pose and lane position)."""
        ref = rt.mover(self.entity).lane
        if ref is None:
            raise ScenarioError(f"entity '{self.entity}' is not on a lane", element=self.ELEMENT)
        lane, step = ref.lane_id, (1 if self.d_lane > 0 else -1)
        for _ in range(abs(self.d_lane)):
            nxt = neighbour(rt.net, ref.road_id, ref.s, lane, step)
            if nxt is None:
                raise ScenarioError(f"no lane {self.d_lane:+d} from lane {ref.lane_id} of "
                                    f"'{self.entity}'", element=self.ELEMENT)
            lane = nxt
        return _on_lane(rt, ref.road_id, lane, ref.s + self.ds, self.offset, self.orientation,
                        self.ELEMENT)


@dataclass(frozen=True)
class RelativeRoadPosition:
    """``RelativeRoadPosition``: ds, dt [m] in the road frame from an entity's road position
    (s, t of the lane it occupies); heading of the reference line (+s) unless an Orientation
    says otherwise (esmini ``Position::EvaluateRelation``, type RELATIVE_ROAD)."""

    ELEMENT = "RelativeRoadPosition"
    entity: str
    ds: float
    dt: float
    orientation: Orientation | None = None

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> RelativeRoadPosition:
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        a = ctx.src.attr
        return cls(a(el, "entityRef", str), a(el, "ds", float), a(el, "dt", float),
                   Orientation.parse(el, ctx))

    def resolve(self, rt: Runtime) -> Placement:
        """Where this position is now (pose and lane position).

        Raises:
            ScenarioError: the entity is off the road network, or the point is off its road.
        """
        ref = rt.mover(self.entity).lane
        if ref is None or math.isnan(ref.t):
            raise ScenarioError(f"entity '{self.entity}' is not on a road", element=self.ELEMENT)
        try:
            pose = rt.net.road_to_world(ref.road_id, ref.s + self.ds, ref.t + self.dt)
        except MapsError as exc:
            raise ScenarioError(f"{self.ELEMENT}: s={ref.s + self.ds:.3f} is off road "
                                f"{ref.road_id} ({exc})", element=self.ELEMENT) from None
        coord = rt.net.world_to_lane(pose.x, pose.y, None)
        return Placement(_orient(pose, self.orientation), coord)


@dataclass(frozen=True)
class _EntityOffsetPosition:
    """Shared form of the positions given as (dx, dy, dz) [m] from an entity's reference point;
    subclasses say in which frame the offset is read (:meth:`offset_pose`)."""

    ELEMENT = ""
    entity: str
    dx: float
    dy: float
    dz: float = 0.0
    orientation: Orientation | None = None

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> "_EntityOffsetPosition":
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        a = ctx.src.attr
        return cls(a(el, "entityRef", str), a(el, "dx", float), a(el, "dy", float),
                   a(el, "dz", float, 0.0), Orientation.parse(el, ctx))

    def offset_pose(self, ref: Pose) -> Pose:
        """The pose ``ref`` moved by the offset (implemented per frame)."""
        raise NotImplementedError

    def resolve(self, rt: Runtime) -> Placement:
        """Where this position is now (pose and lane position)."""
        pose = self.offset_pose(rt.mover(self.entity).pose)
        return _snap(rt, _orient(pose, self.orientation))


@dataclass(frozen=True)
class RelativeObjectPosition(_EntityOffsetPosition):
    """``RelativeObjectPosition``: dx, dy, dz [m] in an entity's frame (x forward, y left)."""

    ELEMENT = "RelativeObjectPosition"

    def offset_pose(self, ref: Pose) -> Pose:
        """Offset along the entity's heading (dx) and to its left (dy)."""
        c, s = math.cos(ref.h), math.sin(ref.h)
        return Pose(ref.x + c * self.dx - s * self.dy, ref.y + s * self.dx + c * self.dy,
                    ref.z + self.dz, ref.h, ref.p, ref.r)


@dataclass(frozen=True)
class RelativeWorldPosition(_EntityOffsetPosition):
    """``RelativeWorldPosition``: dx, dy, dz [m] along the world axes from an entity."""

    ELEMENT = "RelativeWorldPosition"

    def offset_pose(self, ref: Pose) -> Pose:
        """Offset along the world axes."""
        return Pose(ref.x + self.dx, ref.y + self.dy, ref.z + self.dz, ref.h, ref.p, ref.r)


@dataclass(frozen=True)
class RoutePosition:
    """``RoutePosition`` with ``InRoutePosition/FromLaneCoordinates``: ``path_s`` [m] along the
    route from its first waypoint, in lane ``lane_id`` with ``offset`` [m]."""

    ELEMENT = "RoutePosition"
    route: Route
    lane_id: int
    path_s: float
    offset: float = 0.0
    orientation: Orientation | None = None

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> RoutePosition:
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        ref = child(el, "RouteRef")
        if ref is None:
            raise ctx.src.error(el, "expected a RouteRef")
        lane, path_s, offset = in_route_position(el, ctx)
        return cls(Route.parse(ref, ctx), lane, path_s, offset, Orientation.parse(el, ctx))

    def resolve(self, rt: Runtime) -> Placement:
        """Where this position is now (pose and lane position)."""
        follower = RouteFollower(rt, "", [w.resolve(rt) for w in self.route.waypoints],
                                 self.route.strategies)
        try:
            c = route_start(rt, follower, self.lane_id, self.path_s, self.offset)
        except (ValueError, MapsError) as exc:
            raise ScenarioError(f"route '{self.route.name}': {exc}", element=self.ELEMENT) from None
        return _on_lane(rt, c.road_id, c.lane_id, c.s, self.offset, self.orientation,
                        self.ELEMENT)


POSITIONS = Registry(
    "position",
    (WorldPosition, LanePosition, RoadPosition, RelativeLanePosition, RelativeRoadPosition,
     RelativeObjectPosition, RelativeWorldPosition, RoutePosition),
    unsupported=("GeoPosition", "TrajectoryPosition"),
)
"""Position elements by name."""
