"""Ride comfort of the ego: accelerations, jerks and yaw motion against nuPlan's bounds.

Quantities (nuPlan ``metrics/utils/state_extractors``): longitudinal acceleration is the time
derivative of the recorded speed, lateral acceleration is speed x yaw rate, yaw rate the
derivative of the unwrapped heading, yaw acceleration the derivative of yaw rate, longitudinal
jerk the derivative of longitudinal acceleration, and jerk the derivative of the acceleration
magnitude. Derivatives: :func:`evaluator.extract.derivative` (Savitzky-Golay, order 2).

Bounds (defaults) from nuPlan devkit's ``ego_is_comfortable`` configuration
(``simulation_metric/low_level``): lon accel in [-4.05, 2.40] m/s^2, |lat accel| <= 4.89 m/s^2,
|yaw rate| <= 0.95 rad/s, |yaw accel| <= 1.93 rad/s^2, |lon jerk| <= 4.13 m/s^3,
|jerk| <= 8.37 m/s^3.
"""

from __future__ import annotations

import numpy as np

from testzone.recording import Recording

from evaluator.extract import DERIVATIVE_WINDOW_S, derivative, ego_track
from evaluator.interfaces import RoadNetworkView
from evaluator.results import UNIT_BOOL, MetricResult, Statistic, TimeSeries


FULL_BRAKING_SHARE = 0.98
"""Share of the ego's Performance ``maxDeceleration`` from which (up to the limit divided by
it: above, the change of speed was no braking, e.g. an impact) its deceleration peak is
reported as full braking (regulator pass 16: an emergency stop at the vehicle's limit was not
mentioned, and a criterion bounding the deceleration by that limit cannot fail)."""


def _max_deceleration(recording: Recording) -> float | None:
    """The ego's Performance ``maxDeceleration`` [m/s^2] from the recording header, or None."""
    info = recording.header.entities.get(recording.header.ego or "")
    return getattr(info, "max_deceleration", None)


class ComfortMetric:
    """Peaks of the ego's accelerations, jerks and yaw motion, and whether they stay in bounds.

    Args (all bounds in SI, defaults nuPlan's): min_lon_accel_mps2, max_lon_accel_mps2,
        max_abs_lat_accel_mps2, max_abs_yaw_rate_radps, max_abs_yaw_accel_radps2,
        max_abs_lon_jerk_mps3, max_abs_jerk_mps3; window_s: derivative window [s].

    Statistics: ``lon_accel_max_mps2``, ``lon_accel_min_mps2``, ``decel_peak_mps2`` (positive,
    0 when never braking), ``lat_accel_peak_mps2``, ``yaw_rate_peak_radps``,
    ``yaw_accel_peak_radps2``, ``lon_jerk_peak_mps3``, ``jerk_peak_mps3`` (absolute peaks),
    ``comfort_ratio`` (share of nuPlan's six comfort metrics within their bounds, in [0, 1]:
    the longitudinal acceleration in its range counts once) and ``comfortable`` (bool, all
    six). Series: ``lon_accel_mps2``, ``lat_accel_mps2``. Events:
    where each peak was, ``{"statistic", "t", "x", "y", "speed_mps"}`` (the report says when
    and where a failed comfort criterion's value was measured); the deceleration peak's adds
    ``full_braking_limit_mps2`` (the ego's Performance maxDeceleration) when it reached
    :data:`FULL_BRAKING_SHARE` of it.
    """

    name = "comfort"
    category = "comfort"

    def __init__(self, min_lon_accel_mps2: float = -4.05, max_lon_accel_mps2: float = 2.40,
                 max_abs_lat_accel_mps2: float = 4.89, max_abs_yaw_rate_radps: float = 0.95,
                 max_abs_yaw_accel_radps2: float = 1.93, max_abs_lon_jerk_mps3: float = 4.13,
                 max_abs_jerk_mps3: float = 8.37, window_s: float = DERIVATIVE_WINDOW_S) -> None:
        self.min_lon_accel_mps2 = min_lon_accel_mps2
        self.max_lon_accel_mps2 = max_lon_accel_mps2
        self.max_abs_lat_accel_mps2 = max_abs_lat_accel_mps2
        self.max_abs_yaw_rate_radps = max_abs_yaw_rate_radps
        self.max_abs_yaw_accel_radps2 = max_abs_yaw_accel_radps2
        self.max_abs_lon_jerk_mps3 = max_abs_lon_jerk_mps3
        self.max_abs_jerk_mps3 = max_abs_jerk_mps3
        self.window_s = window_s

    def compute(self, recording: Recording, net: RoadNetworkView | None = None) -> MetricResult:
        """Compute the comfort statistics over the ego track (``net`` is not used)."""
        tr = ego_track(recording)
        dt, w = tr.dt, self.window_s
        lon = derivative(tr.speed, dt, w)
        yaw_rate = derivative(tr.h, dt, w)
        lat = tr.speed * yaw_rate
        yaw_acc = derivative(yaw_rate, dt, w)
        lon_jerk = derivative(lon, dt, w)
        jerk = derivative(np.hypot(lon, lat), dt, w)
        # one row per quantity: statistic, unit, the series its value and place come from
        # (signed where the bound is one-sided), how the value is picked, its bound, the
        # nuPlan comfort metric it belongs to (ego_is_comfortable has six: the longitudinal
        # acceleration's range is one; evaluator15 audit: its two ends had counted as two of
        # seven) and the statistic its place is reported under
        rows = (
            ("lon_accel_max_mps2", "m/s^2", lon, np.argmax,
             lambda v: v <= self.max_lon_accel_mps2, "lon_accel", "lon_accel_max_mps2"),
            ("lon_accel_min_mps2", "m/s^2", lon, np.argmin,
             lambda v: v >= self.min_lon_accel_mps2, "lon_accel", "decel_peak_mps2"),
            ("lat_accel_peak_mps2", "m/s^2", np.abs(lat), np.argmax,
             lambda v: v <= self.max_abs_lat_accel_mps2, "lat_accel", "lat_accel_peak_mps2"),
            ("yaw_rate_peak_radps", "rad/s", np.abs(yaw_rate), np.argmax,
             lambda v: v <= self.max_abs_yaw_rate_radps, "yaw_rate", "yaw_rate_peak_radps"),
            ("yaw_accel_peak_radps2", "rad/s^2", np.abs(yaw_acc), np.argmax,
             lambda v: v <= self.max_abs_yaw_accel_radps2, "yaw_accel",
             "yaw_accel_peak_radps2"),
            ("lon_jerk_peak_mps3", "m/s^3", np.abs(lon_jerk), np.argmax,
             lambda v: v <= self.max_abs_lon_jerk_mps3, "lon_jerk", "lon_jerk_peak_mps3"),
            ("jerk_peak_mps3", "m/s^3", np.abs(jerk), np.argmax,
             lambda v: v <= self.max_abs_jerk_mps3, "jerk", "jerk_peak_mps3"),
        )
        stats: dict[str, Statistic] = {}
        within_bounds: dict[str, bool] = {}
        events = []
        for name, unit, values, pick, within, metric, shown in rows:
            k = int(pick(values)) if len(values) else None
            value = float(values[k]) if k is not None else 0.0
            stats[name] = Statistic(name, unit, value)
            within_bounds[metric] = within_bounds.get(metric, True) and bool(within(value))
            if k is not None:   # where it was measured
                events.append({"statistic": shown, "t": float(tr.t[k]), "x": float(tr.x[k]),
                               "y": float(tr.y[k]), "speed_mps": float(tr.speed[k])})
        stats["decel_peak_mps2"] = Statistic("decel_peak_mps2", "m/s^2",
                                             max(0.0, -stats["lon_accel_min_mps2"].value))
        limit = _max_deceleration(recording)
        peak_decel = stats["decel_peak_mps2"].value   # far beyond the limit: an impact or a
        #                                               jump, not braking
        if limit and FULL_BRAKING_SHARE * limit <= peak_decel <= limit / FULL_BRAKING_SHARE:
            peak = next(e for e in events if e["statistic"] == "decel_peak_mps2")
            peak["full_braking_limit_mps2"] = limit   # the emergency stop the criterion
                                                      # bounding it by the limit cannot show
        checks = list(within_bounds.values())
        stats["comfort_ratio"] = Statistic("comfort_ratio", "ratio", sum(checks) / len(checks))
        stats["comfortable"] = Statistic("comfortable", UNIT_BOOL, float(all(checks)))
        t = tuple(tr.t.tolist())
        series = (TimeSeries("lon_accel_mps2", "m/s^2", t, tuple(lon.tolist())),
                  TimeSeries("lat_accel_mps2", "m/s^2", t, tuple(lat.tolist())))
        return MetricResult(self.name, self.category, stats, series, events=tuple(events))
