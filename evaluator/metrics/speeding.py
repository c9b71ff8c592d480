"""Speed-limit compliance of the ego against the map's limit at its lane.

The limit is ``net.speed_limit(road_id, lane_id, s)`` (OpenDRIVE ``<lane><speed>`` or
``<road><type><speed>``) at the ego's lane position each frame; inside a junction, at the
connecting road the ego drove through (:func:`evaluator.extract.junction_pass_lanes`: a
lookup flickering onto an overlapping turning road with a lower limit is not speeding). The over-speed integral and its
score follow nuPlan's ``speed_limit_compliance`` metric (violation = speed above the limit;
integral of the excess over time). Without a road network the metric is skipped.
"""

from __future__ import annotations

from testzone.recording import Recording

from evaluator.extract import ego_track, junction_pass_lanes, lanes_along
from evaluator.interfaces import RoadNetworkView
from evaluator.results import (MetricResult, Statistic, TimeSeries, masked_time,
                               violations_from_mask)

SPEEDING_TOLERANCE_MPS = 0.01
"""Excess over the limit [m/s] that does not count as speeding (rounding of a speed set to
the limit, e.g. 16.6666670 against 60 km/h)."""

_NAMES = ("speed_over_limit_max_mps", "speed_over_limit_ratio_max", "speeding_duration_s",
          "overspeed_integral_m", "speeding_event_count")
_UNITS = ("m/s", "ratio", "s", "m", "count")


class SpeedingMetric:
    """Amount and duration of speeding.

    Args:
        tolerance_mps: excess [m/s] below which a frame does not count as speeding (default
            0.01 m/s = 0.036 km/h: far below any speedometer's resolution, it keeps an ego
            driving exactly at the limit from being flagged by floating-point noise).

    Statistics (None when skipped or when no limit is known on the ego's path):
    ``speed_over_limit_max_mps`` (largest excess, 0 if never over), ``speed_over_limit_ratio_max``
    (largest excess / limit; a limit of 0, which OpenDRIVE's ``t_maxSpeed`` allows, counts as
    ``tolerance_mps``: 1 m/s over it is a ratio of 100), ``speeding_duration_s`` (time spent over limit + tolerance),
    ``overspeed_integral_m`` (integral of the excess [m/s x s]), ``speeding_event_count``
    (number of contiguous intervals over limit + tolerance). Series ``speed_limit_mps``.
    """

    name = "speeding"
    category = "rules"

    def __init__(self, tolerance_mps: float = SPEEDING_TOLERANCE_MPS) -> None:
        self.tolerance_mps = tolerance_mps

    def _none(self, why: str) -> MetricResult:
        return MetricResult(self.name, self.category,
                            {n: Statistic(n, u, None) for n, u in zip(_NAMES, _UNITS)}, skipped=why)

    def compute(self, recording: Recording, net: RoadNetworkView | None = None) -> MetricResult:
        """Compare the ego speed with the limit at its lane, frame by frame."""
        if net is None:
            return self._none("no road network: speed limits unknown")
        tr = ego_track(recording)
        limits: list[float | None] = []
        for lane in junction_pass_lanes(lanes_along(tr, net), net):
            limits.append(None if lane is None else
                          net.speed_limit(lane.road_id, lane.lane_id, lane.s))
        if all(v is None for v in limits):
            return self._none("no speed limit on the ego's path")
        over = [0.0 if lim is None else float(v) - lim for v, lim in zip(tr.speed, limits)]
        ratio = [0.0 if lim is None else o / max(lim, self.tolerance_mps)  # a 0 limit too
                 for o, lim in zip(over, limits)]
        mask = [o > self.tolerance_mps for o in over]
        times = tr.t.tolist()
        viol = violations_from_mask("speed_limit", times, mask, over, "m/s")
        vals = (max(0.0, max(over)), max(0.0, max(ratio)), masked_time(times, mask),
                masked_time(times, [o > 0.0 for o in over], over), float(len(viol)))
        stats = {n: Statistic(n, u, v) for n, u, v in zip(_NAMES, _UNITS, vals)}
        return MetricResult(self.name, self.category, stats,
                            (TimeSeries("speed_limit_mps", "m/s", tuple(times), tuple(limits)),),
                            tuple(viol))
