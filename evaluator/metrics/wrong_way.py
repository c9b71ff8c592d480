"""Wrong-way driving: travelling against the driving direction of the lane the ego is on.

The lane's driving direction is the heading of ``net.lane_to_world(road, lane, s)`` (right-hand
traffic: lanes with negative id drive along +s, positive against; ASAM OpenDRIVE 1.8 clause
9.3; the road's ``rule="LHT"`` mirrors it). The ego's direction is its heading, whichever way
it moves: reversing in its lane is manoeuvring, not driving against traffic (the Implementing
Regulations of the PRC RTSL, art. 50, restrict it separately), while facing against the lane is
wrong-way however the car rolls (as CARLA ScenarioRunner's ``WrongLaneTest`` compares the
vehicle's yaw with the lane's). A frame is against the lane when the two differ by more than
``angle_rad`` and the ego moves faster than ``min_speed_mps`` (either way); before concluding,
the lane is looked up again with the ego's heading (``net.world_to_lane(x, y, heading)``
prefers a lane of matching direction where junction roads overlap). Wrong-way driving is such
an interval lasting at least ``min_duration_s`` (PRC Road Traffic Safety Law art. 35: drive on
the right; a brief excursion, e.g. swerving round an obstacle, is not counted). A two-way lane
(``net.two_way``: ``type="bidirectional"``, or OpenDRIVE 1.8 ``direction="both"``) has no
wrong way.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from testzone.errors import TestzoneError
from testzone.recording import Recording
from testzone.world import LaneCoord, wrap_angle

from evaluator.extract import EgoTrack, ego_track, lanes_along, map_query
from evaluator.interfaces import RoadNetworkView
from evaluator.results import UNIT_COUNT, MetricResult, Statistic, violations_from_mask


def lane_heading(net: RoadNetworkView, lane: LaneCoord) -> float | None:
    """Driving direction [rad] of ``lane`` at its s, or None when the map cannot place it."""
    fn = map_query(net, "lane_to_world")
    if fn is None:
        return None
    try:
        return float(fn(lane.road_id, lane.lane_id, lane.s).h)
    except TestzoneError:
        return None


class WrongWayMetric:
    """Time and number of wrong-way intervals of the ego.

    Args:
        min_duration_s: shortest interval against the lane that counts [s] (1.0 s).
        angle_rad: heading difference beyond which the ego drives against the lane [rad]
            (pi/2: any backward component).
        min_speed_mps: slower than this the ego is standing, never wrong-way [m/s].

    Statistics: ``wrong_way_count`` (intervals of at least ``min_duration_s``) and
    ``wrong_way_time_s`` (their total length [s]); None without ``net.lane_to_world``.
    Events: ``{"t", "duration_s", "road_id", "lane_id"}`` per interval.
    """

    name = "wrong_way"
    category = "rules"

    def __init__(self, min_duration_s: float = 1.0, angle_rad: float = math.pi / 2,
                 min_speed_mps: float = 0.5) -> None:
        self.min_duration_s = min_duration_s
        self.angle_rad = angle_rad
        self.min_speed_mps = min_speed_mps

    def _against(self, net: RoadNetworkView, st, lane: LaneCoord | None,
                 two_way: Callable[[str, int], bool] | None = None) -> bool:
        """Whether state ``st`` in ``lane`` drives against it (module docstring);
        ``two_way``: the network's ``two_way`` query, when it has one."""
        if lane is None or lane.lane_id == 0 or abs(st.speed) < self.min_speed_mps:
            return False
        try:
            if two_way is not None and two_way(lane.road_id, lane.lane_id):
                return False      # a two-way lane has no wrong way
        except TestzoneError:
            pass
        travel = st.pose.h
        h = lane_heading(net, lane)
        if h is None or abs(wrap_angle(travel - h)) <= self.angle_rad:
            return False
        again = net.world_to_lane(st.pose.x, st.pose.y, travel)
        h2 = lane_heading(net, again) if again is not None else None
        return h2 is None or abs(wrap_angle(travel - h2)) > self.angle_rad

    def compute(self, recording: Recording, net: RoadNetworkView | None = None) -> MetricResult:
        """Compare the ego's travel direction with its lane's, frame by frame."""
        names = (("wrong_way_count", UNIT_COUNT), ("wrong_way_time_s", "s"))
        if map_query(net, "lane_to_world") is None:
            return MetricResult(self.name, self.category,
                                {n: Statistic(n, u, None) for n, u in names},
                                skipped="no road network: lane directions unknown")
        assert net is not None
        tr: EgoTrack = ego_track(recording)
        lanes = lanes_along(tr, net)
        two_way = map_query(net, "two_way")
        mask = [self._against(net, st, ln, two_way) for st, ln in zip(tr.states, lanes)]
        viol = [v for v in violations_from_mask("wrong_way", tr.t.tolist(), mask,
                                                [1.0] * len(mask), "flag")
                if v.duration >= self.min_duration_s - 1e-9]
        events = []
        for v in viol:
            k = int(np.searchsorted(tr.t, v.start - 1e-9))
            ln = lanes[min(max(k, 0), len(lanes) - 1)]
            events.append({"t": v.start, "duration_s": v.duration,
                           "road_id": ln.road_id if ln else None,
                           "lane_id": ln.lane_id if ln else None})
        stats = {"wrong_way_count": Statistic("wrong_way_count", UNIT_COUNT, float(len(viol))),
                 "wrong_way_time_s": Statistic("wrong_way_time_s", "s",
                                               sum(v.duration for v in viol))}
        return MetricResult(self.name, self.category, stats, violations=tuple(viol),
                            events=tuple(events))
