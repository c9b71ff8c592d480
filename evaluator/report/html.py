"""``report.html``: one self-contained page (figures inlined as base64 PNG).

Rendered from ``report.html.j2`` (package data beside this module, read with importlib.resources)
with jinja2, autoescaping on: every string that comes from a scenario, a recording or an error
message is escaped.
"""

from __future__ import annotations

import json
import shlex
from importlib import resources
from pathlib import Path
from typing import Any, Callable

from jinja2 import Environment, select_autoescape

from testzone.errors import TestzoneError
from testzone.recording import Recording

from evaluator.case import CaseResult
from evaluator.report.birdseye import trajectory_figure
from evaluator.report.plots import png_base64
from evaluator.report.sweep import sweep_axes, sweep_figure
from evaluator.report.timelines import timeline_figure
from evaluator.aggregate import totals

#: Manifest keys shown first in the run-identity table, in this order.
IDENTITY_KEYS = ("run_id", "tool", "tool_version", "agent", "seed", "created", "suite", "backend",
                 "command")


def _fmt(v: Any) -> str:
    if v is None:
        return "n/a"
    if isinstance(v, float):
        return f"{v:.6g}"  # enough digits that a value just under a threshold shows as such
    return str(v)


def _identity_value(key: str, v: Any) -> str:
    """One identity field as a reader wants it: the command as typed, the agent by its spec."""
    if key == "command" and isinstance(v, list):
        return shlex.join(str(a) for a in v)
    if key == "agent" and isinstance(v, dict) and "spec" in v:
        cfg = v.get("config")
        return str(v["spec"]) + (f" (config {json.dumps(cfg, sort_keys=True)})" if cfg else "")
    return v if isinstance(v, str) else json.dumps(v, sort_keys=True)


def _identity(manifest: dict[str, Any]) -> list[tuple[str, str]]:
    keys = [k for k in IDENTITY_KEYS if k in manifest]
    keys += sorted(k for k in manifest if k not in IDENTITY_KEYS and k not in ("inputs", "cases"))
    out = []
    for k in keys:
        out.append((k, _identity_value(k, manifest[k])))
    if isinstance(manifest.get("cases"), list):
        out.append(("cases", f"{len(manifest['cases'])} declared"))
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


#: The figures of a case section: (title, function of (recording, result, network)).
CASE_FIGURES: tuple[tuple[str, Callable[[Recording, CaseResult, Any], Any]], ...] = (
    ("Bird's-eye trajectories", trajectory_figure),
    ("Timelines", timeline_figure),
)


def draw_png(title: str, draw: Callable[[], Any]) -> tuple[str | None, str]:
    """``(base64 PNG, "")`` of the figure ``draw()`` returns, or ``(None, note)`` when it
    cannot be drawn: a figure is an illustration of data already judged, so its failure
    (damaged or non-finite data, a matplotlib limit) becomes a note in the page and never
    costs the report."""
    try:
        return png_base64(draw()), ""
    except TestzoneError as exc:
        return None, f"{title} not drawn: {exc}"
    except Exception as exc:  # noqa: BLE001 - any drawing failure is reported in the page
        return None, f"{title} not drawn: {type(exc).__name__}: {exc}"


def case_figures(res: CaseResult, rec: Recording | None,
                 net: Any) -> tuple[list[tuple[str, str]], str]:
    """(title, base64 PNG) pairs for one case and a note on the figures not drawn; each
    figure is drawn on its own (:func:`draw_png`)."""
    if rec is None:
        return [], "No recording available: figures not drawn."
    if not rec.header.ego or not rec.frames:
        return [], "The recording has no ego frames: figures not drawn."
    images, notes = [], []
    for title, figure in CASE_FIGURES:
        png, note = draw_png(title, lambda: figure(rec, res, net))
        if png is not None:
            images.append((title, png))
        if note:
            notes.append(note)
    return images, " ".join(notes)


def _agents(recs: list[Recording]) -> str:
    """The agents' identity as the recordings' headers give it (name, version, spec)."""
    seen = []
    for rec in recs:
        a = rec.header.agent or {}
        text = " ".join(str(a[k]) for k in ("name", "version") if a.get(k))
        if a.get("spec") and a.get("spec") != a.get("name"):
            text += f" (spec {a['spec']})"
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
    return {"x": axes[0], "y": axes[1] or "", "png": png or "", "note": note}


def render_html(results: list[CaseResult], manifest: dict[str, Any],
                load: Callable[[str], tuple[Recording | None, Any, str]],
                run_id: str = "") -> str:
    """Render the report page: run identity first (manifest, agents from the recordings,
    inputs with SHA-256), aggregates, the sweep heat map when parameters vary, the verdict
    table, then one section per case (a page of its own when printed).

    Args:
        load: case_id -> (recording or None, road network or None, note on why missing).
        run_id: shown in the title (default: the manifest's ``run_id``).
    """
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    cases, recs = [], []
    for res in sorted(results, key=lambda r: r.case_id):
        rec, net, note = load(res.case_id)
        images, fig_note = case_figures(res, rec, net)
        if rec is not None:
            recs.append(rec)
        agent = _agents([rec]) if rec is not None else ""
        cases.append({"result": res, "images": images, "figure_note": note or fig_note,
                      "agent": agent})
    identity = _identity(manifest)
    agents = _agents(recs)
    if agents:
        identity.insert(min(len(identity), 3), ("agent identity", agents))
    tpl = env.from_string(
        resources.files("evaluator.report").joinpath("report.html.j2").read_text(encoding="utf-8"))
    return tpl.render(run_id=str(manifest.get("run_id") or run_id), identity=identity,
                      inputs=_inputs(manifest), totals=totals(results), cases=cases, fmt=_fmt,
                      sweep=_sweep(results))


def write_html(path: Path, html: str) -> None:
    """Write the page as UTF-8."""
    path.write_text(html, encoding="utf-8")
