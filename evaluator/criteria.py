"""Pass/fail criteria: a statistic, a comparison, a threshold and the clause it comes from.

Every case is judged by :func:`default_criteria` unless its recording header lists criteria of
its own (``header.criteria``: dicts ``{id, metric, rule, threshold, clause[, unit][, enabled]}``):
an entry with the id of a default replaces it (``"enabled": false`` drops it), an entry on the
same statistic as a default replaces that default too (the case's own threshold supersedes the
general one, so a statistic is not judged twice), other entries are added. A criterion whose
statistic is None (not applicable: no map, no lead vehicle, no V2X message) is reported as
``not_applicable`` and does not fail the case. A criterion naming a statistic no metric
computes is reported as ``not_evaluated`` (visible in every report, never a pass) and does not
fail the case either: the case catalogue may be ahead of the evaluator.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from typing import Any, Iterable

from evaluator.errors import EvaluationError
from evaluator.results import Statistic, decode_float, encode_float

#: The comparisons a criterion may use: measured <rule> threshold must hold to pass.
RULES = ("<", "<=", ">", ">=", "==")

#: The statuses a criterion outcome may have (:class:`CriterionOutcome`).
STATUSES = ("pass", "fail", "not_applicable", "not_evaluated")

#: Other names accepted for a statistic in declared criteria (name used by the Wuhan case
#: catalogue -> the evaluator's statistic).
ALIASES = {"ego_decel_max_mps2": "decel_peak_mps2"}


@dataclass(frozen=True)
class Criterion:
    """One requirement on one statistic.

    Attributes:
        id: unique id in the case (``no_collision``). metric: the statistic's name
            (``ttc_min_s``). rule: one of :data:`RULES`. threshold: in ``unit``.
        unit: the statistic's unit. clause: the standard clause or source it comes from.
        declared: the test case declares it (its catalogue entry, or a ``criterion:``
            Property of the scenario): what the case is meant to judge, so a run where it
            cannot be judged (not applicable) says so.

    Raises:
        EvaluationError: unknown rule or non-numeric threshold.
    """

    id: str
    metric: str
    rule: str
    threshold: float
    unit: str
    clause: str
    declared: bool = False

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise EvaluationError(f"rule must be one of {', '.join(RULES)}, got {self.rule!r}",
                                  element=f"criterion {self.id}")
        if not isinstance(self.threshold, (int, float)) or math.isnan(self.threshold):
            raise EvaluationError(f"threshold must be a number, got {self.threshold!r}",
                                  element=f"criterion {self.id}")

    def holds(self, value: float) -> bool:
        """Whether ``value <rule> threshold`` (``==`` with an absolute tolerance of 1e-9)."""
        th = float(self.threshold)
        return {"<": value < th, "<=": value <= th + 1e-9, ">": value > th,
                ">=": value >= th - 1e-9, "==": math.isclose(value, th, abs_tol=1e-9)}[self.rule]


@dataclass(frozen=True)
class CriterionOutcome:
    """A criterion applied to one case.

    Attributes:
        criterion: the criterion. measured: the statistic's value (None: not applicable).
        status: ``pass``, ``fail``, ``not_applicable`` (statistic None) or ``not_evaluated``
            (no metric computes the statistic).
    """

    criterion: Criterion
    measured: float | None
    status: str

    def to_dict(self) -> dict[str, Any]:
        """JSON form: the criterion's fields plus ``measured`` and ``status``."""
        d = asdict(self.criterion)
        d["threshold"] = encode_float(d["threshold"])
        d.update(measured=encode_float(self.measured), status=self.status)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "CriterionOutcome":
        """Inverse of :meth:`to_dict`."""
        crit = Criterion(d["id"], d["metric"], d["rule"], decode_float(d["threshold"]),
                         d.get("unit", ""), d.get("clause", ""), bool(d.get("declared", False)))
        return cls(crit, decode_float(d["measured"]), d["status"])


def default_criteria() -> list[Criterion]:
    """The criteria every case is judged by (sources in docs/evaluator.md).

    Clause references name the document and, where we checked it, the clause.
    """
    return [
        Criterion("no_collision", "collision_count", "==", 0, "count",
                  "GB/T 41798-2022 track-test requirement: no collision with test targets; "
                  "UN R157 §5.1.1 (no reasonably foreseeable and preventable collision)"),
        Criterion("ttc_min", "ttc_min_s", ">=", 1.5, "s",
                  "critical TTC 1.5 s (van der Horst & Hogema 1993, Hayward 1972 TTC)"),
        Criterion("no_red_light", "red_light_violation_count", "==", 0, "count",
                  "PRC Road Traffic Safety Law Implementing Regulations art. 38 (red light "
                  "forbids passing; a right turn may pass a circular red); T/CSAE 53-2020 "
                  "Day-1 RLVW"),
        Criterion("yields_at_crosswalk", "crosswalk_occupied_entry_count", "==", 0, "count",
                  "PRC Road Traffic Safety Law art. 47 (stop and yield to pedestrians "
                  "crossing on a crosswalk); someone on it within 1.5 lanes of the ego's path "
                  "as it drives on; not applicable without crosswalks"),
        Criterion("speed_limit", "speed_over_limit_ratio_max", "<=", 0.10, "ratio",
                  "PRC Road Traffic Safety Law art. 42 (posted limits); 10 % tolerance is "
                  "this project's choice"),
        Criterion("stay_on_road", "offroad_time_s", "<=", 0.0, "s",
                  "stay within the drivable area: nuPlan drivable_area_compliance (box "
                  "corners, 0.3 m tolerance); lane keeping is lane_departure_* apart"),
        Criterion("no_wrong_way", "wrong_way_count", "==", 0, "count",
                  "PRC Road Traffic Safety Law art. 35 (keep to the right); wrong-way interval "
                  ">= 1 s"),
        Criterion("follows_route", "route_departure_count", "==", 0, "count",
                  "the route the scenario assigns (ASAM OpenSCENARIO AssignRouteAction) is "
                  "kept to its goal: leaving it is an infraction, as CARLA ScenarioRunner "
                  "InRouteTest / Leaderboard route deviation; not applicable without a route"),
        Criterion("no_stall", "standstill_without_cause_s", "<=", 5.0, "s",
                  "progress: standing still with no road user and no non-green light within "
                  "30 m ahead, after CARLA ScenarioRunner ActorBlockedTest; 5 s is this "
                  "project's bound"),
        Criterion("reached_stop_trigger", "run_reached_stop_trigger", "==", 1, "bool",
                  "ASAM OpenSCENARIO 1.2 Storyboard stopTrigger (the case ran to its end)"),
        Criterion("events_started", "storyboard_events_not_started", "==", 0, "count",
                  "the test case set up what it describes: every storyboard Event started "
                  "before the run ended (ASAM OpenSCENARIO XML 1.3, 8.4.2: an Event runs "
                  "only when its start trigger fires); a case whose stimulus never came "
                  "tested nothing of it; this project's rule"),
        Criterion("decel_peak", "decel_peak_mps2", "<=", 10.0, "m/s^2",
                  "physical bound: tyre-road adhesion on dry asphalt (mu ~ 1: about 1 g, "
                  "9.81 m/s^2, rounded up to 10)"),
    ]


def criterion_from_dict(d: dict[str, Any], where: str = "header.criteria") -> Criterion:
    """Build a criterion from its dict form ``{id, metric, rule, threshold, clause[, unit]}``.

    Raises:
        EvaluationError: a key is missing or a value has the wrong type (names ``where`` and
            the criterion id).
    """
    missing = [k for k in ("id", "metric", "rule", "threshold") if k not in d]
    if missing:
        raise EvaluationError(f"criterion {d.get('id', '?')!r} lacks {', '.join(missing)} "
                              "(expected id, metric, rule, threshold, clause)", element=where)
    try:
        th = float(d["threshold"])
    except (TypeError, ValueError):
        raise EvaluationError(f"criterion {d['id']!r}: threshold must be a number, "
                              f"got {d['threshold']!r}", element=where) from None
    return Criterion(str(d["id"]), str(d["metric"]), str(d["rule"]), th,
                     str(d.get("unit", "")), str(d.get("clause", "declared by the test case")))


def statistic_of(c: Criterion) -> str:
    """The statistic a criterion reads, with :data:`ALIASES` resolved."""
    return ALIASES.get(c.metric, c.metric)


def merge_criteria(base: Iterable[Criterion],
                   overrides: Iterable[dict[str, Any]]) -> list[Criterion]:
    """Apply a case's declared criteria to ``base``: replace by id, drop when disabled,
    replace a base criterion on the same statistic (aliases resolved), add the rest.

    Order: the base order (a replaced entry keeps its place), then new ids in declaration
    order.
    """
    out = {c.id: c for c in base}
    base_ids = set(out)
    for d in overrides:
        if d.get("enabled", True) is False:
            out.pop(str(d.get("id")), None)
            continue
        c = replace(criterion_from_dict(d), declared=True)
        twin = next((k for k, b in out.items() if k in base_ids and k != c.id
                     and statistic_of(b) == statistic_of(c)), None)
        if twin is not None and c.id not in out:
            out = {(c.id if k == twin else k): (c if k == twin else v) for k, v in out.items()}
            base_ids.discard(twin)
            continue
        if twin is not None:
            out.pop(twin)
            base_ids.discard(twin)
        out[c.id] = c
    return list(out.values())


def evaluate(criteria: Iterable[Criterion], stats: dict[str, Statistic]) -> list[CriterionOutcome]:
    """Apply each criterion to the statistics (names resolved through :data:`ALIASES`); an
    outcome carries the statistic's unit, whatever unit the criterion was written with."""
    out = []
    for c in criteria:
        st = stats.get(c.metric) or stats.get(ALIASES.get(c.metric, ""))
        if st is None:
            out.append(CriterionOutcome(c, None, "not_evaluated"))
            continue
        unit = st.unit or c.unit  # the threshold is compared in the statistic's unit: a
        # declared "1.0 m" on a time reads 1.0 s (scenario check warns of the mismatch)
        c2 = c if unit == c.unit else replace(c, unit=unit)
        if st.value is None:
            out.append(CriterionOutcome(c2, None, "not_applicable"))
        else:
            out.append(CriterionOutcome(c2, st.value, "pass" if c.holds(st.value) else "fail"))
    return out
