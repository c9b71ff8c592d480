"""Parameter sweeps: mean score (and passes) over the two most varied parameters, as a heat map.

The parameters are those :func:`evaluator.aggregate.varied_parameters` finds; the axes are the
one with the most distinct values and the most varied of those set together with it in some
case (:func:`sweep_axes`; none: a single row). Each cell is the mean score of
the cases with that pair of values (colour 0-100, red to green) and is labelled with the score
and ``passes/cases``; an empty cell is a combination not run.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from evaluator.aggregate import sort_values, value_key, varied_parameters
from evaluator.case import CaseResult


def sweep_axes(results: list[CaseResult]) -> tuple[str, str | None] | None:
    """The (x, y) parameters of the heat map, or None when no parameter varies: x the most
    varied one, y the most varied of those some case sets together with x (a run of two
    distributions of other parameters gave an empty map over one of each); y None when there
    is none."""
    varied = varied_parameters(results)
    if not varied:
        return None
    ranked = sorted(varied, key=lambda p: (-len(varied[p]), p))
    px = ranked[0]
    py = next((p for p in ranked[1:] if any(_param(r, px) is not None and
                                            _param(r, p) is not None for r in results)), None)
    return px, py


def _param(r: CaseResult, key: str) -> Any:
    name = key.split(":", 1)[1] if key not in r.parameters and ":" in key else key
    return r.parameters.get(name)


def sweep_grid(results: list[CaseResult], px: str,
               py: str | None) -> tuple[list[str], list[str], np.ndarray, np.ndarray, np.ndarray]:
    """(x values, y values, mean score (ny, nx), passes, cases) of the cases having ``px``
    (and ``py``); NaN score where no case ran."""
    cells: dict[tuple[str, str], list[CaseResult]] = {}
    for r in results:
        vx = _param(r, px)
        vy = _param(r, py) if py else ""
        if vx is None or vy is None:
            continue
        cells.setdefault((value_key(vx), value_key(vy) if py else ""), []).append(r)
    xs = sort_values({k[0] for k in cells})
    ys = sort_values({k[1] for k in cells})
    score = np.full((len(ys), len(xs)), np.nan)
    passes = np.zeros((len(ys), len(xs)), dtype=int)
    count = np.zeros((len(ys), len(xs)), dtype=int)
    for (vx, vy), rs in cells.items():
        i, j = ys.index(vy), xs.index(vx)
        score[i, j] = sum(r.score for r in rs) / len(rs)
        passes[i, j] = sum(r.verdict == "pass" for r in rs)
        count[i, j] = len(rs)
    return xs, ys, score, passes, count


def sweep_figure(results: list[CaseResult]) -> Figure | None:
    """The heat map (module docstring), or None when no parameter varies."""
    axes = sweep_axes(results)
    if axes is None:
        return None
    px, py = axes
    xs, ys, score, passes, count = sweep_grid(results, px, py)
    fig = Figure(figsize=(min(8.0, 2.5 + 0.8 * len(xs)), min(7.0, 1.6 + 0.5 * len(ys))))
    ax = fig.add_subplot(1, 1, 1)
    im = ax.imshow(np.ma.masked_invalid(score), cmap="RdYlGn", vmin=0, vmax=100, origin="lower",
                   aspect="auto")
    for i in range(len(ys)):
        for j in range(len(xs)):
            if count[i, j]:
                ax.text(j, i, f"{score[i, j]:.0f}\n{passes[i, j]}/{count[i, j]}", ha="center",
                        va="center", fontsize=7)
    ax.set_xticks(range(len(xs)), xs, fontsize=7, rotation=45 if len(xs) > 8 else 0)
    ax.set_xlabel(px)
    ax.set_yticks(range(len(ys)), ys if py else [""], fontsize=7)
    ax.set_ylabel(py or "")
    fig.colorbar(im, ax=ax, label="mean score")
    fig.tight_layout()
    return fig
