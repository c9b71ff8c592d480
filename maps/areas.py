"""Road-surface areas as shapely polygons, for the evaluator (lane departure, off-road, PET
conflict areas) and for plots.

Lane borders follow :meth:`maps.road.Road.lane_span` (ASAM OpenDRIVE 1.8 clause 11.4: each
lane's outer border is its inner border plus its width, lanes stacked outward from the
lane-offset line). Borders are sampled along each lane section at the reference line's
adaptive samples (chord error <= 2 cm), refined to <= 1 m where a width or the lane offset
varies, and always at the section ends, so a lane that exists in non-consecutive sections
gives one polygon per run of consecutive sections.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import shapely

from maps.errors import MapsError
from maps.model import LaneSection
from maps.reference_line import MAX_SAMPLES
from maps.road import DRIVING_TYPES, Road

if TYPE_CHECKING:  # pragma: no cover
    from maps.network import RoadNetwork

COARSE_STEP = 5.0
"""Longest sampling step [m] where widths and lane offset are constant."""
FINE_STEP = 1.0
"""Longest sampling step [m] where a width or the lane offset varies along s."""


def _varies(pw) -> bool:
    """True when the piecewise cubic ``pw`` is not one constant record."""
    recs = pw.records
    return len(recs) > 1 or any((r.b, r.c, r.d) != (0.0, 0.0, 0.0) for r in recs)


def section_samples(road: Road, sec: LaneSection) -> np.ndarray:
    """Sample positions [m] over ``[sec.s, sec.end]`` (both ends included, the end nudged
    1e-9 m inside so the section's own lanes are used); the regular grid has at most
    :data:`~maps.reference_line.MAX_SAMPLES` points."""
    lanes = (*sec.left, *sec.right)
    fine = _varies(road.lane_offset) or any(_varies(ln.width) or bool(ln.border)
                                            for ln in lanes)
    step = FINE_STEP if fine else COARSE_STEP
    ref = road.reference_line.sample_s(max_step=step, chord_error=0.02)
    inner = ref[(ref > sec.s) & (ref < sec.end)]
    n = max(1, min(MAX_SAMPLES, int(math.ceil((sec.end - sec.s) / step))))
    grid = sec.s + (sec.end - sec.s) * np.arange(1, n) / n
    ss = np.unique(np.concatenate(([sec.s], inner, grid, [sec.end])))
    ss[-1] = max(sec.s, sec.end - 1e-9)
    return ss


def section_borders(road: Road, sec: LaneSection, ss: np.ndarray
                    ) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """World points of every lane's inner and outer border at the samples ``ss``:
    ``{lane_id: (inner (N, 2), outer (N, 2))}`` [m] (lane 0: both on the lane-offset line)."""
    n = len(ss)
    xs, ys, hs = np.empty(n), np.empty(n), np.empty(n)
    for i, s in enumerate(ss):
        xs[i], ys[i], hs[i] = road.reference_line.pose(float(s))
    nx, ny = -np.sin(hs), np.cos(hs)
    spans: dict[int, np.ndarray] = {ln_id: np.empty((n, 2)) for ln_id in sec.by_id}
    for i, s in enumerate(ss):
        for ln_id in sec.by_id:
            spans[ln_id][i] = road.lane_span(ln_id, float(s), sec)
    out = {}
    for ln_id, tt in spans.items():
        a = np.column_stack((xs + tt[:, 0] * nx, ys + tt[:, 0] * ny))
        b = np.column_stack((xs + tt[:, 1] * nx, ys + tt[:, 1] * ny))
        out[ln_id] = (a, b)
    return out


def _ring(inner: np.ndarray, outer: np.ndarray) -> np.ndarray:
    return np.vstack((inner, outer[::-1]))


def _polygon(ring: np.ndarray):
    poly = shapely.Polygon(ring)
    return poly if poly.is_valid else shapely.make_valid(poly)


def lane_runs(road: Road, lane_id: int) -> list[np.ndarray]:
    """Closed rings (M, 2) [m] of ``lane_id`` on ``road``, one per run of consecutive lane
    sections holding that lane id (inner border along s, then outer border back)."""
    runs: list[np.ndarray] = []
    inner: list[np.ndarray] = []
    outer: list[np.ndarray] = []
    for sec in road.sections:
        if lane_id not in sec.by_id or sec.end <= sec.s:
            if inner:
                runs.append(_ring(np.vstack(inner), np.vstack(outer)))
                inner, outer = [], []
            continue
        ss = section_samples(road, sec)
        a, b = section_borders(road, sec, ss)[lane_id]
        inner.append(a)
        outer.append(b)
    if inner:
        runs.append(_ring(np.vstack(inner), np.vstack(outer)))
    return runs


def _bands(sec: LaneSection, types: frozenset[str] | None) -> list[tuple[int, int]]:
    """Runs of adjacent lanes of ``types`` on each side: ``(innermost id, outermost id)``."""
    out = []
    for lanes in (sec.left, sec.right):
        run: list[int] = []
        for ln in lanes:
            if types is None or ln.type in types:
                run.append(ln.id)
            elif run:
                out.append((run[0], run[-1]))
                run = []
        if run:
            out.append((run[0], run[-1]))
    return out


def road_surface(road: Road, types: frozenset[str] | None) -> list:
    """Polygons of ``road``'s lanes of ``types`` (None: every lane but type ``none``), adjacent
    lanes merged into one band per section side."""
    polys = []
    for sec in road.sections:
        if sec.end <= sec.s:
            continue
        wanted = types
        if wanted is None:
            wanted = frozenset(ln.type for ln in (*sec.left, *sec.right)) - {"none"}
        bands = _bands(sec, wanted)
        if not bands:
            continue
        borders = section_borders(road, sec, section_samples(road, sec))
        for first, last in bands:
            polys.append(_polygon(_ring(borders[first][0], borders[last][1])))
    return polys


BOX_STEP = 5.0
"""Sampling step [m] of a road's extent box along its reference line."""
BOX_MARGIN = 1.0
"""Margin [m] added around a road's sampled extent (covers the chord error between samples:
5 m chords on a 5 m radius deviate 0.67 m)."""


def road_box(road: Road) -> tuple[float, float, float, float]:
    """``(xmin, ymin, xmax, ymax)`` [m] containing every lane of ``road``: its reference line
    sampled every :data:`BOX_STEP` (and at each lane section's ends), widened by the widest
    side (:meth:`Road.side_extent` at the samples) plus :data:`BOX_MARGIN`."""
    n = max(2, int(math.ceil(road.length / BOX_STEP)) + 1)
    ss = np.unique(np.concatenate((np.linspace(0.0, road.length, n),
                                   [sec.s for sec in road.sections],
                                   [min(sec.end, road.length) for sec in road.sections])))
    xs, ys, reach = [], [], 0.0
    for s in ss:
        x, y, _ = road.reference_line.pose(float(s))
        xs.append(x)
        ys.append(y)
        left, right = road.side_extent(float(s))
        reach = max(reach, abs(left), abs(right))
    pad = reach + BOX_MARGIN
    return (min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad)


class Areas:
    """Cached polygons of one network (built on first use; the network owns one).

    Args:
        net: the :class:`~maps.network.RoadNetwork`.
    """

    def __init__(self, net: RoadNetwork) -> None:
        self._net = net
        self._lanes: dict[tuple[str, int], object] = {}
        self._junctions: dict[str, object] = {}
        self._drivable = None
        self._surfaces: dict[str, list] = {}
        self._box_ids: list[str] = []
        self._boxes: np.ndarray | None = None

    def lane_polygon(self, road_id: str, lane_id: int):
        """shapely Polygon (MultiPolygon when the lane exists in non-consecutive sections) of
        a lane [m]; MapsError when the road has no such lane."""
        key = (str(road_id), int(lane_id))
        if key not in self._lanes:
            road = self._net.road(road_id)
            runs = lane_runs(road, lane_id)
            if not runs:
                raise MapsError(f"road {road_id} has no lane {lane_id}", file=self._net.path,
                                line=road.line, element="lane")
            polys = [_polygon(r) for r in runs]
            self._lanes[key] = polys[0] if len(polys) == 1 else shapely.unary_union(polys)
        return self._lanes[key]

    def drivable_area(self):
        """Union of every driving-type lane (:data:`maps.road.DRIVING_TYPES`) of the network,
        junction roads included: a shapely (Multi)Polygon [m]."""
        if self._drivable is None:
            polys = [p for road_id in self._net.roads for p in self._surface(road_id)]
            self._drivable = shapely.unary_union(polys) if polys else shapely.Polygon()
        return self._drivable

    def drivable_area_within(self, xmin: float, ymin: float, xmax: float, ymax: float):
        """The drivable area (as :meth:`drivable_area`) of the roads whose extent box
        (:func:`road_box`) meets the rectangle [m]: equal to the whole network's drivable area
        inside the rectangle, at the cost of the few roads there. A shapely (Multi)Polygon
        [m], not clipped (it may reach beyond the rectangle)."""
        if self._boxes is None:
            self._box_ids = list(self._net.roads)
            boxes = [road_box(self._net.roads[r]) for r in self._box_ids]
            self._boxes = np.asarray(boxes, dtype=float).reshape(-1, 4)
        b = self._boxes
        hit = np.nonzero((b[:, 0] <= xmax) & (b[:, 2] >= xmin) & (b[:, 1] <= ymax)
                         & (b[:, 3] >= ymin))[0]
        polys = [p for i in hit for p in self._surface(self._box_ids[i])]
        return shapely.unary_union(polys) if polys else shapely.Polygon()

    def _surface(self, road_id: str) -> list:
        """The driving-lane polygons of one road (:func:`road_surface`), cached."""
        if road_id not in self._surfaces:
            self._surfaces[road_id] = road_surface(self._net.roads[road_id], DRIVING_TYPES)
        return self._surfaces[road_id]

    def junction_area(self, junction_id: str):
        """Area of a junction: the union of its connecting roads' lanes (every type but
        ``none``) with interior holes filled, a shapely (Multi)Polygon [m]; empty for a
        junction without connecting roads (direct junctions). MapsError for an unknown id."""
        jid = str(junction_id)
        if jid not in self._net.junctions:
            raise MapsError(f"no junction with id {jid!r}", file=self._net.path,
                            element="junction")
        if jid not in self._junctions:
            polys = [p for road in self._net.roads.values() if road.junction == jid
                     for p in road_surface(road, None)]
            union = shapely.unary_union(polys) if polys else shapely.Polygon()
            parts = getattr(union, "geoms", [union])
            filled = [shapely.Polygon(p.exterior) for p in parts
                      if isinstance(p, shapely.Polygon) and not p.is_empty]
            self._junctions[jid] = shapely.unary_union(filled) if filled else shapely.Polygon()
        return self._junctions[jid]
