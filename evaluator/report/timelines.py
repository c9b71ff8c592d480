"""Timelines of a case, one shared time axis [s]: ego speed with the speed limit, longitudinal
acceleration, TTC and THW (capped at :data:`TIME_PLOT_CAP_S`), distance to the nearest object,
the state of every light the ego passes (coloured bands, a tick at the crossing) or comes within
:data:`APPROACH_M` of (a light it stopped at, never passed: a red-light warning case) and the V2X
messages the ego received (one row per message type, a mark at each receive time). Lines across
all panels: the first actionable V2X message (orange), the ego's braking reaction to it (purple
dotted) and collisions (red). Rows without data (no light passed, no message) are left out.
"""

from __future__ import annotations

import math
from typing import Any

from matplotlib.figure import Figure

from testzone.recording import Recording

from evaluator.case import CaseResult
from evaluator.extract import ego_track, lanes_along
from evaluator.metrics import ComfortMetric, HeadwayMetric, ProximityMetric, RedLightMetric
from evaluator.metrics.red_light import lights_ahead, lights_by_road
from evaluator.metrics.v2x_response import delivered_to
from evaluator.report.plots import capped, finite, speed_limit_series

#: TTC and THW above this are drawn at this value [s] (inf means nothing ahead).
TIME_PLOT_CAP_S = 10.0
#: Distances above this are drawn at this value [m].
DISTANCE_PLOT_CAP_M = 100.0
#: Smallest half-range of the acceleration axis [m/s^2] (keeps round-off noise flat).
ACC_AXIS_MIN_MPS2 = 1.0
#: Band colour per signal state (testzone.world.SignalColor values).
MARGIN_IN = {"label": 0.3, "number": 0.45, "right": 0.15, "top": 0.12, "bottom": 0.5}
"""Fixed figure margins [in]: the rotated y label, numeric y tick labels (10 pt, up to 5
characters), right, top, and the time axis with its label at the bottom. The margins are
computed instead of ``tight_layout``, which measures every text by drawing the figure once
more (about 40 % of the figure's cost)."""
CHAR_WIDTH_EM = 0.6
"""Width of a tick-label character [em], a generous average for DejaVu Sans."""


def _fix_margins(fig: Figure, labels: list[str], label_pt: float = 7.0) -> None:
    """Set the subplot margins from :data:`MARGIN_IN`, the left one wide enough for the
    longest text y tick label in ``labels`` (``label_pt`` points) too."""
    w, h = fig.get_size_inches()
    text_in = max((len(s) for s in labels), default=0) * CHAR_WIDTH_EM * label_pt / 72.0
    left = MARGIN_IN["label"] + max(MARGIN_IN["number"], text_in + 0.08)
    fig.subplots_adjust(left=left / w, right=1.0 - MARGIN_IN["right"] / w,
                        top=1.0 - MARGIN_IN["top"] / h, bottom=MARGIN_IN["bottom"] / h,
                        hspace=0.12)


SIGNAL_COLORS = {"red": "#d62728", "yellow": "#f2c300", "green": "#2ca02c", "off": "#7f7f7f",
                 "unknown": "#d9d9d9"}


def passed_lights(rec: Recording, net: Any) -> list[dict]:
    """The lights the ego passed (:meth:`RedLightMetric.crossings`) whose state the recording
    holds in some frame (a light no controller of the scenario drives has no state to draw: a
    grey "unknown" row had stood for it); empty without a map."""
    if net is None or not hasattr(net, "signals"):
        return []
    recorded = {sid for f in rec.frames for sid in f.signals}
    return [p for p in RedLightMetric().crossings(rec, net) if str(p["signal_id"]) in recorded]


APPROACH_M = 50.0
"""A light governing the ego's lane this far [m] ahead of its front bumper is drawn, passed
or not."""


def approached_lights(rec: Recording, net: Any) -> list[str]:
    """Ids of the vehicle lights that governed the ego's lane within :data:`APPROACH_M` ahead
    of its front in some frame and whose state the recording holds (regulator pass 13: the
    light an ego stopped at before a red-light warning was not drawn); empty without a map."""
    if net is None or not hasattr(net, "signals"):
        return []
    tr = ego_track(rec)
    by_road = lights_by_road(net)
    recorded = {sid for f in rec.frames for sid in f.signals}
    found: dict[str, None] = {}
    for st, lane in zip(tr.states, lanes_along(tr, net)):
        for sig, ahead in lights_ahead(by_road, st, lane, net):
            if str(sig.id) in recorded and 0.0 <= ahead <= APPROACH_M:
                found[str(sig.id)] = None
    return list(found)


def v2x_received(rec: Recording) -> dict[str, list[float]]:
    """Receive times [s] of V2X messages delivered to the ego, per message type."""
    ego = rec.header.ego or ""
    by_type: dict[str, list[float]] = {}
    for e in rec.events_of("v2x"):
        if delivered_to(e, ego):
            by_type.setdefault(str(e.data.get("msg_type", e.data.get("message", "?"))),
                               []).append(e.t)
    return dict(sorted(by_type.items()))


def signal_runs(rec: Recording, signal_id: str) -> list[tuple[float, float, str]]:
    """(start [s], duration [s], colour) runs of one signal's recorded state."""
    runs: list[list] = []
    times = [f.time for f in rec.frames]
    for i, f in enumerate(rec.frames):
        st = f.signals.get(signal_id)
        color = st.color.value if st else "unknown"
        end = times[i + 1] if i + 1 < len(times) else f.time + rec.header.dt
        if runs and runs[-1][2] == color:
            runs[-1][1] = end - runs[-1][0]
        else:
            runs.append([f.time, end - f.time, color])
    return [tuple(r) for r in runs]


def _draw_signals(ax: Any, rec: Recording, passed: list[dict], ids: list[str]) -> None:
    """One row per light of ``ids``: its recorded states, a tick where the ego passed it."""
    for row, sid in enumerate(ids):
        for start, dur, color in signal_runs(rec, sid):
            ax.broken_barh([(start, dur)], (row - 0.35, 0.7),
                           facecolors=SIGNAL_COLORS.get(color, "#d9d9d9"))
        ts = [p["t"] for p in passed if str(p["signal_id"]) == sid]
        ax.plot(ts, [row] * len(ts), "v", color="k", ms=6)
    ax.set_yticks(range(len(ids)), [f"light {i}" for i in ids], fontsize=7)
    ax.set_ylim(-0.6, len(ids) - 0.4)


def _draw_v2x(ax: Any, by_type: dict[str, list[float]]) -> None:
    for row, (kind, ts) in enumerate(by_type.items()):
        ax.plot(ts, [row] * len(ts), "|", ms=7, color="tab:green")
    ax.set_yticks(range(len(by_type)), list(by_type), fontsize=7)
    ax.set_ylim(-0.8, len(by_type) - 0.2)


def _event_lines(res: CaseResult) -> list[tuple[list[float], str, float, str, str]]:
    """(times, colour, width, style, legend label) of the first actionable V2X message, the
    reaction to it and the collisions."""
    first = [float(f["t"]) for f in res.findings.get("v2x_response", [])[:1]]
    resp = res.metrics.get("v2x_response_time_s")
    reaction = []
    if first and resp is not None and resp.value is not None and math.isfinite(resp.value):
        reaction = [first[0] + resp.value]
    lines = [(first, "tab:orange", 1.5, "-", "first actionable V2X message"),
             (reaction, "tab:purple", 1.5, ":", "reaction to it"),
             ([float(c["t"]) for c in res.findings.get("collisions", [])], "red", 1.5, "-",
              "collision")]
    lines = [([t for t in times if math.isfinite(t)], *rest) for times, *rest in lines]
    return [line for line in lines if line[0]]


def ttc_bound(res: CaseResult) -> float | None:
    """The threshold [s] of the case's criterion on ``ttc_min_s`` with rule ``>=`` or ``>``
    (its own when it declares one, else the default), or None when it has none."""
    for outcome in res.criteria:
        c = outcome.criterion
        if c.metric == "ttc_min_s" and c.rule in (">=", ">") and math.isfinite(c.threshold):
            return float(c.threshold)
    return None


def _series_panels(axes: list, rec: Recording, res: CaseResult, net: Any) -> None:
    """Speed + limit, acceleration, TTC + THW, distance."""
    ego = rec.header.ego or ""
    tr = rec.track(ego)
    axes[0].plot(finite(f.time for f in rec.frames if ego in f.entities),
                 finite(s.speed for s in tr), label="ego speed")
    lim = speed_limit_series(rec, res, net)
    if lim is not None:
        axes[0].plot(finite(lim.timestamps), finite(lim.values), "--", color="grey",
                     label="speed limit")
    lo, hi = axes[0].get_ylim()   # from 0 (or the reversing speed): an autoscaled axis made
    top = max([abs(v) for line in axes[0].get_lines() for v in line.get_ydata()] or [0.0])
    axes[0].set_ylim(min(lo, 0.0), max(top * 1.08, 1.0))  # a 0.004 m/s dip look like a
    #                                    brake; headroom: a constant speed is not the frame
    axes[0].set_ylabel("speed [m/s]")
    lon = ComfortMetric().compute(rec).series[0]
    axes[1].plot(finite(lon.timestamps), finite(lon.values), label="lon. acceleration")
    lo, hi = axes[1].get_ylim()
    axes[1].set_ylim(min(lo, -ACC_AXIS_MIN_MPS2), max(hi, ACC_AXIS_MIN_MPS2))
    axes[1].set_ylabel("acc. [m/s²]")
    head = {s.name: s for s in HeadwayMetric().compute(rec).series}
    for name, label in (("ttc_s", "TTC"), ("thw_s", "THW")):
        s = head[name]
        axes[2].plot(finite(s.timestamps), capped(s.values, TIME_PLOT_CAP_S),
                     label=f"{label} (cap {TIME_PLOT_CAP_S:g} s)",
                     ls="--" if name == "thw_s" else "-")   # THW over an equal TTC: dashed
    bound = ttc_bound(res)
    if bound is not None:   # regulator pass 16: an unlabelled line at 1.5 s beside a 1 s bound
        axes[2].axhline(bound, color="grey", lw=0.8, ls=":",
                        label=f"TTC bound of this case ({bound:g} s)")
    axes[2].set_ylim(0.0, TIME_PLOT_CAP_S * 1.05)
    axes[2].set_ylabel("time [s]")   # short labels: two long ones met between panels
    dist = ProximityMetric().compute(rec).series[0]
    axes[3].plot(finite(dist.timestamps), capped(dist.values, DISTANCE_PLOT_CAP_M),
                 label=f"nearest object (cap {DISTANCE_PLOT_CAP_M:g} m)")
    axes[3].set_ylim(0.0, DISTANCE_PLOT_CAP_M * 1.05)   # nothing near: a line at the cap,
    axes[3].set_ylabel("distance [m]")  # (the axis up to the cap: nothing near is not mid-axis)


def timeline_figure(rec: Recording, res: CaseResult, net: Any = None) -> Figure:
    """The timelines of one case (module docstring) as one figure."""
    passed, v2x = passed_lights(rec, net), v2x_received(rec)
    lights = list(dict.fromkeys([str(p["signal_id"]) for p in passed]
                                + approached_lights(rec, net)))
    ratios = [3, 2.5, 2.5, 2.5] + ([0.5 + 0.45 * len(lights)] if lights else []) + (
        [0.5 + 0.45 * len(v2x)] if v2x else [])
    fig = Figure(figsize=(8.0, 1.6 + 1.05 * sum(ratios) / 2.5 * 1.1))
    axes = list(fig.subplots(len(ratios), 1, sharex=True, gridspec_kw={"height_ratios": ratios}))
    _series_panels(axes, rec, res, net)
    for ax in axes[:4]:  # plain tick labels: no "1e-7+1.666e1" offset notation
        ax.ticklabel_format(axis="y", useOffset=False, style="plain")
    k = 4
    if lights:
        _draw_signals(axes[k], rec, passed, lights)
        k += 1
    if v2x:
        _draw_v2x(axes[k], v2x)
    axes[-1].set_xlabel("time [s]")
    for i, ax in enumerate(axes):
        for times, col, lw, ls, label in _event_lines(res):  # labelled once, in the top panel
            ax.vlines(times, 0, 1, transform=ax.get_xaxis_transform(), colors=col,
                      linewidths=lw, linestyles=ls, label=label if i == 0 else None)
        ax.grid(True, lw=0.3)
    for ax in axes[:4]:
        ax.legend(loc="best", fontsize=7)   # not over the lines (a speed held near the top)
    _fix_margins(fig, [t.get_text() for ax in axes[4:] for t in ax.get_yticklabels()])
    return fig
