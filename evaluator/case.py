"""One case's verdict: metrics, criteria outcomes and score, from its recording.

:func:`score_case` is the evaluator's entry point for the runner (docs/architecture.md):
pure over a :class:`testzone.recording.Recording` and an optional road network.
"""

from __future__ import annotations

import math

from dataclasses import dataclass, field
from typing import Any, Iterable

from testzone.errors import TestzoneError
from testzone.recording import Recording

from evaluator.criteria import (Criterion, CriterionOutcome, default_criteria, evaluate,
                                merge_criteria)
from evaluator.errors import EvaluationError
from evaluator.interfaces import Metric, RoadNetworkView
from evaluator.metrics import default_metrics
from evaluator.results import MetricResult, Statistic, TimeSeries, decode_float
from evaluator.scoring import Weights, load_weights, score

#: Verdicts a case may get.
VERDICTS = ("pass", "fail", "error")


@dataclass
class CaseResult:
    """The evaluation of one test case.

    Attributes:
        case_id: the case's id. scenario_file: its .xosc (groups cases in JUnit).
        verdict: ``pass``, ``fail`` (a criterion failed) or ``error`` (the run or the evaluation
            broke; see ``error``). score: 0-100 (0 for errors).
        criteria: every criterion's outcome. metrics: all statistics keyed by name.
        findings: discrete findings per metric (collisions, red-light crossings, first V2X
            message, closest approach), JSON-ready. skipped: metric -> why it was skipped.
        breakdown: the score's gates and components. end_reason: the recording's end reason.
        error: the error message and its cause (verdict ``error``), else "".
        seed: the case's seed. parameters: its resolved parameters.
        error_kind: ``input``, ``agent`` or ``run`` when the runner classified an error.
        traceback: the error's traceback when the runner captured one. family: the case
            family (logical scenario) when the runner gives one. limitations: what the case
            does not exercise, from the case catalogue (shown with the verdict).
        agent: what the stack under test said of itself in its handshake, ``{"name",
            "version"}`` (the recording's ``agent`` event; empty when none ran): its own
            word, beside the ``--agent`` spec the manifest names (automaker pass 14: two
            versions of a zmq:// stack on one port were told apart nowhere a tool reads).
        series: time series for plots (in memory only; not written to summary.json).
    """

    case_id: str
    scenario_file: str
    verdict: str
    score: float
    criteria: list[CriterionOutcome] = field(default_factory=list)
    metrics: dict[str, Statistic] = field(default_factory=dict)
    findings: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    breakdown: dict[str, Any] = field(default_factory=dict)
    end_reason: str = ""
    error: str = ""
    seed: int = 0
    parameters: dict[str, Any] = field(default_factory=dict)
    error_kind: str = ""
    traceback: str = ""
    family: str = ""
    limitations: list[str] = field(default_factory=list)
    agent: dict[str, str] = field(default_factory=dict)
    series: dict[str, TimeSeries] = field(default_factory=dict, repr=False, compare=False)

    @property
    def failed(self) -> list[CriterionOutcome]:
        """The criteria that failed, with measured value and threshold."""
        return [c for c in self.criteria if c.status == "fail"]

    @property
    def unjudged_own(self) -> list[CriterionOutcome]:
        """The case's own declared criteria that had nothing to judge in this run (status
        ``not_applicable``): a pass that did not test what the case is for (regulator pass
        16: an RLVW case passed with its V2X criterion unjudged, shown as a plain pass)."""
        return [c for c in self.criteria if c.criterion.declared and c.status == "not_applicable"]

    def to_dict(self) -> dict[str, Any]:
        """JSON form (docs/summary-schema.md, ``cases[]``); ``series`` is left out."""
        return {
            "case_id": self.case_id, "scenario_file": self.scenario_file,
            "verdict": self.verdict, "score": round(self.score, 6),
            "criteria": [c.to_dict() for c in self.criteria],
            "metrics": {k: v.to_dict() for k, v in sorted(self.metrics.items())},
            "findings": self.findings, "skipped": self.skipped, "breakdown": self.breakdown,
            "end_reason": self.end_reason, "error": self.error, "seed": self.seed,
            "parameters": self.parameters, "error_kind": self.error_kind,
            "traceback": self.traceback, "family": self.family,
            "limitations": list(self.limitations), "agent": dict(self.agent)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "CaseResult":
        """Inverse of :meth:`to_dict` (``series`` comes back empty).

        Also reads the runner's ``result.json`` dicts: keys beyond the fields above (wall
        time, input hashes) are ignored; only ``case_id``, ``verdict`` and ``score`` are
        required.

        Raises:
            EvaluationError: a required key is missing or the verdict is unknown.
        """
        missing = [k for k in ("case_id", "verdict", "score") if k not in d]
        if missing or d.get("verdict") not in VERDICTS:
            raise EvaluationError(f"case result needs case_id, verdict in {VERDICTS} and score; "
                                  f"got keys {sorted(d)} and verdict {d.get('verdict')!r}",
                                  element=f"case {d.get('case_id', '?')}")
        metrics = {k: Statistic(k, v["unit"], decode_float(v["value"]))
                   for k, v in d.get("metrics", {}).items()}
        return cls(d["case_id"], d.get("scenario_file", ""), d["verdict"], float(d["score"]),
                   [CriterionOutcome.from_dict(c) for c in d.get("criteria", [])], metrics,
                   d.get("findings", {}), d.get("skipped", {}), d.get("breakdown", {}),
                   d.get("end_reason", ""), d.get("error", ""), int(d.get("seed", 0)),
                   d.get("parameters", {}), d.get("error_kind", ""), d.get("traceback", ""),
                   str(d.get("family", "") or ""), [str(x) for x in d.get("limitations") or []],
                   _agent_dict(d.get("agent")))


def compute_metrics(recording: Recording, net: RoadNetworkView | None = None,
                    metrics: Iterable[Metric] | None = None) -> list[MetricResult]:
    """Run every metric (default: :func:`evaluator.metrics.default_metrics`) over a recording.

    Raises:
        EvaluationError: the recording has no ego; a metric found inconsistent data.
    """
    return [m.compute(recording, net) for m in (metrics or default_metrics())]


def _agent_dict(agent: Any) -> dict[str, str]:
    """A ``result.json`` ``agent`` value as ``{str: str}`` ({} when not a dict)."""
    return {str(k): str(v) for k, v in agent.items()} if isinstance(agent, dict) else {}


def agent_label(agent: Any) -> str:
    """``"name version"`` of a case's ``agent`` dict (what the stack said of itself), the
    parts it has; "" for none or a non-dict."""
    if not isinstance(agent, dict):
        return ""
    return " ".join(str(agent[k]) for k in ("name", "version") if agent.get(k))


def reported_agent(rec: Recording) -> dict[str, str]:
    """``{"name", "version"}`` of the recording's first ``agent`` event (what the stack under
    test said of itself when it started), empty without one."""
    said = next(iter(rec.events_of("agent")), None)
    if said is None:
        return {}
    return {k: str(said.data[k]) for k in ("name", "version") if said.data.get(k) is not None}


def _error_result(rec: Recording, message: str, results: list[MetricResult]) -> CaseResult:
    h = rec.header
    res = CaseResult(h.case_id, h.scenario_file, "error", 0.0, end_reason=rec.end_reason,
                     error=message, seed=h.seed, parameters=dict(h.parameters),
                     agent=reported_agent(rec))
    _fill(res, results)
    return res


def _fill(res: CaseResult, results: list[MetricResult]) -> None:
    for r in results:
        res.metrics.update(r.statistics)
        if r.events:
            res.findings[r.metric] = [dict(e) for e in r.events]
        if r.skipped:
            res.skipped[r.metric] = r.skipped
        res.series.update({s.name: s for s in r.series})


def judged_part(recording: Recording) -> Recording:
    """The part of a recording the evaluator judges: all of it, unless the scenario's default
    controller stopped the ego at a lane that leads nowhere (its ``end_of_road`` event, with
    ``--agent scenario``: esmini stops an entity there from full speed in one step) and the ego
    stood there to the end of the run. Then the frames up to the last one in which the ego's
    front had not yet passed the road's end (on the stop's road, its reference point at least
    the front overhang, box centre x + length / 2, short of the stop's s), and the events up to
    then plus that ``end_of_road`` event, the ``collision`` events up to the stop (what
    stands at the road's end is hit there) and the ``storyboard_coverage`` event (which
    Events of the whole run never started): the overhang past the end, the one-step stop and
    the standing after it are the road's end, not the driving under test. An ego that moves on
    after the stop (teleported elsewhere) is judged whole: nothing it did is dropped.
    """
    stop = recording.ego_road_end()
    if stop is None:
        return recording
    ego = recording.header.ego or ""
    info = recording.header.entities.get(ego)
    front = max(0.0, info.box.cx + info.box.length / 2.0) if info else 0.0
    before = [f for f in recording.frames if f.time < stop.t - 1e-9 and ego in f.entities]
    after = [f.entities[ego].pose for f in recording.frames
             if f.time >= stop.t - 1e-9 and ego in f.entities]
    if after and any(math.hypot(p.x - after[0].x, p.y - after[0].y) > STOOD_STILL_M
                     for p in after):
        return recording
    road, end_s = str(stop.data.get("road_id")), float(stop.data.get("s") or 0.0)

    def past_end(frame) -> bool:
        lane = frame.entities[ego].lane
        return lane is not None and str(lane.road_id) == road and \
            abs(end_s - lane.s) < front - 1e-9
    driven = before
    while driven and past_end(driven[-1]):
        driven = driven[:-1]
    cut = driven[-1].time if driven else (before[0].time if before else stop.t)
    events = [e for e in recording.events if e.t <= cut + 1e-9 or e is stop
              or (e.kind == "collision" and e.t <= stop.t + 1e-9)   # a barrier at the end
              or e.kind == "storyboard_coverage"]   # the run's own account of its storyboard
    return Recording(recording.header, [f for f in recording.frames if f.time <= cut + 1e-9],
                     events, recording.end_reason, recording.end_message)


STOOD_STILL_M = 0.5
"""How far [m] the ego may drift after a dead-end stop and still count as standing there."""


def score_case(recording: Recording, net: RoadNetworkView | None = None,
               criteria: list[Criterion] | None = None, weights: Weights | None = None,
               metrics: Iterable[Metric] | None = None) -> CaseResult:
    """Evaluate one recording.

    Args:
        recording: the case's recording. net: its road network (None: map metrics skipped).
        criteria: the base criteria (default :func:`default_criteria`); the header's declared
            criteria are applied on top. weights: scoring configuration (default packaged file).
        metrics: metric instances (default :func:`default_metrics`).

    Returns:
        A :class:`CaseResult` of the part of the run :func:`judged_part` keeps. A recording
        that ended in ``error`` or was ``truncated`` gives
        verdict ``error`` carrying its message; so does a :class:`TestzoneError` raised while
        evaluating (no ego in the header, a malformed declared criterion). Any other exception
        propagates (the runner turns it into an error result with its traceback).
    """
    h = recording.header
    results: list[MetricResult] = []
    try:
        results = compute_metrics(judged_part(recording), net, metrics)
        if recording.end_reason in ("error", "truncated"):
            msg = recording.end_message or "recording cut short (no end line)"
            return _error_result(recording, f"{recording.end_reason}: {msg}", results)
        res = CaseResult(h.case_id, h.scenario_file, "pass", 0.0, end_reason=recording.end_reason,
                         seed=h.seed, parameters=dict(h.parameters),
                         agent=reported_agent(recording))
        _fill(res, results)
        crits = merge_criteria(criteria if criteria is not None else default_criteria(), h.criteria)
        res.criteria = evaluate(crits, res.metrics)
        res.score, res.breakdown = score(res.metrics, weights or load_weights())
    except TestzoneError as exc:
        reason = ""
        if recording.end_reason == "error":
            reason = f"error: {recording.end_message}; "
        return _error_result(recording, f"{reason}evaluation failed: {exc}", results)
    res.verdict = "fail" if res.failed else "pass"
    return res
