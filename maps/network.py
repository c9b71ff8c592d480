"""The road network and its queries (the ``maps`` contract in docs/architecture.md).

Conventions (matching esmini's RoadManager, the ASAM reference player):

* ``LaneCoord.t`` is measured from the road reference line, ``LaneCoord.offset`` from the lane
  centre, both positive to the left of the reference line [m].
* Lane headings are the driving direction: right-hand traffic drives lanes with id < 0 along
  +s and lanes with id > 0 along -s (heading + pi); ``road@rule="LHT"`` mirrors this.
"""

from __future__ import annotations

import gc
import math
import os
import warnings
from contextlib import contextmanager
from typing import Callable, Iterator, Sequence

import numpy as np

from testzone.numbers import xsd_double
from testzone.world import LaneCoord, Pose

from maps.errors import Issue, MapsError
from maps.geo import GeoReference
from maps.areas import Areas, lane_runs
from maps.model import Junction, RoadMark, Signal
from maps.objects import RoadObject
from maps.parser import ParsedFile, RawSignal, parse_file
from maps.road import DRIVING_TYPES, Road
from maps.spatial import SpatialIndex, choose as choose_candidate
from maps.routing import find_route
from maps.traversal import RoadGraph, advance, lane_id_at, longitudinal_path
from maps.validate import issues_of


def _wrap(a: float) -> float:
    a = math.remainder(a, 2.0 * math.pi)
    return math.pi if a == -math.pi else a


class RoadNetwork:
    """An OpenDRIVE road network with road-frame queries.

    Attributes:
        path: absolute path of the source file. geo_reference: PROJ string or None.
        offset: header ``offset`` (x, y, z [m], hdg [rad]): used only by :meth:`to_lonlat`
            and :meth:`from_lonlat`; road coordinates stay in the file's inertial frame.
        version: (revMajor, revMinor). roads: by ``road@id``. junctions: by id.
        signals: signals and signal references with world positions.
        warnings: the non-fatal :class:`Issue` found when loading.
        graph: the road/lane connectivity (:class:`~maps.traversal.RoadGraph`), built on
            first use.
    """

    def __init__(self, parsed: ParsedFile, issues: list[Issue] | None = None) -> None:
        self.path = parsed.path
        self.geo_reference = parsed.geo_reference
        self.offset = parsed.offset
        self.version = parsed.version
        self.roads: dict[str, Road] = parsed.roads
        self.junctions: dict[str, Junction] = parsed.junctions
        self.warnings = [i for i in (issues or []) if i.severity == "warning"]
        self._graph: RoadGraph | None = None
        self.signals: list[Signal] = [self._signal(raw) for raw in parsed.signals]
        self.objects: list[RoadObject] = parsed.objects
        self.areas = Areas(self)
        self._index: SpatialIndex | None = None
        self._outlines: dict[tuple[str, int], np.ndarray] = {}
        self._geo: GeoReference | None = None
        self._bounds: tuple[float, float, float, float] | None = None

    # ------------------------------------------------------------------------ helpers
    @property
    def graph(self) -> RoadGraph:
        """Road and lane connectivity (:class:`~maps.traversal.RoadGraph`), built on first
        use: loading does not pay for it when only positions are queried."""
        if self._graph is None:
            self._graph = RoadGraph(self.roads, self.junctions)
        return self._graph

    def road(self, road_id: str) -> Road:
        """The road ``road_id``; MapsError when there is none."""
        try:
            return self.roads[str(road_id)]
        except KeyError:
            raise MapsError(f"no road with id {road_id!r}", file=self.path, element="road") from None

    def _signal(self, raw: RawSignal) -> Signal:
        a, road = raw.attrs, self.roads[raw.road_id]

        def num(name: str, default: float | None = 0.0) -> float | None:
            """Numeric attribute of the signal record (``default`` when absent)."""
            try:
                return xsd_double(a[name]) if name in a else default
            except ValueError:
                raise MapsError(f"attribute {name}={a[name]!r} is not a number", file=self.path,
                                line=raw.line, element="signal") from None

        s, t = num("s"), num("t")
        x, y, z, h, _, _ = road.position(min(max(s, 0.0), road.length), t)
        orient = a.get("orientation", "none")
        h = _wrap(h + (math.pi if orient == "-" else 0.0) + num("hOffset"))
        z += num("zOffset")
        if raw.inertial is not None:  # positionInertial (1.7+) overrides the road position
            x, y, z, h = raw.inertial[0], raw.inertial[1], raw.inertial[2], _wrap(raw.inertial[3])
        return Signal(id=a.get("id", ""), road_id=road.id, s=s, t=t,
                      dynamic=a.get("dynamic", "no") == "yes", orientation=orient,
                      type=a.get("type", "-1"), subtype=a.get("subtype", "-1"),
                      x=x, y=y, z=z, h=h, country=a.get("country"),
                      value=num("value", None), unit=a.get("unit"), name=a.get("name"),
                      is_reference=raw.is_reference, validity=raw.validity, line=raw.line)

    def _lane_check(self, road: Road, lane_id: int, s: float):
        sec = road.section_at(s)
        if lane_id not in sec.by_id:
            raise MapsError(f"road {road.id} has no lane {lane_id} at s={s:.3f} (lanes: "
                            f"{sorted(sec.by_id)})", file=self.path, line=sec.line,
                            element="laneSection")
        return sec

    # ----------------------------------------------------------------------- geography
    def to_lonlat(self, x: float, y: float) -> tuple[float, float]:
        """WGS84 (longitude, latitude) [deg] of an inertial point [m] (via geoReference and
        header offset); MapsError when the file has no geoReference."""
        return self._georef().to_lonlat(x, y)

    def from_lonlat(self, lon: float, lat: float) -> tuple[float, float]:
        """Inertial (x, y) [m] of a WGS84 point [deg]; MapsError without geoReference."""
        return self._georef().from_lonlat(lon, lat)

    def _georef(self) -> GeoReference:
        if self.geo_reference is None:
            raise MapsError("no <geoReference> in the header (needed for geographic positions)",
                            file=self.path, element="header")
        if self._geo is None:
            self._geo = GeoReference(self.geo_reference, self.offset, self.path)
        return self._geo

    # ----------------------------------------------------------------------- positions
    def road_to_world(self, road_id: str, s: float, t: float) -> Pose:
        """Pose of road point ``(s, t)`` [m]; heading/pitch/roll of the reference line."""
        x, y, z, h, p, r = self.road(road_id).position(s, t)
        return Pose(x, y, z, _wrap(h), p, r)

    def lane_to_world(self, road_id: str, lane_id: int, s: float, offset: float = 0.0) -> Pose:
        """Pose at ``s`` [m] in lane ``lane_id``, ``offset`` [m] left of its centre.

        Heading is the lane's driving direction (reference heading + pi for lanes driven
        against s), and pitch/roll are turned with it; z includes the lane's ``height``
        records. MapsError for an unknown road or lane.
        """
        road = self.road(road_id)
        sec = self._lane_check(road, lane_id, s)
        a, b = road.lane_span(lane_id, s, sec)
        x, y, z, h, p, r = road.position(s, 0.5 * (a + b) + offset)
        lane = sec.by_id[lane_id]
        if lane.level and r:  # excluded from superelevation: flat from its level block's start
            z += (road.level_start_t(lane_id, s, sec) - 0.5 * (a + b) - offset) * math.tan(r)
            r = 0.0
        if lane.heights and b != a:
            z += road.lane_height(lane, sec, s, 0.5 + offset / (b - a))
        if road.driving_sign(lane_id) < 0:
            h, p, r = h + math.pi, -p, -r
        return Pose(x, y, z, _wrap(h), p, r)

    def world_to_lane(self, x: float, y: float, heading: float | None = None,
                      lane_types: frozenset[str] | None = DRIVING_TYPES,
                      prefer: LaneCoord | None = None,
                      route: Sequence[str] | None = None) -> LaneCoord | None:
        """Nearest lane position of the inertial point ``(x, y)`` [m].

        Args:
            heading: [rad]; among equally near roads (junctions) the lane whose driving
                direction matches best is preferred.
            lane_types: lane types to snap to; default the driving types (as esmini does for
                vehicles); :data:`maps.road.WALKING_TYPES` for pedestrians; None for any lane.
            prefer: the entity's previous lane position. Inside a junction, where connecting
                roads overlap and the nearest one can change from one step to the next without
                the entity turning, the answer stays on ``prefer``'s connecting road while the
                point lies in one of its lanes (of ``lane_types``) and, with a heading, drives
                within 90 deg of it (:meth:`stay_on`); entering a junction from an ordinary
                road, on the connecting road that continues ``prefer``'s lane straightest, on
                the same terms (the connecting roads of one lane start on one spot).
            route: the road ids of the entity's route still ahead (the engine passes the
                part from the road it was last on, ``maps.traversal.route_progress``). Inside
                a junction the answer is on the route's
                connecting road of that junction (the first in route order) while the point
                lies in one of its lanes, on the terms of ``prefer``, before ``prefer`` is
                weighed: a car entering a junction to turn is on the turning road from its
                first metre, not on the straightest one until the two part (the stack under
                test is told the lane its route takes; new-section pass 12).

        Returns None when no road is within reach (outer lane border + 3 m). A point outside
        every allowed lane gets the nearest one, with the offset beyond its centre.
        """
        if self._index is None:
            self._index = SpatialIndex(self.roads)
        cands = self._index.candidates(x, y, heading, lane_types)
        best = choose_candidate(cands, heading is not None)
        if best is None:
            return None
        here = self.roads[best.road_id]
        if route and here.in_junction:
            for rid in route:
                road = self.roads.get(rid)
                if road is not None and road.junction == here.junction:
                    kept = self.stay_on(LaneCoord(rid, 0, 0.0, 0.0), x, y, heading, lane_types)
                    if kept is not None:
                        return kept
        if prefer is not None and prefer.road_id != best.road_id and here.in_junction:
            before = self.roads.get(prefer.road_id)
            if before is not None:
                if before.junction == here.junction:
                    kept = self.stay_on(prefer, x, y, heading, lane_types)
                elif not before.in_junction:
                    kept = self._enter_straight(prefer, best.road_id, here.junction, x, y,
                                                heading, lane_types)
                else:
                    kept = None
                if kept is not None:
                    return kept
        return LaneCoord(best.road_id, best.lane_id, best.s, best.t, best.offset)

    def _enter_straight(self, prefer: LaneCoord, nearest: str, junction: str, x: float,
                        y: float, heading: float | None, lane_types: frozenset[str] | None
                        ) -> LaneCoord | None:
        """Entering junction ``junction`` from ``prefer`` (a lane of an ordinary road): the
        point on the connecting road that continues ``prefer``'s lane straightest
        (:func:`maps.traversal.advance`'s default), while the point lies in its lanes
        (:meth:`stay_on`); None otherwise, or when that road is ``nearest`` anyway. The
        connecting roads of one incoming lane start on the same spot, so the nearest one is a
        tie that broke towards a turn, and an agent going straight on was shown, and
        re-planned, on the turning road."""
        road = self.roads[prefer.road_id]
        try:
            sign = road.driving_sign(prefer.lane_id)
            to_end = road.length - prefer.s if sign > 0 else prefer.s
            entry = self.advance(LaneCoord(prefer.road_id, prefer.lane_id, prefer.s, 0.0),
                                 to_end + 0.01)
        except (MapsError, KeyError, ValueError):
            return None
        ahead = self.roads.get(entry.road_id)
        if ahead is None or ahead.junction != junction or ahead.id == nearest:
            return None
        return self.stay_on(entry, x, y, heading, lane_types)

    def stay_on(self, prefer: LaneCoord, x: float, y: float, heading: float | None = None,
                lane_types: frozenset[str] | None = DRIVING_TYPES) -> LaneCoord | None:
        """The point ``(x, y)`` [m] as a position on ``prefer``'s road: projected on its
        reference line from ``prefer.s``, in a lane of ``lane_types`` (not outside it, not
        beyond the road's ends) whose driving direction is within 90 deg of ``heading`` [rad]
        when one is given; None otherwise.

        Raises:
            MapsError: ``prefer`` names an unknown road.
        """
        road = self.road(prefer.road_id)
        s, t, beyond, ref_heading = road.project(x, y, prefer.s)
        if beyond > 1e-6:
            return None
        lane, offset, outside = road.lane_at(s, t, lane_types)
        if lane == 0 or outside > 0.0:
            return None
        if heading is not None:
            forward = ref_heading if road.driving_sign(lane) > 0 else ref_heading + math.pi
            if math.cos(heading - forward) <= 0.0:
                return None
        return LaneCoord(road.id, lane, s, t, offset)

    def advance(self, coord: LaneCoord, ds: float,
                choose: Callable[[list[LaneCoord]], LaneCoord] | None = None) -> LaneCoord:
        """Move ``ds`` [m] along the lane's driving direction (see :func:`maps.traversal.advance`)."""
        road = self.road(coord.road_id)
        self._lane_check(road, coord.lane_id, coord.s)
        return advance(self.graph, coord, ds, choose)

    def longitudinal_distance(self, a: LaneCoord, b: LaneCoord,
                              max_distance: float = 1000.0) -> float | None:
        """Signed distance [m] from ``a`` to ``b`` along the road graph, or None
        (see :func:`maps.traversal.longitudinal_distance`)."""
        found = self.longitudinal_path(a, b, max_distance)
        return None if found is None else found[0]

    def longitudinal_path(self, a: LaneCoord, b: LaneCoord,
                          max_distance: float = 1000.0) -> tuple[float, int] | None:
        """``(distance [m], +1 / -1)``: :meth:`longitudinal_distance` and the direction of
        ``b``'s road along it (see :func:`maps.traversal.longitudinal_path`), or None."""
        for c in (a, b):
            self.road(c.road_id)  # MapsError for unknown roads
        return longitudinal_path(self.graph, a, b, max_distance)

    def route(self, a: LaneCoord, b: LaneCoord, strategy: str = "shortest",
              max_distance: float = 5000.0, goal_lane: bool = False) -> list[str] | None:
        """Road ids of the best drivable route from ``a`` to ``b``, or None.

        ``strategy`` is OpenSCENARIO's RouteStrategy: ``shortest`` (length), ``fastest``
        (time at the speed limits) or ``leastIntersections`` (junctions entered, then
        length); ``goal_lane``: enter ``b``'s road in its lane's driving direction; see
        :mod:`maps.routing`. MapsError for an unknown road or strategy. Drive it with
        ``advance(coord, ds, choose=maps.traversal.route_chooser(route))``."""
        for c in (a, b):
            self.road(c.road_id)
        return find_route(self.graph, a, b, strategy, max_distance, goal_lane=goal_lane)

    def reference_frame(self, road_id: str, s: float) -> tuple[float, float]:
        """Heading [rad, not wrapped] and signed curvature [1/m, > 0 turning left] of the
        reference line of ``road_id`` at ``s`` [m] (ASAM OpenDRIVE 1.8 clause 9.2).

        Raises:
            MapsError: unknown road."""
        road = self.road(road_id)
        return road.heading_at(s), road.reference_line.curvature(s)

    def driving_sign(self, road_id: str, lane_id: int) -> int:
        """+1 when traffic in the lane moves along +s, -1 against, as the road's traffic rule
        says (:meth:`maps.road.Road.driving_sign`).

        Raises:
            MapsError: unknown road."""
        return self.road(road_id).driving_sign(lane_id)

    def two_way(self, road_id: str, lane_id: int) -> bool:
        """True when traffic may use the lane both ways (``type="bidirectional"``, or
        ``direction="both"`` of OpenDRIVE 1.8: :meth:`maps.road.Road.two_way`).

        Raises:
            MapsError: unknown road."""
        return self.road(road_id).two_way(lane_id)

    # ------------------------------------------------------------------------ lanes
    def lane_continuation(self, road_id: str, lane_id: int, s_from: float,
                          s_to: float) -> int | None:
        """The id at ``s_to`` [m] of the lane that is ``lane_id`` at ``s_from`` [m] on the same
        road, through its lane sections' lane links (:func:`maps.traversal.lane_id_at`); None
        where it cannot be continued. Lane ids are per lane section (clause 11.4): a lane
        opening or closing on one side renumbers the lanes beyond it.

        Raises:
            MapsError: unknown road."""
        return lane_id_at(self.road(road_id), lane_id, s_from, s_to)

    def lane_width(self, road_id: str, lane_id: int, s: float) -> float:
        """Width [m] of a lane at ``s`` [m]."""
        road = self.road(road_id)
        self._lane_check(road, lane_id, s)
        return road.lane_width(lane_id, s)

    def lane_ids(self, road_id: str, s: float) -> list[int]:
        """Lane ids (without the centre lane 0) at ``s`` [m], from left to right."""
        sec = self.road(road_id).section_at(s)
        return [ln.id for ln in reversed(sec.left)] + [ln.id for ln in sec.right]

    def lane_type(self, road_id: str, lane_id: int, s: float) -> str:
        """OpenDRIVE lane type (``driving``, ``sidewalk``...) at ``s``."""
        road = self.road(road_id)
        return self._lane_check(road, lane_id, s).by_id[lane_id].type

    def speed_limit(self, road_id: str, lane_id: int, s: float) -> float | None:
        """Speed limit [m/s] (lane record, else road type record), or None."""
        return self.road(road_id).speed_limit(lane_id, s)

    def lane_outline(self, road_id: str, lane_id: int) -> np.ndarray:
        """Closed polygon (N, 2) [m] of a lane: inner border along s, then the outer border
        back (see :mod:`maps.areas` for the sampling). When the lane id exists in
        non-consecutive sections only the longest run is returned; :meth:`lane_polygon`
        gives all of it. Cached per lane (the array is read-only). MapsError for an unknown
        road or lane."""
        key = (road_id, lane_id)
        outline = self._outlines.get(key)
        if outline is None:
            road = self.road(road_id)
            runs = lane_runs(road, lane_id)
            if not runs:
                raise MapsError(f"road {road_id} has no lane {lane_id}", file=self.path,
                                line=road.line, element="lane")
            outline = np.array(max(runs, key=len), dtype=float)
            outline.setflags(write=False)
            self._outlines[key] = outline
        return outline

    # ------------------------------------------------------------------------ areas
    def lane_polygon(self, road_id: str, lane_id: int):
        """shapely Polygon of a lane [m] (a MultiPolygon when the lane id exists in
        non-consecutive lane sections); cached. MapsError for an unknown road or lane."""
        return self.areas.lane_polygon(road_id, lane_id)

    def drivable_area(self):
        """Union of all driving-type lanes (:data:`maps.road.DRIVING_TYPES`), junctions
        included, as a shapely (Multi)Polygon [m]; built on first call, then cached."""
        return self.areas.drivable_area()

    def drivable_area_within(self, xmin: float, ymin: float, xmax: float, ymax: float):
        """The drivable area of :meth:`drivable_area` inside the rectangle [m] (and perhaps
        beyond it), built from the roads near the rectangle only: for a window on a large
        network (the evaluator's view of one test case). A shapely (Multi)Polygon [m]."""
        return self.areas.drivable_area_within(xmin, ymin, xmax, ymax)

    def junction_area(self, junction_id: str):
        """Area covered by a junction's connecting roads (holes filled), a shapely
        (Multi)Polygon [m]; cached. MapsError for an unknown junction id."""
        return self.areas.junction_area(junction_id)

    def crosswalks(self) -> list[RoadObject]:
        """Crosswalk objects (``type="crosswalk"`` or ``subtype="crosswalk"``) with a
        footprint; each one's ``.polygon`` is a shapely Polygon [m]."""
        return [o for o in self.objects if o.is_crosswalk and o.outlines and o.closed]

    def road_marks(self, road_id: str) -> list[tuple[int, RoadMark]]:
        """``(lane_id, RoadMark)`` of every lane of a road, in section then lane order. A
        mark lies on its lane's outer border (lane 0: on the lane-offset line)."""
        road = self.road(road_id)
        return [(ln.id, m) for sec in road.sections
                for ln in (*( [sec.center] if sec.center else []), *sec.left, *sec.right)
                for m in ln.road_marks]

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """``(xmin, ymin, xmax, ymax)`` [m] of all road surfaces (outer lane borders)."""
        if self._bounds is None:
            pts = []
            for road in self.roads.values():
                for s in road.reference_line.sample_s(max_step=5.0):
                    left, right = road.side_extent(float(s))
                    pts.append(road.position(float(s), left)[:2])
                    pts.append(road.position(float(s), right)[:2])
            arr = np.array(pts) if pts else np.zeros((1, 2))
            self._bounds = (float(arr[:, 0].min()), float(arr[:, 1].min()),
                            float(arr[:, 0].max()), float(arr[:, 1].max()))
        return self._bounds


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (if it runs) for the block. Loading creates
    hundreds of thousands of long-lived objects and no garbage cycles; with the collector
    running, its full collections re-scan everything created so far several times (a
    quarter of the Wuhan network's load time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_opendrive(path: str | os.PathLike) -> RoadNetwork:
    """Load an OpenDRIVE 1.4-1.8 file.

    Raises MapsError (file, line, element) for a missing file, bad XML, a wrong root, a
    malformed element or any error found by :func:`maps.check_opendrive`; warnings (gaps
    between linked roads) are issued with :mod:`warnings` and kept in ``net.warnings``.
    """
    with _gc_paused():
        parsed = parse_file(path)
        issues = issues_of(parsed)
        for issue in issues:
            if issue.severity == "error":
                raise MapsError(issue.message, file=issue.file, line=issue.line,
                                element=issue.element)
        for issue in issues:
            warnings.warn(issue.format(), stacklevel=2)
        return RoadNetwork(parsed, issues)
