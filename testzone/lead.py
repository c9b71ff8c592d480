"""The object ahead in a vehicle's path: the lead of car following and of TTC / THW.

One rule, shared by the evaluator (``evaluator.metrics.headway``: TTC, THW, DRAC) and the
reference agents (``runners.agents.idm``: what the IDM follows while its body still overlaps
a lane it is leaving), so an agent brakes for exactly what it is judged against.

The ego's path runs in its direction of travel (against its heading when it reverses), at its
lateral position t, along its lane's driving direction (ASAM OpenDRIVE 1.8 clause 9.3: with
right-hand traffic the right lanes, id < 0, run along +s; ``rule="LHT"`` mirrors it). Given
the road geometry (:class:`RoadFrames`, which ``maps.RoadNetwork`` is), distances are taken
along the path on curved roads too:

* object on the ego's road: the path length between the two box centres at the ego's t,
  ``ds - t * dh`` (the length of a curve offset by t from a reference line that turns by dh
  over ds; exact for any geometry), and the object is in the path when the lateral positions t
  differ by less than half the sum of both widths (plus a margin), whatever lanes their
  reference points are in: a cut-in straddling the line is in; a car the ego is already
  steering past, or one standing at the lane edge with room beside it, is not;
* otherwise (another road, e.g. past a road link or inside a junction): the ego's path is
  continued as the circle of its current path curvature, ``k / (1 - k t)`` (a straight line
  without road geometry); the object's box centre counts when its distance from that arc is
  within the same width, and the distance is the arc length up to it (a quarter turn at most).

Speeds are compared along the path: the object's velocity along the path direction at its
position, scaled to the ego's radius of the path (on an arc an object at radius r moving at v
keeps pace with v * R / r at the ego's radius R). The gap is bumper to bumper: path distance
between the box centres minus both boxes' half extents along the path.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from testzone.errors import TestzoneError
from testzone.world import EntityState, wrap_angle


class RoadFrames(Protocol):
    """The road geometry the lead rule reads (``maps.RoadNetwork`` provides it)."""

    def reference_frame(self, road_id: str, s: float) -> tuple[float, float]:
        """Reference-line heading [rad] and curvature [1/m, > 0 turning left] at ``s`` [m]."""
        ...

    def driving_sign(self, road_id: str, lane_id: int) -> int:
        """+1 when the lane's traffic moves along +s, -1 against."""
        ...


@dataclass(frozen=True)
class Ahead:
    """The nearest object ahead in the ego's path.

    Attributes:
        other: its state. gap_m: bumper-to-bumper distance along the path [m] (0 when the
            boxes already overlap). speed_along_mps: its speed along the ego's path [m/s]
            (negative when it comes towards the ego). ego_speed_along_mps: the ego's speed
            along its path [m/s] (>= 0: the path runs the way it travels).
    """

    other: EntityState
    gap_m: float
    speed_along_mps: float
    ego_speed_along_mps: float


def extent_along(other: EntityState, heading: float) -> float:
    """Half extent [m] of ``other``'s box along direction ``heading`` [rad]."""
    dh = other.pose.h - heading
    return abs(other.box.length / 2 * math.cos(dh)) + abs(other.box.width / 2 * math.sin(dh))


@dataclass(frozen=True)
class _Path:
    """The ego's path where it stands: direction of travel along s (``d``), travel heading
    [rad], reference-line heading [rad] and curvature [1/m] there (0 without geometry)."""

    d: int
    heading: float
    ref_heading: float
    ref_curvature: float


def _frame(frames: RoadFrames | None, road_id: str, s: float) -> tuple[float, float] | None:
    """``frames.reference_frame(road_id, s)``, None without frames or for a road they do not
    know (an entity placed by another map's view, say)."""
    if frames is None:
        return None
    try:
        return frames.reference_frame(road_id, s)
    except (TestzoneError, KeyError):
        return None


def _path_of(ego: EntityState, frames: RoadFrames | None) -> _Path:
    lane = ego.lane
    ref = _frame(frames, lane.road_id, lane.s) if lane is not None else None
    if ref is not None:
        assert lane is not None and frames is not None
        h_ref, k_ref = ref
        d = frames.driving_sign(lane.road_id, lane.lane_id)
    else:  # no geometry: a straight road along the ego's heading
        d = 1 if lane is None or lane.lane_id < 0 else -1
        h_ref, k_ref = (ego.pose.h if d > 0 else ego.pose.h + math.pi), 0.0
    h = h_ref if d > 0 else h_ref + math.pi
    if ego.speed * math.cos(ego.pose.h - h) < 0.0:  # reversing: the path runs backwards
        d, h = -d, h + math.pi
    return _Path(d, h, h_ref, k_ref)


def _on_road(ego: EntityState, other: EntityState, path: _Path, reach: float,
             frames: RoadFrames | None) -> tuple[float, float, float] | None:
    """Path distance [m] between box centres, the path heading at ``other`` [rad] and its
    speed scale, when ``other`` is ahead in the path on ego's road."""
    assert ego.lane is not None and other.lane is not None
    if abs(other.lane.t - ego.lane.t) > reach:
        return None
    h_ref_o, k_o = _frame(frames, other.lane.road_id, other.lane.s) or (path.ref_heading, 0.0)
    s_e = ego.lane.s + ego.box.cx * math.cos(ego.pose.h - path.ref_heading)
    s_o = other.lane.s + other.box.cx * math.cos(other.pose.h - h_ref_o)
    turn = wrap_angle(h_ref_o - path.ref_heading)
    dist = path.d * ((s_o - s_e) - ego.lane.t * turn)
    if dist <= 0.0:
        return None
    r_e, r_o = 1.0 - k_o * ego.lane.t, 1.0 - k_o * other.lane.t
    scale = r_e / r_o if r_o > 1e-6 else 1.0
    return dist, h_ref_o + path.heading - path.ref_heading, scale


def _on_arc(ego: EntityState, other: EntityState, path: _Path, reach: float
            ) -> tuple[float, float, float] | None:
    """Arc distance [m] between box centres along the ego's path circle, the path heading at
    ``other`` [rad] and its speed scale, when ``other`` is ahead in the path."""
    k = 0.0
    if ego.lane is not None and path.ref_curvature:
        r = 1.0 - path.ref_curvature * ego.lane.t
        k = path.d * path.ref_curvature / r if r > 1e-6 else 0.0
    ex, ey = ego.box.centre(ego.pose)
    ox, oy = other.box.centre(other.pose)
    c, s = math.cos(path.heading), math.sin(path.heading)
    lon = (ox - ex) * c + (oy - ey) * s
    lat = -(ox - ex) * s + (oy - ey) * c
    if abs(k) < 1e-9:
        if lon > 0.0 and abs(lat) <= reach:
            return lon, path.heading, 1.0
        return None
    radius = 1.0 / k
    side = 1.0 if radius > 0 else -1.0
    theta = math.atan2(lon, side * (radius - lat))
    rho = math.hypot(lon, lat - radius)
    if not 0.0 < theta <= math.pi / 2 or abs(side * (abs(radius) - rho)) > reach:
        return None
    return abs(radius) * theta, path.heading + side * theta, abs(radius) / rho


def nearest_ahead(ego: EntityState, others: Iterable[EntityState], margin_m: float = 0.0,
                  frames: RoadFrames | None = None) -> Ahead | None:
    """The nearest object of ``others`` ahead in ``ego``'s path (module docstring), or None.

    Args:
        margin_m: widens the path on each side [m] (>= 0; 0 is the evaluator's path).
        frames: the road geometry (``maps.RoadNetwork``); without it roads are taken as
            straight and right-hand traffic.

    The ego itself (same name) and hidden entities (``visible=False``) are skipped. An entity
    on a road ``frames`` does not know counts as off the road (the arc rule).
    """
    path = _path_of(ego, frames)
    ego_along = ego.speed * math.cos(ego.pose.h - path.heading)
    ego_half = extent_along(ego, path.heading)
    best: Ahead | None = None
    for o in others:
        if o.name == ego.name or not o.visible:
            continue
        reach = (ego.box.width + o.box.width) / 2 + margin_m
        if ego.lane is not None and o.lane is not None and o.lane.road_id == ego.lane.road_id:
            found = _on_road(ego, o, path, reach, frames)
        else:
            found = _on_arc(ego, o, path, reach)
        if found is None:
            continue
        dist, heading_at_other, scale = found
        gap = max(dist - ego_half - extent_along(o, heading_at_other), 0.0)
        if best is None or gap < best.gap_m:
            best = Ahead(o, gap, o.speed * math.cos(o.pose.h - heading_at_other) * scale,
                         ego_along)
    return best
