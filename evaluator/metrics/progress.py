"""Progress of the ego: distance travelled and average speed.

Distance is the length of the polyline through the ego's recorded positions (reference point);
average speed is that distance over the time the ego was recorded (nuPlan ``ego_progress`` uses
progress along the expert route; with no expert here the travelled path length stands in).

Route completion and time to goal when the recording gives a goal (after CARLA Leaderboard's
"route completion", the share of the route driven): the goal is the last ``"goal"`` event
(``{"x", "y"[, "tolerance_m"]}`` [m]) or, failing that, the last ``"ego_request"`` event of an
``AcquirePositionAction`` / ``AssignRouteAction`` whose spec holds a position: a world
position (``{"x", "y"}``) or, with a road network, a lane position (``{"road_id", "lane_id",
"s"[, "offset"]}`` through ``net.lane_to_world``) or a road position (``{"road_id", "s", "t"}``
through ``net.road_to_world``); the last one found in the spec (a route's final waypoint). Completion = 1 - (closest approach to the goal) /
(distance from the start to the goal), clipped to [0, 1], and 1 once the ego's reference point
came within the tolerance (default 2 m). It is a straight-line measure: a detour does not
count against it. Time to goal: from the goal's event time to the first frame within the
tolerance [s]; inf when never reached.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from testzone.errors import TestzoneError
from testzone.recording import Recording

from evaluator.extract import ego_track, moved_plausibly
from evaluator.interfaces import RoadNetworkView
from evaluator.results import UNIT_BOOL, MetricResult, Statistic, TimeSeries

#: Default distance [m] within which the ego has reached its goal.
GOAL_TOLERANCE_M = 2.0
#: OpenSCENARIO actions whose target position is a goal for the ego.
GOAL_ACTIONS = ("AcquirePositionAction", "AssignRouteAction")


def _position_xy(d: dict, net: Any) -> tuple[float, float] | None:
    """(x, y) [m] of one position dict: world coordinates, or a lane / road position placed
    with ``net`` (None when neither applies or the map cannot place it)."""
    if isinstance(d.get("x"), (int, float)) and isinstance(d.get("y"), (int, float)):
        return float(d["x"]), float(d["y"])
    if net is None or "road_id" not in d or not isinstance(d.get("s"), (int, float)):
        return None
    try:
        if isinstance(d.get("lane_id"), int) and hasattr(net, "lane_to_world"):
            p = net.lane_to_world(str(d["road_id"]), d["lane_id"], float(d["s"]),
                                  float(d.get("offset") or 0.0))
        elif isinstance(d.get("t"), (int, float)) and hasattr(net, "road_to_world"):
            p = net.road_to_world(str(d["road_id"]), float(d["s"]), float(d["t"]))
        else:
            return None
    except TestzoneError:
        return None
    return float(p.x), float(p.y)


def _last_xy(obj: Any, net: Any = None) -> tuple[float, float] | None:
    """The last position found depth-first in a spec (dicts and lists)."""
    found = None
    if isinstance(obj, dict):
        found = _position_xy(obj, net)
        for v in obj.values():
            found = _last_xy(v, net) or found
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            found = _last_xy(v, net) or found
    return found


def goal_windows(goals: list) -> list[tuple[Any, float, float, float, float]]:
    """``(event, until [s], x [m], y [m], tolerance [m])`` of each ``goal`` event of ``goals``
    (in time order): it holds from its time until the next one's (inf for the last); x, y
    NaN when it has no goal point (never reached), tolerance :data:`GOAL_TOLERANCE_M` unless
    it gives its own."""
    out = []
    for n, ev in enumerate(goals):
        try:
            x, y = float(ev.data.get("x", math.nan)), float(ev.data.get("y", math.nan))
        except (TypeError, ValueError):
            x = y = math.nan
        out.append((ev, goals[n + 1].t if n + 1 < len(goals) else math.inf, x, y,
                    float(ev.data.get("tolerance_m", GOAL_TOLERANCE_M))))
    return out


def find_goal(recording: Recording,
              net: Any = None) -> tuple[float, float, float, float] | None:
    """(x [m], y [m], tolerance [m], time given [s]) of the ego's goal, or None (see the
    module docstring for where it is looked for)."""
    for ev in reversed(recording.events_of("goal")):
        xy = _position_xy(ev.data, None)
        if xy is not None:
            tol = float(ev.data.get("tolerance_m", GOAL_TOLERANCE_M))
            return xy[0], xy[1], tol, ev.t
    for ev in reversed(recording.events_of("ego_request")):
        if ev.data.get("action") in GOAL_ACTIONS:
            xy = _last_xy(ev.data.get("spec"), net)
            if xy is not None:
                return xy[0], xy[1], GOAL_TOLERANCE_M, ev.t
    return None


class ProgressMetric:
    """Distance travelled [m], duration [s] and average speed [m/s] of the ego (the steps
    it drove: a jump, a TeleportAction, is not travelled; :func:`moved_plausibly`).

    Statistics: ``progress_distance_m``, ``progress_duration_s``, ``speed_avg_mps`` (0 when the
    duration is 0), ``speed_max_mps``, ``speed_min_mps`` (lowest speed: 0 means the ego
    stopped somewhere); with a goal ``route_completion_ratio`` [0..1],
    ``goal_reached`` (bool) and ``time_to_goal_s`` (None without a goal). Series: ``speed_mps``.
    Events: where the lowest and highest speeds were first reached, ``{"statistic", "t", "x",
    "y", "speed_mps"}`` (the report says when and where a failed speed criterion was
    measured; regulator pass 16: a failed no_stop gave no time).
    """

    name = "progress"
    category = "progress"

    def compute(self, recording: Recording, net: RoadNetworkView | None = None) -> MetricResult:
        """Integrate the ego path (``net`` places a goal given as a lane or road position)."""
        tr = ego_track(recording)
        steps = np.hypot(np.diff(tr.x), np.diff(tr.y))
        driven = [moved_plausibly(a, b, float(t1 - t0)) for a, b, t0, t1 in
                  zip(tr.states, tr.states[1:], tr.t, tr.t[1:])]    # a teleport is not driven
        dist = float(np.sum(steps[driven])) if len(tr) > 1 else 0.0
        dur = float(tr.t[-1] - tr.t[0]) if len(tr) > 1 else 0.0
        stats = {
            "progress_distance_m": Statistic("progress_distance_m", "m", dist),
            "progress_duration_s": Statistic("progress_duration_s", "s", dur),
            "speed_avg_mps": Statistic("speed_avg_mps", "m/s", dist / dur if dur > 0 else 0.0),
            "speed_max_mps": Statistic("speed_max_mps", "m/s",
                                       float(np.max(tr.speed)) if len(tr) else 0.0),
            "speed_min_mps": Statistic("speed_min_mps", "m/s",
                                       float(np.min(tr.speed)) if len(tr) else 0.0),
        }
        stats.update(self._goal(recording, tr, net))
        series = (TimeSeries("speed_mps", "m/s", tuple(tr.t.tolist()), tuple(tr.speed.tolist())),)
        events = tuple({"statistic": name, "t": float(tr.t[k]), "x": float(tr.x[k]),
                        "y": float(tr.y[k]), "speed_mps": float(tr.speed[k])}
                       for name, k in (("speed_min_mps", int(np.argmin(tr.speed))),
                                       ("speed_max_mps", int(np.argmax(tr.speed))))
                       ) if len(tr) else ()
        return MetricResult(self.name, self.category, stats, series, events=events)

    @staticmethod
    def _goal(recording: Recording, tr, net: Any) -> dict[str, Statistic]:
        """Route completion, goal reached and time to goal (None without a goal)."""
        goal = find_goal(recording, net)
        vals: dict[str, tuple[str, float | None]] = {
            "route_completion_ratio": ("ratio", None), "goal_reached": (UNIT_BOOL, None),
            "time_to_goal_s": ("s", None)}
        if goal is not None and len(tr):
            gx, gy, tol, t_given = goal
            d = np.hypot(tr.x - gx, tr.y - gy)
            inside = np.nonzero(d <= tol)[0]
            reached = len(inside) > 0
            ratio = 1.0 if reached or d[0] <= 0 else min(1.0, max(0.0, 1.0 - d.min() / d[0]))
            vals = {"route_completion_ratio": ("ratio", float(ratio)),
                    "goal_reached": (UNIT_BOOL, float(reached)),
                    "time_to_goal_s": ("s", float(tr.t[inside[0]] - t_given) if reached
                                       else float("inf"))}
        return {k: Statistic(k, u, v) for k, (u, v) in vals.items()}
