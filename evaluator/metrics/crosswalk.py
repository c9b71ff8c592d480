"""Yielding at crosswalks: the ego driving onto a crosswalk a pedestrian is crossing.

PRC Road Traffic Safety Law art. 47: a motor vehicle passing a crosswalk shall slow down, and
shall stop and yield when pedestrians are crossing on it. The crosswalks are the map's
(``net.crosswalks()``, objects with a shapely ``polygon``: OpenDRIVE ``crosswalk`` objects
and road marks). An entry is the first frame of each time the ego's box overlaps a crosswalk
(not the run's first frame: an ego placed on a crosswalk did not drive onto it); it is an
occupied entry when, in that frame, a pedestrian's or cyclist's centre is on the same
crosswalk (a box reaching over its edge from the kerb is someone waiting, not crossing;
hostile pass 13) within :data:`NEAR_PATH_M` of the ego's centre line (measured across the
ego's heading) and that road user is crossing (heading at least 30 deg across the ego's, or a
pedestrian standing on it): someone crossing in the ego's half of the road, not one at the
far kerb of a wide road, nor a cyclist riding along the road over the crosswalk. Without crosswalks on the map, or without a map, the statistics are None.
"""

from __future__ import annotations

import math

import shapely

from testzone.errors import TestzoneError
from testzone.recording import Recording
from testzone.world import EntityKind, along_left

from evaluator.extract import box_centre, crosses_heading, ego_name, map_query
from evaluator.interfaces import RoadNetworkView
from evaluator.metrics.pet import conflict_areas
from evaluator.results import UNIT_COUNT, MetricResult, Statistic

NEAR_PATH_M = 5.25
"""How far across the ego's heading [m] a road user on the crosswalk counts as in its way:
the ego's lane and half of the next (1.5 lanes of 3.5 m)."""

CROSSING_KINDS = (EntityKind.PEDESTRIAN, EntityKind.CYCLIST)
"""Road users a vehicle yields to on a crosswalk."""


class CrosswalkMetric:
    """Entries of the ego onto crosswalks someone was crossing in its way.

    Statistics: ``crosswalk_occupied_entry_count`` (None without crosswalks),
    ``crosswalk_entry_speed_max_mps`` (the ego's fastest speed entering an occupied
    crosswalk; None when it never did). Events: ``{"t", "crosswalk", "other", "lateral_m",
    "speed_mps"}`` per occupied entry.
    """

    name = "crosswalk"
    category = "rules"

    def compute(self, recording: Recording, net: RoadNetworkView | None = None) -> MetricResult:
        """Find the ego's entries onto crosswalks and who was on them then."""
        stats = {"crosswalk_occupied_entry_count":
                 Statistic("crosswalk_occupied_entry_count", UNIT_COUNT, None),
                 "crosswalk_entry_speed_max_mps":
                 Statistic("crosswalk_entry_speed_max_mps", "m/s", None)}
        ego = ego_name(recording)
        states = [f.entities[ego] for f in recording.frames if ego in f.entities]
        query = map_query(net, "crosswalks")
        if query is None or not states or not _any(query):
            return MetricResult(self.name, self.category, stats)
        # only the crosswalks its box can reach from its path (pet's selection of areas)
        reach = max(math.hypot(st.box.length, st.box.width) / 2 for st in states) + 1.0
        path = [box_centre(st) for st in states]
        near = (shapely.LineString(path) if len(path) > 1 else shapely.Point(path[0]))
        walks = conflict_areas(net, near.buffer(reach))
        inside: dict[str, bool] = {}      # empty until the ego's first frame: no entry then
        events = []
        for f in recording.frames:
            e = f.entities.get(ego)
            if e is None:
                continue
            box = shapely.Polygon(e.box.corners(e.pose))
            for label, area in walks:
                now = box.intersects(area)
                if now and inside.get(label) is False:
                    events += _occupants(f, ego, e, label, area)
                inside[label] = now
        stats["crosswalk_occupied_entry_count"] = Statistic(
            "crosswalk_occupied_entry_count", UNIT_COUNT, float(len(events)))
        if events:
            stats["crosswalk_entry_speed_max_mps"] = Statistic(
                "crosswalk_entry_speed_max_mps", "m/s", max(ev["speed_mps"] for ev in events))
        return MetricResult(self.name, self.category, stats, events=tuple(events))


def _any(query) -> bool:
    """Whether the map's ``crosswalks()`` query gives any (False when it fails to read them,
    as :func:`evaluator.metrics.pet.conflict_areas` takes it)."""
    try:
        return bool(list(query()))
    except TestzoneError:
        return False


def _crossing(e, o) -> bool:
    """Whether ``o`` is crossing the ego's way: heading at least
    :data:`evaluator.extract.CROSSING_ANGLE_RAD` across the ego's either way (a cyclist
    riding in the next lane over a crosswalk is not), or a pedestrian standing on the
    crosswalk (below 0.5 m/s)."""
    if crosses_heading(e, o, strict=False):
        return True
    return o.kind == EntityKind.PEDESTRIAN and abs(o.speed) < 0.5


def _occupants(frame, ego: str, e, label: str, area) -> list[dict]:
    """The occupied-entry event of the ego entering ``area`` in ``frame``: the road user
    crossing nearest its centre line, when one is within :data:`NEAR_PATH_M` (empty list
    otherwise)."""
    ex, ey = box_centre(e)
    best = None
    for name, o in frame.entities.items():
        if name == ego or o.kind not in CROSSING_KINDS or not _crossing(e, o):
            continue
        ox, oy = box_centre(o)
        if not area.intersects(shapely.Point(ox, oy)):
            continue
        lateral = abs(along_left(ex, ey, e.pose.h, ox, oy)[1])
        if lateral <= NEAR_PATH_M and (best is None or lateral < best[0]):
            best = (lateral, name)
    if best is None:
        return []
    return [{"t": frame.time, "crosswalk": label, "other": best[1],
             "lateral_m": round(best[0], 3), "speed_mps": float(abs(e.speed))}]
