"""Route keeping: the ego leaving the route the scenario gave it.

The runner records a ``goal`` event when an AssignRouteAction or AcquirePositionAction gives
the ego a destination (``runners.case`` ``note_goal``), with the roads the route was planned
along on the map (``roads``: road ids, junction connecting roads included; ``maps.RoadNetwork
.route``). From that event until the ego comes within the goal's tolerance of it or onto the
route's last road (a goal in the next lane, or passed, is no departure after it; a route
on one road, where the planner may not have seen a U-turn, is never judged; a later goal
replaces it), a frame is off the route when the ego's road is outside every junction and
not among the planned roads: it turned the wrong way at a junction, or never took the route.
Inside a junction the connecting road is not judged (overlapping connecting roads make a
lane lookup flicker between them); the road the ego comes out on is.

Leaving the assigned route is an infraction as in CARLA ScenarioRunner's ``InRouteTest`` and
the CARLA Leaderboard's "route deviation"; a route is a test's instruction (OpenSCENARIO
``AssignRouteAction``). Without a planned route, or without a road network, the metric is
skipped (its statistics None).
"""

from __future__ import annotations

import math

import numpy as np

from testzone.recording import Recording

from evaluator.extract import ego_track, junction_pass_lanes, lanes_along
from evaluator.interfaces import RoadNetworkView
from evaluator.metrics.progress import GOAL_TOLERANCE_M
from evaluator.results import UNIT_COUNT, MetricResult, Statistic, violations_from_mask


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
        for n, ev in enumerate(goals):
            planned = {str(r) for r in ev.data["roads"]}
            last = str(ev.data["roads"][-1])
            until = goals[n + 1].t if n + 1 < len(goals) else math.inf
            gx, gy = float(ev.data.get("x", math.nan)), float(ev.data.get("y", math.nan))
            tol = float(ev.data.get("tolerance_m", GOAL_TOLERANCE_M))
            for k in np.nonzero((tr.t >= ev.t) & (tr.t < until))[0]:
                lane = lanes[k]
                if math.hypot(tr.x[k] - gx, tr.y[k] - gy) <= tol or (
                        lane is not None and lane.road_id == last):
                    break            # at the goal, or on its road: the route is done there
                road = roads.get(lane.road_id) if lane is not None else None
                if road is not None and getattr(road, "junction", "-1") in ("-1", "", None) \
                        and lane.road_id not in planned:
                    off[k] = True
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
