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

from testzone.errors import TestzoneError
from testzone.recording import Recording

from evaluator.extract import (EgoTrack, box_corners, drivable_area_in, ego_track, lanes_along,
                               map_query)
from evaluator.interfaces import RoadNetworkView
from evaluator.results import UNIT_COUNT, MetricResult, Statistic, violations_from_mask

#: Margin [m] around the ego's path when the drivable area is clipped for distance queries.
CLIP_MARGIN_M = 20.0


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
        excess = self._area_excess(net, corners)
        if excess is not None:
            mask = (excess > self.tolerance_m).tolist()
            stats["offroad_distance_max_m"] = Statistic("offroad_distance_max_m", "m",
                                                        float(excess.max()))
            method = "box_corners"
        else:
            mask = [lane is None for lane in lanes]
            method = "reference_point"
        viol += violations_from_mask("offroad", tr.t.tolist(), mask, [1.0] * len(mask), tr.dt,
                                     "flag")
        stats["offroad_time_s"] = Statistic("offroad_time_s", "s", sum(mask) * tr.dt)
        dep = self._departures(tr, lanes, corners, net)
        if dep is not None:
            excess, dmask = dep
            lv = violations_from_mask("lane_departure", tr.t.tolist(), dmask, excess.tolist(),
                                      tr.dt, "m")
            viol += lv
            stats.update({k: Statistic(k, u, v) for k, u, v in (
                ("lane_departure_count", UNIT_COUNT, float(len(lv))),
                ("lane_departure_time_s", "s", sum(dmask) * tr.dt),
                ("lane_departure_max_m", "m", float(excess.max()) if len(excess) else 0.0))})
        return MetricResult(self.name, self.category, stats, violations=tuple(viol),
                            events=({"method": method},))

    @staticmethod
    def _area_excess(net: RoadNetworkView | None, corners: np.ndarray) -> np.ndarray | None:
        """Corner excess outside ``net.drivable_area()`` per frame [m], or None when the
        network lacks the query or cannot build the area (a TestzoneError: the reference-point
        test stands in)."""
        if not len(corners):
            return None
        try:
            area = _area_around(net, corners)
        except TestzoneError:
            return None
        return None if area is None else corner_excess(area, corners)

    def _departures(self, tr: EgoTrack, lanes: list, corners: np.ndarray,
                    net: RoadNetworkView | None) -> tuple[np.ndarray, list[bool]] | None:
        """(corner excess outside the current lane [m], departure mask) per frame, or None
        when the network has no lane polygons. Frames off every lane count 0 (off-road
        covers them); a lane the map does not know is skipped the same way."""
        poly_fn = map_query(net, "lane_polygon")
        if poly_fn is None:
            return None
        excess = np.zeros(len(tr))
        groups: dict[tuple[str, int], list[int]] = {}
        for i, lane in enumerate(lanes):
            if lane is not None and lane.lane_id != 0:
                groups.setdefault((lane.road_id, lane.lane_id), []).append(i)
        for (road_id, lane_id), idx in groups.items():
            try:
                poly = poly_fn(road_id, lane_id)
            except TestzoneError:
                continue
            excess[idx] = corner_excess(poly, corners[idx])
        return excess, (excess > self.lane_tolerance_m).tolist()
