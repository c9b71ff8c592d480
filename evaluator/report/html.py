"""``report.html``: one self-contained page (figures inlined as base64 PNG).

Rendered from ``report.html.j2`` (package data beside this module, read with importlib.resources)
with jinja2, autoescaping on: every string that comes from a scenario, a recording or an error
message is escaped.
"""

from __future__ import annotations

import base64
import json
import shlex
from importlib import resources
from pathlib import Path
from typing import Any, Callable

from jinja2 import Environment, select_autoescape

from testzone.text import xml_safe

from evaluator.aggregate import totals
from evaluator.report.narrative import narrative
from evaluator.case import CaseResult
from evaluator.report.figures import CaseFigures, draw_png
from evaluator.report.sweep import sweep_axes, sweep_figure

#: Manifest keys shown first in the run-identity table, in this order.
IDENTITY_KEYS = ("run_id", "tool", "tool_version", "agent", "seed", "created", "suite", "backend",
                 "command")


#: What a reader may take an identity field for, said beside its value (fresh-README pass of
#: session 15: the base seed read as every case's seed, utc_start as the run's start).
IDENTITY_NOTES = {
    "seed": "the run's base seed; each case's own seed, derived from it and the case id, is in "
            "its section",
    "created": "when the run folder was written (UTC)",
    "utc_start": "the simulated clock's UTC epoch, from which the V2X frames' time fields "
                 "count; not when the run started",
}


def _fmt(v: Any) -> str:
    if v is None:
        return "n/a"
    if isinstance(v, float):
        return f"{v:.6g}"  # enough digits that a value just under a threshold shows as such
    return str(v)


def _first(items: list[str], n: int = 20) -> str:
    """The first ``n`` of ``items``, comma-separated, ``, ...`` when there are more."""
    return ", ".join(items[:n]) + (", ..." if len(items) > n else "")


def _identity_value(key: str, v: Any) -> str:
    """One identity field as a reader wants it: the command as typed, the agent by its spec,
    the cases a resumed run kept (:mod:`runners.resume`)."""
    if key == "command" and isinstance(v, list):
        return shlex.join(str(a) for a in v)
    if key == "resumed" and isinstance(v, dict) and isinstance(v.get("kept_cases"), list):
        ids = [str(i) for i in v["kept_cases"]]
        return (f"{len(ids)} case(s) kept from the earlier run of this folder (created "
                f"{v.get('earlier_created')}): {_first(ids)}")
    if key == "agent" and isinstance(v, dict) and "spec" in v:
        cfg = v.get("config")
        return str(v["spec"]) + (f" (config {json.dumps(cfg, sort_keys=True)})" if cfg else "")
    return v if isinstance(v, str) else json.dumps(v, sort_keys=True)


def _identity(manifest: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The run-identity rows ``(key, value, note)``: :data:`IDENTITY_KEYS` first, then the
    other manifest keys sorted; the note (:data:`IDENTITY_NOTES`) or ""."""
    keys = [k for k in IDENTITY_KEYS if k in manifest]
    keys += sorted(k for k in manifest if k not in IDENTITY_KEYS and k not in ("inputs", "cases"))
    out = []
    for k in keys:
        value = _identity_value(k, manifest[k])
        out.append((k, value, IDENTITY_NOTES.get(k, "") if manifest[k] is not None else ""))
    if isinstance(manifest.get("cases"), list):
        out.append(("cases", f"{len(manifest['cases'])} declared", ""))
    return out


def _inputs(manifest: dict[str, Any]) -> list[tuple[str, str]]:
    """Manifest ``inputs`` as (path, sha256) rows: a dict path -> sha, or a list of
    ``{"path", "sha256"}``."""
    inp = manifest.get("inputs")
    if isinstance(inp, dict):
        return sorted((str(k), str(v)) for k, v in inp.items())
    if isinstance(inp, list):
        return [(str(d.get("path", "")), str(d.get("sha256", "")))
                for d in inp if isinstance(d, dict)]
    return []


def _agents(identities: list[dict[str, Any]]) -> str:
    """The agents as the recordings give them: first the ``--agent`` spec the run was given
    (what ran: its files' SHA-256s are among the inputs), then what the stack says of itself
    (name, version), marked as its own word: a stack may call itself anything, the
    reference agent's name included (regulator pass 13). ``"idm version 0.1"`` when the
    spec and the name agree; ``"x.py:Stack (reports itself as idm version 0.1)"``."""
    seen = []
    for a in identities:
        spec, name = a.get("spec") or "", a.get("name") or ""
        said = str(name or spec) + (f" version {a['version']}" if a.get("version") else "")
        if spec and name and name != spec:
            text = f"{spec} (reports itself as {said})"
        else:
            text = said
        if text and text not in seen:
            seen.append(text)
    return "; ".join(seen)


def _sweep(results: list[CaseResult]) -> dict[str, str] | None:
    """The parameter-sweep heat map (title, axes, base64 PNG), None without varied
    parameters."""
    axes = sweep_axes(results)
    if axes is None:
        return None
    png, note = draw_png("Parameter sweep", lambda: sweep_figure(results))
    return {"x": axes[0], "y": axes[1] or "", "note": note,
            "png": base64.b64encode(png).decode("ascii") if png else ""}


def render_html(results: list[CaseResult], manifest: dict[str, Any],
                figures: Callable[[CaseResult], CaseFigures], run_id: str = "") -> str:
    """Render the report page: run identity first (manifest, agents from the recordings,
    inputs with SHA-256), aggregates, the sweep heat map when parameters vary, the verdict
    table, then one section per case (a page of its own when printed).

    Args:
        figures: case result -> its :class:`CaseFigures` (stored or drawn now; the note says
            why any is missing).
        run_id: shown in the title (default: the manifest's ``run_id``).
    """
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    cases, identities = [], []
    for res in sorted(results, key=lambda r: r.case_id):
        figs = figures(res)
        if figs.agent:
            identities.append(figs.agent)
        cases.append({"result": res, "images": figs.base64_images(), "figure_note": figs.note,
                      "agent": _agents([figs.agent]), "narrative": narrative(res)})
    identity = _identity(manifest)
    planned = [c.get("case_id") for c in manifest.get("cases", []) if isinstance(c, dict)]
    missing = sorted(set(planned) - {r.case_id for r in results})
    if missing:
        identity.insert(0, ("INCOMPLETE", f"{len(missing)} of the {len(planned)} cases in the "
                                          f"manifest have no result (run interrupted?): "
                                          f"{_first(missing)}", ""))
    tool = manifest.get("tool_identity")
    if isinstance(tool, dict) and tool.get("git_dirty") is True:   # regulator pass 16
        identity.insert(0, ("UNCOMMITTED", f"the tool had uncommitted changes when this run "
                                           f"was made: it cannot be rebuilt from git_commit "
                                           f"{tool.get('git_commit')} alone (its "
                                           f"source_sha256 names the code that ran)", ""))
    agents = _agents(identities)
    if agents:
        identity.insert(min(len(identity), 3), ("agent identity", agents, ""))
    tpl = env.from_string(
        resources.files("evaluator.report").joinpath("report.html.j2").read_text(encoding="utf-8"))
    return tpl.render(run_id=str(manifest.get("run_id") or run_id), identity=identity,
                      inputs=_inputs(manifest), totals=totals(results), cases=cases, fmt=_fmt,
                      sweep=_sweep(results))


def write_html(path: Path, html: str) -> None:
    """Write the page as UTF-8, control characters (a stack's name, an agent's error) as
    their escapes (:func:`testzone.text.xml_safe`): HTML does not allow them raw."""
    path.write_text(xml_safe(html), encoding="utf-8")
