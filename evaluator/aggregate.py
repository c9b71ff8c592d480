"""Run-level aggregation: score spread, pass rate and infractions per kilometre, overall, per
scenario family and per value of each varied parameter.

After nuPlan's aggregation (scenario -> scenario type -> overall, ``metrics/aggregator``) and
CARLA Leaderboard's infractions per kilometre driven. Works on :class:`evaluator.case.CaseResult`
records only (statistics already computed), never on recordings.
"""

from __future__ import annotations

import math
from typing import Any, Iterable

from evaluator.case import CaseResult

#: Infraction kind -> the statistic counting it in a case (docs/evaluator.md).
INFRACTIONS = {"collisions": "collision_count", "red_lights": "red_light_violation_count",
               "speeding_events": "speeding_event_count", "wrong_way": "wrong_way_count"}


def _stat(r: CaseResult, name: str) -> float | None:
    st = r.metrics.get(name)
    v = None if st is None else st.value
    return v if v is not None and math.isfinite(v) else None


def group_stats(results: list[CaseResult]) -> dict[str, Any]:
    """Aggregate of a group of cases.

    Returns ``{"cases", "pass", "fail", "error", "pass_rate", "score_mean", "score_std",
    "score_min", "score_max", "distance_km", "infractions": {kind: count},
    "infractions_per_km": {kind: count / km or None}, "failed_criteria": {criterion id: cases
    that failed it}}`` (a failed case can score high: its criterion is no score gate). Scores of errored cases (0) count;
    the standard deviation is the population one (0 for a single case); an empty group has
    score statistics 0 and pass rate 0. ``distance_km`` sums ``progress_distance_m``; per-km
    rates are None when it is 0.
    """
    n = len(results)
    counts = {v: sum(r.verdict == v for r in results) for v in ("pass", "fail", "error")}
    scores = [float(r.score) for r in results]
    mean = sum(scores) / n if n else 0.0
    std = math.sqrt(sum((s - mean) ** 2 for s in scores) / n) if n else 0.0
    km = sum(_stat(r, "progress_distance_m") or 0.0 for r in results) / 1000.0
    inf = {k: int(sum(_stat(r, stat) or 0.0 for r in results)) for k, stat in INFRACTIONS.items()}
    failed: dict[str, int] = {}
    for r in results:
        for o in r.failed:
            failed[o.criterion.id] = failed.get(o.criterion.id, 0) + 1
    return {"cases": n, **counts, "pass_rate": counts["pass"] / n if n else 0.0,
            "failed_criteria": dict(sorted(failed.items())),
            "score_mean": mean, "score_std": std, "score_min": min(scores, default=0.0),
            "score_max": max(scores, default=0.0), "distance_km": km, "infractions": inf,
            "infractions_per_km": {k: (v / km if km > 0 else None) for k, v in inf.items()}}


def value_key(v: Any) -> str:
    """A parameter value as a stable dictionary key: numbers to 9 significant digits, as the
    summary writes the cases' parameters (:func:`evaluator.results.encode_float`), in
    shortest form (``13.888889`` and ``"13.888889"`` alike; a drawn ``18.296207176067732``
    is ``18.2962072``, the value shown beside its case)."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return str(v)
    if math.isfinite(f) and f == int(f) and abs(f) < 1e15:
        return str(int(f))
    return repr(float(f"{f:.9g}")) if math.isfinite(f) else repr(f)


def sort_values(values: Iterable[str]) -> list[str]:
    """Value keys in numeric order when all are numbers (a bin ``lo..hi`` by its ``lo``),
    else in text order."""
    values = list(values)
    try:
        return sorted(values, key=lambda v: float(v.split("..")[0]))
    except ValueError:
        return sorted(values)


MAX_PARAMETER_GROUPS = 12
"""Most values a varied parameter is grouped by in ``by_parameter``: beyond it (a stochastic
distribution draws a new value per case) numbers fall into :data:`PARAMETER_BINS` equal
bins ``lo..hi`` and other values are not grouped (10 000 cases of 30 drawn parameters made a
227 MB summary.json)."""

PARAMETER_BINS = 10


def _binned(groups: dict[str, list[CaseResult]]) -> dict[str, list[CaseResult]] | None:
    """``groups`` with at most MAX_PARAMETER_GROUPS keys: as they are, numbers in equal bins,
    or None (too many values that are not numbers)."""
    if len(groups) <= MAX_PARAMETER_GROUPS:
        return groups
    try:
        nums = {k: float(k) for k in groups}
    except ValueError:
        return None
    lo, hi = min(nums.values()), max(nums.values())
    width = (hi - lo) / PARAMETER_BINS
    if not (math.isfinite(width) and width > 0):
        return None
    out: dict[str, list[CaseResult]] = {}
    for k, cases in groups.items():
        i = min(int((nums[k] - lo) / width), PARAMETER_BINS - 1)
        key = f"{lo + i * width:.6g}..{lo + (i + 1) * width:.6g}"
        out.setdefault(key, []).extend(cases)
    return out


def family_of(r: CaseResult) -> str:
    """The case family (logical scenario), else its scenario file."""
    return r.family or r.scenario_file


def varied_parameters(results: Iterable[CaseResult]) -> dict[str, dict[str, list[CaseResult]]]:
    """``{parameter: {value: cases}}`` for every parameter taking more than one value among
    the cases of one family (a ParameterValueDistribution's varied parameters); keys are
    ``<parameter>`` when one family varies it, ``<family>:<parameter>`` when several do. A
    parameter with more than :data:`MAX_PARAMETER_GROUPS` values is binned (:func:`_binned`).
    """
    by_family: dict[str, list[CaseResult]] = {}
    for r in results:
        by_family.setdefault(family_of(r), []).append(r)
    found: dict[tuple[str, str], dict[str, list[CaseResult]]] = {}
    for fam, cases in by_family.items():
        names = sorted({k for r in cases for k in r.parameters})
        for name in names:
            groups: dict[str, list[CaseResult]] = {}
            for r in cases:
                if name in r.parameters:
                    groups.setdefault(value_key(r.parameters[name]), []).append(r)
            if len(groups) > 1 and (groups := _binned(groups)) is not None:
                found[(fam, name)] = groups
    clash = {n for (_, n) in found if sum(1 for (_, m) in found if m == n) > 1}
    return {(f"{fam}:{n}" if n in clash else n): g for (fam, n), g in sorted(found.items())}


def totals(results: list[CaseResult]) -> dict[str, Any]:
    """The run's aggregate (:func:`group_stats`), plus ``by_family`` (family or scenario file ->
    group stats) and ``by_parameter`` (varied parameter -> value -> group stats)."""
    fams: dict[str, list[CaseResult]] = {}
    for r in results:
        fams.setdefault(family_of(r), []).append(r)
    by_param = {p: {v: group_stats(g[v]) for v in sort_values(g)}
                for p, g in varied_parameters(results).items()}
    return {**group_stats(results),
            "by_family": {k: group_stats(v) for k, v in sorted(fams.items())},
            "by_parameter": by_param}
