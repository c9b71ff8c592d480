"""Bird's-eye view of a case: road surface and lanes clipped to the view, the stop lines of the
traffic lights governing the ego's lanes, every entity's path, the boxes at the first
collision (or at the end) and the infractions (collisions, red-light crossings, speeding
intervals), framed on the trajectories with equal axes.

The view is the bounding box of every recorded box corner plus :data:`VIEW_MARGIN_M`, widened
on its short side to at least :data:`MIN_ASPECT` of the long side (a 600 m straight stays
readable). The road is drawn from ``net.drivable_area()`` when the network offers it, lane
borders from ``net.lane_outline`` for the lanes the entities used (every lane of the network
when it has at most :data:`ALL_LANES_MAX_ROADS` roads), each clipped to the view with shapely.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import shapely
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure

from testzone.errors import TestzoneError
from testzone.recording import Recording

from evaluator.case import CaseResult
from evaluator.errors import EvaluationError
from evaluator.extract import drivable_area_in
from evaluator.metrics.red_light import governs, vehicle_lights
from evaluator.report.plots import (ego_at, finite, plain_label, speed_limit_series,
                                    speeding_mask)

#: Margin around the recorded boxes [m].
VIEW_MARGIN_M = 10.0
#: The short side of the view is at least this share of the long side.
MIN_ASPECT = 1 / 3
#: Networks with at most this many roads have every lane drawn (else the lanes used only).
ALL_LANES_MAX_ROADS = 200
#: Width of the figure [in]; its height follows the view's aspect within HEIGHT_RANGE_IN.
FIG_WIDTH_IN = 8.0
HEIGHT_RANGE_IN = (3.0, 7.0)
#: Path colours of the other entities (orange and red are kept for infractions).
OTHER_COLORS = ("tab:green", "tab:purple", "tab:brown", "tab:pink", "tab:gray", "tab:olive",
                "tab:cyan")


def view_bounds(rec: Recording) -> tuple[float, float, float, float]:
    """(xmin, ymin, xmax, ymax) [m] of the view (see the module docstring), framed on the
    finite box corners.

    Raises:
        EvaluationError: no entity has a finite position.
    """
    pts = np.asarray([c for f in rec.frames for e in f.entities.values()
                      for c in e.box.corners(e.pose)], dtype=float).reshape(-1, 2)
    pts = pts[np.isfinite(pts).all(axis=1)]  # a non-finite position is not drawn
    if not len(pts):
        raise EvaluationError("no finite position recorded: nothing to draw",
                              element="bird's-eye view")
    lo, hi = pts.min(axis=0) - VIEW_MARGIN_M, pts.max(axis=0) + VIEW_MARGIN_M
    span = hi - lo
    need = span.max() * MIN_ASPECT
    for k in (0, 1):
        if span[k] < need:
            lo[k] -= (need - span[k]) / 2
            hi[k] += (need - span[k]) / 2
    return float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1])


def _lanes(rec: Recording, net: Any) -> list[tuple[str, int]]:
    lanes = {(e.lane.road_id, e.lane.lane_id) for f in rec.frames for e in f.entities.values()
             if e.lane is not None and e.lane.lane_id != 0}
    roads = getattr(net, "roads", None)
    if isinstance(roads, dict) and len(roads) <= ALL_LANES_MAX_ROADS and hasattr(net, "lane_ids"):
        for rid in roads:
            try:
                lanes.update((str(rid), int(i)) for i in net.lane_ids(rid, 0.0) if int(i) != 0)
            except TestzoneError:
                continue  # no lanes at s=0: drawn from recorded lanes only
    return sorted(lanes)


def _rings(geom) -> list[np.ndarray]:
    """Exterior and interior rings of the polygons in ``geom`` as (N, 2) arrays."""
    out = []
    for g in getattr(geom, "geoms", [geom]):
        if isinstance(g, shapely.Polygon) and not g.is_empty:
            out.append(np.asarray(g.exterior.coords))
            out += [np.asarray(r.coords) for r in g.interiors]
    return out


def draw_road(ax: Any, rec: Recording, net: Any, view: tuple[float, ...]) -> None:
    """Road surface (drivable area) and lane borders, clipped to ``view``."""
    surface = drivable_area_in(net, *view)
    if surface is not None:
        polys = [np.asarray(g.exterior.coords) for g in getattr(surface, "geoms", [surface])
                 if isinstance(g, shapely.Polygon) and not g.is_empty]
        holes = [np.asarray(r.coords) for g in getattr(surface, "geoms", [surface])
                 if isinstance(g, shapely.Polygon) for r in g.interiors]
        ax.add_collection(PolyCollection(polys, facecolors="#e6e6e6", edgecolors="none",
                                         zorder=0), autolim=False)
        if holes:
            ax.add_collection(PolyCollection(holes, facecolors="white", edgecolors="none",
                                             zorder=0), autolim=False)
    lines = []
    for road_id, lane_id in _lanes(rec, net):
        try:
            outline = np.asarray(net.lane_outline(road_id, lane_id), dtype=float)
        except TestzoneError:
            continue  # lane missing from the map: the trajectories still show
        if outline.ndim != 2 or len(outline) < 3:
            continue
        poly = shapely.Polygon(outline)
        if not poly.is_valid:
            poly = poly.buffer(0)
        lines += _rings(shapely.clip_by_rect(poly, *view))
    if lines:
        ax.add_collection(LineCollection(lines, colors="#9a9a9a", linewidths=0.6, zorder=1),
                          autolim=False)


def _draw_stop_lines(ax: Any, rec: Recording, net: Any) -> None:
    """A stop line across each lane the ego drove where a traffic light governs it (the
    vehicle lights :mod:`evaluator.metrics.red_light` judges, at their road s, as the
    red-light check takes them): where the ego had to stop."""
    ego = rec.header.ego or ""
    lanes = {(st.lane.road_id, st.lane.lane_id) for st in rec.track(ego)
             if st.lane is not None and st.lane.lane_id != 0}
    segs = []
    for sig in vehicle_lights(net):
        for road_id, lane_id in sorted(lanes):
            if str(sig.road_id) != str(road_id):
                continue
            try:
                road = net.roads[str(road_id)]
                s = min(max(float(sig.s), 0.0), road.length)
                if not governs(sig, lane_id, road.driving_sign(lane_id)):
                    continue
                half = net.lane_width(road_id, lane_id, s) / 2.0
                a = net.lane_to_world(road_id, lane_id, s, half)
                b = net.lane_to_world(road_id, lane_id, s, -half)
            except (TestzoneError, KeyError, AttributeError):
                continue  # a lane that does not reach the signal's s
            segs.append([[a.x, a.y], [b.x, b.y]])
    if segs:
        ax.add_collection(LineCollection(segs, colors="k", linewidths=2.5, zorder=3.5,
                                         label="stop line (traffic light)"), autolim=False)


def _draw_boxes(ax: Any, rec: Recording, res: CaseResult) -> None:
    """Outline every entity's box at the first collision, or at the last frame."""
    cols = res.findings.get("collisions", [])
    t = float(cols[0]["t"]) if cols else math.inf
    frame = None
    for f in rec.frames:
        if f.time <= t + 1e-9:
            frame = f
    if frame is None:
        return
    for e in frame.entities.values():
        c = np.asarray(e.box.corners(e.pose) + [e.box.corners(e.pose)[0]], dtype=float)
        ax.plot(finite(c[:, 0]), finite(c[:, 1]), color="k", lw=0.8, zorder=4)


def _draw_paths(ax: Any, rec: Recording) -> None:
    """Every path (the ego's bold blue, the others from :data:`OTHER_COLORS`), start dots."""
    ego = rec.header.ego
    others = iter(OTHER_COLORS * (1 + len(rec.header.entities) // len(OTHER_COLORS)))
    for n in sorted({n for f in rec.frames for n in f.entities}):
        tr = rec.track(n)
        xs, ys = finite(s.pose.x for s in tr), finite(s.pose.y for s in tr)
        ax.plot(xs, ys, lw=2.5 if n == ego else 1.0, label=plain_label(n),
                zorder=3 if n == ego else 2,
                color="tab:blue" if n == ego else next(others))
        start = next(((x, y) for x, y in zip(xs, ys) if math.isfinite(x + y)), None)
        if start is not None:
            ax.plot(*start, "o", ms=3, color="k", zorder=4)


def _draw_infractions(ax: Any, rec: Recording, res: CaseResult, net: Any) -> None:
    """Speeding intervals over the ego path (orange), collisions (red X) and red-light
    crossings (red square)."""
    ego = rec.header.ego or ""
    tr = rec.track(ego)
    mask = speeding_mask(rec, speed_limit_series(rec, res, net))
    segs = [seg for seg in (np.asarray([[tr[i].pose.x, tr[i].pose.y],
                                        [tr[i + 1].pose.x, tr[i + 1].pose.y]], dtype=float)
                            for i in range(len(tr) - 1) if mask[i])
            if np.isfinite(seg).all()]
    if segs:
        ax.add_collection(LineCollection(segs, colors="tab:orange", linewidths=6, alpha=0.6,
                                         zorder=2.5, label="speeding"), autolim=False)
    marks = [("collisions", "x", "collision"), ("red_light", "s", "red-light crossing")]
    for metric, marker, label in marks:
        for i, ev in enumerate(res.findings.get(metric, [])):
            st = ego_at(rec, float(ev["t"]))
            if st is not None and math.isfinite(st.pose.x + st.pose.y):
                ax.plot(st.pose.x, st.pose.y, marker, color="red", ms=11, mew=2.5, zorder=5,
                        mfc="none" if marker == "s" else "red", label=label if i == 0 else None)


def trajectory_figure(rec: Recording, res: CaseResult, net: Any = None) -> Figure:
    """Bird's-eye view [m] (module docstring); the legend sits right of the axes."""
    view = view_bounds(rec)
    dx, dy = view[2] - view[0], view[3] - view[1]
    height = min(max(FIG_WIDTH_IN * 0.75 * dy / dx, HEIGHT_RANGE_IN[0]), HEIGHT_RANGE_IN[1])
    fig = Figure(figsize=(FIG_WIDTH_IN, height))
    ax = fig.add_subplot(1, 1, 1)
    if net is not None:
        draw_road(ax, rec, net, view)
        _draw_stop_lines(ax, rec, net)
    _draw_paths(ax, rec)
    _draw_infractions(ax, rec, res, net)
    _draw_boxes(ax, rec, res)
    ax.set_xlim(view[0], view[2])
    ax.set_ylim(view[1], view[3])
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel("x [m]")
    ax.set_ylabel("y [m]")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, borderaxespad=0)
    ax.grid(True, lw=0.3)
    fig.tight_layout()
    return fig
