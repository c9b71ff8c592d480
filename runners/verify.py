"""Checking a run against this checkout: ``testzone verify RUN_DIR``.

A regulator reproducing a run from its manifest first needs to know that the files and the
tool in front of them are those the run used. The manifest (``runners.suite.build_manifest``)
records every input file with its SHA-256, the tool's identity (version, source digest, git
commit), its folder (``tool_root``) and the libraries' versions; this module compares each
with what is in a checkout. Input paths inside the tool's folder or the run's working folder
(``cwd``) are looked for under the checkout (a fresh clone names them alike); others at
their recorded path.
"""

from __future__ import annotations

import platform
from pathlib import Path
from typing import NamedTuple

from evaluator.errors import EvaluationError
from evaluator.report.summary import read_summary
from testzone.provenance import checkout_identity, input_name, library_versions, short_digest

from runners.case import sha256_of


class Check(NamedTuple):
    """One comparison: ``status`` ``same``, ``changed``, ``missing`` or ``unreadable``;
    ``what`` (an input
    file, ``tool source_sha256``, ``library numpy``, ...); ``detail`` (recorded -> here)."""

    status: str
    what: str
    detail: str


def verify_run(run_dir: str | Path, root: str | Path | None = None) -> list[Check]:
    """Compare run ``run_dir``'s manifest with the checkout ``root`` (default the current
    folder): each input file by SHA-256 (one that lay under the tool's folder of the run,
    ``tool_root``, or else under its working folder, ``cwd``, is looked for at the same place
    under ``root``, then where the run read it; others at their recorded path; paths are
    normalised first, so ``root/../x`` is not under ``root``), the tool's version and source digest
    (:func:`testzone.provenance.checkout_identity` of ``root``), the Python version and each
    recorded library's version.

    Raises:
        EvaluationError: the run folder has no readable summary (``testzone run`` writes it)
            and no manifest.json of a run (either serves), or its manifest's inputs are not
            a mapping.
        OSError, UnicodeDecodeError: ``root`` holds the tool's packages but its
            ``testzone/__init__.py`` cannot be read.
    """
    if (Path(run_dir) / "summary.json").exists():
        manifest = read_summary(run_dir).get("manifest") or {}
    else:   # a folder holding the manifest alone (fresh pass 16: "cannot read summary")
        from runners.run_folder import run_manifest
        manifest = run_manifest(Path(run_dir) / "manifest.json")
        if manifest is None:
            raise EvaluationError("no summary.json, and no manifest.json a testzone run "
                                  "wrote: expected a run folder", file=str(run_dir))
    if not isinstance(manifest, dict) or not manifest:
        return [Check("missing", "manifest", "the run's summary carries no manifest")]
    inputs = manifest.get("inputs", {})
    if not isinstance(inputs, dict):
        raise EvaluationError("the manifest's inputs are not a mapping of path -> SHA-256",
                              file=str(Path(run_dir) / "summary.json"))
    root = Path(root) if root is not None else Path.cwd()
    out = []
    for recorded, digest in sorted(inputs.items()):
        name, relative = input_name(manifest, str(recorded))
        candidates = ([root / name] if relative else []) + [Path(str(recorded))]
        path = next((p for p in candidates if p.is_file()), None)
        if path is None:
            out.append(Check("missing", name, f"not found at {candidates[0]}"))
            continue
        try:
            here = sha256_of(path)
        except OSError as exc:
            out.append(Check("unreadable", name, f"{path}: {exc.strerror or exc}"))
            continue
        out.append(Check("same" if here == str(digest) else "changed", name,
                         f"sha256 {short_digest(str(digest))} -> {short_digest(here)}"))
    recorded = manifest.get("tool_identity")
    if not isinstance(recorded, dict) or "source_sha256" not in recorded:
        out.append(Check("missing", "tool identity", "the manifest records no tool_identity "
                                                     "with a source_sha256"))
        recorded = recorded if isinstance(recorded, dict) else {}
    now = checkout_identity(root)
    for key in ("version", "source_sha256"):
        if key in recorded:
            a, b = recorded[key], now.get(key)
            out.append(Check("same" if a == b else "changed", f"tool {key}",
                             f"{short_digest(a)} -> {short_digest(b)}"))
    if isinstance(manifest.get("python"), str):
        a, b = manifest["python"], platform.python_version()
        out.append(Check("same" if a == b else "changed", "python", f"{a} -> {b}"))
    else:
        out.append(Check("missing", "python", "the manifest records no Python version"))
    libs = manifest.get("libraries") if isinstance(manifest.get("libraries"), dict) else {}
    if not libs:
        out.append(Check("missing", "libraries", "the manifest records no library versions"))
    installed = library_versions()
    for name in sorted(libs):
        a, b = libs[name], installed.get(name)
        out.append(Check("same" if a == b else "changed", f"library {name}", f"{a} -> {b}"))
    return out
