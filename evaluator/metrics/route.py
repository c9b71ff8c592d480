"""Route keeping: the ego leaving the route the scenario gave it.

The runner records a ``goal`` event when an AssignRouteAction or AcquirePositionAction gives
the ego a destination (``runners.case`` ``note_goal``), with the roads the route was planned
along on the map (``roads``: road ids, junction connecting roads included; ``maps.RoadNetwork
.route``). From that event until the ego comes within the goal's tolerance of it (on the route's last
road, in the route's order, leaving that road short of the goal (where it was last seen on
it, along the way from where it entered towards the goal), or turning back onto the road
before, counts: a goal in the next lane, or passed onto a road beyond, is no departure; a
route on one road is never judged: it has no road to leave it by; a later goal replaces
it), a frame is off the route when the ego's road is outside every junction
and is not, in the route's order, the road it is on, the one before it, or the next one:
it turned the wrong way at a junction, never took the route, turned back (on the road
before for more than :data:`LOOKUP_SLACK_M`), or cut a loop of it short (a
route that starts and ends on the same road, or passes a road twice, is kept to in order;
hostile pass 13). Planned roads outside junctions shorter than the ego moved since its last
judged frame may be skipped (a short road crossed between two frames). Inside a junction
the connecting road is not judged (overlapping connecting roads make a lane lookup flicker
between them); the road the ego comes out on is.

Leaving the assigned route is an infraction as in CARLA ScenarioRunner's ``InRouteTest`` and
the CARLA Leaderboard's "route deviation"; a route is a test's instruction (OpenSCENARIO
``AssignRouteAction``). Without a planned route, or without a road network, the metric is
skipped (its statistics None).
"""

from __future__ import annotations

import math

import numpy as np

from testzone.errors import TestzoneError
from testzone.recording import Event, Recording

from evaluator.extract import EgoTrack, ego_track, junction_pass_lanes, lanes_along, road_junction
from evaluator.interfaces import RoadNetworkView
from evaluator.metrics.progress import goal_windows
from evaluator.results import UNIT_COUNT, MetricResult, Statistic, violations_from_mask


def _bridge_unjudged(off: np.ndarray, judged: np.ndarray) -> None:
    """Mark off the route, in place, the frames not judged (in a junction, off the map)
    between two frames off it: one wrong way through a junction is one departure, not one
    per road the lane lookup names (hostile pass 13c)."""
    last_off = None
    for k in range(len(off)):
        if judged[k]:
            if off[k] and last_off is not None and not judged[last_off + 1:k].any():
                off[last_off + 1:k] = True
            last_off = k if off[k] else None


def _goal_s(net: RoadNetworkView, x: float, y: float, road_id: str) -> float | None:
    """The goal's s [m] on the route's last road (``net.world_to_lane``), None when the map
    places it elsewhere or cannot place it (then leaving that road is not judged)."""
    try:
        coord = net.world_to_lane(x, y)
    except TestzoneError:
        return None
    return coord.s if coord is not None and coord.road_id == road_id else None


def _outside_junction(road) -> bool:
    """True for a road of the map outside every junction (:func:`road_junction` None)."""
    return road is not None and road_junction(road) is None


LOOKUP_SLACK_M = 10.0
"""How far [m] the ego may drive on the route's road before the one it has reached and still
be on the route (a lane lookup naming the previous road at a road's end); farther, it has
turned back (hostile pass 13b: a U-turn back along the route passed)."""
SKIPPABLE_MARGIN_M = 1.0
"""Slack [m] on the distance moved within which a planned road may be skipped unseen."""


def _next_on_route(plain: list[tuple[str, float]], at: int, road_id: str,
                   moved: float) -> int | None:
    """The index in ``plain`` (the route's roads outside junctions, in order, with their
    lengths [m]) of the ego's road ``road_id`` when it keeps to the route from index ``at``
    (-1: none reached yet): the same road, the one before (a lane lookup at a road's end),
    or a later one when the planned roads skipped to reach it are together shorter than
    the distance ``moved`` [m] since the last judged frame (plus
    :data:`SKIPPABLE_MARGIN_M`). None when it is off the route."""
    if at >= 0 and plain[at][0] == road_id:
        return at
    if at >= 1 and plain[at - 1][0] == road_id:
        return at
    skipped = 0.0
    for j in range(at + 1, len(plain)):
        if plain[j][0] == road_id:
            return j
        skipped += plain[j][1]
        if skipped > moved + SKIPPABLE_MARGIN_M:
            return None
    return None


class RouteMetric:
    """Departures of the ego from its planned route.

    Statistics: ``route_departure_count`` (intervals off the route; None without a planned
    route or a map), ``route_departed_at_s`` (the first such frame's time [s]; None when
    it never left or without a route). Violations: ``route_departure`` intervals. Events:
    ``{"t", "road_id", "route"}`` for each departure's first frame.
    """

    name = "route"
    category = "rules"

    def compute(self, recording: Recording, net: RoadNetworkView | None = None) -> MetricResult:
        """Compare the ego's road with the planned route's roads, frame by frame."""
        stats = {"route_departure_count": Statistic("route_departure_count", UNIT_COUNT, None),
                 "route_departed_at_s": Statistic("route_departed_at_s", "s", None)}
        goals = [ev for ev in recording.events_of("goal") if ev.data.get("roads")]
        roads = getattr(net, "roads", None)
        if not goals:        # nothing to keep to: not applicable, not a skipped measurement
            return MetricResult(self.name, self.category, stats)
        if roads is None:
            return MetricResult(self.name, self.category, stats, skipped="no road network")
        tr = ego_track(recording)
        lanes = junction_pass_lanes(lanes_along(tr, net), net)
        off = np.zeros(len(tr), dtype=bool)
        judged = np.zeros(len(tr), dtype=bool)   # frames on a road outside junctions
        for ev, until, *goal in goal_windows(goals):
            _judge_goal(tr, lanes, net, ev, until, tuple(goal), off, judged)
        _bridge_unjudged(off, judged)
        times = tr.t.tolist()
        viol = violations_from_mask("route_departure", times, off.tolist(),
                                    [1.0] * len(times), "flag")
        events = tuple({"t": v.start, "road_id": lanes[times.index(v.start)].road_id,
                        "route": [str(r) for r in next(g for g in reversed(goals)
                                                       if g.t <= v.start).data["roads"]]}
                       for v in viol)
        stats["route_departure_count"] = Statistic("route_departure_count", UNIT_COUNT,
                                                   float(len(viol)))
        stats["route_departed_at_s"] = Statistic("route_departed_at_s", "s",
                                                 viol[0].start if viol else None)
        return MetricResult(self.name, self.category, stats, violations=tuple(viol),
                            events=events)


def _judge_goal(tr: EgoTrack, lanes: list, net: RoadNetworkView, ev: Event, until: float,
                goal: tuple[float, float, float], off: np.ndarray, judged: np.ndarray) -> None:
    """Mark in ``off`` the frames of goal event ``ev``'s window (to ``until`` [s]) where the
    ego is off its route, and in ``judged`` those on a road outside junctions (both (N,)
    bool arrays over the ego track ``tr``; ``lanes`` its lane per frame); ``goal`` is the
    goal's (x, y, tolerance) [m] (:func:`~evaluator.metrics.progress.goal_windows`). The
    route is walked road by road in order (:func:`_next_on_route`): a road off it, a return
    to the road before for longer than a lookup, or leaving the last road short of the goal
    is a departure; the goal reached ends the walk."""
    roads = net.roads
    gx, gy, tol = goal
    order = [str(r) for r in ev.data["roads"]]
    if len(set(order)) < 2:
        return               # one road: nothing to take a wrong turn at
    # the planned roads outside junctions, in order: (road id, length [m])
    plain = [(r, float(getattr(roads.get(r), "length", 0.0))) for r in order
             if _outside_junction(roads.get(r))]
    last_plain = bool(plain) and _outside_junction(roads.get(order[-1]))
    goal_s = _goal_s(net, gx, gy, order[-1])
    way, last_s = None, None          # the route's way along the last road (from
    #                                   where it entered towards the goal); the s
    #                                   it was last seen at on that road
    at, moved, prev = -1, 0.0, None   # index in plain reached; distance since
    for k in np.nonzero((tr.t >= ev.t) & (tr.t < until))[0]:
        if prev is not None:
            moved += math.hypot(tr.x[k] - tr.x[prev], tr.y[k] - tr.y[prev])
        prev = k
        lane = lanes[k]
        if math.hypot(tr.x[k] - gx, tr.y[k] - gy) <= tol:
            break            # at the goal: the route is done there
        road = roads.get(lane.road_id) if lane is not None else None
        if not last_plain and lane is not None and lane.road_id == order[-1]:
            break            # a goal inside a junction: on its road
        if road is None or not _outside_junction(road):
            continue
        judged[k] = True
        on_last = last_plain and at == len(plain) - 1
        if on_last and lane.road_id == plain[at][0]:
            if goal_s is not None and way is None:
                way = 1.0 if goal_s >= lane.s else -1.0
            last_s = lane.s
        if on_last and lane.road_id != plain[at][0] and (at == 0 or lane.road_id
                                                         != plain[at - 1][0]):
            beyond = goal_s is None or way is None or last_s is None or \
                (last_s - goal_s) * way >= 0.0
            if beyond:
                continue     # left the last road past the goal: no departure
            off[k] = True    # left it short of the goal (turned round, or aside)
            continue
        step = _next_on_route(plain, at, lane.road_id, moved)
        if step is None or (step == at and plain[at][0] != lane.road_id
                            and moved > LOOKUP_SLACK_M):
            off[k] = True    # off the route, or back on the road before for longer
            continue         # than a lookup at a road's end (a U-turn back)
        if plain[step][0] == lane.road_id:
            at, moved = step, 0.0   # on the last road the route is kept: done but
        #                             for turning back to the road before it
