"""Resuming a run: which results an earlier, unfinished run left in its folder still stand.

A long suite stopped part-way (Ctrl-C, SIGTERM, a machine restarted) leaves each finished
case's ``result.json`` and its ``manifest.json`` (:mod:`runners.suite`). ``testzone run ...
--out RUN --resume`` runs the same cases again into that folder, keeping the results that
would come out the same: a case's result is kept when

* the run's settings that decide an outcome are those recorded in the earlier manifest
  (:data:`SETTINGS`: the tool's source digest and version, Python and library versions, the
  environment a stack imports by, seed, backend, agent and its config, step, time limit, V2X
  start instant, pacing, suite, trace output, V2X on or off), and the case list is the same (ids, scenario
  files, parameters, seeds);
* the run-level input files of this run (distribution files, criteria and weights, the
  agent's own files, the suite list) were inputs of the earlier run and hash the same now;
* its ``result.json`` is a regular file holding a valid case record
  (:func:`runners.run_folder.result_on_disk`) with verdict ``pass`` or ``fail`` (an ``error`` is
  run again: a crashed worker, a missed deadline may not happen twice), its recording is
  beside it, its scenario file is among its inputs, and every input file it names (scenario,
  map, RSU layout, catalogs) is a regular file that hashes the same now.

Anything else is an error naming the setting or file that differs, before anything in the
folder is changed: a resumed run must be one a regulator could not tell from an uninterrupted
one, apart from the ``resumed`` record in its manifest.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from testzone.errors import shorten
from testzone.provenance import short_digest

from runners.case import sha256_of
from runners.interfaces import RunnerError
from runners.run_folder import case_folder_problem, result_on_disk

SETTINGS = ("tool_version", "tool_identity.source_sha256", "python", "libraries",
            "environment", "seed", "backend", "agent", "dt_s", "max_sim_time_s",
            "max_sim_time_extends", "utc_start", "realtime", "suite", "trace", "v2x")
"""Manifest fields (``a.b``: field ``b`` of ``a``) a resumed run must share with the earlier
run: each can change a case's result."""

CASE_FIELDS = ("scenario_file", "parameters", "seed", "distribution_file")
"""Fields of a manifest ``cases`` entry that must match, case by case."""

KEPT_VERDICTS = ("pass", "fail")
"""Verdicts a resumed run keeps; an ``error`` case runs again."""


def _field(doc: dict[str, Any], dotted: str) -> Any:
    for part in dotted.split("."):
        doc = doc.get(part) if isinstance(doc, dict) else None
    return doc


def _refuse(run_dir: Path, why: str, replace: bool = True) -> RunnerError:
    """The RunnerError (element ``--resume``) saying why ``run_dir`` cannot be resumed, and
    what to do instead (``replace``: a run without --resume may take the folder over)."""
    then = ("run again without --resume (into a new --out, or this one to replace it)"
            if replace else "give --out a new folder")
    return RunnerError(f"cannot resume: {why}; {then}", file=str(run_dir), element="--resume")


def _check_settings(run_dir: Path, earlier: dict[str, Any], now: dict[str, Any]) -> None:
    """Raises RunnerError naming the first :data:`SETTINGS` field, case (:data:`CASE_FIELDS`)
    or run-level input file (a path both manifests hash, with another SHA-256 now) that
    differs."""
    for key in SETTINGS:
        was, is_ = _field(earlier, key), _field(now, key)
        if was != is_:
            raise _refuse(run_dir, f"the earlier run's {key} was {_short(was)}, this run's is "
                                   f"{_short(is_)}")
    listed = earlier.get("cases", [])
    if not isinstance(listed, list) or not all(
            isinstance(c, dict) and isinstance(c.get("case_id"), str) for c in listed):
        raise _refuse(run_dir, "its manifest.json lists cases without a case_id text",
                      replace=True)
    before = {c["case_id"]: c for c in listed}
    after = {c["case_id"]: c for c in now["cases"]}
    if set(before) != set(after):
        gone, new = sorted(set(before) - set(after)), sorted(set(after) - set(before))
        parts = ([f"missing here: {', '.join(map(str, gone[:5]))}"] if gone else []) + \
                ([f"new here: {', '.join(new[:5])}"] if new else [])
        raise _refuse(run_dir, f"the earlier run had {len(before)} cases, this one "
                               f"{len(after)} ({'; '.join(parts)})")
    for case_id, c in after.items():
        for key in CASE_FIELDS:
            if before[case_id].get(key) != c.get(key):
                raise _refuse(run_dir, f"case {case_id}'s {key} was "
                                       f"{_short(before[case_id].get(key))}, now {_short(c.get(key))}")
    old_inputs = earlier.get("inputs") if isinstance(earlier.get("inputs"), dict) else {}
    for path, digest in now["inputs"].items():
        if path not in old_inputs:      # another stack's files, another suite list...
            raise _refuse(run_dir, f"{path} is an input of this run, not of the earlier one")
        if old_inputs[path] != digest:
            raise _refuse(run_dir, f"{path} changed since the earlier run (SHA-256 "
                                   f"{short_digest(old_inputs[path])}... -> "
                                   f"{short_digest(digest)}...)")


def _short(value: Any) -> str:
    return shorten(repr(value), 80)


def _still_stands(result: dict[str, Any] | None, case: dict[str, Any], folder: Path,
                  hashes: dict[str, str | None]) -> bool:
    """A result (:func:`runners.run_folder.result_on_disk`) of manifest entry ``case`` that can
    be kept (module docstring): its recording beside it, its scenario file among its inputs,
    every input a regular file hashing to the recorded digest now; ``hashes`` caches path ->
    SHA-256 now (None: not a regular file, or unreadable)."""
    if result is None or result.get("verdict") not in KEPT_VERDICTS:
        return False
    if not (folder / "recording.jsonl").is_file():
        return False          # the figures and the regulator's evidence are gone
    inputs = result.get("inputs")
    if not isinstance(inputs, dict) or case.get("scenario_file") not in inputs:
        return False
    for path, digest in inputs.items():
        if not isinstance(digest, str):
            return False
        if path not in hashes:
            hashes[path] = _digest_now(path)
        if hashes[path] != digest:
            return False
    return True


def _digest_now(path: str) -> str | None:
    """SHA-256 of ``path`` when it is a regular file (not a device, FIFO or folder: a
    hand-edited ``inputs`` naming /dev/zero is not read), else None."""
    try:
        return sha256_of(path) if Path(path).is_file() else None
    except OSError:
        return None


def kept_results(run_dir: Path, earlier: dict[str, Any], manifest: dict[str, Any]
                 ) -> list[dict[str, Any]]:
    """The earlier run's results in ``run_dir`` that a run with ``manifest`` keeps (module
    docstring), in case-id order; the folders of the cases that run again are emptied.

    Args:
        earlier: the earlier run's manifest (:func:`runners.run_folder.earlier_run`).
        manifest: this run's manifest as :func:`runners.suite.build_manifest` builds it
            (``cases``, run-level ``inputs``), not yet written.

    Raises:
        RunnerError: (element ``--resume``) a setting, the case list or a run-level input
            differs, or a case folder is not a folder; nothing in ``run_dir`` was changed.
    """
    _check_settings(run_dir, earlier, manifest)
    problem = case_folder_problem(run_dir, [c["case_id"] for c in manifest["cases"]])
    if problem:
        raise _refuse(run_dir, problem, replace=False)
    kept: list[dict[str, Any]] = []
    again: list[Path] = []
    hashes: dict[str, str | None] = {}
    for case in sorted(manifest["cases"], key=lambda c: c["case_id"]):
        folder = run_dir / "cases" / case["case_id"]
        result = result_on_disk(run_dir, case["case_id"])
        if _still_stands(result, case, folder, hashes):
            kept.append(result)
        elif folder.exists():
            again.append(folder)
    for folder in again:             # what an unfinished or errored attempt left
        shutil.rmtree(folder)
    return kept


def resumed_record(earlier: dict[str, Any], kept: list[dict[str, Any]]) -> dict[str, Any]:
    """The manifest's ``resumed`` field: the ids of the kept cases and the earlier run's
    ``created``, ``command`` and own ``resumed`` record (a run resumed twice keeps the chain)."""
    out = {"kept_cases": [r["case_id"] for r in kept], "earlier_created": earlier.get("created"),
           "earlier_command": earlier.get("command")}
    if earlier.get("resumed"):
        out["earlier_resumed"] = earlier["resumed"]
    return out
