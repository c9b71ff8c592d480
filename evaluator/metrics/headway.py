"""Following the vehicle ahead: time to collision (TTC) and time headway (THW).

Constant-velocity TTC (Hayward, "Near-miss determination through use of a scale of danger",
HRB 384, 1972): gap / closing speed, where the gap is bumper to bumper (centre distance minus
the half lengths along the ego heading) and the closing speed is the ego speed minus the lead's
speed along the ego's direction; infinite when not closing. THW (time headway) is gap / ego speed
(the quantity UN R157 §5.2.3.3 bounds through its minimum following distance).

The lead is the nearest object ahead in the ego's lane: when ego and object both have a
``LaneCoord`` on the same road, distances are taken along s and the object is in the ego's lane
when it has the same lane id or, from another lane, when the lateral positions t differ by less
than half the sum of both widths (a cut-in straddling the line); otherwise the object's box
centre is projected on the ego heading and counts as in the path when its lateral offset is
within half the sum of both widths.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from testzone.recording import Recording
from testzone.world import EntityState

from evaluator.extract import box_centre, ego_name, lane_direction
from evaluator.interfaces import RoadNetworkView
from evaluator.results import MetricResult, Statistic, TimeSeries, violations_from_mask


@dataclass(frozen=True)
class LeadGap:
    """The object ahead of the ego at one instant.

    Attributes:
        other: its entity name. gap_m: bumper-to-bumper distance [m] (0 when overlapping).
        closing_mps: ego speed minus the lead's speed along the ego's direction [m/s].
    """

    other: str
    gap_m: float
    closing_mps: float


def _extent_along(other: EntityState, heading: float) -> float:
    """Half extent [m] of ``other``'s box along direction ``heading`` [rad]."""
    dh = other.pose.h - heading
    return abs(other.box.length / 2 * math.cos(dh)) + abs(other.box.width / 2 * math.sin(dh))


def _gap_on_lane(ego: EntityState, other: EntityState) -> LeadGap | None:
    """Gap along s when both are on the same road; None when not ahead in the same lane."""
    assert ego.lane is not None and other.lane is not None
    beside = abs(other.lane.t - ego.lane.t) > (ego.box.width + other.box.width) / 2
    if other.lane.lane_id != ego.lane.lane_id and beside:
        return None
    d = lane_direction(ego.lane.lane_id)
    dh = other.pose.h - ego.pose.h
    s_ego = ego.lane.s + d * ego.box.cx
    s_other = other.lane.s + d * other.box.cx * math.cos(dh)
    ds = (s_other - s_ego) * d
    if ds <= 0.0:
        return None
    gap = ds - ego.box.length / 2 - _extent_along(other, ego.pose.h)
    closing = ego.speed - other.speed * math.cos(dh)
    return LeadGap(other.name, max(gap, 0.0), closing)


def _gap_projected(ego: EntityState, other: EntityState) -> LeadGap | None:
    """Gap along the ego heading; None when ``other`` is behind or beside the ego's path."""
    ex, ey = box_centre(ego)
    ox, oy = box_centre(other)
    c, s = math.cos(ego.pose.h), math.sin(ego.pose.h)
    lon = (ox - ex) * c + (oy - ey) * s
    lat = -(ox - ex) * s + (oy - ey) * c
    if lon <= 0.0 or abs(lat) > (ego.box.width + other.box.width) / 2:
        return None
    gap = lon - ego.box.length / 2 - _extent_along(other, ego.pose.h)
    vx, vy = other.velocity
    closing = ego.speed - (vx * c + vy * s)
    return LeadGap(other.name, max(gap, 0.0), closing)


def lead_gap(ego: EntityState, others: list[EntityState]) -> LeadGap | None:
    """Return the nearest object ahead of ``ego`` in its lane (see module docstring), or None.

    Hidden entities (``visible=False``) are ignored.
    """
    best: LeadGap | None = None
    for o in others:
        if o.name == ego.name or not o.visible:
            continue
        if ego.lane is not None and o.lane is not None and o.lane.road_id == ego.lane.road_id:
            g = _gap_on_lane(ego, o)
        else:
            g = _gap_projected(ego, o)
        if g is not None and (best is None or g.gap_m < best.gap_m):
            best = g
    return best


def ttc_s(g: LeadGap | None) -> float:
    """Constant-velocity TTC [s]: gap / closing speed; inf with no lead or no closing."""
    if g is None or g.closing_mps <= 0.0:
        return math.inf
    return g.gap_m / g.closing_mps


def thw_s(g: LeadGap | None, ego_speed_mps: float, min_speed_mps: float = 0.1) -> float:
    """Time headway [s]: gap / ego speed; inf with no lead or an ego slower than min_speed_mps."""
    if g is None or ego_speed_mps < min_speed_mps:
        return math.inf
    return g.gap_m / ego_speed_mps


class HeadwayMetric:
    """TTC and THW to the vehicle ahead, per frame, with their minima.

    Args:
        ttc_threshold_s: TTC below this is a violation interval [s] (1.5 s, the critical TTC of
            van der Horst & Hogema, 1993). thw_threshold_s: THW below this is a violation [s]
            (1.0 s, UN R157 §5.2.3.3 table at low speed). min_speed_mps: ego speed below which THW
            is not defined [m/s].

    Statistics: ``ttc_min_s``, ``thw_min_s`` (inf when nothing is ever ahead), ``gap_min_m``
    (None when nothing is ahead). Series: ``ttc_s``, ``thw_s``, ``gap_m``.
    """

    name = "headway"
    category = "safety"

    def __init__(self, ttc_threshold_s: float = 1.5, thw_threshold_s: float = 1.0,
                 min_speed_mps: float = 0.1) -> None:
        self.ttc_threshold_s = ttc_threshold_s
        self.thw_threshold_s = thw_threshold_s
        self.min_speed_mps = min_speed_mps

    def compute(self, recording: Recording, net: RoadNetworkView | None = None) -> MetricResult:
        """Compute TTC and THW over the frames where the ego exists (``net`` is not used)."""
        name = ego_name(recording)
        times, ttc, thw, gap = [], [], [], []
        for f in recording.frames:
            ego = f.entities.get(name)
            if ego is None:
                continue
            g = lead_gap(ego, list(f.entities.values()))
            times.append(f.time)
            ttc.append(ttc_s(g))
            thw.append(thw_s(g, ego.speed, self.min_speed_mps))
            gap.append(g.gap_m if g else None)
        gaps = [v for v in gap if v is not None]
        dt = recording.header.dt
        viol = violations_from_mask("ttc_below_threshold", times,
                                    [v < self.ttc_threshold_s for v in ttc], ttc, dt, "s", "min")
        viol += violations_from_mask("thw_below_threshold", times,
                                     [v < self.thw_threshold_s for v in thw], thw, dt, "s", "min")
        stats = {
            "ttc_min_s": Statistic("ttc_min_s", "s", min(ttc, default=math.inf)),
            "thw_min_s": Statistic("thw_min_s", "s", min(thw, default=math.inf)),
            "gap_min_m": Statistic("gap_min_m", "m", min(gaps) if gaps else None),
        }
        tt = tuple(times)
        series = (TimeSeries("ttc_s", "s", tt, tuple(ttc)),
                  TimeSeries("thw_s", "s", tt, tuple(thw)),
                  TimeSeries("gap_m", "m", tt, tuple(gap)))
        return MetricResult(self.name, self.category, stats, series, tuple(viol))
