"""Standing still with nothing to stop for.

An ego that stops and stays stopped collides with nothing, runs no red light and keeps every
comfort bound: without a progress check it passes almost any case. CARLA ScenarioRunner's
``ActorBlockedTest`` fails an actor slower than a minimum speed for longer than a maximum time;
a test-zone case of 20-60 s needs the same idea with a shorter time and with the stops a
careful driver makes left out. A frame counts here when the ego is slower than
:data:`STANDSTILL_SPEED_MPS` and has no cause to stand:

* no other road user (vehicle, pedestrian, object, visible or not) whose centre lies ahead of
  the ego's reference point and within :data:`CAUSE_RANGE_M` of its front bumper (a lead, a
  queue, a pedestrian about to cross, cross traffic at a junction) that is in the ego's way:
  its box within :data:`PATH_MARGIN_M` of the ego's lane (the map's ``lane_polygon``: on a
  bend a car standing in the oncoming lane is no reason to stand, one in the ego's own lane
  is; hostile pass 13) or, without that lane or for a road user off the ego's road, of the
  strip the ego's box sweeps straight ahead (a barrier in the next lane is no reason to
  stand either); a moving vehicle there counts unless it goes the ego's way beside it
  (oncoming traffic a left turn waits for, cross traffic do; a car crawling in the next
  lane does not), a pedestrian or cyclist only in the way or heading into it (walking
  along the pavement is no reason to stand; hostile pass 13), and
* no vehicle light governing the ego's lane within :data:`CAUSE_RANGE_M` ahead of its front
  (or up to :data:`LINE_OVERRUN_M` past it) showing anything but green (the signal's s stands
  for its stop line, as in :mod:`evaluator.metrics.red_light`), and
* the ego's lane does not end (a dead end: no successor) within :data:`CAUSE_RANGE_M` ahead
  of its front (the map's ``advance``: a car that stops before the end of the road stands
  for the road, not for no reason; hostile pass 13), and
* the ego has not reached the destination its route was given (a ``goal`` event, within
  its tolerance: standing there is what it was sent to do).

Without a road network only the first cause is looked for. Waiting for a road user farther
than 30 m counts: the check found the reference ``idm-v2x`` agent standing 6-8 s at the
Wuhan roundabout entry for a car 30-47 m away on the far side of the ring, which its path
model placed behind it (fixed in ``runners.agents.path_ahead.PathAhead.locate``).
"""

from __future__ import annotations

import math

import shapely

from maps.model import NON_VEHICLE_LIGHT_TYPES
from testzone.errors import TestzoneError
from testzone.lead import extent_along
from testzone.recording import Recording
from testzone.world import (EntityKind, EntityState, LaneCoord, SignalColor, WorldState,
                            along_left)

from evaluator.extract import ego_track, front_point, front_reach, lanes_along, map_query
from evaluator.interfaces import RoadNetworkView
from evaluator.metrics.progress import goal_windows
from evaluator.metrics.red_light import lights_ahead, lights_by_road
from evaluator.results import MetricResult, Statistic, masked_time, violations_from_mask

STANDSTILL_SPEED_MPS = 0.5
"""Below this speed [m/s] the ego stands (CARLA's ActorBlockedTest uses 0.1-0.5 m/s)."""
CAUSE_RANGE_M = 30.0
"""How far ahead of the front bumper [m] a road user or a light explains a stop."""
LINE_OVERRUN_M = 2.0
"""A light still explains a stop when the front is this far [m] past its stop line."""


class StandstillMetric:
    """Time the ego stood still without a cause (module docstring).

    Statistics: ``standstill_without_cause_s`` [s] (0 when it never did), and
    ``standstill_time_s`` [s], all time below :data:`STANDSTILL_SPEED_MPS`. Violations:
    ``standstill`` intervals without a cause.
    """

    name = "standstill"
    category = "progress"

    def __init__(self, ignored_types: frozenset[str] = NON_VEHICLE_LIGHT_TYPES) -> None:
        self.ignored_types = ignored_types

    def compute(self, recording: Recording, net: RoadNetworkView | None = None) -> MetricResult:
        """Mark each standing frame as explained or not and add up the unexplained time."""
        tr = ego_track(recording)
        frames = [f for f in recording.frames if tr.name in f.entities]
        lanes = lanes_along(tr, net) if net is not None else [None] * len(tr)
        lights = lights_by_road(net, self.ignored_types)
        standing = [float(v) < STANDSTILL_SPEED_MPS for v in tr.speed]
        lane_polygon = map_query(net, "lane_polygon")
        advance = map_query(net, "advance")
        arrived = _at_goal(recording, tr)
        unexplained = [
            stand and not (arrived[k] or _someone_ahead(frame, st, lane, lane_polygon)
                           or _light_ahead(frame, st, lane, lights, net)
                           or _dead_end_ahead(advance, st, lane))
            for k, (stand, frame, st, lane) in enumerate(zip(standing, frames, tr.states,
                                                             lanes))]
        times = tr.t.tolist()
        stats = {
            "standstill_without_cause_s": Statistic(
                "standstill_without_cause_s", "s", masked_time(times, unexplained)),
            "standstill_time_s": Statistic("standstill_time_s", "s",
                                           masked_time(times, standing)),
        }
        violations = violations_from_mask("standstill", times, unexplained,
                                          tr.speed.tolist(), "m/s", worst="min")
        return MetricResult(self.name, self.category, stats, violations=tuple(violations))


def _lane_area(lane_polygon, lane: LaneCoord | None):
    """The map's polygon of the ego's lane (``lane_polygon``, which the network caches), or
    None without the query, a lane or a polygon the map can give."""
    if lane_polygon is None or lane is None:
        return None
    try:
        return lane_polygon(lane.road_id, lane.lane_id)
    except TestzoneError:
        return None


def _someone_ahead(frame: WorldState, ego: EntityState, lane: LaneCoord | None = None,
                   lane_polygon=None) -> bool:
    """Another entity's centre ahead of the ego's reference point and within
    :data:`CAUSE_RANGE_M` of its front bumper, in the ego's way (within reach of the ego's
    ``lane`` as the map's ``lane_polygon`` draws it, else :func:`_in_path`; or a moving
    vehicle not beside it going its way, or a pedestrian or cyclist heading into the way:
    :func:`_heading_in`)."""
    h = ego.pose.h
    fx, fy = front_point(ego)
    area = _lane_area(lane_polygon, lane)
    for name, other in frame.entities.items():
        if name == ego.name:
            continue
        if along_left(ego.pose.x, ego.pose.y, h, other.pose.x, other.pose.y)[0] <= 0.0:
            continue
        if math.hypot(other.pose.x - fx, other.pose.y - fy) > CAUSE_RANGE_M:
            continue
        on_road = (area is not None and other.lane is not None
                   and other.lane.road_id == lane.road_id)
        if on_road:
            box = shapely.Polygon(other.box.corners(other.pose))
            in_way = box.distance(area) <= PATH_MARGIN_M
        else:
            in_way = _in_path(ego, other)
        if in_way:
            return True
        if abs(other.speed) >= STANDSTILL_SPEED_MPS and (
                _heading_in(ego, other) or (
                    other.kind not in (EntityKind.PEDESTRIAN, EntityKind.CYCLIST)
                    and not _alongside(ego, other))):
            return True
    return False


def _alongside(ego: EntityState, other: EntityState) -> bool:
    """Whether ``other`` goes the ego's way (heading within 30 deg of the ego's): traffic in
    the next lane, which is no reason to stand (verify pass 13: a car crawling in the next
    lane excused a 40 s stall); oncoming and crossing traffic are (a left turn waits for
    them)."""
    return math.cos(other.pose.h - ego.pose.h) > math.cos(math.radians(30.0))


CLOSING_MPS = 0.3
"""Speed [m/s] across the ego's heading, towards its path, from which a pedestrian or cyclist
beside it is heading into its way."""


def _heading_in(ego: EntityState, other: EntityState) -> bool:
    """Whether ``other`` moves across the ego's heading towards the ego's centre line at
    :data:`CLOSING_MPS` or more (about to cross in front of it)."""
    h = ego.pose.h
    lateral = along_left(ego.pose.x, ego.pose.y, h, other.pose.x, other.pose.y)[1]
    across = other.speed * math.sin(other.pose.h - h)
    return lateral * across < 0.0 and abs(across) >= CLOSING_MPS


PATH_MARGIN_M = 0.5
"""Room [m] beside the ego's box within which a standing road user or object still blocks its
way (:func:`_in_path`)."""


def _in_path(ego: EntityState, other: EntityState) -> bool:
    """Whether ``other``'s box reaches within :data:`PATH_MARGIN_M` of the strip the ego's box
    sweeps straight ahead (its box centre's offset across the ego's heading against both
    half extents across it)."""
    (ex, ey), (ox, oy) = ego.box.centre(ego.pose), other.box.centre(other.pose)
    h = ego.pose.h
    lateral = abs(along_left(ex, ey, h, ox, oy)[1])
    across = extent_along(other, h + math.pi / 2)
    return lateral < ego.box.width / 2 + across + PATH_MARGIN_M


def _at_goal(recording: Recording, tr) -> list[bool]:
    """Per frame of ``tr``, whether the ego has reached the destination it was given (a
    ``goal`` event: within its tolerance of the goal point, from the first such frame until
    the next goal): standing there is what it was sent to do (hostile pass 13c: esmini's
    follow_route_controller_test_medium stood 469 s at its goal and failed no_stall)."""
    out = [False] * len(tr.t)
    for ev, until, gx, gy, tol in goal_windows(list(recording.events_of("goal"))):
        reached = False
        for k, t in enumerate(tr.t):
            if ev.t <= t < until:
                reached = reached or math.hypot(tr.x[k] - gx, tr.y[k] - gy) <= tol
                out[k] = out[k] or reached
    return out


def _dead_end_ahead(advance, ego: EntityState, lane: LaneCoord | None) -> bool:
    """Whether the ego's lane ends with nothing after it within :data:`CAUSE_RANGE_M` of its
    front: moved that far along the lane (``advance``, the map's traversal), one metre more
    gets nowhere."""
    if advance is None or lane is None:
        return False
    try:
        end = advance(lane, front_reach(ego) + CAUSE_RANGE_M)
        more = advance(end, 1.0)
    except TestzoneError:
        return False
    return (more.road_id, more.lane_id) == (end.road_id, end.lane_id) and \
        abs(more.s - end.s) < 1e-6


def _light_ahead(frame: WorldState, ego: EntityState, lane: LaneCoord | None,
                 lights: dict[str, list], net: RoadNetworkView | None) -> bool:
    """A vehicle light for the ego's lane within reach ahead that is not green."""
    for sig, ahead in lights_ahead(lights, ego, lane, net):
        if -LINE_OVERRUN_M <= ahead <= CAUSE_RANGE_M:
            state = frame.signals.get(str(sig.id))
            if state is None or state.color != SignalColor.GREEN:
                return True
    return False

