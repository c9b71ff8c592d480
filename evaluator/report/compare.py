"""Comparing two runs case by case (``testzone compare A B``): flipped verdicts, score deltas,
cases only in one run; as a dict (``--json``), a plain-text table and ``compare.html``."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, select_autoescape

from evaluator.aggregate import group_stats
from evaluator.case import CaseResult, agent_label
from evaluator.errors import EvaluationError
from evaluator.report.summary import read_summary
from testzone.provenance import relative_inputs, short_digest
from testzone.text import one_line, xml_safe

#: Score changes smaller than this [points] are left out of the text table's delta list.
DELTA_EPSILON = 1e-6


def _failed(case: dict[str, Any]) -> list[str]:
    crits = case.get("criteria")
    return [str(c.get("id")) for c in (crits if isinstance(crits, list) else [])
            if isinstance(c, dict) and c.get("status") == "fail"]


def _not_judged(case: dict[str, Any]) -> list[str]:
    """The case's own declared criteria that had nothing to judge (``not_applicable``)."""
    crits = case.get("criteria")
    return [str(c.get("id")) for c in (crits if isinstance(crits, list) else [])
            if isinstance(c, dict) and c.get("declared") and c.get("status") == "not_applicable"]


def _side(case: dict[str, Any]) -> dict[str, Any]:
    return {"verdict": case["verdict"], "score": float(case["score"]),
            "failed": _failed(case), "not_judged": _not_judged(case),
            "error": case.get("error", "")}


def outcome_text(side: dict[str, Any]) -> str:
    """The failed criteria of one side of a flip, and its own criteria not judged (regulator
    pass 16: a judged failure turning into "not judged" read as a plain pass), or "-"."""
    text = ", ".join(side.get("failed", []))
    if side.get("not_judged"):
        text += ("; " if text else "") + "not judged: " + ", ".join(side["not_judged"])
    return text or "-"


VERDICT_RANK = {"pass": 0, "fail": 1, "error": 2}
"""Order of verdicts from best to worst (a regression moves up it)."""


def compare_runs(a: str | Path, b: str | Path) -> dict[str, Any]:
    """Compare run ``a`` (before) with run ``b`` (after), each a run folder or summary file.

    Returns:
        ``{"run_a", "run_b", "agent_a", "agent_b" (the manifests' agent specs, "" when
        absent), "flipped": [{"case_id", "before", "after", "a": side, "b": side}],
        "score_delta": {case_id: b - a}, "deltas": [{"case_id", "a", "b", "delta"}] (sorted by
        delta, worst first, then id), "only_in_a": [...], "only_in_b": [...],
        "score_mean_delta": float, "totals": {"a": ..., "b": ...} (counted from the cases),
        "common": int,
        "regressions": [case ids whose verdict got worse: pass -> fail or error, fail ->
        error], "options": [run options that differ, "dt_s 0.05 -> 1.0"; from the
        manifests], "other_inputs": [common case ids that ran another scenario file (by SHA-256
        when both manifests have it, else by name) or other parameters: not the same test],
        "setup": [what else differs that can change results: the agent spec, the tool
        (:func:`_tool_changes`), library versions, input files of both runs whose SHA-256
        differ (:func:`_input_changes`: the stack's own files among them)]}``; a side is
        ``{"verdict", "score", "failed": [criterion ids], "not_judged": [the case's own
        criteria not judged], "error"}``.
        Lists of ids sorted.

    Raises:
        EvaluationError: either summary is missing or not of this schema.
    """
    da, db = read_summary(a), read_summary(b)
    ca = {c["case_id"]: c for c in da.get("cases", [])}
    cb = {c["case_id"]: c for c in db.get("cases", [])}
    ta, tb = _totals(list(ca.values())), _totals(list(cb.values()))
    both = sorted(set(ca) & set(cb))
    ha, hb = _hashes(da), _hashes(db)
    sa, sb = _sources(da), _sources(db)
    flipped = [{"case_id": k, "before": ca[k]["verdict"], "after": cb[k]["verdict"],
                "a": _side(ca[k]), "b": _side(cb[k])}
               for k in both if ca[k]["verdict"] != cb[k]["verdict"]]
    delta = {k: round(float(cb[k]["score"]) - float(ca[k]["score"]), 6) for k in both}
    deltas = sorted(({"case_id": k, "a": float(ca[k]["score"]), "b": float(cb[k]["score"]),
                      "delta": delta[k]} for k in both), key=lambda d: (d["delta"], d["case_id"]))
    return {
        "run_a": str(a), "run_b": str(b), "agent_a": _agent(da), "agent_b": _agent(db),
        "flipped": flipped, "score_delta": delta, "deltas": deltas,
        "only_in_a": sorted(set(ca) - set(cb)), "only_in_b": sorted(set(cb) - set(ca)),
        "score_mean_delta": round(tb["score_mean"] - ta["score_mean"], 6),
        "totals": {"a": ta, "b": tb}, "common": len(both),
        "options": _option_changes(da, db),
        "regressions": [f["case_id"] for f in flipped
                        if VERDICT_RANK.get(f["after"], 2) > VERDICT_RANK.get(f["before"], 2)],
        "other_inputs": [k for k in both if not _same_test(_inputs(ca[k], ha, sa),
                                                           _inputs(cb[k], hb, sb))],
        "setup": _setup_changes(da, db),
    }


def _totals(cases: list[dict[str, Any]]) -> dict[str, Any]:
    """:func:`evaluator.aggregate.group_stats` of the cases themselves (a summary edited by
    hand may carry ``totals`` that do not match them)."""
    return group_stats([CaseResult.from_dict(c) for c in cases])


#: Manifest entries that change what a run measures besides its scenarios and agent.
RUN_OPTIONS = ("dt_s", "max_sim_time_s", "max_sim_time_extends", "seed", "backend",
               "utc_start", "realtime", "v2x_endpoint")


def _option_changes(da: dict[str, Any], db: dict[str, Any]) -> list[str]:
    """The run options (:data:`RUN_OPTIONS`, and the agent's config) that differ between the
    two manifests, as ``"dt_s 0.05 -> 1.0"``; empty when equal or not recorded."""
    ma, mb = da.get("manifest") or {}, db.get("manifest") or {}
    out = [f"{k} {ma.get(k)} -> {mb.get(k)}" for k in RUN_OPTIONS
           if k in ma and k in mb and ma.get(k) != mb.get(k)]
    ga, gb = (m.get("agent") if isinstance(m.get("agent"), dict) else {} for m in (ma, mb))
    if "config" in ga and "config" in gb and ga["config"] != gb["config"]:
        out.append("agent config differs")
    return out


def _setup_changes(da: dict[str, Any], db: dict[str, Any]) -> list[str]:
    """What differs between the two runs besides their cases and options, as lines: the
    agent spec, what the stack says of itself (its handshake's name and version), the tool, library versions and changed input files (empty when the same or
    not recorded). A stack edited between two runs, or the tool's own code, changes scores as
    surely as a scenario does."""
    ma, mb = da.get("manifest") or {}, db.get("manifest") or {}
    out = []
    if _agent(da) and _agent(db) and _agent(da) != _agent(db):
        out.append(f"agent {_agent(da)} -> {_agent(db)}")
    said_a, said_b = _reported(da), _reported(db)
    if said_a and said_b and said_a != said_b:
        out.append(f"the stack reports itself as {', '.join(said_a)} -> {', '.join(said_b)}")
    elif bool(said_a) != bool(said_b) and _agent(da) == _agent(db):   # a run made before
        out.append(f"what the stack said of itself is recorded in {'A' if said_a else 'B'} "
                   f"only")                                    # it was recorded, at best
    out += _tool_changes(ma.get("tool_identity"), mb.get("tool_identity"))
    la, lb = (m.get("libraries") if isinstance(m.get("libraries"), dict) else None
              for m in (ma, mb))
    if (la is None) != (lb is None):
        out.append(f"libraries recorded in {'B' if la is None else 'A'} only")
    elif la is not None and lb is not None:
        out += [f"library {k} {la.get(k, '(absent)')} -> {lb.get(k, '(absent)')}"
                for k in sorted(la.keys() | lb.keys()) if la.get(k) != lb.get(k)]
    return out + _input_changes(ma, mb)


def _tool_changes(a: Any, b: Any) -> list[str]:
    """Differences of two manifests' ``tool_identity``: version, source digest, git commit,
    uncommitted changes (digests and commits shortened to 12 hex digits)."""
    if not isinstance(a, dict) or not isinstance(b, dict):
        return []
    return [f"tool {k} {short_digest(a.get(k))} -> {short_digest(b.get(k))}"
            for k in ("version", "source_sha256", "git_commit", "git_dirty")
            if k in a and k in b and a.get(k) != b.get(k)]


def _input_changes(ma: dict[str, Any], mb: dict[str, Any]) -> list[str]:
    """Input files both runs read whose content differs (:func:`relative_inputs`)."""
    ia, ib = relative_inputs(ma), relative_inputs(mb)
    return [f"input {k} changed (sha256 {ia[k][:12]} -> {ib[k][:12]})"
            for k in sorted(ia.keys() & ib.keys()) if ia[k] != ib[k]]


def _reported(summary: dict[str, Any]) -> list[str]:
    """What the stack said of itself in the run's cases (``cases[].agent``: name and
    version), each different answer once, sorted; empty when not recorded."""
    said = {agent_label(c.get("agent")) for c in summary.get("cases", [])}
    return sorted(s for s in said if s)


def _agent(summary: dict[str, Any]) -> str:
    """The agent a run used, as its manifest names it (``spec``), or "" when it does not."""
    agent = (summary.get("manifest") or {}).get("agent")
    spec = agent.get("spec") if isinstance(agent, dict) else agent
    return str(spec) if spec else ""


def _hashes(summary: dict[str, Any]) -> dict[str, str]:
    """Input file -> SHA-256, as the run's manifest recorded them (empty when it did not)."""
    inputs = (summary.get("manifest") or {}).get("inputs")
    return {str(k): str(v) for k, v in inputs.items()} if isinstance(inputs, dict) else {}


def _sources(summary: dict[str, Any]) -> dict[str, str]:
    """Case id -> the ParameterValueDistribution it came from, as the manifest lists its
    cases (a run of the distribution, or of the files ``scenario expand`` wrote from it)."""
    cases = (summary.get("manifest") or {}).get("cases")
    return {str(c["case_id"]): str(c["distribution_file"]) for c in cases or []
            if isinstance(c, dict) and c.get("case_id") and c.get("distribution_file")} \
        if isinstance(cases, list) else {}


Inputs = tuple[tuple[str, str | None], tuple[str, str | None], Any]
"""What makes a case the test it is: (scenario file name, SHA-256), (distribution file name,
SHA-256) ("" and None when none) and its parameters."""


def _inputs(case: dict[str, Any], hashes: dict[str, str], sources: dict[str, str]) -> Inputs:
    """The case's :data:`Inputs`, the SHA-256s as its run's manifest recorded them."""
    path = str(case.get("scenario_file", ""))
    dist = sources.get(str(case.get("case_id")), "")
    return ((Path(path).name, hashes.get(path)),
            (Path(dist).name if dist else "", hashes.get(dist) if dist else None),
            case.get("parameters") or {})


def _same_file(a: tuple[str, str | None], b: tuple[str, str | None]) -> bool:
    """By content when both SHA-256s are known, else by name."""
    return a[1] == b[1] if a[1] and b[1] else a[0] == b[0]


def _same_test(a: Inputs, b: Inputs) -> bool:
    """Same parameters, and the same scenario file, or the same distribution (a variant run
    from the distribution and the same variant run from the file ``scenario expand`` wrote:
    the ScenarioFile with those parameters written in). A case id alone is not enough: a
    variant of another distribution, or an edited file of the same name, has the same id."""
    if a[2] != b[2]:
        return False
    if a[1][0] and b[1][0] and _same_file(a[1], b[1]):
        return True
    return _same_file(a[0], b[0])


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    rows = [[one_line(x) for x in r] for r in rows]   # names come from run folders
    widths = [max(len(x) for x in col) for col in zip(header, *rows)]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(x.ljust(w) for x, w in zip(r, widths)) for r in rows]
    return [s.rstrip() for s in out]


def format_compare(diff: dict[str, Any]) -> str:
    """The comparison as plain text: totals, flipped verdicts (both scores and the failed
    criteria on each side), score changes worst first, cases present in one run only."""
    ta, tb = diff["totals"]["a"], diff["totals"]["b"]
    def run_name(side: str) -> str:
        agent = diff.get(f"agent_{side}")
        return one_line(diff.get(f"run_{side}", side.upper())) + \
            (f" (agent {one_line(agent)})" if agent else "")
    out = [f"A: {run_name('a')}", f"B: {run_name('b')}",
           f"cases A {ta['cases']} (pass {ta['pass']}, fail {ta['fail']}, error {ta['error']}) "
           f"-> B {tb['cases']} (pass {tb['pass']}, fail {tb['fail']}, error {tb['error']}); "
           f"mean score {ta['score_mean']:.1f} -> {tb['score_mean']:.1f} "
           f"({diff['score_mean_delta']:+.1f}); {diff['common']} case(s) in both runs", ""]
    if diff.get("options"):
        out += [f"Run options differ (scores are not measured alike): "
                f"{one_line('; '.join(diff['options']))}", ""]
    if diff.get("setup"):
        out += ["Not the same setup (results may differ for these reasons too):"]
        out += [f"  {one_line(s)}" for s in diff["setup"]] + [""]
    if not diff["common"]:
        out += ["No case is in both runs: they are not runs of the same cases (case ids differ).",
                ""]
    other = diff.get("other_inputs") or []
    if other:
        out += [f"Not the same test: {len(other)} case(s) in both runs ran another scenario "
                f"file or other parameters: " + ", ".join(map(one_line, other)), ""]
    if diff["flipped"]:
        out.append(f"Flipped verdicts ({len(diff['flipped'])}):")
        out += _table(["case", "A", "score A", "failed in A", "B", "score B", "failed in B"],
                      [[f["case_id"], f["before"], f"{f['a']['score']:.1f}",
                        outcome_text(f["a"]), f["after"],
                        f"{f['b']['score']:.1f}", outcome_text(f["b"])]
                       for f in diff["flipped"]])
    else:
        out.append("No verdict flipped.")
    changed = [d for d in diff["deltas"] if abs(d["delta"]) > DELTA_EPSILON]
    out.append("")
    if changed:
        out.append(f"Score changes ({len(changed)}, worst first):")
        out += _table(["case", "score A", "score B", "delta"],
                      [[d["case_id"], f"{d['a']:.1f}", f"{d['b']:.1f}", f"{d['delta']:+.1f}"]
                       for d in changed])
    else:
        out.append("No score changed.")
    for key, label in (("only_in_a", "Only in A"), ("only_in_b", "Only in B")):
        if diff[key]:
            out += ["", f"{label} ({len(diff[key])}): " + ", ".join(map(one_line, diff[key]))]
    return "\n".join(out) + "\n"


def write_compare_html(path: str | Path, diff: dict[str, Any]) -> Path:
    """Write the comparison as a self-contained ``compare.html`` (jinja2, autoescaped).

    Raises:
        EvaluationError: the file cannot be written.
    """
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    tpl = env.from_string(resources.files("evaluator.report").joinpath(
        "compare.html.j2").read_text(encoding="utf-8"))
    path = Path(path)
    try:
        page = tpl.render(d=diff, eps=DELTA_EPSILON, outcome_text=outcome_text)
        path.write_text(xml_safe(page), encoding="utf-8")
    except OSError as exc:
        raise EvaluationError(f"cannot write ({exc.strerror})", file=str(path)) from None
    return path
