"""Report figures: bird's-eye trajectories and timelines, as PNG bytes.

Drawn with matplotlib's object API on the Agg canvas (``matplotlib.figure.Figure`` +
``FigureCanvasAgg``): no pyplot, so no global figure state and no display needed.
"""

from __future__ import annotations

import base64
import io
import math
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

from testzone.errors import TestzoneError
from testzone.recording import Recording

from evaluator.case import CaseResult
from evaluator.metrics import ComfortMetric, HeadwayMetric, SpeedingMetric
from evaluator.metrics.v2x_response import delivered_to

#: TTC values above this are drawn at this value [s] (inf means nothing ahead).
TTC_PLOT_CAP_S = 10.0
#: Margin around the entities' positions in the bird's-eye view [m].
VIEW_MARGIN_M = 15.0
#: Width / height of the bird's-eye view (about the axes' shape in the figure).
VIEW_ASPECT = 1.5
#: Smallest half-range of the acceleration axis [m/s^2] (keeps round-off noise flat).
ACC_AXIS_MIN_MPS2 = 1.0


def png_base64(fig: Figure) -> str:
    """Render ``fig`` to PNG and return it base64-encoded (for ``data:`` URIs)."""
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, metadata={"Software": None})
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _lanes_to_draw(rec: Recording, net: Any) -> list[tuple[str, int]]:
    """(road, lane) pairs: every lane at s=0 of every road when the net lists them, plus the
    lanes any entity was recorded on."""
    lanes = set()
    for f in rec.frames:
        for e in f.entities.values():
            if e.lane is not None and e.lane.lane_id != 0:
                lanes.add((e.lane.road_id, e.lane.lane_id))
    roads = getattr(net, "roads", None)
    if isinstance(roads, dict) and hasattr(net, "lane_ids"):
        for rid in roads:
            try:
                lanes.update((str(rid), int(l)) for l in net.lane_ids(rid, 0.0) if int(l) != 0)
            except TestzoneError:
                continue  # a road without lanes at s=0: drawn from recorded lanes only
    return sorted(lanes)


def _draw_lanes(ax: Any, rec: Recording, net: Any) -> None:
    """Lane outlines as one PolyCollection (not part of the autoscaled data limits)."""
    polys = []
    for road_id, lane_id in _lanes_to_draw(rec, net):
        try:
            poly = np.asarray(net.lane_outline(road_id, lane_id), dtype=float)
        except TestzoneError:
            continue  # lane missing from the map: the trajectories still show
        if poly.ndim == 2 and len(poly) >= 3:
            polys.append(poly)
    if polys:
        ax.add_collection(PolyCollection(polys, facecolors="#eeeeee", edgecolors="#aaaaaa",
                                         linewidths=0.5, zorder=1), autolim=False)


def trajectory_figure(rec: Recording, res: CaseResult, net: Any = None) -> Figure:
    """Bird's-eye view [m]: lanes (when ``net`` is given), every entity's path, the ego's in
    bold, collision moments (red X) and red-light crossings (red square)."""
    fig = Figure(figsize=(7.0, 4.5))
    ax = fig.add_subplot(1, 1, 1)
    if net is not None:
        _draw_lanes(ax, rec, net)
    names = sorted({n for f in rec.frames for n in f.entities})
    ego = rec.header.ego
    for n in names:
        tr = rec.track(n)
        xs, ys = [s.pose.x for s in tr], [s.pose.y for s in tr]
        ax.plot(xs, ys, lw=2.5 if n == ego else 1.0, label=n, zorder=3 if n == ego else 2)
        if xs:
            ax.plot(xs[0], ys[0], "o", ms=3, color="k", zorder=4)
    marks = [("collisions", "x", "collision"), ("red_light", "s", "red light")]
    for metric, marker, label in marks:
        for i, ev in enumerate(res.findings.get(metric, [])):
            st = _ego_at(rec, float(ev["t"]))
            if st is not None:
                ax.plot(st.pose.x, st.pose.y, marker, color="red", ms=11, mew=2.5, zorder=5,
                        label=label if i == 0 else None)
    _draw_boxes(ax, rec, res)
    xs = [e.pose.x for f in rec.frames for e in f.entities.values()]
    ys = [e.pose.y for f in rec.frames for e in f.entities.values()]
    if xs:
        ax.set_xlim(*_span(min(xs), max(xs), max(ys) - min(ys), VIEW_ASPECT))
        ax.set_ylim(*_span(min(ys), max(ys), max(xs) - min(xs), 1.0 / VIEW_ASPECT))
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel("x [m]")
    ax.set_ylabel("y [m]")
    ax.legend(loc="best", fontsize=7)
    ax.grid(True, lw=0.3)
    fig.tight_layout()
    return fig


def _span(lo: float, hi: float, other: float, ratio: float) -> tuple[float, float]:
    """Axis range around [lo, hi] with margin, widened so that range / other range >= ratio
    (keeps the equal-aspect view close to the figure's shape)."""
    width = max(hi - lo, (other + 2 * VIEW_MARGIN_M) * ratio - 2 * VIEW_MARGIN_M)
    mid = (lo + hi) / 2
    return mid - width / 2 - VIEW_MARGIN_M, mid + width / 2 + VIEW_MARGIN_M


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
        c = np.asarray(e.box.corners(e.pose) + [e.box.corners(e.pose)[0]])
        ax.plot(c[:, 0], c[:, 1], color="k", lw=0.8, zorder=4)


def _ego_at(rec: Recording, t: float):
    best = None
    for f in rec.frames:
        if rec.header.ego in f.entities and f.time <= t + 1e-9:
            best = f.entities[rec.header.ego]
    return best


def timeline_figure(rec: Recording, res: CaseResult, net: Any = None) -> Figure:
    """Ego speed [m/s] (and speed limit when ``net`` gives one), longitudinal acceleration
    [m/s^2], TTC [s] and a strip of the V2X messages delivered to the ego (one row per message
    type) over time. Lines across all panels: the first actionable V2X message (orange), the
    ego's braking reaction to it (purple dotted) and collisions (red)."""
    head = HeadwayMetric().compute(rec)
    comf = ComfortMetric().compute(rec)
    ego = rec.header.ego or ""
    tr = rec.track(ego)
    t = [f.time for f in rec.frames if ego in f.entities]
    fig = Figure(figsize=(7.0, 6.5))
    axes = fig.subplots(4, 1, sharex=True, gridspec_kw={"height_ratios": [3, 3, 3, 1.4]})
    axes[0].plot(t, [s.speed for s in tr], label="ego speed")
    lim = res.series.get("speed_limit_mps")
    if lim is None and net is not None:
        lim = next(iter(SpeedingMetric().compute(rec, net).series), None)
    if lim is not None:
        limits = [math.nan if v is None else v for v in lim.values]
        axes[0].plot(lim.timestamps, limits, "--", color="grey", label="speed limit")
    axes[0].set_ylabel("speed [m/s]")
    lon = comf.series[0]
    axes[1].plot(lon.timestamps, lon.values, label="lon. acceleration")
    lo, hi = axes[1].get_ylim()
    axes[1].set_ylim(min(lo, -ACC_AXIS_MIN_MPS2), max(hi, ACC_AXIS_MIN_MPS2))
    axes[1].set_ylabel("acc. [m/s²]")
    ttc = head.series[0]
    axes[2].plot(ttc.timestamps, [min(v, TTC_PLOT_CAP_S) for v in ttc.values], label="TTC")
    axes[2].axhline(1.5, color="grey", lw=0.5, ls=":")
    axes[2].set_ylabel(f"TTC [s] (cap {TTC_PLOT_CAP_S:g})")
    _v2x_strip(axes[3], rec, ego)
    axes[3].set_xlabel("time [s]")
    for ax in axes:
        for times, col, lw, ls in _event_lines(res):
            ax.vlines(times, 0, 1, transform=ax.get_xaxis_transform(), colors=col,
                      linewidths=lw, linestyles=ls)
        ax.grid(True, lw=0.3)
    for ax in axes[:3]:
        ax.legend(loc="upper right", fontsize=7)
    fig.tight_layout()
    return fig


def _v2x_strip(ax: Any, rec: Recording, ego: str) -> None:
    """One row per V2X message type, a tick per delivery to the ego."""
    by_type: dict[str, list[float]] = {}
    for e in rec.events_of("v2x"):
        if delivered_to(e, ego):
            kind = str(e.data.get("msg_type", e.data.get("message", "?")))
            by_type.setdefault(kind, []).append(e.t)
    kinds = sorted(by_type)
    for row, kind in enumerate(kinds):
        ax.plot(by_type[kind], [row] * len(by_type[kind]), "|", ms=6, color="tab:green")
    ax.set_yticks(range(len(kinds)), kinds, fontsize=7)
    ax.set_ylim(-0.8, max(len(kinds), 1) - 0.2)
    ax.set_ylabel("V2X rx", fontsize=8)


def _event_lines(res: CaseResult) -> list[tuple[list[float], str, float, str]]:
    """(times, colour, width, style) of the first actionable V2X message, the reaction to it
    and the collisions."""
    first = [float(f["t"]) for f in res.findings.get("v2x_response", [])[:1]]
    resp = res.metrics.get("v2x_response_time_s")
    reaction = []
    if first and resp is not None and resp.value is not None and math.isfinite(resp.value):
        reaction = [first[0] + resp.value]
    lines = [(first, "tab:orange", 1.5, "-"), (reaction, "tab:purple", 1.5, ":"),
             ([float(c["t"]) for c in res.findings.get("collisions", [])], "red", 1.5, "-")]
    return [line for line in lines if line[0]]
