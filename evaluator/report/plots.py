"""Shared pieces of the report figures: PNG encoding and the series both figures need.

Figures are drawn with matplotlib's object API on the Agg canvas (``matplotlib.figure.Figure``
+ ``FigureCanvasAgg``): no pyplot, so no global figure state and no display needed. The
figures themselves: :mod:`evaluator.report.birdseye` (trajectories),
:mod:`evaluator.report.timelines` (signals over time), :mod:`evaluator.report.sweep` (score
over two varied parameters).

Text from the scenario (entity names) is drawn as it is written: :func:`plain_label` keeps a
``$`` from starting matplotlib's mathtext, and the sans-serif font list falls back, glyph by
glyph, to the common CJK fonts (Noto Sans CJK, Source Han Sans, WenQuanYi, SimHei, Microsoft
YaHei) when one is installed; without one, a Chinese name is drawn as boxes, quietly (the
report's tables show every name as text).
"""

from __future__ import annotations

import contextlib
import io
import math
import warnings
from collections.abc import Iterator
from typing import Any

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from testzone.recording import Recording
from testzone.world import EntityState

from evaluator.case import CaseResult
from evaluator.metrics import SpeedingMetric
from evaluator.metrics.speeding import SPEEDING_TOLERANCE_MPS
from evaluator.results import TimeSeries


CJK_FALLBACK = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
                "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "PingFang SC")
"""Fonts tried, after matplotlib's default, for glyphs it lacks (Chinese entity names)."""


def _font_fallback() -> None:
    """Put the installed fonts of :data:`CJK_FALLBACK` behind the default sans-serif font."""
    from matplotlib import font_manager
    have = {f.name for f in font_manager.fontManager.ttflist}
    extra = [name for name in CJK_FALLBACK if name in have]
    if extra:
        fonts = list(matplotlib.rcParams["font.sans-serif"])
        matplotlib.rcParams["font.sans-serif"] = fonts[:1] + extra + fonts[1:]


_font_fallback()


@contextlib.contextmanager
def quiet_missing_glyphs() -> Iterator[None]:
    """Within it, matplotlib's warning about a glyph no font has (one per glyph, wherever text
    is measured) is not shown: the glyph is drawn as a box, which the figure shows anyway."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from", category=UserWarning)
        yield


def plain_label(text: str) -> str:
    """``text`` for a matplotlib label, drawn literally: every ``$`` escaped, so a name like
    ``x $\\alpha$ y`` is not typeset as math (and an unbalanced one cannot break the figure)."""
    return str(text).replace("$", r"\$")


def png_bytes(fig: Figure) -> bytes:
    """Render ``fig`` to PNG (90 dpi, no software tag, so the bytes depend only on the
    figure)."""
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, metadata={"Software": None})
    return buf.getvalue()


def finite(values: Any) -> list[float]:
    """``values`` as floats with every non-finite (or missing) value as NaN, which
    matplotlib leaves out of lines and axis limits (an infinite value would break them)."""
    out = []
    for v in values:
        f = math.nan if v is None else float(v)
        out.append(f if math.isfinite(f) else math.nan)
    return out


def capped(values: Any, cap: float) -> list[float]:
    """``values`` drawn against a cap: above it (``+inf`` included) at ``cap``, NaN for the
    missing and the other non-finite ones."""
    return [math.nan if v is None or math.isnan(v) or v == -math.inf else min(float(v), cap)
            for v in values]


def ego_at(rec: Recording, t: float) -> EntityState | None:
    """The ego's state at the last frame at or before ``t`` [s] (None before it appears)."""
    best = None
    for f in rec.frames:
        if f.time > t + 1e-9:
            break
        if rec.header.ego in f.entities:
            best = f.entities[rec.header.ego]
    return best


def speed_limit_series(rec: Recording, res: CaseResult, net: Any) -> TimeSeries | None:
    """The speed limit along the ego's path [m/s]: from the result's in-memory series, else
    recomputed with ``net`` (None without either)."""
    lim = res.series.get("speed_limit_mps")
    if lim is None and net is not None:
        lim = next(iter(SpeedingMetric().compute(rec, net).series), None)
    return lim


def speeding_mask(rec: Recording, lim: TimeSeries | None,
                  tolerance_mps: float = SPEEDING_TOLERANCE_MPS) -> list[bool]:
    """Per ego frame: speed above the limit by more than ``tolerance_mps`` [m/s], the speeding
    metric's own tolerance (False where the limit is unknown): the band drawn is the time
    counted, not 3e-7 m/s of rounding over 60 km/h."""
    ego = rec.header.ego or ""
    speeds = [f.entities[ego].speed for f in rec.frames if ego in f.entities]
    if lim is None:
        return [False] * len(speeds)
    return [v is not None and math.isfinite(v) and s - v > tolerance_mps
            for s, v in zip(speeds, lim.values)]
