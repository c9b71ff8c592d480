"""Staying on the road: the ego's box corners against the map's drivable area and its lane.

Off-road (after nuPlan's ``drivable_area_compliance``): a frame is off-road when a corner of the
ego's bounding box lies farther than ``tolerance_m`` outside ``net.drivable_area()`` (the union
of the driving-type lanes, junctions included; nuPlan's tolerance is 0.3 m). A network without
that query (older contract, stand-ins) falls back to the reference point: a frame is off-road
when the ego has no lane position (recorded ``EntityState.lane`` None and ``net.world_to_lane``
None). Without a network and with no lane ever recorded, the metric is skipped.

Lane departure (UN R79 / ISO 17361 lane departure warning: "a wheel crosses the lane
boundary"; here the box stands for the wheels): a frame departs its lane when a box corner lies
farther than ``lane_tolerance_m`` outside ``net.lane_polygon(road, lane)`` of the lane holding
the reference point. A lane change is a departure too; criteria on it suit lane-keeping cases.
"""

from __future__ import annotations

import math

import numpy as np
import shapely

from maps.road import DRIVING_TYPES
from testzone.errors import TestzoneError
from testzone.recording import Recording

from evaluator.extract import (EgoTrack, box_corners, drivable_area_in, ego_track, lanes_along,
                               map_query, road_junction)
from evaluator.interfaces import RoadNetworkView
from evaluator.results import (UNIT_COUNT, MetricResult, Statistic, masked_time,
                               violations_from_mask)

#: Margin [m] around the ego's path when the drivable area is clipped for distance queries.
CLIP_MARGIN_M = 20.0

ROAD_CHANGE_WINDOW_S = 3.0
"""Frames within this [s] of a road change see the lanes on both roads as the ego's lane
(:meth:`DrivableMetric._departures`): a 5 m car passes a lane's end in 3 s down to 1.7 m/s."""


def corner_excess(area, corners: np.ndarray) -> np.ndarray:
    """Largest distance [m] of each box's corners outside ``area`` (0 inside), shape (N,).

    Args:
        area: a shapely (Multi)Polygon [m]. corners: (N, 4, 2) [m].
    """
    if len(corners) == 0:
        return np.zeros(0)
    pts = shapely.points(corners.reshape(-1, 2))
    d = shapely.distance(area, pts) if not area.is_empty else np.full(len(pts), math.inf)
    return np.asarray(d, dtype=float).reshape(-1, 4).max(axis=1)


def _area_around(net: RoadNetworkView | None, corners: np.ndarray):
    """The drivable area within the corners' envelope plus :data:`CLIP_MARGIN_M`
    (:func:`evaluator.extract.drivable_area_in`; distances within the margin are exact), or
    None when the network has no drivable-area query."""
    lo = corners.reshape(-1, 2).min(axis=0) - CLIP_MARGIN_M
    hi = corners.reshape(-1, 2).max(axis=0) + CLIP_MARGIN_M
    return drivable_area_in(net, float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1]))


OPEN_END_CAP_M = 10.0
"""How far behind a vehicle a road end without a link (the map's edge) counts as road going
on [m] in the off-road test: a car placed at s = 0 with its rear over the map's start (ASAM's
SlowPrecedingVehicle example) has not left the road; a front past a dead end has."""


def open_end_cap(net: object | None, road_id: str, at_start: bool):
    """A rectangle [m] continuing road ``road_id`` by :data:`OPEN_END_CAP_M` past its start
    (``at_start``) or its end, when that end has no road link (``predecessor``/``successor``,
    ASAM OpenDRIVE 1.8 clause 8.3) and the road is outside a junction, across its driving
    lanes' width there; None otherwise, or when the network cannot tell (no ``road``
    query, an unknown road)."""
    try:
        road = net.road(road_id)  # type: ignore[union-attr]
        s_end, link, outward = ((0.0, road.predecessor, -1.0) if at_start else
                                (road.length, road.successor, 1.0))
        if road_junction(road) is not None or link is not None:
            return None
        borders = [road.lane_center_t(i, s_end) + side * net.lane_width(road_id, i, s_end) / 2
                   for i in net.lane_ids(road_id, s_end)
                   if i != 0 and net.lane_type(road_id, i, s_end) in DRIVING_TYPES
                   for side in (-1.0, 1.0)]
        if not borders:
            return None
        a = net.road_to_world(road_id, s_end, min(borders))
        b = net.road_to_world(road_id, s_end, max(borders))
        h = road.heading_at(s_end)
        dx, dy = outward * OPEN_END_CAP_M * math.cos(h), outward * OPEN_END_CAP_M * math.sin(h)
        return shapely.Polygon([(a.x, a.y), (b.x, b.y), (b.x + dx, b.y + dy),
                                (a.x + dx, a.y + dy)])
    except (AttributeError, TypeError, TestzoneError):
        return None


def _end_behind(net: object | None, lane, heading: float) -> bool | None:
    """True when the road start is behind a vehicle at ``lane`` facing ``heading`` [rad] (it
    faces along +s), False when the road end is; None when the network cannot tell."""
    try:
        along = net.road(lane.road_id).heading_at(lane.s)  # type: ignore[union-attr]
    except (AttributeError, TypeError, TestzoneError):
        return None
    return math.cos(heading - along) >= 0.0


class DrivableMetric:
    """Off-road time and lane departures of the ego.

    Args:
        tolerance_m: a corner this far outside the drivable area still counts as on it [m]
            (nuPlan ``drivable_area_compliance`` max_violation_threshold 0.3 m).
        lane_tolerance_m: same for the ego's lane [m] (0.1 m: a lane marking's width).

    Statistics: ``offroad_time_s`` [s], ``offroad_distance_max_m`` [m] (largest corner excess;
    None with the point fallback), ``lane_departure_count``, ``lane_departure_time_s``,
    ``lane_departure_max_m`` (None without ``net.lane_polygon``). Violations: ``offroad`` and
    ``lane_departure`` intervals. Event: ``{"method": "box_corners"|"reference_point"}``.
    """

    name = "drivable"
    category = "rules"

    def __init__(self, tolerance_m: float = 0.3, lane_tolerance_m: float = 0.1) -> None:
        self.tolerance_m = tolerance_m
        self.lane_tolerance_m = lane_tolerance_m

    def compute(self, recording: Recording, net: RoadNetworkView | None = None) -> MetricResult:
        """Test the box corners (or the reference point) frame by frame."""
        tr = ego_track(recording)
        lanes = lanes_along(tr, net)
        stats = {n: Statistic(n, u, None) for n, u in (
            ("offroad_time_s", "s"), ("offroad_distance_max_m", "m"),
            ("lane_departure_count", UNIT_COUNT), ("lane_departure_time_s", "s"),
            ("lane_departure_max_m", "m"))}
        if net is None and all(lane is None for lane in lanes):
            return MetricResult(self.name, self.category, stats,
                                skipped="no road network and no lane position recorded")
        corners = box_corners(tr.states)
        viol: list = []
        excess = self._area_excess(net, corners, lanes, tr.h)
        if excess is not None:
            mask = (excess > self.tolerance_m).tolist()
            stats["offroad_distance_max_m"] = Statistic("offroad_distance_max_m", "m",
                                                        float(excess.max()))
            method = "box_corners"
        else:
            mask = [lane is None for lane in lanes]
            method = "reference_point"
        viol += violations_from_mask("offroad", tr.t.tolist(), mask, [1.0] * len(mask), "flag")
        stats["offroad_time_s"] = Statistic("offroad_time_s", "s",
                                            masked_time(tr.t.tolist(), mask))
        dep = self._departures(tr, lanes, corners, net)
        if dep is not None:
            excess, dmask = dep
            lv = violations_from_mask("lane_departure", tr.t.tolist(), dmask, excess.tolist(),
                                      "m")
            viol += lv
            stats.update({k: Statistic(k, u, v) for k, u, v in (
                ("lane_departure_count", UNIT_COUNT, float(len(lv))),
                ("lane_departure_time_s", "s", masked_time(tr.t.tolist(), dmask)),
                ("lane_departure_max_m", "m", float(excess.max()) if len(excess) else 0.0))})
        return MetricResult(self.name, self.category, stats, violations=tuple(viol),
                            events=({"method": method},))

    def _area_excess(self, net: RoadNetworkView | None, corners: np.ndarray,
                     lanes: list, headings: np.ndarray) -> np.ndarray | None:
        """Corner excess outside ``net.drivable_area()`` per frame [m], or None when the
        network lacks the query or cannot build the area (a TestzoneError: the reference-point
        test stands in). A frame off the area whose reference point is on a road whose end
        behind the ego (``headings`` [rad] per frame) has no link is measured again with
        the road going on there (:func:`open_end_cap`)."""
        if not len(corners):
            return None
        try:
            area = _area_around(net, corners)
        except TestzoneError:
            return None
        if area is None:
            return None
        excess = corner_excess(area, corners)
        behind: dict[tuple[str, bool], list[int]] = {}
        for k, e in enumerate(excess):
            if e > self.tolerance_m and lanes[k] is not None:
                start = _end_behind(net, lanes[k], float(headings[k]))
                if start is not None:
                    behind.setdefault((lanes[k].road_id, start), []).append(k)
        for (road, start), idx in behind.items():
            cap = open_end_cap(net, road, start)
            if cap is not None:
                excess[idx] = corner_excess(shapely.union_all([area, cap]), corners[idx])
        return excess

    def _departures(self, tr: EgoTrack, lanes: list, corners: np.ndarray,
                    net: RoadNetworkView | None) -> tuple[np.ndarray, list[bool]] | None:
        """(corner excess outside the current lane [m], departure mask) per frame, or None
        when the network has no lane polygons. Frames off every lane count 0 (off-road
        covers them); a lane the map does not know is skipped the same way.

        Where the ego passes from one road to the next (a road link, a junction's connecting
        road), the lane it comes from and the lane it goes to (on another road, within
        :data:`ROAD_CHANGE_WINDOW_S` of the frame) count as one: a box sticking past the end of
        a lane into the lane that continues it crosses no marking. So do a lane and its
        continuation under another id in the next lane section of the same road (a turn lane
        opening beside it renumbers it; ``net.lane_continuation`` when the map offers it)."""
        poly_fn = map_query(net, "lane_polygon")
        if poly_fn is None:
            return None
        polys: dict[tuple[str, int], object] = {}

        def polygon(key: tuple[str, int]):
            if key not in polys:
                try:
                    polys[key] = poly_fn(*key)
                except TestzoneError:
                    polys[key] = None
            return polys[key]

        continuation = map_query(net, "lane_continuation")

        def continues(lane, other) -> bool:
            """``other`` (same road) is ``lane`` renumbered by a lane section boundary."""
            if continuation is None or other.lane_id == lane.lane_id:
                return False
            try:
                return continuation(lane.road_id, lane.lane_id, lane.s, other.s) == other.lane_id
            except TestzoneError:
                return False

        excess = np.zeros(len(tr))
        groups: dict[tuple[tuple[str, int], tuple[tuple[str, int], ...]], list[int]] = {}
        w = max(1, int(round(ROAD_CHANGE_WINDOW_S / tr.dt))) if tr.dt > 0 else 1
        for i, lane in enumerate(lanes):
            if lane is None or lane.lane_id == 0:
                continue
            beyond = {(o.road_id, o.lane_id) for o in lanes[max(0, i - w):i + w + 1]
                      if o is not None and o.lane_id != 0 and (
                          o.road_id != lane.road_id or continues(lane, o))}
            groups.setdefault(((lane.road_id, lane.lane_id), tuple(sorted(beyond))),
                              []).append(i)
        for (own, beyond), idx in groups.items():
            area = polygon(own)
            if area is None:
                continue
            parts = [p for p in map(polygon, beyond) if p is not None]
            if parts:
                area = shapely.union_all([area, *parts])
            excess[idx] = corner_excess(area, corners[idx])
        return excess, (excess > self.lane_tolerance_m).tolist()
