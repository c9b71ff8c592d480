"""The case score, 0-100: multiplying gates times a weighted average of components.

After nuPlan's closed-loop score (``metrics/aggregator/weighted_average_metric_aggregator.py``):
``score = 100 x prod(gates) x sum(w_i s_i) / sum(w_i)`` over the components that apply
(a component whose inputs are None, e.g. speed compliance without a map, drops out of both
sums). Gates and weights come from ``evaluator/weights.json`` (or a file of the same form); the
component functions below turn statistics into sub-scores in [0, 1].
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Callable

from evaluator.criteria import Criterion, criterion_from_dict
from evaluator.errors import EvaluationError
from evaluator.results import Statistic
from testzone.userfiles import UserJsonError, parse_user_json

Stats = dict[str, Statistic]


@dataclass(frozen=True)
class Weights:
    """Scoring configuration.

    Attributes:
        gates: criteria whose failure multiplies the score by 0.
        components: component name -> weight (dimensionless, >= 0).
        parameters: named constants of the component functions (SI, units in their names).
        source: the file it was read from.
    """

    gates: tuple[Criterion, ...]
    components: dict[str, float]
    parameters: dict[str, float]
    source: str


def _val(stats: Stats, name: str) -> float | None:
    st = stats.get(name)
    return None if st is None else st.value


def _ratio(value: float, good: float) -> float:
    return 1.0 if math.isinf(value) else min(1.0, max(0.0, value / good))


def safety_margin(stats: Stats, p: dict[str, float]) -> float | None:
    """Mean of min(1, ttc_min/ttc_good_s) and min(1, thw_min/thw_good_s) (inf counts 1)."""
    ttc, thw = _val(stats, "ttc_min_s"), _val(stats, "thw_min_s")
    if ttc is None or thw is None:
        return None
    return (_ratio(ttc, p["ttc_good_s"]) + _ratio(thw, p["thw_good_s"])) / 2


def progress(stats: Stats, p: dict[str, float]) -> float | None:
    """0 when the run did not reach its StopTrigger; else (or when the case has no StopTrigger
    condition to reach: ``run_reached_stop_trigger`` None) the share of the run the ego did
    not stand still without a cause (``standstill_without_cause_s`` over
    ``progress_duration_s``; 1 when either is unknown)."""
    if "run_reached_stop_trigger" not in stats:
        return None
    reached = _val(stats, "run_reached_stop_trigger")
    reached = 1.0 if reached is None else reached
    stood, dur = _val(stats, "standstill_without_cause_s"), _val(stats, "progress_duration_s")
    if not reached or stood is None or not dur:
        return reached
    return reached * max(0.0, 1.0 - stood / dur)


def speed_compliance(stats: Stats, p: dict[str, float]) -> float | None:
    """nuPlan speed_limit_compliance: max(0, 1 - overspeed integral / (ref excess x duration))."""
    integral, dur = _val(stats, "overspeed_integral_m"), _val(stats, "progress_duration_s")
    if integral is None:
        return None
    if not dur:
        return 1.0
    return max(0.0, 1.0 - integral / (p["overspeed_ref_mps"] * dur))


def comfort(stats: Stats, p: dict[str, float]) -> float | None:
    """Share of nuPlan's six comfort metrics kept within their bounds."""
    return _val(stats, "comfort_ratio")


def v2x_response(stats: Stats, p: dict[str, float]) -> float | None:
    """1 up to v2x_response_good_s, falling linearly to 0 at v2x_response_bad_s (inf: 0);
    None without an actionable message."""
    t = _val(stats, "v2x_response_time_s")
    if t is None:
        return None
    good, bad = p["v2x_response_good_s"], p["v2x_response_bad_s"]
    if math.isinf(t) or t >= bad:
        return 0.0
    return 1.0 if t <= good else (bad - t) / (bad - good)


#: Parameters the component functions read (all must be in the weights file).
REQUIRED_PARAMETERS = frozenset({"ttc_good_s", "thw_good_s", "overspeed_ref_mps",
                                 "v2x_response_good_s", "v2x_response_bad_s"})

COMPONENTS: dict[str, Callable[[Stats, dict[str, float]], float | None]] = {
    "safety_margin": safety_margin, "progress": progress, "speed_compliance": speed_compliance,
    "comfort": comfort, "v2x_response": v2x_response}


def load_weights(path: str | Path | None = None) -> Weights:
    """Read a weights file (default: the packaged ``evaluator/weights.json``).

    Raises:
        EvaluationError: unreadable JSON, an unknown component, a negative weight or a
            malformed gate (names the file and the entry).
    """
    if path is None:
        text = resources.files("evaluator").joinpath("weights.json").read_text(encoding="utf-8")
        src = "evaluator/weights.json"
    else:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise EvaluationError(f"cannot read weights ({exc.strerror})", file=str(path)) from None
        src = str(path)
    try:
        d: dict[str, Any] = parse_user_json(text)
    except UserJsonError as exc:
        raise EvaluationError(exc.reason, file=src, line=exc.line) from None
    comps: dict[str, float] = {}
    for name, entry in d.get("components", {}).items():
        if name not in COMPONENTS:
            raise EvaluationError(f"unknown component {name!r}; expected one of "
                                  f"{', '.join(COMPONENTS)}", file=src, element="components")
        w = float(entry["weight"] if isinstance(entry, dict) else entry)
        if w < 0:
            raise EvaluationError(f"weight of {name!r} must be >= 0, got {w}", file=src,
                                  element="components")
        comps[name] = w
    gates = tuple(criterion_from_dict({**g, "clause": g.get("rationale", "")}, where=f"{src} gates")
                  for g in d.get("gates", []))
    params = {k: float(v) for k, v in d.get("parameters", {}).items()}
    missing = sorted(REQUIRED_PARAMETERS - set(params))
    if missing:
        raise EvaluationError(f"parameters lack {', '.join(missing)}", file=src,
                              element="parameters")
    return Weights(gates, comps, params, src)


def score(stats: Stats, weights: Weights) -> tuple[float, dict[str, Any]]:
    """Score a case's statistics, 0-100.

    Returns:
        (score, breakdown) with breakdown ``{"gates": {id: 0|1}, "components": {name: s|None}}``.
        A gate whose statistic is missing or None passes (cannot be judged, e.g. no map).
    """
    gates: dict[str, int] = {}
    for g in weights.gates:
        v = _val(stats, g.metric)
        gates[g.id] = 1 if v is None or g.holds(v) else 0
    parts: dict[str, float | None] = {}
    num = den = 0.0
    for name, w in weights.components.items():
        s = COMPONENTS[name](stats, weights.parameters)
        parts[name] = s
        if s is not None and w > 0:
            num += w * s
            den += w
    avg = num / den if den > 0 else 1.0
    total = 100.0 * math.prod(gates.values()) * avg
    return round(total, 6), {"gates": gates, "components": parts}
