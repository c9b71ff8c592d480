"""Run reports: ``summary.json``, ``junit.xml`` and a self-contained ``report.html``.

``write_report`` is called by the runner at the end of a run (and may be called again as cases
finish); ``rebuild_report`` re-creates the files from a run folder's ``summary.json`` and the
recordings it points to (``testzone report RUN_DIR``); ``compare_runs`` backs ``testzone
compare``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Callable

from testzone.errors import TestzoneError
from testzone.recording import Recording, read_recording
from testzone.text import one_line

from evaluator.case import CaseResult
from evaluator.errors import EvaluationError
from evaluator.report.compare import compare_runs
from evaluator.report.figures import (CaseFigures, draw_case_figures, load_case_figures,
                                      save_case_figures)
from evaluator.report.html import render_html
from evaluator.report.junit import build_junit, junit_bytes
from evaluator.report.summary import (SCHEMA, SCHEMA_VERSION, bounded_int, build_summary,
                                      case_from_dict, check_manifest, read_summary,
                                      results_from_summary, summary_text)

NetForCase = Callable[[Recording], Any]

#: Where the runner puts a case's recording inside a run folder (runners/suite.py).
RECORDING_LAYOUT = "cases/{case_id}/recording.jsonl"


def as_result(r: CaseResult | dict[str, Any]) -> CaseResult:
    """Accept a :class:`CaseResult` or its dict form (the runner's ``result.json``)."""
    return r if isinstance(r, CaseResult) else CaseResult.from_dict(r)


def _discover(run_dir: Path, results: list[CaseResult]) -> dict[str, Path]:
    out = {}
    for r in results:
        p = run_dir / RECORDING_LAYOUT.format(case_id=r.case_id)
        if p.is_file():
            out[r.case_id] = p
    return out


def _rel(path: Path, run_dir: Path) -> str:
    try:
        return Path(path).resolve().relative_to(run_dir.resolve()).as_posix()
    except ValueError:
        return Path(path).resolve().as_posix()


def map_loader() -> NetForCase:
    """Default ``net_for_case``: ``maps.load_opendrive(recording.header.map_file)``, each map
    loaded once per call of :func:`write_report` (None when the header names no map file).

    Raises (from the returned function): MapsError for an unreadable map, EvaluationError when
    the maps package cannot be imported; :func:`write_report` notes either in the page.
    """
    cache: dict[str, Any] = {}

    def load(rec: Recording) -> Any:
        """The recording's road network, loaded once per path."""
        path = rec.header.map_file
        if not path:
            return None
        if path not in cache:
            try:
                from maps import load_opendrive
            except ImportError as exc:
                raise EvaluationError(f"maps package unavailable ({exc})", file=path) from exc
            cache[path] = load_opendrive(path)
        return cache[path]
    return load


MAX_REDRAWN_RECORDING_BYTES = 128 << 20
"""Largest recording [bytes] ``report`` reads back to redraw a case's figures (they are drawn
from memory as the case runs; only stale or missing stored figures are redrawn). Reading
takes about 20 times the file's size in memory: a 200 MB recording took 4.1 GB."""


def _figures(paths: dict[str, Path], net_for_case: NetForCase | None):
    """case result -> its figures: the set stored beside the recording when it matches the
    recording (:func:`load_case_figures`), else drawn now from the recording and network."""
    def figures(res: CaseResult) -> CaseFigures:
        """The figures of one case (see :func:`_figures`)."""
        path = paths.get(res.case_id)
        if path is None:
            return draw_case_figures(res, None, None)
        stored = load_case_figures(path)
        if stored is not None:
            return stored
        size = path.stat().st_size if path.is_file() else 0
        if size > MAX_REDRAWN_RECORDING_BYTES:
            return CaseFigures(note=f"Recording of {size / 2**20:.0f} MiB, larger than the "
                                    f"{MAX_REDRAWN_RECORDING_BYTES // 2**20} MiB redrawn: "
                                    f"figures not drawn.")
        try:
            rec = read_recording(path)
        except TestzoneError as exc:
            return CaseFigures(note=f"Recording unreadable: {exc}")
        net, note = None, ""
        if net_for_case is not None:
            try:
                net = net_for_case(rec)
            except TestzoneError as exc:
                note = f"Road network not loaded ({exc}); lanes not drawn."
        figs = draw_case_figures(res, rec, net)
        figs.note = note or figs.note
        return figs
    return figures


def write_report(run_dir: str | Path, results: list[CaseResult | dict[str, Any]],
                 manifest: dict[str, Any],
                 recordings: dict[str, Path] | None = None,
                 net_for_case: NetForCase | None = None) -> dict[str, Path]:
    """Write ``summary.json``, ``junit.xml`` and ``report.html`` into ``run_dir``.

    Args:
        run_dir: the run folder (created if missing).
        results: one :class:`CaseResult` (or its dict form) per case.
        manifest: run identity (tool version, inputs with SHA-256, seed, agent,
            ``created``), written as is into summary.json.
        recordings: case_id -> recording path, for the figures (paths are stored in
            summary.json relative to ``run_dir`` when inside it). None: the runner's layout
            ``run_dir/cases/<case_id>/recording.jsonl`` is used where such a file exists.
        net_for_case: recording -> road network (or None) used to draw lanes and speed
            limits; default :func:`map_loader` (the header's ``map_file``); pass
            ``lambda rec: None`` for none. A :class:`TestzoneError` it raises is noted in the
            page and the figure drawn without lanes. Not called for a case whose figures the
            runner stored beside its recording (:mod:`evaluator.report.figures`) and whose
            recording is unchanged since: those are embedded as stored.

    The summary and JUnit texts are built (and every record checked) before anything is
    written, so a malformed result leaves the previous files as they were; then they are
    written, each through a temporary file and a rename, and only then is the HTML page
    drawn and written, so a plot that fails cannot cost the run its summary.

    Returns:
        ``{"summary": path, "junit": path, "html": path}``.

    Raises:
        EvaluationError: the manifest or a result holds a non-JSON value, or a value nested
            too deeply to be written.
        OSError: a file cannot be written (files already replaced stay replaced).
    """
    run_dir = Path(run_dir)
    results = [as_result(r) for r in results]
    if recordings is None:
        paths = _discover(run_dir, results)
    else:
        paths = {k: Path(v) for k, v in recordings.items()}
    out = {"summary": run_dir / "summary.json", "junit": run_dir / "junit.xml",
           "html": run_dir / "report.html"}
    try:
        doc = build_summary(results, manifest, {k: _rel(v, run_dir) for k, v in paths.items()})
        # a path that is not UTF-8 (a file or --out named on another system) reaches here as
        # lone surrogates: written as JSON's \udcff escape, which reads back the same
        texts = {"summary": summary_text(doc).encode("utf-8", "backslashreplace"),
                 "junit": junit_bytes(results)}
    except RecursionError:
        raise EvaluationError("a result or the manifest is nested too deeply to be written",
                              file=str(out["summary"])) from None
    run_dir.mkdir(parents=True, exist_ok=True)
    for key in ("summary", "junit"):  # what a run computed is kept even if a plot fails
        _replace(out[key], texts[key])
    figures = _figures(paths, net_for_case if net_for_case is not None else map_loader())
    _replace(out["html"], render_html(results, doc["manifest"], figures,
                                      run_dir.name).encode("utf-8", "backslashreplace"))
    return out


def _replace(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through ``<path>.tmp`` and a rename (never a half file)."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise


def _not_started(run_dir: Path) -> str:
    """Why the run in ``run_dir`` never started (its manifest's ``not_started``: the worker
    pool could not start), or "" when the manifest does not say so or cannot be read."""
    try:
        doc = _read_json(run_dir / "manifest.json")
    except EvaluationError:
        return ""
    why = doc.get("not_started") if isinstance(doc, dict) else None
    return one_line(why) if isinstance(why, str) else ""


def _results_from_cases(run_dir: Path) -> tuple[list[CaseResult], dict[str, Any]]:
    """Results from the runner's ``cases/*/result.json`` and ``manifest.json`` (a run that
    stopped before writing its summary), every record checked
    (:func:`evaluator.report.summary.check_case_record`, :func:`check_manifest`).

    Raises:
        EvaluationError: no result file, or one that is unreadable or malformed (names the
            file and the element, e.g. ``<criteria[0].id>``).
    """
    if not run_dir.is_dir():
        raise EvaluationError("no such folder: expected a run folder", file=str(run_dir))
    files = sorted(run_dir.glob("cases/*/result.json"))
    if not files:
        why = _not_started(run_dir)
        raise EvaluationError(f"the run did not start ({why}): no case ran, nothing to report"
                              if why else
                              "no summary.json and no cases/*/result.json: not a run folder",
                              file=str(run_dir))
    results = []
    for f in files:
        res = case_from_dict(_read_json(f), str(f))
        if res.case_id != f.parent.name:   # the runner names each folder after its case
            raise EvaluationError(f"case_id {res.case_id!r} is not its folder's name "
                                  f"{f.parent.name!r}: expected the result of that case",
                                  file=str(f), element="case_id")
        results.append(res)
    mf = run_dir / "manifest.json"
    manifest = _read_json(mf) if mf.is_file() else {}
    check_manifest(manifest, str(mf))
    return results, manifest


MAX_RUN_FILE_BYTES = 1 << 30
"""Largest result.json / manifest.json read back [bytes] (1 GiB; a real one is kilobytes to
megabytes); a link to ``/dev/zero`` is refused instead of read until memory runs out."""


def _read_json(path: Path) -> Any:
    """The JSON value of a run-folder file.

    ``NaN`` and ``Infinity`` literals are read (the runner writes what its results hold; the
    record check says where a finite number is needed); integers are bounded as in a summary
    (30 digits), so what is read can be written back into a summary its reader accepts.

    Raises:
        EvaluationError: unreadable, not UTF-8 or not JSON, an integer out of range or
            nesting past the parser's limit (names the file and, for JSON, the line).
    """
    from testzone.userfiles import UserFileError, read_regular
    try:
        return json.loads(read_regular(path, "run-folder file", MAX_RUN_FILE_BYTES)
                          .decode("utf-8"), parse_int=bounded_int)
    except UserFileError as exc:
        raise EvaluationError(exc.message, file=str(path)) from None
    except UnicodeDecodeError as exc:
        raise EvaluationError(f"not UTF-8 text (byte {exc.start})", file=str(path)) from None
    except json.JSONDecodeError as exc:
        raise EvaluationError(f"invalid JSON ({exc.msg})", file=str(path),
                              line=exc.lineno) from None
    except ValueError as exc:  # an integer out of range (bounded_int)
        raise EvaluationError(str(exc), file=str(path)) from None
    except RecursionError:
        raise EvaluationError("JSON nested too deeply to be a run file",
                              file=str(path)) from None


def rebuild_report(run_dir: str | Path, net_for_case: NetForCase | None = None) -> Path:
    """Re-create the three report files of a run folder; return the path of ``report.html``.

    Results are read back, not recomputed: from ``summary.json`` when present (recordings as
    it names them), else from the runner's ``cases/*/result.json`` and ``manifest.json``.
    Every case record is checked against docs/summary-schema.md before anything is written
    (:func:`evaluator.report.summary.check_case_record`): a refused folder keeps its files.

    Raises:
        EvaluationError: neither a readable summary of this schema nor case results, or a
            malformed record (names the file and the element, e.g.
            ``cases/x/result.json: <criteria[0].id>: expected a string, got 5``).
    """
    run_dir = Path(run_dir)
    if not (run_dir / "summary.json").is_file():
        results, manifest = _results_from_cases(run_dir)
        return write_report(run_dir, results, manifest, None, net_for_case)["html"]
    doc = read_summary(run_dir)
    results = results_from_summary(doc, str(run_dir / "summary.json"))
    recs = {}
    for c in doc.get("cases", []):
        if isinstance(c.get("recording"), str) and c["recording"]:
            p = Path(c["recording"])
            recs[c["case_id"]] = p if p.is_absolute() else run_dir / p
    return write_report(run_dir, results, doc.get("manifest", {}), recs, net_for_case)["html"]


__all__ = ["RECORDING_LAYOUT", "SCHEMA", "SCHEMA_VERSION", "as_result", "build_junit",
           "compare_runs", "map_loader", "save_case_figures", "read_summary", "rebuild_report", "results_from_summary",
           "write_report"]
