"""Which code produced a run: the tool's version, a digest of its source tree and, when the
tool runs from a git checkout, the commit (and whether the checkout had changes).

A regulator reproducing a run from its ``manifest.json`` needs more than the version number:
criteria thresholds (``scenarios/wuhan/catalogue.json``), score weights
(``evaluator/weights.json``), RSU layouts and the code itself can change without it.
:func:`tool_identity` fingerprints all of it; the runner also lists those data files with
their SHA-256 among the run's inputs, and the versions of the libraries it ran on
(:func:`library_versions`).
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement

from testzone import __version__

ROOT = Path(__file__).resolve().parent.parent
"""The project root: the folder holding the packages below."""

PACKAGES = ("testzone", "maps", "scenarios", "v2x_bridge", "evaluator", "runners")
"""The project's packages, whose files make up :func:`source_digest`."""

GIT_TIMEOUT_S = 5.0


def source_digest(root: Path = ROOT, packages: tuple[str, ...] = PACKAGES) -> str:
    """SHA-256 (hex) over every file of ``packages`` under ``root`` (code, ASN.1 module,
    catalogue, weights, maps), in sorted path order: each file's path relative to ``root``,
    a NUL, its SHA-256, a newline. Bytecode caches are left out. The same tree gives the same
    digest on every machine."""
    outer = hashlib.sha256()
    for package in packages:
        base = root / package
        files = sorted(p for p in base.rglob("*") if p.is_file()
                       and "__pycache__" not in p.parts and p.suffix != ".pyc")
        for path in files:
            outer.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
            outer.update(hashlib.sha256(path.read_bytes()).hexdigest().encode() + b"\n")
    return outer.hexdigest()


def _git(root: Path, *args: str) -> str | None:
    """``git -C root args`` stdout stripped, or None (no git, not a checkout, an error)."""
    try:
        out = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                             timeout=GIT_TIMEOUT_S, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip()


@functools.cache
def tool_identity(root: Path = ROOT) -> dict[str, Any]:
    """``{"version", "source_sha256", "git_commit", "git_dirty"}`` of the running tool.

    ``git_commit`` is None outside a git checkout (an installed wheel); ``git_dirty`` is True
    when tracked files differ from that commit (untracked files such as ``.venv`` or
    ``results/`` do not count), None without git. Cached per process.
    """
    top = _git(root, "rev-parse", "--show-toplevel")
    # a checkout of this project, not one that merely contains an installed copy of it
    commit = _git(root, "rev-parse", "HEAD") if top and Path(top).resolve() == root else None
    status = _git(root, "status", "--porcelain", "--untracked-files=no") if commit else None
    return {"version": __version__, "source_sha256": source_digest(root),
            "git_commit": commit, "git_dirty": None if status is None else bool(status)}


DISTRIBUTION = "icv-testzone"
"""This project's distribution name (pyproject.toml ``[project] name``)."""
RUNTIME_EXTRAS = ("carla",)
"""Optional dependency groups whose packages can change a run's outcome (the test group's do
not)."""


def library_versions() -> dict[str, str | None]:
    """Installed version of each package the run depends on: the distribution's own
    requirements (``importlib.metadata.requires``: pyproject's ``dependencies``, and the
    :data:`RUNTIME_EXTRAS`), by name; None for one not installed (an extra not chosen); a
    requirement whose PEP 508 marker excludes this Python or platform is left out. Empty
    when the project is not installed as a distribution (run from a bare source tree).

    Raises:
        packaging.requirements.InvalidRequirement: the installed metadata holds a
            requirement that is not PEP 508 (a broken install)."""
    try:
        reqs = metadata.requires(DISTRIBUTION) or []
    except metadata.PackageNotFoundError:
        return {}
    out: dict[str, str | None] = {}
    for text in reqs:
        req = Requirement(text)   # PEP 508, read by packaging (not our own regexes)
        if req.marker is not None and not any(req.marker.evaluate({"extra": extra})
                                              for extra in ("",) + RUNTIME_EXTRAS):
            continue              # an extra that is not a runtime one (test), or not this Python
        pkg = req.name
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = None
    return dict(sorted(out.items()))


def checkout_identity(root: Path) -> dict[str, Any]:
    """``{"version", "source_sha256"}`` of the tool checked out at ``root`` (its
    ``testzone/__init__.py`` ``__version__`` and :func:`source_digest`) when it holds the
    tool's :data:`PACKAGES`, else of the tool running (:func:`tool_identity`).

    Raises:
        OSError, UnicodeDecodeError: ``root``'s ``testzone/__init__.py`` cannot be read.
    """
    if all((root / pkg).is_dir() for pkg in PACKAGES):
        text = (root / "testzone" / "__init__.py").read_text(encoding="utf-8")
        version = re.search(r'__version__\s*=\s*"([^"]+)"', text)
        return {"version": version.group(1) if version else None,
                "source_sha256": source_digest(root)}
    return tool_identity()


def short_digest(value: Any) -> Any:
    """A digest or commit shortened to 12 hex digits for display; other values as they are."""
    return value[:12] if isinstance(value, str) and len(value) > 12 else value


def input_name(manifest: dict[str, Any], recorded: str) -> tuple[str, bool]:
    """``(name, relative)`` of an input file a run's manifest recorded at ``recorded``:
    relative to the tool's folder of the run (``tool_root``) when inside it, else to the run's
    ``cwd`` when inside that (two clones of the project name their own files alike), else as
    recorded. Paths are normalised first (``root/../../etc`` is not under ``root``)."""
    path = Path(os.path.normpath(recorded))
    for base in (manifest.get("tool_root"), manifest.get("cwd")):
        if isinstance(base, str) and base and path.is_absolute():
            try:
                return path.relative_to(os.path.normpath(base)).as_posix(), True
            except ValueError:
                continue
    return recorded, False


def relative_inputs(manifest: dict[str, Any]) -> dict[str, str]:
    """A manifest's input files -> SHA-256, each named by :func:`input_name` (empty when the
    manifest has no mapping of inputs)."""
    inputs = manifest.get("inputs")
    if not isinstance(inputs, dict):
        return {}
    return {input_name(manifest, str(path))[0]: str(digest) for path, digest in inputs.items()}
