"""Following the vehicle ahead: time to collision (TTC) and time headway (THW).

Constant-velocity TTC (Hayward, "Near-miss determination through use of a scale of danger",
HRB 384, 1972): gap / closing speed, where the gap is bumper to bumper (path distance between
the box centres minus both half extents along the path) and the closing speed is the ego's
speed minus the lead's, both along the path; infinite when not closing. THW (time headway) is
gap / ego speed (the quantity UN R157 §5.2.3.3 bounds through its minimum following distance).

Beside it, the constant-acceleration TTC (the "enhanced TTC" of ISO 22839:2013, forward vehicle
collision mitigation systems; Hou, List & Guo, "New algorithms for computing the time-to-collision
in freeway traffic simulation models", 2014): the first time t > 0 with
gap = v_rel t + a_rel t^2 / 2, where a_rel is the ego's longitudinal acceleration minus the
lead's along the ego heading (each as recorded). And the deceleration rate to avoid the crash
(DRAC, Almqvist, Hyden & Risser 1991): v_rel^2 / (2 gap), 0 when not closing.

The lead is the nearest object ahead in the ego's path, by the rule of ``testzone.lead`` (the
one the reference agents follow): along the road at the ego's lateral position on a shared
road, laterally within half the sum of both widths, whatever lanes the reference points are
in; otherwise along the arc of the ego's path curvature. Gap and closing speed are both
measured along that path, so a curve does not shorten TTC.

Road users crossing the ego's path (moving, :data:`CROSSING_MIN_SPEED_MPS` or faster, at more
than 30 deg from the ego's heading either way: :func:`crosses_path`) are not followed: they
are no lead (no THW, gap, DRAC) and their TTC is the plane constant-velocity one of the two
boxes (:func:`testzone.world.time_to_contact`, Hayward's "taking into account their paths"):
a pedestrian about to leave the lane before the ego arrives has none, a car on course for the
ego's side has one (evaluator15 audit: in-path TTC gave 0.7 s for the first and nothing for
the second). The frame's TTC is the least of the lead's and the crossing users'.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from testzone.lead import RoadFrames, nearest_ahead
from testzone.recording import Recording
from testzone.world import EntityState, time_to_contact

from evaluator.extract import crosses_heading, ego_name
from evaluator.interfaces import RoadNetworkView
from evaluator.results import MetricResult, Statistic, TimeSeries, violations_from_mask


CROSSING_MIN_SPEED_MPS = 0.1
"""Slower than this [m/s] a road user stands: it is followed (stood in the path) or not."""
TTC_HORIZON_S = 10.0
"""How far ahead [s] the plane TTC of crossing users looks (beyond it: inf)."""


def crosses_path(ego: EntityState, other: EntityState) -> bool:
    """True when ``other`` crosses the ego's path (module docstring): moving at least
    :data:`CROSSING_MIN_SPEED_MPS` and heading across the ego's way
    (:func:`evaluator.extract.crosses_heading`: more than 30 deg either way)."""
    return abs(other.speed) >= CROSSING_MIN_SPEED_MPS and crosses_heading(ego, other)


@dataclass(frozen=True)
class LeadGap:
    """The object ahead of the ego at one instant.

    Attributes:
        other: its entity name. gap_m: bumper-to-bumper distance [m] (0 when overlapping).
        closing_mps: ego speed minus the lead's, both along the ego's path [m/s].
        closing_accel_mps2: ego longitudinal acceleration minus the lead's along the ego's
            direction [m/s^2] (0 when unknown).
    """

    other: str
    gap_m: float
    closing_mps: float
    closing_accel_mps2: float = 0.0


def _closing_accel(ego: EntityState, other: EntityState) -> float:
    """Ego acceleration minus ``other``'s along the ego heading [m/s^2] (NaN counts 0)."""
    a_e = ego.acceleration if math.isfinite(ego.acceleration) else 0.0
    a_o = other.acceleration if math.isfinite(other.acceleration) else 0.0
    return a_e - a_o * math.cos(other.pose.h - ego.pose.h)


def lead_gap(ego: EntityState, others: list[EntityState],
             frames: RoadFrames | None = None) -> LeadGap | None:
    """Return the nearest object ahead of ``ego`` in its path, or None: the lead of
    :func:`testzone.lead.nearest_ahead` (module docstring; along curved roads with
    ``frames``, the road network), with the closing speed along the path and the closing
    acceleration along the ego's direction. Hidden entities (``visible=False``) are ignored.
    """
    ahead = nearest_ahead(ego, others, frames=frames)
    if ahead is None:
        return None
    return LeadGap(ahead.other.name, ahead.gap_m,
                   ahead.ego_speed_along_mps - ahead.speed_along_mps,
                   _closing_accel(ego, ahead.other))


def ttc_s(g: LeadGap | None) -> float:
    """Constant-velocity TTC [s]: gap / closing speed; inf with no lead or no closing."""
    if g is None or g.closing_mps <= 0.0:
        return math.inf
    return g.gap_m / g.closing_mps


def ttc_accel_s(g: LeadGap | None) -> float:
    """Constant-acceleration TTC [s] (ISO 22839 enhanced TTC; Hou et al. 2014).

    The smallest t > 0 solving ``gap = v t + a t^2 / 2`` (v = closing speed [m/s], a = closing
    acceleration [m/s^2]), written ``t = 2 gap / (v + sqrt(v^2 + 2 a gap))`` so a = 0 gives
    gap / v. inf with no lead, when the discriminant is negative (the closing stops before
    contact) or when no positive root exists; 0 when the gap is 0 and closing.
    """
    if g is None:
        return math.inf
    v, a, d = g.closing_mps, g.closing_accel_mps2, g.gap_m
    disc = v * v + 2.0 * a * d
    if disc < 0.0:
        return math.inf
    den = v + math.sqrt(disc)
    if den <= 0.0:
        return math.inf
    return 2.0 * d / den


def drac_mps2(g: LeadGap | None) -> float:
    """Deceleration rate to avoid the crash [m/s^2] (Almqvist, Hyden & Risser 1991):
    closing speed^2 / (2 gap); 0 with no lead or no closing, inf at gap 0 while closing."""
    if g is None or g.closing_mps <= 0.0:
        return 0.0
    if g.gap_m <= 0.0:
        return math.inf
    return g.closing_mps ** 2 / (2.0 * g.gap_m)


def thw_s(g: LeadGap | None, ego_speed_mps: float, min_speed_mps: float = 0.1) -> float:
    """Time headway [s]: gap / |ego speed| (the lead is ahead in the direction the ego
    travels, behind it when it reverses: :func:`lead_gap`); inf with no lead or an ego
    slower than min_speed_mps either way."""
    if g is None or abs(ego_speed_mps) < min_speed_mps:
        return math.inf
    return g.gap_m / abs(ego_speed_mps)


class HeadwayMetric:
    """TTC and THW to the vehicle ahead, per frame, with their minima.

    Args:
        ttc_threshold_s: TTC below this is a violation interval [s] (1.5 s, the critical TTC of
            van der Horst & Hogema, 1993). thw_threshold_s: THW below this is a violation [s]
            (1.0 s, UN R157 §5.2.3.3 table at low speed). min_speed_mps: ego speed below which THW
            is not defined [m/s]. drac_threshold_mps2: DRAC above this is a violation interval
            [m/s^2] (3.35 m/s^2, Archer 2005, after Cooper & Ferguson 1976).

    Statistics: ``ttc_min_s``, ``ttc_accel_min_s``, ``thw_min_s`` (inf when nothing is ever
    ahead), ``drac_max_mps2`` (0 when never closing), ``gap_min_m`` (None when nothing is
    ahead). Series: ``ttc_s``, ``ttc_accel_s``, ``thw_s``, ``gap_m``, ``drac_mps2``.
    Events: where ``ttc_min_s`` and ``thw_min_s`` were measured, when finite (the first frame
    of the minimum): ``{"statistic", "t", "other", "value_s", "gap_m", "closing_mps",
    "ego_speed_mps"}``, ``other`` the entity ahead then; for a TTC against a road user
    crossing the path ``{"statistic", "t", "other", "value_s", "crossing": true,
    "ego_speed_mps"}``.
    """

    name = "headway"
    category = "safety"

    def __init__(self, ttc_threshold_s: float = 1.5, thw_threshold_s: float = 1.0,
                 min_speed_mps: float = 0.1, drac_threshold_mps2: float = 3.35) -> None:
        self.ttc_threshold_s = ttc_threshold_s
        self.drac_threshold_mps2 = drac_threshold_mps2
        self.thw_threshold_s = thw_threshold_s
        self.min_speed_mps = min_speed_mps

    def compute(self, recording: Recording, net: RoadNetworkView | None = None) -> MetricResult:
        """Compute TTC, THW and DRAC over the frames where the ego exists (along curved roads
        when ``net`` gives the road geometry, ``reference_frame`` and ``driving_sign``)."""
        name = ego_name(recording)
        frames = net if hasattr(net, "reference_frame") and hasattr(net, "driving_sign") \
            else None
        times: list[float] = []
        cols: dict[str, list] = {k: [] for k in ("ttc_s", "ttc_accel_s", "thw_s", "gap_m",
                                                 "drac_mps2")}
        leads: list[tuple[LeadGap | None, float, str | None]] = []
        for f in recording.frames:
            ego = f.entities.get(name)
            if ego is None:
                continue
            others = [o for o in f.entities.values() if o.name != name and o.visible]
            crossing = [o for o in others if crosses_path(ego, o)]
            crossers = {o.name for o in crossing}
            g = lead_gap(ego, [o for o in others if o.name not in crossers], frames)
            ttc, by = ttc_s(g), (g.other if g is not None else None)
            for o in crossing:
                t_c = time_to_contact(ego, o, TTC_HORIZON_S)
                if t_c < ttc:
                    ttc, by = t_c, o.name
            times.append(f.time)
            leads.append((g, float(ego.speed), by))
            cols["ttc_s"].append(ttc)
            cols["ttc_accel_s"].append(ttc_accel_s(g))
            cols["thw_s"].append(thw_s(g, ego.speed, self.min_speed_mps))
            cols["gap_m"].append(g.gap_m if g else None)
            cols["drac_mps2"].append(drac_mps2(g))
        return MetricResult(self.name, self.category, self._stats(cols),
                            tuple(TimeSeries(k, "m" if k == "gap_m" else
                                             "m/s^2" if k == "drac_mps2" else "s",
                                             tuple(times), tuple(v)) for k, v in cols.items()),
                            tuple(self._violations(times, cols)),
                            _minimum_events(times, cols, leads))

    @staticmethod
    def _stats(cols: dict[str, list]) -> dict[str, Statistic]:
        gaps = [v for v in cols["gap_m"] if v is not None]
        vals = {"ttc_min_s": ("s", min(cols["ttc_s"], default=math.inf)),
                "ttc_accel_min_s": ("s", min(cols["ttc_accel_s"], default=math.inf)),
                "thw_min_s": ("s", min(cols["thw_s"], default=math.inf)),
                "drac_max_mps2": ("m/s^2", max(cols["drac_mps2"], default=0.0)),
                "gap_min_m": ("m", min(gaps) if gaps else None)}
        return {k: Statistic(k, u, v) for k, (u, v) in vals.items()}

    def _violations(self, times: list[float], cols: dict[str, list]) -> list:
        ttc, thw, drac = cols["ttc_s"], cols["thw_s"], cols["drac_mps2"]
        viol = violations_from_mask("ttc_below_threshold", times,
                                    [v < self.ttc_threshold_s for v in ttc], ttc, "s", "min")
        viol += violations_from_mask("thw_below_threshold", times,
                                     [v < self.thw_threshold_s for v in thw], thw, "s", "min")
        viol += violations_from_mask("drac_above_threshold", times,
                                     [v > self.drac_threshold_mps2 for v in drac], drac,
                                     "m/s^2", "max")
        return viol


def _minimum_events(times: list[float], cols: dict[str, list],
                    leads: list[tuple[LeadGap | None, float, str | None]]) -> tuple[dict, ...]:
    """The :class:`HeadwayMetric` events: for ``ttc_min_s`` and ``thw_min_s``, the first frame
    holding the (finite) minimum, with the entity ahead then, the gap, the closing speed and
    the ego's speed: what a regulator needs to see what a TTC or THW failure was against. A
    TTC against a road user crossing the path says so (``"crossing": true``; no gap or
    closing speed along the path: the two boxes' paths meet)."""
    out = []
    for statistic, col in (("ttc_min_s", "ttc_s"), ("thw_min_s", "thw_s")):
        values = cols[col]
        finite = [k for k, v in enumerate(values) if math.isfinite(v)]
        if not finite:
            continue
        k = min(finite, key=lambda i: (values[i], i))
        g, ego_speed, by = leads[k]
        if statistic == "ttc_min_s" and (g is None or by != g.other):
            out.append({"statistic": statistic, "t": times[k], "other": by,
                        "value_s": values[k], "crossing": True, "ego_speed_mps": ego_speed})
            continue
        if g is None:
            continue
        out.append({"statistic": statistic, "t": times[k], "other": g.other,
                    "value_s": values[k], "gap_m": g.gap_m, "closing_mps": g.closing_mps,
                    "ego_speed_mps": ego_speed})
    return tuple(out)
