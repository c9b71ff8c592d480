"""Top view of a road network as a PNG (matplotlib, Agg backend): lanes coloured by type, road
marks, junction areas, crosswalks and other objects, signals, optional lane ids and RSUs with
their communication range (``testzone map plot``).

Road marks are drawn on their lane's outer border (lane 0: the lane-offset line) between the
border samples of :mod:`maps.areas` that fall inside the mark's s range; ``broken`` marks are
dashed, ``yellow`` ones yellow, ``none`` ones not drawn.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from maps.areas import section_borders, section_samples
from maps.errors import MapsError

if TYPE_CHECKING:  # pragma: no cover
    from maps.network import RoadNetwork

LANE_COLORS = {"driving": "#5f6368", "sidewalk": "#c8b99a", "shoulder": "#8d8f91",
               "border": "#a0a0a0", "biking": "#b5735e", "parking": "#7a8fa6",
               "median": "#7fa36b", "curb": "#b0b0b0", "restricted": "#9c7fa6",
               "stop": "#a68f7a", "bidirectional": "#5f6368", "entry": "#6b6f73",
               "exit": "#6b6f73", "onRamp": "#6b6f73", "offRamp": "#6b6f73",
               "connectingRamp": "#6b6f73", "walking": "#c8b99a", "shared": "#b8a98a"}
"""Fill colour per OpenDRIVE lane type (others: light grey; ``none``: not drawn)."""
OTHER_LANE = "#d0d0d0"
MARK_COLORS = {"yellow": "#f2c300", "red": "#d03030", "blue": "#3060d0", "green": "#30a030",
               "orange": "#f08000"}


def _collect(net: RoadNetwork, lane_ids: bool) -> dict[str, list]:
    """Lane polygons and colours, mark polylines and styles, lane-id labels."""
    out: dict[str, list] = {"polys": [], "colors": [], "marks": [], "mark_styles": [],
                            "labels": []}
    for road in net.roads.values():
        for sec in road.sections:
            if sec.end <= sec.s:
                continue
            ss = section_samples(road, sec)
            borders = section_borders(road, sec, ss)
            for ln in (*sec.left, *sec.right):
                inner, outer = borders[ln.id]
                if ln.type != "none":
                    out["polys"].append(np.vstack((inner, outer[::-1])))
                    out["colors"].append(LANE_COLORS.get(ln.type, OTHER_LANE))
                if lane_ids and ln.type != "none":
                    mid = len(ss) // 2
                    c = 0.5 * (inner[mid] + outer[mid])
                    out["labels"].append((c[0], c[1], f"{road.id}:{ln.id}"))
            lanes = [*([sec.center] if sec.center else []), *sec.left, *sec.right]
            for ln in lanes:
                line = borders[ln.id][1]
                for m in ln.road_marks:
                    if m.type == "none":
                        continue
                    mask = (ss >= m.s_start - 1e-6) & (ss <= m.s_end + 1e-6)
                    if mask.sum() >= 2:
                        out["marks"].append(line[mask])
                        out["mark_styles"].append((MARK_COLORS.get(m.color, "white"),
                                                   "--" if "broken" in m.type else "-",
                                                   1.2 if m.weight == "bold" else 0.6))
    return out


def _draw_areas(ax, net: RoadNetwork) -> None:
    from matplotlib.patches import Polygon as Patch
    for jid in net.junctions:
        area = net.junction_area(jid)
        for part in getattr(area, "geoms", [area]):
            if hasattr(part, "exterior") and not part.is_empty:
                ax.add_patch(Patch(np.asarray(part.exterior.coords), closed=True, fill=False,
                                   edgecolor="#e07b00", linewidth=0.8, zorder=3))
    for obj in net.objects:
        if not obj.outlines:
            continue
        for ring in obj.outlines:
            pts = np.asarray(ring)
            if obj.is_crosswalk:
                ax.add_patch(Patch(pts, closed=True, facecolor="white", edgecolor="white",
                                   hatch="////", alpha=0.7, zorder=4))
            elif obj.closed and len(pts) >= 3:
                ax.add_patch(Patch(pts, closed=True, facecolor="#304060", alpha=0.6,
                                   linewidth=0, zorder=4))
            else:
                ax.plot(pts[:, 0], pts[:, 1], color="#304060", linewidth=0.6, zorder=4)


def _draw_signals(ax, net: RoadNetwork) -> None:
    dyn = np.array([(s.x, s.y) for s in net.signals if s.dynamic and not s.is_reference])
    sta = np.array([(s.x, s.y) for s in net.signals if not s.dynamic and not s.is_reference])
    if len(dyn):
        ax.scatter(dyn[:, 0], dyn[:, 1], s=14, marker="^", color="#e02020", zorder=6,
                   label="traffic lights")
    if len(sta):
        ax.scatter(sta[:, 0], sta[:, 1], s=10, marker="o", color="#2060e0", zorder=6,
                   label="static signs")


def _draw_rsus(ax, rsus: list[dict[str, Any]]) -> None:
    from matplotlib.patches import Circle
    xy = np.array([(r["x"], r["y"]) for r in rsus])
    ax.scatter(xy[:, 0], xy[:, 1], s=30, marker="s", color="#8a2be2", zorder=7, label="RSUs")
    for r in rsus:
        ax.add_patch(Circle((r["x"], r["y"]), r["range_m"], fill=False, linestyle=":",
                            edgecolor="#8a2be2", linewidth=0.7, zorder=7))


def plot_network(net: RoadNetwork, out: str | Path, lane_ids: bool = False,
                 rsus: list[dict[str, Any]] | None = None, dpi: int = 200) -> Path:
    """Write a top view of ``net`` to the PNG ``out`` and return its path.

    Args:
        lane_ids: label every lane ``road:lane`` at the middle of each lane section.
        rsus: RSU records (``x``, ``y``, ``range_m`` [m]; see :func:`maps.summary.read_rsus`)
            to draw with their range circles, or None; the view takes in every RSU.
        dpi: resolution; the figure is 12 inches on its longer side.

    Raises:
        MapsError: the drawing exceeds what the renderer can hold (a road that winds around
            itself millions of times, too high a ``dpi``).
    """
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection, PolyCollection

    data = _collect(net, lane_ids)
    xmin, ymin, xmax, ymax = net.bounds
    for r in rsus or ():        # an RSU beside the road is drawn, not cut off at the edge
        xmin, xmax = min(xmin, r["x"]), max(xmax, r["x"])
        ymin, ymax = min(ymin, r["y"]), max(ymax, r["y"])
    w, h = max(xmax - xmin, 1.0), max(ymax - ymin, 1.0)
    size = (12.0, max(3.0, 12.0 * h / w)) if w >= h else (max(3.0, 12.0 * w / h), 12.0)
    fig, ax = plt.subplots(figsize=size)
    try:
        ax.set_facecolor("#eef2e6")
        ax.add_collection(PolyCollection(data["polys"], facecolors=data["colors"],
                                         edgecolors="none", zorder=1))
        if data["marks"]:
            colors, styles, widths = zip(*data["mark_styles"])
            thin = min(1.0, 1000.0 / max(w, h))  # marks thinner than lanes on big maps
            ax.add_collection(LineCollection(data["marks"], colors=colors, linestyles=styles,
                                             linewidths=[v * thin for v in widths], zorder=2))
        _draw_areas(ax, net)
        _draw_signals(ax, net)
        for x, y, text in data["labels"]:
            ax.text(x, y, text, fontsize=4, ha="center", va="center", zorder=8)
        if rsus:
            _draw_rsus(ax, rsus)
        ax.set_xlim(xmin - 0.03 * w, xmax + 0.03 * w)
        ax.set_ylim(ymin - 0.03 * h, ymax + 0.03 * h)
        ax.set_aspect("equal")
        ax.set_xlabel("x [m]")
        ax.set_ylabel("y [m]")
        ax.set_title(Path(net.path).name)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="upper right", fontsize=7)
        out = Path(out)
        with matplotlib.rc_context({"agg.path.chunksize": 10_000}):  # long paths in pieces
            fig.savefig(out, dpi=dpi, bbox_inches="tight")
    except (OverflowError, MemoryError) as exc:
        raise MapsError(f"the map is too large to draw at {dpi} dpi ({type(exc).__name__}: "
                        f"{exc})", file=net.path) from None
    finally:
        plt.close(fig)
    return out
