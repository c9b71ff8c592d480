"""Motion of scenario-controlled entities along lanes (esmini's "default controller").

Each step an entity advances ``speed * dt`` along its reference lane (``net.advance``), keeps
the lateral offset its lateral action last set, and gets its pose from ``net.lane_to_world``.
Its heading is the lane's driving direction turned by the slope of the lateral motion
(``atan(d offset / ds)``), as esmini's LaneChange/LaneOffset actions set it. Entities off the
road network move straight along their heading.

Lane ids step over the centre lane 0: the neighbour of lane -1 towards +t is lane 1.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

from testzone.world import EntityKind, LaneCoord, Pose, wrap_angle

from scenarios.runtime import Mover


DRIVING_LANE_TYPES = frozenset({"driving", "entry", "exit", "onRamp", "offRamp",
                                "connectingRamp", "bidirectional", "slipLane"})
"""Lane types a vehicle's reported lane may be (esmini snaps vehicles to these)."""

WALKING_LANE_TYPES = DRIVING_LANE_TYPES | {"sidewalk", "biking", "shoulder", "stop", "parking"}
"""Lane types a pedestrian's reported lane may be (esmini reports sidewalks, not borders)."""


def lane_type(net, road_id: str, lane_id: int, s: float) -> str:
    """OpenDRIVE lane type (``net.lane_type``; ``driving`` when the network cannot tell)."""
    fn = getattr(net, "lane_type", None)
    return fn(road_id, lane_id, s) if fn is not None else "driving"


def neighbour(net, road_id: str, s: float, lane_id: int, direction: int,
              types: frozenset[str] | None = None) -> int | None:
    """Return the lane next to ``lane_id`` towards +t (direction=+1) or -t (-1), or None.

    Lane 0 (the centre lane, width 0) is skipped. With ``types``, a neighbour of another
    lane type counts as absent.
    """
    nxt = lane_id + direction
    if nxt == 0:
        nxt += direction
    if nxt not in net.lane_ids(road_id, s):
        return None
    if types is not None and lane_type(net, road_id, nxt, s) not in types:
        return None
    return nxt


def center_shift(net, road_id: str, s: float, from_lane: int, to_lane: int) -> float:
    """Return ``t_centre(to_lane) - t_centre(from_lane)`` [m] at ``s`` on one road.

    Adjacent lane centres are half the sum of their widths apart.

    Raises:
        KeyError: a lane between the two does not exist at ``s``.
    """
    direction = 1 if to_lane > from_lane else -1
    shift, lane = 0.0, from_lane
    while lane != to_lane:
        nxt = neighbour(net, road_id, s, lane, direction)
        if nxt is None:
            raise KeyError(to_lane)
        shift += direction * 0.5 * (net.lane_width(road_id, lane, s)
                                     + net.lane_width(road_id, nxt, s))
        lane = nxt
    return shift


def lane_center_t(net, road_id: str, lane_id: int, s: float) -> float:
    """Lateral position of a lane centre [m], or NaN when the network cannot tell.

    Uses ``net.roads[road_id].lane_center_t`` (maps' Road API); see docs/scenarios.md.
    """
    road = getattr(net, "roads", {}).get(road_id)
    fn = getattr(road, "lane_center_t", None)
    return float(fn(lane_id, s)) if fn is not None else math.nan


def occupied(net, coord: LaneCoord,
             types: frozenset[str] | None = DRIVING_LANE_TYPES) -> LaneCoord:
    """Return the lane occupied by the point ``coord`` (a lane centre + offset).

    The offset is carried over lane borders (half lane widths) into neighbouring lanes of
    ``types`` (driving lanes by default, as esmini reports vehicles; None: any lane); beyond
    the last such lane the offset just grows. The result's offset is from the centre of the
    occupied lane and its ``t`` is the road-frame lateral position.
    """
    lane, off = coord.lane_id, coord.offset
    while True:
        half = 0.5 * net.lane_width(coord.road_id, lane, coord.s)
        direction = 1 if off > half else (-1 if off < -half else 0)
        if direction == 0:
            break
        nxt = neighbour(net, coord.road_id, coord.s, lane, direction, types)
        if nxt is None:
            break
        off -= direction * 0.5 * (2 * half + net.lane_width(coord.road_id, nxt, coord.s))
        lane = nxt
    t = lane_center_t(net, coord.road_id, lane, coord.s) + off
    return LaneCoord(coord.road_id, lane, coord.s, t, off)


def is_offroad(net, coord: LaneCoord | None) -> bool:
    """True when a point is off the road: no lane, beyond the outer border of the outermost
    lane, or on a lane of type ``none`` (esmini counts border lanes as road)."""
    if coord is None:
        return True
    lane = occupied(net, coord, None)
    half = 0.5 * net.lane_width(lane.road_id, lane.lane_id, lane.s)
    return abs(lane.offset) > half + 1e-9 or \
        lane_type(net, lane.road_id, lane.lane_id, lane.s) == "none"


def driving_sign(net, road_id: str, lane_id: int) -> int:
    """+1 when a lane's traffic runs along +s, else -1 (maps' ``Road.driving_sign``, which
    honours ``rule="LHT"``; right-hand traffic when the network cannot tell)."""
    road = getattr(net, "roads", {}).get(road_id)
    fn = getattr(road, "driving_sign", None)
    return int(fn(lane_id)) if fn is not None else (1 if lane_id < 0 else -1)


def s_direction(net, m: Mover) -> int:
    """Direction of travel along s (+1 / -1) of an entity on a lane."""
    assert m.coord is not None
    sign = driving_sign(net, m.coord.road_id, m.coord.lane_id)
    return -sign if m.reverse else sign


def place(net, m: Mover) -> None:
    """Recompute ``m.pose`` and ``m.lane`` from ``m.coord``, ``m.reverse`` and ``m.lat_rate``.

    Heading: the lane's driving direction (turned by pi when the entity travels against it),
    plus ``atan(lat_rate)`` towards +t when travelling along +s (minus against).
    """
    if m.coord is None:
        return
    c = m.coord
    pose = net.lane_to_world(c.road_id, c.lane_id, c.s, c.offset)
    dh = math.atan(m.lat_rate) * s_direction(net, m) + (math.pi if m.reverse else 0.0)
    m.pose = Pose(pose.x, pose.y, pose.z, wrap_angle(pose.h + dh), pose.p, pose.r)
    walker = m.defn.kind == EntityKind.PEDESTRIAN
    m.lane = occupied(net, c, WALKING_LANE_TYPES if walker else DRIVING_LANE_TYPES)


def junction_choice(m: Mover) -> Callable[[list[LaneCoord]], LaneCoord] | None:
    """The ``choose`` callback ``net.advance`` gets for ``m`` at junctions: an active
    controller's own (``choose`` method: FollowRouteController follows its lane path), else
    the route's (``m.route.choose``), else None (the straightest continuation)."""
    own = getattr(m.controller, "choose", None) if m.control_domains else None
    if own is not None:
        return own
    return m.route.choose if m.route is not None else None


ZERO_WIDTH = 1e-10
"""Lane width [m] below which a lane counts as vanished (esmini's SMALL_NUMBER)."""


def leave_vanished_lane(net, m: Mover) -> None:
    """Move ``m`` off a reference lane that is (or became) zero wide at its s: into the
    nearest lane of its kind's types (driving lanes; pedestrians: walking lanes) with a width,
    nearest to the point the entity is at (lane centre + offset; a tie goes to the lane
    towards the reference line), with offset 0.

    As esmini's ``Position::MoveAlongS`` ("Lane ... is or became zero width, moved to closest
    available lane"): follow_route_controller_test_medium, where lane -2 of road 209 narrows
    to nothing at s = 59 m under a lane change, jumps to lane -1 at esmini's step.
    """
    c = m.coord
    if c is None or net.lane_width(c.road_id, c.lane_id, c.s) >= ZERO_WIDTH:
        return
    t = lane_center_t(net, c.road_id, c.lane_id, c.s) + c.offset
    if math.isnan(t):
        return
    types = WALKING_LANE_TYPES if m.defn.kind == EntityKind.PEDESTRIAN else DRIVING_LANE_TYPES
    inward = 1 if c.lane_id < 0 else -1
    best: tuple[float, int] | None = None
    for direction in (inward, -inward):
        lane = neighbour(net, c.road_id, c.s, c.lane_id, direction)
        while lane is not None:
            width = net.lane_width(c.road_id, lane, c.s)
            if width >= ZERO_WIDTH and lane_type(net, c.road_id, lane, c.s) in types:
                gap = max(0.0, abs(t - lane_center_t(net, c.road_id, lane, c.s)) - width / 2)
                if best is None or gap < best[0]:
                    best = (gap, lane)
                break
            lane = neighbour(net, c.road_id, c.s, lane, direction)
    if best is not None:
        m.coord = replace(c, lane_id=best[1], offset=0.0)


def at_dead_end(net, coord: LaneCoord, direction: int) -> bool:
    """True when ``coord`` stands at the end of its road in travel direction ``direction``
    (+1 along s, -1 against) and its lane leads nowhere from there (no road link, no junction
    connection): esmini's ``ERROR_END_OF_ROAD``, on which its default controller sets the
    entity's speed to 0. False when the network cannot tell."""
    road = getattr(net, "roads", {}).get(coord.road_id)
    if road is None or \
            direction > 0 and coord.s < road.length - 1e-9 or direction < 0 and coord.s > 1e-9:
        return False
    exits = getattr(getattr(net, "graph", None), "exits", None)
    if exits is None:
        return False
    try:
        return not exits(road.id, "end" if direction > 0 else "start", coord.lane_id)
    except KeyError:
        return False


def drive(net, m: Mover, dt: float) -> bool:
    """Advance a scenario-controlled entity by one step of ``dt`` [s] at its current speed.

    An entity keeps its direction of travel along the road: after a lane change across the
    reference line it drives on against the new lane's direction (``m.reverse``), as esmini's
    default controller does.

    The entity covers ``speed * dt`` along its lane (``net.advance`` measures it along the
    entity's own offset path). During a lane change (which fixed ``m.move_speed``) the step is
    taken along the heading, so the part along the lane is times ``cos(atan(lat_rate))``
    (esmini moves the entity inside LaneChangeAction with ``Position::DistanceToDS``).
    The offset keeps its physical side: where two roads meet end-to-end or start-to-start the
    t axis turns round, and so does the direction of travel along s (and the offset's sign).
    Updates coord, pose, lane and odometer (the straight distance between successive
    positions, as esmini counts it). Off-road entities move along their heading; a
    standing entity keeps its pose (esmini does not move it); an entity an action already
    moved (``m.held``) is left alone; :func:`junction_choice` picks the way at junctions; a
    reference lane that narrowed to nothing is left (:func:`leave_vanished_lane`); an entity
    that stands at a dead end (:func:`at_dead_end`) stops: its speed becomes 0 (esmini).

    Returns:
        True when this step stopped the entity at a dead end, else False.
    """
    if m.held:
        m.held = False
        return False
    lane_change = m.move_speed is not None
    ds = (m.speed if m.move_speed is None else m.move_speed) * dt
    m.move_speed = None
    if ds == 0.0:
        return False
    before = m.pose
    if m.coord is None:
        p = m.pose
        m.pose = Pose(p.x + ds * math.cos(p.h), p.y + ds * math.sin(p.h), p.z, p.h, p.p, p.r)
    else:
        along = ds * math.cos(math.atan(m.lat_rate)) if lane_change else ds
        old = m.coord
        if at_dead_end(net, old, s_direction(net, m) * (1 if along >= 0 else -1)):
            m.speed = 0.0
            return True
        moved = net.advance(old, -along if m.reverse else along, junction_choice(m))
        turned = driving_sign(net, moved.road_id, moved.lane_id) != \
            driving_sign(net, old.road_id, old.lane_id)
        m.coord = LaneCoord(moved.road_id, moved.lane_id, moved.s, moved.t,
                            -old.offset if turned else old.offset)
        leave_vanished_lane(net, m)
        place(net, m)
    m.odometer += math.hypot(m.pose.x - before.x, m.pose.y - before.y)
    return False

