"""The evaluator's contracts: what a metric is and what it needs from a road network.

A metric is a pure computation over a :class:`testzone.recording.Recording` (nuPlan's
``metrics/abstract_metric.py``: a name, a category and compute over a history). Scoring lives
elsewhere (:mod:`evaluator.scoring`). The road network is typed structurally so the evaluator
works with ``maps.RoadNetwork`` or any object offering the same queries (docs/architecture.md),
and with ``None`` when no map is given.
"""

from __future__ import annotations

from typing import Any, Protocol, Sequence

from testzone.recording import Recording
from testzone.world import LaneCoord

from evaluator.results import MetricResult


class RoadNetworkView(Protocol):
    """The part of ``maps.RoadNetwork`` the evaluator reads (docs/architecture.md, "maps").

    Optional queries, used when present (:func:`evaluator.extract.map_query`) and degrading
    cleanly when absent (fallback or skipped metric, with the reason): ``drivable_area()``,
    ``lane_polygon(road_id, lane_id)`` (shapely geometries [m]), ``crosswalks()`` (objects
    with ``.id`` and ``.polygon``), ``lane_to_world(road_id, lane_id, s)`` (a Pose whose
    heading is the lane's driving direction [rad]), and ``reference_frame(road_id, s)`` with
    ``driving_sign(road_id, lane_id)`` (``testzone.lead.RoadFrames``: headway along curved
    roads, lane directions by the road's traffic rule), ``lane_continuation(road_id, lane_id,
    s_from, s_to)`` (a lane's id in another lane section of its road: lane departure),
    ``two_way(road_id, lane_id)`` (a lane traffic may use both ways: no wrong way on it).
    """

    signals: Sequence[Any]
    """OpenDRIVE signals: objects with ``id``, ``road_id``, ``s`` [m], ``t`` [m] and
    ``orientation`` (``"+"``, ``"-"`` or ``"none"``)."""

    def speed_limit(self, road_id: str, lane_id: int, s: float) -> float | None:
        """Speed limit [m/s] at ``s`` [m] on a lane, or None when the map gives none."""
        ...

    def world_to_lane(self, x: float, y: float, heading: float | None = None) -> LaneCoord | None:
        """Nearest lane to the inertial point (x, y) [m], None when off the road network."""
        ...

    def lane_outline(self, road_id: str, lane_id: int) -> Any:
        """The lane's outline as an (N, 2) polygon [m] in the inertial frame."""
        ...

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(xmin, ymin, xmax, ymax) [m] of the network."""
        ...


class Metric(Protocol):
    """One metric: a name, a category and a pure computation over a recording.

    Thresholds are constructor parameters with units; :meth:`compute` never mutates its inputs,
    never touches a simulator and returns a :class:`MetricResult` whose ``skipped`` says why
    when the recording or the missing map does not allow the computation.
    """

    name: str
    category: str

    def compute(self, recording: Recording, net: RoadNetworkView | None = None) -> MetricResult:
        """Compute the metric over ``recording`` (with the road network ``net`` when given)."""
        ...
