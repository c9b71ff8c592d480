"""The object ahead in a vehicle's path: the lead of car following and of TTC / THW.

One rule, shared by the evaluator (``evaluator.metrics.headway``: TTC, THW, DRAC) and the
reference agents (``runners.agents.idm``: what the IDM follows while its body still overlaps
a lane it is leaving), so an agent brakes for exactly what it is judged against.

When ego and object both have a ``LaneCoord`` on the same road, distances are taken along s
(right-hand traffic: right lanes, id < 0, run along +s; ASAM OpenDRIVE 1.8 clause 9.3) and the
object is in the path when the lateral positions t differ by less than half the sum of both
widths (plus a margin), whatever lanes their reference points are in: a cut-in straddling the
line is in; a car the ego is already steering past, or one standing at the lane edge with room
beside it, is not (at constant velocity neither can be hit). Otherwise the object's box centre
is projected on the ego heading and counts as in the path when its lateral offset is within
that same width. The gap is bumper to bumper: centre distance minus the ego's half length and
the object's half extent along the ego heading.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from testzone.world import EntityState


@dataclass(frozen=True)
class Ahead:
    """The nearest object ahead in the ego's path.

    Attributes:
        other: its state. gap_m: bumper-to-bumper distance along the path [m] (0 when the
            boxes already overlap). speed_along_mps: its speed along the ego's heading [m/s]
            (negative when it comes towards the ego).
    """

    other: EntityState
    gap_m: float
    speed_along_mps: float


def extent_along(other: EntityState, heading: float) -> float:
    """Half extent [m] of ``other``'s box along direction ``heading`` [rad]."""
    dh = other.pose.h - heading
    return abs(other.box.length / 2 * math.cos(dh)) + abs(other.box.width / 2 * math.sin(dh))


def _ahead_on_road(ego: EntityState, other: EntityState, reach: float) -> float | None:
    """Centre distance [m] along s when ``other`` is ahead in the path on ego's road."""
    assert ego.lane is not None and other.lane is not None
    if abs(other.lane.t - ego.lane.t) > reach:
        return None
    d = 1.0 if ego.lane.lane_id < 0 else -1.0
    dh = other.pose.h - ego.pose.h
    ds = (other.lane.s + d * other.box.cx * math.cos(dh) - ego.lane.s - d * ego.box.cx) * d
    return ds if ds > 0.0 else None


def _ahead_projected(ego: EntityState, other: EntityState, reach: float) -> float | None:
    """Centre distance [m] along the ego heading when ``other`` is ahead in the path."""
    ex, ey = ego.box.centre(ego.pose)
    ox, oy = other.box.centre(other.pose)
    c, s = math.cos(ego.pose.h), math.sin(ego.pose.h)
    lon = (ox - ex) * c + (oy - ey) * s
    lat = -(ox - ex) * s + (oy - ey) * c
    return lon if lon > 0.0 and abs(lat) <= reach else None


def nearest_ahead(ego: EntityState, others: Iterable[EntityState],
                  margin_m: float = 0.0) -> Ahead | None:
    """The nearest object of ``others`` ahead in ``ego``'s path (module docstring), or None.

    Args:
        margin_m: widens the path on each side [m] (>= 0; 0 is the evaluator's path).

    The ego itself (same name) and hidden entities (``visible=False``) are skipped.
    """
    best: Ahead | None = None
    for o in others:
        if o.name == ego.name or not o.visible:
            continue
        reach = (ego.box.width + o.box.width) / 2 + margin_m
        if ego.lane is not None and o.lane is not None and o.lane.road_id == ego.lane.road_id:
            dist = _ahead_on_road(ego, o, reach)
        else:
            dist = _ahead_projected(ego, o, reach)
        if dist is None:
            continue
        gap = max(dist - ego.box.length / 2 - extent_along(o, ego.pose.h), 0.0)
        if best is None or gap < best.gap_m:
            best = Ahead(o, gap, o.speed * math.cos(o.pose.h - ego.pose.h))
    return best
