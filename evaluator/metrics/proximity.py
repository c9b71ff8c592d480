"""Minimum distance between the ego and other entities (box to box, ground plane).

The distance between the two bounding-box rectangles (0 when they touch), computed with shapely
(GEOS ``distance``); unlike the headway gap it ignores lanes and counts every direction.
"""

from __future__ import annotations

import math

import numpy as np
import shapely

from testzone.recording import Recording
from testzone.world import EntityKind

from evaluator.extract import ego_name
from evaluator.interfaces import RoadNetworkView
from evaluator.results import MetricResult, Statistic, TimeSeries


class ProximityMetric:
    """Smallest box-to-box distance from the ego to any visible entity.

    Statistics: ``distance_min_m`` (inf when the ego is alone) and
    ``pedestrian_distance_min_m`` (to entities of kind pedestrian; None when there are none).
    The closest approach is reported as the event ``{"t", "other", "distance_m"}``.
    Series: ``distance_m``.
    """

    name = "proximity"
    category = "safety"

    def compute(self, recording: Recording, net: RoadNetworkView | None = None) -> MetricResult:
        """Compute the per-frame minimum distance [m] (``net`` is not used).

        All (ego, other) box pairs of all frames go to shapely in one vectorised call.
        """
        name = ego_name(recording)
        times, ego_boxes, other_boxes, pair_frame, pair_other = [], [], [], [], []
        for f in recording.frames:
            ego = f.entities.get(name)
            if ego is None:
                continue
            corners = ego.box.corners(ego.pose)
            for n, o in f.entities.items():
                if n != name and o.visible:
                    ego_boxes.append(corners)
                    other_boxes.append(o.box.corners(o.pose))
                    pair_frame.append(len(times))
                    pair_other.append(o)
            times.append(f.time)
        dist = np.full(len(times), math.inf)
        events: tuple[dict, ...] = ()
        ped_min: float | None = None
        if pair_other:
            d = shapely.distance(shapely.polygons(np.asarray(ego_boxes)),
                                 shapely.polygons(np.asarray(other_boxes)))
            np.minimum.at(dist, np.asarray(pair_frame), d)
            k = int(np.argmin(d))
            events = ({"t": times[pair_frame[k]], "other": pair_other[k].name,
                       "distance_m": float(d[k])},)
            peds = [float(v) for v, o in zip(d, pair_other) if o.kind == EntityKind.PEDESTRIAN]
            ped_min = min(peds) if peds else None
        best = float(dist.min()) if len(dist) else math.inf
        stats = {"distance_min_m": Statistic("distance_min_m", "m", best),
                 "pedestrian_distance_min_m": Statistic("pedestrian_distance_min_m", "m", ped_min)}
        return MetricResult(self.name, self.category, stats,
                            (TimeSeries("distance_m", "m", tuple(times), tuple(dist.tolist())),),
                            events=events)
