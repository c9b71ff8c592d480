"""Progress of the ego: distance travelled and average speed.

Distance is the length of the polyline through the ego's recorded positions (reference point);
average speed is that distance over the time the ego was recorded (nuPlan ``ego_progress`` uses
progress along the expert route; with no expert here the travelled path length stands in).
"""

from __future__ import annotations

import numpy as np

from testzone.recording import Recording

from evaluator.extract import ego_track
from evaluator.interfaces import RoadNetworkView
from evaluator.results import MetricResult, Statistic, TimeSeries


class ProgressMetric:
    """Distance travelled [m], duration [s] and average speed [m/s] of the ego.

    Statistics: ``progress_distance_m``, ``progress_duration_s``, ``speed_avg_mps`` (0 when the
    duration is 0), ``speed_max_mps``. Series: ``speed_mps``.
    """

    name = "progress"
    category = "progress"

    def compute(self, recording: Recording, net: RoadNetworkView | None = None) -> MetricResult:
        """Integrate the ego path (``net`` is not used)."""
        tr = ego_track(recording)
        dist = float(np.sum(np.hypot(np.diff(tr.x), np.diff(tr.y)))) if len(tr) > 1 else 0.0
        dur = float(tr.t[-1] - tr.t[0]) if len(tr) > 1 else 0.0
        stats = {
            "progress_distance_m": Statistic("progress_distance_m", "m", dist),
            "progress_duration_s": Statistic("progress_duration_s", "s", dur),
            "speed_avg_mps": Statistic("speed_avg_mps", "m/s", dist / dur if dur > 0 else 0.0),
            "speed_max_mps": Statistic("speed_max_mps", "m/s",
                                       float(np.max(tr.speed)) if len(tr) else 0.0),
        }
        series = (TimeSeries("speed_mps", "m/s", tuple(tr.t.tolist()), tuple(tr.speed.tolist())),)
        return MetricResult(self.name, self.category, stats, series)
