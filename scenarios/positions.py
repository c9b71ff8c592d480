"""OpenSCENARIO 1.x position elements (clause "Position"), one class each.

``spec.resolve(rt)`` turns a position into a :class:`~scenarios.runtime.Placement` (world pose
plus the lane position the default controller follows). Relative positions read the referenced
entity's state at that moment. Lane and road positions get their heading from the lane's
driving direction unless an ``Orientation`` says otherwise (type ``relative`` adds to it,
``absolute`` replaces it), as esmini does. GeoPosition goes through the road network's
``geoReference``; TrajectoryPosition through a trajectory shape (``scenarios.trajectories``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from lxml import etree

from maps.errors import MapsError
from testzone.world import LaneCoord, Pose, wrap_angle

from scenarios.errors import ScenarioError
from scenarios.motion import at_dead_end, driving_sign, lane_center_t, neighbour
from scenarios.registry import ParseContext, Registry
from scenarios.routes import Route, RouteFollower, in_route_position, route_start
from scenarios.runtime import MAX_WORLD_COORDINATE_M, Placement, Runtime
from scenarios.trajectories import SMALL, TrajectoryDef, read_trajectory
from scenarios.xmlsource import child, non_negative


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


#: How far [m] an absolute position's ``s`` may lie outside ``[0, road length]`` (rounding of
#: lengths written with few digits).
S_TOLERANCE = 0.01


def _check_s(rt: Runtime, road_id: str, s: float, where: tuple[str | None, int | None],
             element: str) -> None:
    """Refuse an absolute road coordinate ``s`` [m] outside ``[0, length]`` of road
    ``road_id`` (ASAM OpenSCENARIO: LanePosition/RoadPosition ``s`` is measured along that
    road's reference line, so it lies on the road): a ScenarioError with file and line. A
    network without road lengths (a stand-in) is not checked."""
    road = getattr(rt.net, "roads", {}).get(road_id) if hasattr(
        getattr(rt.net, "roads", None), "get") else None
    length = getattr(road, "length", None)
    if isinstance(length, (int, float)) and not (
            -S_TOLERANCE <= s <= float(length) + S_TOLERANCE):
        raise _error(where, element, f"s={s:g} m is outside road {road_id} "
                                     f"(0 to {float(length):g} m long)")


def _snap(rt: Runtime, pose: Pose) -> Placement:
    """Placement at a world pose, following the nearest lane afterwards (if any)."""
    coord = rt.net.world_to_lane(pose.x, pose.y, pose.h)
    return Placement(pose, coord)


@dataclass(frozen=True)
class WorldPosition:
    """``WorldPosition``: x, y, z [m] (each within
    :data:`scenarios.runtime.MAX_WORLD_COORDINATE_M`), h, p, r [rad] in the inertial frame."""

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
        xyz = (a(el, "x", float), a(el, "y", float), a(el, "z", float, 0.0))
        for name, v in zip("xyz", xyz):
            if abs(v) > MAX_WORLD_COORDINATE_M:
                raise ctx.src.error(el, f"{name}={v:g}: expected |{name}| <= "
                                        f"{MAX_WORLD_COORDINATE_M:g} m")
        return cls(*xyz, a(el, "h", float, 0.0), a(el, "p", float, 0.0), a(el, "r", float, 0.0))

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
    where: tuple[str | None, int | None] = field(default=(None, None), compare=False,
                                                 repr=False)

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> LanePosition:
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        a = ctx.src.attr
        return cls(a(el, "roadId", str), a(el, "laneId", int), a(el, "s", float),
                   a(el, "offset", float, 0.0), Orientation.parse(el, ctx), _origin(el, ctx))

    def resolve(self, rt: Runtime) -> Placement:
        """Where this position is now (pose and lane position).

        Raises:
            ScenarioError: ``s`` outside the road (:func:`_check_s`) or no such lane there.
        """
        _check_s(rt, self.road_id, self.s, self.where, self.ELEMENT)
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
    where: tuple[str | None, int | None] = field(default=(None, None), compare=False,
                                                 repr=False)

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> RoadPosition:
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        a = ctx.src.attr
        return cls(a(el, "roadId", str), a(el, "s", float), a(el, "t", float),
                   Orientation.parse(el, ctx), _origin(el, ctx))

    def resolve(self, rt: Runtime) -> Placement:
        """Where this position is now (pose and lane position).

        Raises:
            ScenarioError: ``s`` outside the road (:func:`_check_s`).
        """
        _check_s(rt, self.road_id, self.s, self.where, self.ELEMENT)
        pose = rt.net.road_to_world(self.road_id, self.s, self.t)
        coord = rt.net.world_to_lane(pose.x, pose.y, None)
        if coord is not None:
            pose = replace(pose, h=rt.net.lane_to_world(coord.road_id, coord.lane_id,
                                                        coord.s, coord.offset).h)
        return Placement(_orient(pose, self.orientation), coord)


@dataclass(frozen=True)
class RelativeLanePosition:
    """``RelativeLanePosition``: ``dLane`` lanes across and ``ds`` or ``dsLane`` [m] along from
    an entity's lane position (ASAM OpenSCENARIO 1.1+: ``ds`` and ``dsLane`` exclusive).

    ``ds`` is a change of the road's s (the reference line), counted from the entity's lane;
    the point must stay on that road. ``dsLane`` is a distance along the centre line of the
    entity's lane in its driving direction (esmini's ``DirectionMode::ALONG_LANE``): on a
    curve of curvature k a lane centre at t is ``1 - k t`` times as long as the reference line
    (:func:`maps.traversal.advance`, which also follows the lane into the next road); dLane is
    then counted from the lane reached, on the same side of it as from the entity's lane (past
    a link where the road's t axis turns round, lane ids count the other way). A dsLane that
    runs past a dead end is refused, as a ds off the road is. Lane 0 is skipped when counting
    dLane.
    """

    ELEMENT = "RelativeLanePosition"
    entity: str
    d_lane: int
    ds: float
    offset: float = 0.0
    orientation: Orientation | None = None
    along_lane: bool = False

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> RelativeLanePosition:
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        a = ctx.src.attr
        ds = a(el, "ds", float, None)
        along_lane = ds is None and a(el, "dsLane", float, None) is not None
        if ds is None:
            ds = a(el, "dsLane", float, 0.0)
        return cls(a(el, "entityRef", str), a(el, "dLane", int), ds,
                   a(el, "offset", float, 0.0), Orientation.parse(el, ctx), along_lane)

    def resolve(self, rt: Runtime) -> Placement:
        """Where this position is now (pose and lane position)."""
        ref = rt.mover(self.entity).lane
        if ref is None:
            raise ScenarioError(f"entity '{self.entity}' is not on a lane", element=self.ELEMENT)
        step = 1 if self.d_lane > 0 else -1
        if self.along_lane and self.ds != 0.0:
            centre = LaneCoord(ref.road_id, ref.lane_id, ref.s,
                               lane_center_t(rt.net, ref.road_id, ref.lane_id, ref.s), 0.0)
            moved = rt.net.advance(centre, self.ds)
            sign = driving_sign(rt.net, moved.road_id, moved.lane_id)
            if at_dead_end(rt.net, moved, sign * (1 if self.ds > 0 else -1)):
                raise ScenarioError(f"dsLane={self.ds:g} m from '{self.entity}' runs past the "
                                    f"end of its lane (road {moved.road_id} ends there, with "
                                    f"no road after it)", element=self.ELEMENT)
            if sign != driving_sign(rt.net, ref.road_id, ref.lane_id):
                step = -step   # the lane went on into a road whose t axis points the other
            ref = moved        # way (end to end): dLane keeps its side (hostile pass 16)
            road_id, s = ref.road_id, ref.s
        else:
            road_id, s = ref.road_id, ref.s + self.ds
        lane = ref.lane_id
        for _ in range(abs(self.d_lane)):
            nxt = neighbour(rt.net, ref.road_id, ref.s, lane, step)
            if nxt is None:
                raise ScenarioError(f"no lane {self.d_lane:+d} from lane {ref.lane_id} of "
                                    f"'{self.entity}'", element=self.ELEMENT)
            lane = nxt
        _check_s(rt, road_id, s, (None, None), self.ELEMENT)
        return _on_lane(rt, road_id, lane, s, self.offset, self.orientation, self.ELEMENT)


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
        _check_s(rt, ref.road_id, ref.s + self.ds, (None, None), self.ELEMENT)  # ds=1e7 had
        try:                                                   # put it 10^7 m off any road
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
        """Where this position is now (pose and lane position).

        Raises:
            ScenarioError: the first waypoint is off the network, or ``pathS`` lies beyond the
                last waypoint of an open route (the route's length: the distances along the
                road graph between consecutive waypoints; not checked where one is not found,
                nor for a closed route, which goes round).
        """
        waypoints = [w.resolve(rt) for w in self.route.waypoints]
        follower = RouteFollower(rt, "", waypoints, self.route.strategies)
        length = None if self.route.closed or len(waypoints) < 2 else \
            _route_length(rt, [w.coord for w in waypoints])   # a closed route goes round
        if length is not None and self.path_s > length + S_TOLERANCE:
            raise ScenarioError(f"route '{self.route.name}': pathS={self.path_s:g} m is beyond "
                                f"its last waypoint, {length:.3f} m along it",
                                element=self.ELEMENT)
        try:
            c = route_start(rt, follower, self.lane_id, self.path_s, self.offset)
        except (ValueError, MapsError) as exc:
            raise ScenarioError(f"route '{self.route.name}': {exc}", element=self.ELEMENT) from None
        return _on_lane(rt, c.road_id, c.lane_id, c.s, self.offset, self.orientation,
                        self.ELEMENT)


def _route_length(rt: Runtime, coords: list) -> float | None:
    """Length [m] of a route through lane positions ``coords`` (its waypoints): the sum of the
    road-graph distances between consecutive ones (``maps.RoadNetwork.longitudinal_distance``);
    None when a waypoint is off the network or a distance is not found."""
    total = 0.0
    for a, b in zip(coords, coords[1:]):
        d = rt.net.longitudinal_distance(a, b, 1e5) if a is not None and b is not None else None
        if d is None:
            return None
        total += abs(d)
    return total


def _origin(el: etree._Element, ctx: ParseContext) -> tuple[str, int | None]:
    """(file, line) of ``el``, kept by positions whose errors arise when they are resolved."""
    return ctx.src.file, el.sourceline


def _error(where: tuple[str | None, int | None], element: str, message: str) -> ScenarioError:
    return ScenarioError(message, file=where[0], line=where[1], element=element)


@dataclass(frozen=True)
class GeoPosition:
    """``GeoPosition`` (OpenSCENARIO 1.1+, class GeoPosition): a WGS84 point placed in the
    inertial frame through the road network's ``geoReference`` (PROJ string) and header
    ``offset`` (``maps.RoadNetwork.from_lonlat``, OpenDRIVE clause "Georeferencing").

    Attributes:
        lat_deg, lon_deg: latitude in [-90, 90] and longitude in [-180, 180] [deg]: 1.2+
            ``latitudeDeg``/``longitudeDeg``, or the deprecated 1.1 ``latitude``/``longitude``
            [rad] converted.
        altitude: [m] above the road surface under the point (1.2+ ``altitude``, range
            [0, inf[, missing = 0): z = road elevation + altitude.
        height: [m] the deprecated 1.1 ``height`` ("above a reference surface"), read as the
            inertial z when given (then ``altitude`` is not used).
        vertical_road: 1.3 ``verticalRoadSelection`` (0 = the lowest road). The road
            network's point query is planar, so the lane nearest in the plane is taken
            whatever the value (``scenario check`` warns about values other than 0).
        orientation: ``absolute``: heading in the inertial frame; ``relative``: added to the
            driving direction of the lane the point falls on (the x axis off the road), as
            the other positions of this module; missing: absolute heading 0 (the standard's
            default for GeoPosition).
        where: (file, line) of the element, named by the errors of :meth:`resolve`.
    """

    ELEMENT = "GeoPosition"
    lat_deg: float
    lon_deg: float
    altitude: float = 0.0
    height: float | None = None
    vertical_road: int = 0
    orientation: Orientation | None = None
    where: tuple[str | None, int | None] = field(default=(None, None), compare=False,
                                                 repr=False)

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> GeoPosition:
        """Read this element (``ELEMENT``).

        Raises:
            ScenarioError: latitude or longitude missing, given twice (degrees and radians)
                or out of range; a negative altitude (file, line, element).
        """
        a = ctx.src.attr
        lat = _geo_angle(el, ctx, "latitudeDeg", "latitude", 90.0)
        lon = _geo_angle(el, ctx, "longitudeDeg", "longitude", 180.0)
        return cls(lat, lon, a(el, "altitude", non_negative, 0.0), a(el, "height", float, None),
                   a(el, "verticalRoadSelection", int, 0), Orientation.parse(el, ctx),
                   _origin(el, ctx))

    def resolve(self, rt: Runtime) -> Placement:
        """Where this position is (pose and the nearest lane position, if any).

        Raises:
            ScenarioError: the road network has no ``geoReference``, or the point is outside
                its projection (naming this element's file and line, and the road network).
        """
        what = f"cannot place latitude {self.lat_deg} deg, longitude {self.lon_deg} deg: " \
                f"{getattr(rt.net, 'path', None) or 'the road network'}"
        convert = getattr(rt.net, "from_lonlat", None)
        if convert is None:
            raise _error(self.where, self.ELEMENT, f"{what}: no geographic reference")
        try:
            x, y = convert(self.lon_deg, self.lat_deg)
        except MapsError as exc:
            raise _error(self.where, self.ELEMENT, f"{what}: {exc.message}") from None
        if not (math.isfinite(x) and math.isfinite(y)):
            raise _error(self.where, self.ELEMENT, f"{what}: outside its projection")
        absolute = self.orientation is not None and not self.orientation.relative
        coord = rt.net.world_to_lane(x, y, self.orientation.h if absolute else None)
        base_h, z = 0.0, self.altitude
        if coord is not None:
            base_h = rt.net.lane_to_world(coord.road_id, coord.lane_id, coord.s,
                                          coord.offset).h
            z += rt.net.road_to_world(coord.road_id, coord.s, coord.t).z
        if self.height is not None:
            z = self.height
        pose = Pose(x, y, z, base_h if self.orientation is not None else 0.0)
        return Placement(_orient(pose, self.orientation), coord)


def _geo_angle(el: etree._Element, ctx: ParseContext, deg_attr: str, rad_attr: str,
               limit: float) -> float:
    """One GeoPosition angle [deg] from ``deg_attr`` (1.2+) or ``rad_attr`` (1.1, [rad]),
    exactly one of them, within [-limit, limit] degrees."""
    a = ctx.src.attr
    deg, rad = a(el, deg_attr, float, None), a(el, rad_attr, float, None)
    if (deg is None) == (rad is None):
        raise ctx.src.error(el, f"expected either {deg_attr} [deg] or {rad_attr} [rad] "
                                f"(not both)" if deg is not None else
                                f"missing attribute '{deg_attr}' (or the 1.1 '{rad_attr}')")
    value = deg if deg is not None else math.degrees(rad)
    if abs(value) > limit:
        name = deg_attr if deg is not None else rad_attr
        raise ctx.src.error(el, f"{name}={deg if deg is not None else rad}: expected "
                                f"{-limit:g} to {limit:g} degrees")
    return value


@dataclass(frozen=True)
class TrajectoryPosition:
    """``TrajectoryPosition`` (OpenSCENARIO 1.1+, trajectory coordinate system): the point at
    path length ``s`` [m] along a trajectory's shape, ``t`` [m] to the left of it (the
    trajectory frame: s along the shape's tangent, t normal to it, positive left).

    The trajectory (inline or a Trajectory catalog entry, :func:`read_trajectory`) is frozen
    when the position is resolved (relative positions of its vertices read their entities
    then); ``s`` runs from the shape's start (modulo the length on a closed trajectory).
    Heading: the shape's tangent heading at ``s`` (esmini ``OSCPositionTrajectory``), turned
    by a relative ``Orientation`` or replaced by an absolute one.

    Attributes:
        trajectory: the parsed trajectory. s: [0, inf[ [m]. t: [m] (default 0).
        orientation: Orientation or None. where: (file, line) of the element, for errors.
    """

    ELEMENT = "TrajectoryPosition"
    trajectory: TrajectoryDef
    s: float
    t: float = 0.0
    orientation: Orientation | None = None
    where: tuple[str | None, int | None] = field(default=(None, None), compare=False,
                                                 repr=False)

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> TrajectoryPosition:
        """Read this element (``ELEMENT``); ScenarioError on bad input (negative s, no
        trajectory, unknown shape; see :func:`read_trajectory`)."""
        a = ctx.src.attr
        return cls(read_trajectory(el, ctx), a(el, "s", non_negative), a(el, "t", float, 0.0),
                   Orientation.parse(el, ctx), _origin(el, ctx))

    def resolve(self, rt: Runtime) -> Placement:
        """Where this position is now (pose and the nearest lane position, if any).

        Raises:
            ScenarioError: ``s`` beyond the end of an open trajectory, or a degenerate shape
                (naming this element's file and line).
        """
        try:
            path = self.trajectory.freeze(rt)
        except ValueError as exc:
            raise _error(self.where, self.ELEMENT,
                         f"trajectory '{self.trajectory.name}': {exc}") from None
        s = self.s
        if self.trajectory.closed and path.length > 0:
            s %= path.length
        elif s > path.length + SMALL:
            raise _error(self.where, self.ELEMENT,
                         f"s={s:g} m is beyond the end of trajectory "
                         f"'{self.trajectory.name}' ({path.length:.3f} m long)")
        p = path.pose_at(s)
        pose = Pose(p.x - self.t * math.sin(p.h), p.y + self.t * math.cos(p.h), p.z, p.h,
                    p.p, p.r)
        return _snap(rt, _orient(pose, self.orientation))


POSITIONS = Registry(
    "position",
    (WorldPosition, LanePosition, RoadPosition, RelativeLanePosition, RelativeRoadPosition,
     RelativeObjectPosition, RelativeWorldPosition, RoutePosition, GeoPosition,
     TrajectoryPosition),
)
"""Position elements by name."""
