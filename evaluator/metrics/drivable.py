"""Staying on the road network: time the ego's reference point spent off every lane.

A frame is off-road when the ego has no lane position: the recorded ``EntityState.lane`` is None
and ``net.world_to_lane`` (when a network is given) finds no lane either. This is a point-based
version of nuPlan's ``drivable_area_compliance`` (which tests the box corners with a 0.3 m
tolerance). Without a network and with no lane recorded in any frame, the metric is skipped
(the backend did not localise the ego at all).
"""

from __future__ import annotations

from testzone.recording import Recording

from evaluator.extract import ego_track, lanes_along
from evaluator.interfaces import RoadNetworkView
from evaluator.results import MetricResult, Statistic, violations_from_mask


class DrivableMetric:
    """Off-road duration of the ego.

    Statistics: ``offroad_time_s`` [s] (None when skipped). Violations: off-road intervals
    (extremum and mean are 1.0: a flag, not a distance).
    """

    name = "drivable"
    category = "rules"

    def compute(self, recording: Recording, net: RoadNetworkView | None = None) -> MetricResult:
        """Count the frames without a lane position."""
        tr = ego_track(recording)
        lanes = lanes_along(tr, net)
        if net is None and all(lane is None for lane in lanes):
            return MetricResult(self.name, self.category,
                                {"offroad_time_s": Statistic("offroad_time_s", "s", None)},
                                skipped="no road network and no lane position recorded")
        mask = [lane is None for lane in lanes]
        viol = violations_from_mask("offroad", tr.t.tolist(), mask, [1.0] * len(mask), tr.dt,
                                    "flag")
        stats = {"offroad_time_s": Statistic("offroad_time_s", "s", sum(mask) * tr.dt)}
        return MetricResult(self.name, self.category, stats, violations=tuple(viol))
