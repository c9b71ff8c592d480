"""Post-encroachment time (PET) between the ego and every other entity whose path crosses it.

PET (Allen, Shin & Cooper, "Analysis of traffic conflicts and collisions", TRR 667, 1978) is
the time from the first road user leaving a conflict point to the second one reaching it;
0 means both occupied it at once. Here the conflict points are the crossings of the two
box-centre paths (shapely intersection of the polylines) where the two directions differ by at
least ``min_angle_rad``; same-direction conflicts (following, touching path ends, shallow
merges) are left to the headway metric (TTC, THW). A box occupies a point in the frames where
the point lies inside it; with sampling period dt the result is exact to dt.
"""

from __future__ import annotations

import math

import numpy as np
import shapely

from testzone.recording import Recording

from evaluator.extract import box_centre, ego_name
from evaluator.interfaces import RoadNetworkView
from evaluator.results import MetricResult, Statistic

#: An entity whose box centre moves less than this [m] has no path to cross.
MIN_TRAVEL_M = 0.01


def _occupancy(recording: Recording, name: str, x: float,
               y: float) -> tuple[np.ndarray, np.ndarray]:
    """(times [s], mask) of the frames where (x, y) lies inside ``name``'s box."""
    states = [(f.time, f.entities[name]) for f in recording.frames if name in f.entities]
    if not states:
        return np.zeros(0), np.zeros(0, dtype=bool)
    polys = shapely.polygons(np.asarray([s.box.corners(s.pose) for _, s in states]))
    return np.asarray([t for t, _ in states]), shapely.contains_xy(polys, x, y)


def _pet_at(recording: Recording, ego: str, other: str, x: float, y: float) -> float | None:
    """PET [s] at one conflict point, None when one of the two never occupies it."""
    te, me = _occupancy(recording, ego, x, y)
    to, mo = _occupancy(recording, other, x, y)
    if not me.any() or not mo.any():
        return None
    occ_e, occ_o = set(te[me].round(9)), set(to[mo].round(9))
    if occ_e & occ_o:
        return 0.0
    first_e, first_o = te[me][0], to[mo][0]
    t1, m1, t_arrive = (te, me, first_o) if first_e < first_o else (to, mo, first_e)
    # departure of the first user: the first frame after its last occupancy before the arrival
    last_in = t1[m1 & (t1 < t_arrive)][-1]
    after = t1[t1 > last_in]
    t_leave = after[0] if len(after) else last_in
    return max(0.0, float(t_arrive - t_leave))


def _direction(path: np.ndarray, x: float, y: float) -> float:
    """Direction [rad] of the polyline ``path`` (N, 2) at its vertex nearest (x, y)."""
    i = int(np.argmin(np.hypot(path[:, 0] - x, path[:, 1] - y)))
    j0, j1 = (i, i + 1) if i + 1 < len(path) else (i - 1, i)
    d = path[j1] - path[j0]
    return math.atan2(d[1], d[0])


def _crossings(path_a: np.ndarray, path_b: np.ndarray,
               min_angle_rad: float) -> list[tuple[float, float]]:
    """Points where two polylines (N, 2) [m] cross at an angle of at least ``min_angle_rad``
    (in either direction of travel); collinear overlaps are left out."""
    if len(path_a) < 2 or len(path_b) < 2:
        return []
    inter = shapely.intersection(shapely.LineString(path_a), shapely.LineString(path_b))
    out = []
    for g in getattr(inter, "geoms", [inter]):
        if g.geom_type != "Point":
            continue
        diff = _direction(path_a, g.x, g.y) - _direction(path_b, g.x, g.y)
        if abs(math.sin(diff)) >= math.sin(min_angle_rad):
            out.append((g.x, g.y))
    return out


class PETMetric:
    """Smallest post-encroachment time between the ego and any other entity.

    Args:
        min_angle_rad: smallest crossing angle of the two paths that makes a conflict point
            [rad] (default 15 deg; shallower conflicts are following or merging).

    Statistics: ``pet_min_s`` (inf when no path crosses the ego's). Events: one
    ``{"other", "x", "y", "pet_s"}`` per conflict point.
    """

    name = "pet"
    category = "safety"

    def __init__(self, min_angle_rad: float = math.radians(15)) -> None:
        self.min_angle_rad = min_angle_rad

    def compute(self, recording: Recording, net: RoadNetworkView | None = None) -> MetricResult:
        """Find crossing points of box-centre paths and the PET at each (``net`` unused)."""
        ego = ego_name(recording)
        paths: dict[str, list[tuple[float, float]]] = {}
        for f in recording.frames:
            for n, e in f.entities.items():
                paths.setdefault(n, []).append(box_centre(e))
        events, best = [], math.inf
        ego_path = np.asarray(paths.get(ego, []))
        for other in sorted(n for n in paths if n != ego):
            path = np.asarray(paths[other])
            if np.ptp(path, axis=0).max() < MIN_TRAVEL_M:
                continue  # a stationary object never leaves: collisions cover it
            for x, y in _crossings(ego_path, path, self.min_angle_rad):
                pet = _pet_at(recording, ego, other, x, y)
                if pet is None:
                    continue
                events.append({"other": other, "x": x, "y": y, "pet_s": pet})
                best = min(best, pet)
        return MetricResult(self.name, self.category,
                            {"pet_min_s": Statistic("pet_min_s", "s", best)}, events=tuple(events))
