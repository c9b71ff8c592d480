"""Post-encroachment time (PET) between the ego and every other entity whose path crosses it.

PET (Allen, Shin & Cooper, "Analysis of traffic conflicts and collisions", TRR 667, 1978) is
the time from the first road user leaving the conflict area to the second one entering it;
0 means both occupied it at once. Here a conflict is where the two box-centre paths cross
(shapely intersection of the polylines) with directions at least ``min_angle_rad`` apart;
same-direction conflicts (following, touching path ends, shallow merges) are left to the
headway metric (TTC, THW). Its conflict area is the part of the two swept footprints' overlap
(each the union of the user's boxes over the run) around the crossing point, within
:func:`patch_radius` of it (so two paths that cross and then run side by side do not make one
long area); a user occupies it in the frames where its box intersects it, so with sampling
period dt the result is exact to dt (evaluator15 audit: PET at the single crossing point of
the centre paths had overstated it by half of each width over its speed: 0.70 s came out as
1.35 s for a pedestrian). Where the footprints give no area there (a zero-width box), the
crossing point is the area.

Crossings inside junctions are points like any other: PET is a property of a position (FHWA
SSAM, Gettman & Head 2003: the time from the first vehicle last occupying a position to the
second arriving at it); a whole junction as the "position" would take two vehicles crossing
its opposite corners for a conflict.

Where the map gives crosswalks (``net.crosswalks()``, objects with a shapely ``polygon``;
docs/architecture.md), a pedestrian or cyclist's conflict with the ego is measured on the
crosswalk instead, since a pedestrian walking along it has no single crossing point: the time
from the first user's box leaving the crosswalk to the second's box entering it, 0 when both
are on it at once. A crosswalk counts for a pair when their paths cross on it or the other
road user is a pedestrian or a cyclist. Crossing points on a counted crosswalk are replaced by
its PET; crossing points elsewhere keep the point PET (the only form without a map).
"""

from __future__ import annotations

import math

import numpy as np
import shapely

from testzone.errors import TestzoneError
from testzone.recording import Recording
from testzone.world import EntityKind, boxes_overlap

from evaluator.extract import box_centre, ego_name, map_query
from evaluator.interfaces import RoadNetworkView
from evaluator.results import MetricResult, Statistic

#: An entity whose box centre moves less than this [m] has no path to cross.
MIN_TRAVEL_M = 0.01


def box_track(recording: Recording, name: str) -> tuple[np.ndarray, np.ndarray]:
    """(times [s], box polygons) of ``name`` over the frames it appears in (shapely arrays)."""
    states = [(f.time, f.entities[name]) for f in recording.frames if name in f.entities]
    if not states:
        return np.zeros(0), np.zeros(0, dtype=object)
    polys = shapely.polygons(np.asarray([s.box.corners(s.pose) for _, s in states]))
    return np.asarray([t for t, _ in states]), polys


class BoxTracks:
    """One run's box polygons per road user, built once (:func:`box_track`), with what the
    PET conflicts ask of them: occupancy of an area or a point, swept footprint, width."""

    def __init__(self, recording: Recording) -> None:
        self.recording = recording
        self._tracks: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._swept: dict[str, object] = {}
        self._first = {}           # name -> its first state (width, kind)
        for f in recording.frames:
            for n, st in f.entities.items():
                self._first.setdefault(n, st)

    def track(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(times [s], box polygons) of ``name`` (:func:`box_track`)."""
        if name not in self._tracks:
            self._tracks[name] = box_track(self.recording, name)
        return self._tracks[name]

    def area_occupancy(self, name: str, area: shapely.Geometry
                       ) -> tuple[np.ndarray, np.ndarray]:
        """(times [s], mask) of the frames where ``name``'s box intersects ``area`` (a
        shapely geometry)."""
        times, polys = self.track(name)
        return times, np.asarray(shapely.intersects(polys, area), dtype=bool)

    def point_occupancy(self, name: str, x: float, y: float) -> tuple[np.ndarray, np.ndarray]:
        """(times [s], mask) of the frames where (x, y) [m] lies inside ``name``'s box."""
        times, polys = self.track(name)
        return times, np.asarray(shapely.contains_xy(polys, x, y), dtype=bool)

    def footprint(self, name: str):
        """The union of ``name``'s boxes over the run (its swept footprint, a shapely
        geometry)."""
        if name not in self._swept:
            self._swept[name] = shapely.union_all(self.track(name)[1])
        return self._swept[name]

    def width(self, name: str) -> float:
        """``name``'s box width [m] (its first frame's; 0 when it never appears)."""
        st = self._first.get(name)
        return st.box.width if st is not None else 0.0

    def kind(self, name: str) -> EntityKind | None:
        """``name``'s entity kind (its first frame's; None when it never appears)."""
        st = self._first.get(name)
        return st.kind if st is not None else None


def _direction(path: np.ndarray, x: float, y: float) -> float:
    """Direction [rad] of the polyline ``path`` (N, 2) at its vertex nearest (x, y)."""
    i = int(np.argmin(np.hypot(path[:, 0] - x, path[:, 1] - y)))
    j0, j1 = (i, i + 1) if i + 1 < len(path) else (i - 1, i)
    d = path[j1] - path[j0]
    return math.atan2(d[1], d[0])


def _crossings(path_a: np.ndarray, path_b: np.ndarray,
               min_angle_rad: float) -> list[tuple[float, float, float]]:
    """Points ``(x, y, |sin angle|)`` where two polylines (N, 2) [m] cross at an angle of at
    least ``min_angle_rad`` (in either direction of travel); collinear overlaps are left
    out."""
    if len(path_a) < 2 or len(path_b) < 2:
        return []
    inter = shapely.intersection(shapely.LineString(path_a), shapely.LineString(path_b))
    out = []
    for g in getattr(inter, "geoms", [inter]):
        if g.geom_type != "Point":
            continue
        diff = _direction(path_a, g.x, g.y) - _direction(path_b, g.x, g.y)
        if abs(math.sin(diff)) >= math.sin(min_angle_rad):
            out.append((g.x, g.y, abs(math.sin(diff))))
    return out


def patch_radius(width_a: float, width_b: float, sin_angle: float) -> float:
    """Radius [m] around a crossing point that holds the conflict area of two swept strips of
    widths ``width_a``, ``width_b`` [m] crossing at an angle with sine ``sin_angle``: the
    parallelogram's sides are width / sin, so half of their sum reaches its corners; plus
    0.5 m for the strips' own curvature and the boxes' swing about their centre paths (a
    margin of this project: the disc only keeps the area from running on along shared road,
    the area itself is the footprints' overlap)."""
    return (width_a + width_b) / (2.0 * max(sin_angle, 1e-3)) + 0.5


def conflict_patch(swept_a, swept_b, x: float, y: float, radius: float):
    """The conflict area at crossing point (x, y) [m]: the overlap of the swept footprints
    ``swept_a``, ``swept_b`` (shapely geometries) within ``radius`` [m] of it, the part
    holding the point (or the nearest part), a shapely Polygon; None when the footprints do
    not overlap there."""
    disc = shapely.Point(x, y).buffer(radius)
    inter = shapely.intersection(shapely.intersection(swept_a, disc), swept_b)
    parts = [g for g in getattr(inter, "geoms", [inter])
             if g.geom_type == "Polygon" and not g.is_empty and g.area > 1e-9]
    if not parts:
        return None
    point = shapely.Point(x, y)
    return min(parts, key=lambda g: g.distance(point))


def conflict_areas(net: RoadNetworkView | None, near) -> list[tuple[str, object]]:
    """``(label, polygon)`` of the map's crosswalks (``crosswalk:<id>``) intersecting the
    geometry ``near``; empty when the network lacks the ``crosswalks()`` query or has none."""
    out: list[tuple[str, object]] = []
    cross_fn = map_query(net, "crosswalks")
    try:
        walks = list(cross_fn()) if cross_fn else []
    except TestzoneError:
        walks = []  # objects unreadable: path crossings still count
    for obj in walks:
        if getattr(obj, "polygon", None) is not None:
            out.append((f"crosswalk:{getattr(obj, 'id', '?')}", obj.polygon))
    return [(k, a) for k, a in out if not a.is_empty and a.intersects(near)]


def pet_from_occupancy(ta: np.ndarray, ma: np.ndarray, tb: np.ndarray,
                       mb: np.ndarray) -> tuple[float, float, str | None] | None:
    """PET from two occupancy masks (users a and b) of one conflict area or point, as
    ``(pet [s], t [s], first)``: 0 at the first common frame ``t`` when both occupy it
    (``first`` None); else the time from the first user's departure (first frame after its
    last occupancy before the second arrives) to the second's arrival at ``t``, ``first``
    ``"a"`` or ``"b"``. None when one never occupies it."""
    if not ma.any() or not mb.any():
        return None
    common = sorted(set(ta[ma].round(9)) & set(tb[mb].round(9)))
    if common:
        return 0.0, float(common[0]), None
    first_a, first_b = ta[ma][0], tb[mb][0]
    t1, m1, t_arrive = (ta, ma, first_b) if first_a < first_b else (tb, mb, first_a)
    last_in = t1[m1 & (t1 < t_arrive)][-1]
    after = t1[t1 > last_in]
    t_leave = after[0] if len(after) else last_in
    return (max(0.0, float(t_arrive - t_leave)), float(t_arrive),
            "a" if first_a < first_b else "b")


class PETMetric:
    """Smallest post-encroachment time between the ego and any other entity.

    Args:
        min_angle_rad: smallest crossing angle of the two paths that makes a conflict point
            [rad] (default 15 deg; shallower conflicts are following or merging).

    Statistics: ``pet_min_s`` (inf when no path crosses the ego's). Events: one
    ``{"other", "x", "y", "pet_s", "area", "t", "first"}`` per conflict (``area`` is
    ``crosswalk:<id>``, ``"contact"`` for boxes that overlapped while crossing where the centre
    paths did not cross (PET 0), or None for a path crossing (measured on its conflict area,
    module docstring); x, y [m]: the crossing point,
    or the area's representative point; t [s]: when the second user arrived there, or the
    first frame both were on it; ``first``: the name of the user that passed first, None when
    both were on it at once).
    """

    name = "pet"
    category = "safety"

    def __init__(self, min_angle_rad: float = math.radians(15)) -> None:
        self.min_angle_rad = min_angle_rad

    def compute(self, recording: Recording, net: RoadNetworkView | None = None) -> MetricResult:
        """Find conflict areas and crossing points of box-centre paths, and the PET at each."""
        ego = ego_name(recording)
        paths: dict[str, list[tuple[float, float]]] = {}
        for f in recording.frames:
            for n, e in f.entities.items():
                paths.setdefault(n, []).append(box_centre(e))
        ego_path = np.asarray(paths.get(ego, []))
        tracks = BoxTracks(recording)
        areas = []
        if len(ego_path) >= 2:
            areas = conflict_areas(net, shapely.LineString(ego_path).buffer(5.0))
        events: list[dict] = []
        for other in sorted(n for n in paths if n != ego):
            path = np.asarray(paths[other])
            if np.ptp(path, axis=0).max() < MIN_TRAVEL_M:
                continue  # a stationary object never leaves: collisions cover it
            events += self._pair(tracks, ego, other, ego_path, path, areas)
        best = min((e["pet_s"] for e in events), default=math.inf)
        return MetricResult(self.name, self.category,
                            {"pet_min_s": Statistic("pet_min_s", "s", best)}, events=tuple(events))

    def _pair(self, tracks: BoxTracks, ego: str, other: str, ego_path: np.ndarray,
              path: np.ndarray, areas: list) -> list[dict]:
        """Conflicts of one pair: counted areas first, then crossing points outside them."""
        rec = tracks.recording
        points = _crossings(ego_path, path, self.min_angle_rad)
        vulnerable = tracks.kind(other) in (EntityKind.PEDESTRIAN, EntityKind.CYCLIST)
        out, used = [], []
        for label, area in areas:
            inside = [p for p in points if area.covers(shapely.Point(p[:2]))]
            if not inside and not (vulnerable and label.startswith("crosswalk:")):
                continue
            pet = pet_from_occupancy(*tracks.area_occupancy(ego, area),
                                     *tracks.area_occupancy(other, area))
            if pet is None:
                continue
            used.append(area)
            rp = area.representative_point()
            out.append(_event(other, rp.x, rp.y, pet, label, ego))
        for x, y, sin_angle in points:
            if any(a.covers(shapely.Point(x, y)) for a in used):
                continue
            radius = patch_radius(tracks.width(ego), tracks.width(other), sin_angle)
            patch = conflict_patch(tracks.footprint(ego), tracks.footprint(other), x, y,
                                   radius)
            if patch is not None:
                pet = pet_from_occupancy(*tracks.area_occupancy(ego, patch),
                                         *tracks.area_occupancy(other, patch))
            else:
                pet = pet_from_occupancy(*tracks.point_occupancy(ego, x, y),
                                         *tracks.point_occupancy(other, x, y))
            if pet is not None:
                out.append(_event(other, x, y, pet, None, ego))
        if not any(e["pet_s"] == 0.0 for e in out):
            out += self._contact(rec, ego, other)
        return out

    def _contact(self, rec: Recording, ego: str, other: str) -> list[dict]:
        """A PET of 0 where the two boxes overlapped while crossing (headings at least
        ``min_angle_rad`` apart either way), though their centre paths never crossed: a
        car stopping short of the ego's centre line and hit there, a pedestrian struck
        before reaching it (Allen et al.: both occupied the same ground at once).
        ``area`` ``"contact"``, x, y the overlap's centroid at its first frame."""
        for f in rec.frames:
            e, o = f.entities.get(ego), f.entities.get(other)
            if e is None or o is None or not boxes_overlap(e, o) or \
                    abs(math.sin(e.pose.h - o.pose.h)) < math.sin(self.min_angle_rad):
                continue   # the separating-axis test first: polygons only where boxes meet
            inter = shapely.intersection(shapely.Polygon(e.box.corners(e.pose)),
                                         shapely.Polygon(o.box.corners(o.pose)))
            if not inter.is_empty and inter.area > 1e-12:
                c = inter.centroid
                return [_event(other, c.x, c.y, (0.0, f.time, None), "contact", ego)]
        return []


def _event(other: str, x: float, y: float, pet: tuple[float, float, str | None],
           area: str | None, ego: str) -> dict:
    """A conflict's event: who, where [m], the PET [s], when the second user arrived (or
    both were on it) [s], and who passed first (None: both at once)."""
    value, t, first = pet
    return {"other": other, "x": x, "y": y, "pet_s": value, "area": area, "t": t,
            "first": {"a": ego, "b": other}.get(first) if first else None}
