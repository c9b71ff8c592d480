"""Comparing two runs case by case (``testzone compare A B``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evaluator.report.summary import read_summary


def compare_runs(a: str | Path, b: str | Path) -> dict[str, Any]:
    """Compare run ``a`` (before) with run ``b`` (after), each a run folder or summary file.

    Returns:
        ``{"flipped": [{"case_id", "before", "after"}], "score_delta": {case_id: b - a},
        "only_in_a": [...], "only_in_b": [...], "score_mean_delta": float,
        "totals": {"a": ..., "b": ...}}``, lists sorted by case id; score deltas only for
        cases in both runs.

    Raises:
        EvaluationError: either summary is missing or not of this schema.
    """
    da, db = read_summary(a), read_summary(b)
    ca = {c["case_id"]: c for c in da.get("cases", [])}
    cb = {c["case_id"]: c for c in db.get("cases", [])}
    both = sorted(set(ca) & set(cb))
    flipped = [{"case_id": k, "before": ca[k]["verdict"], "after": cb[k]["verdict"]}
               for k in both if ca[k]["verdict"] != cb[k]["verdict"]]
    delta = {k: round(float(cb[k]["score"]) - float(ca[k]["score"]), 6) for k in both}
    return {
        "flipped": flipped, "score_delta": delta,
        "only_in_a": sorted(set(ca) - set(cb)), "only_in_b": sorted(set(cb) - set(ca)),
        "score_mean_delta": round(float(db["totals"]["score_mean"])
                                  - float(da["totals"]["score_mean"]), 6),
        "totals": {"a": da["totals"], "b": db["totals"]},
    }
