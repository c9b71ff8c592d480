"""The run folder: its name, its creation, and the replacing of an earlier run left in it.

A run writes ``manifest.json``, ``summary.json``, ``junit.xml``, ``report.html`` and
``cases/<case_id>/`` into one folder (:mod:`runners.suite`). Given a folder an earlier run
wrote, a new run first removes what that run wrote, and only that; any other files found
where a run's would go are the user's and the folder is refused.
"""

from __future__ import annotations

import datetime as _dt
import fcntl
import os
import shutil
from pathlib import Path
from typing import Any

from testzone.errors import TestzoneError
from testzone.userfiles import UserJsonError, parse_user_json, read_regular

from runners.interfaces import RunnerError


def default_run_dir(root: Path, agent: str) -> Path:
    """``root/<UTC time>-<agent>``; a numeric suffix keeps it unique."""
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in agent)[:40]
    d = root / f"{stamp}-{safe}"
    k = 1
    while d.exists():
        k += 1
        d = root / f"{stamp}-{safe}-{k}"
    return d


def prepare_run_dir(run_dir: Path, resume: bool = False) -> Path:
    """Create the run folder (and its parents) if missing, remove what an earlier run left
    in it (:func:`_clear_earlier_run`); return it. With ``resume`` the folder must hold an
    earlier run (:func:`earlier_run`, checked before anything is created), which stays
    (:mod:`runners.resume`).

    The folder stays locked for this process (``flock`` on the folder itself, so no file is
    left in it) until :func:`release_run_dir` or the process ends: another run given the
    same folder is refused instead of clearing or mixing this run's files.

    Raises:
        RunnerError: ``run_dir`` is an existing file, cannot be created or written, or another
            running process holds it (element ``--out``), or with ``resume`` holds no run
            (element ``--resume``), before any case runs.
    """
    if not str(run_dir).strip():
        raise RunnerError("expected a folder for the run, got an empty path", element="--out")
    run_dir = Path(run_dir)
    if resume:
        earlier_run(run_dir)
    if run_dir.exists() and not run_dir.is_dir():
        raise RunnerError("expected a folder for the run, found an existing file",
                          file=str(run_dir), element="--out")
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RunnerError(f"cannot create the run folder ({exc.strerror or exc})",
                          file=str(run_dir), element="--out") from None
    if not os.access(run_dir, os.W_OK | os.X_OK):
        raise RunnerError("the run folder is not writable", file=str(run_dir), element="--out")
    _refuse_inside_a_run(run_dir)
    probe = run_dir / f".testzone-write-probe-{os.getpid()}"
    try:  # access() says yes for /proc/1/fd or /sys/kernel as root; a real write tells
        probe.write_bytes(b"")
        probe.unlink()
        if _hold(run_dir) and not resume:  # once: a second call of this run must not take
            _clear_earlier_run(run_dir)    # its own files for an earlier run's
    except OSError as exc:
        raise RunnerError(f"cannot write in the run folder ({exc.strerror or exc})",
                          file=str(run_dir), element="--out") from None
    return run_dir


_HELD: dict[str, int] = {}
"""Run folders this process holds: real path -> the open descriptor carrying the lock."""


def _refuse_inside_a_run(run_dir: Path) -> None:
    """Refuse a run folder inside another run's ``cases/`` (a parent holds a run's
    ``manifest.json``): replacing that run removes its ``cases/<id>`` folders, the nested run
    with them, and the nested run's files would be taken for that run's cases.

    Raises:
        RunnerError: naming the enclosing run folder.
    """
    real = Path(os.path.realpath(run_dir))
    for parent in real.parents:
        if real.is_relative_to(parent / "cases") and \
                run_manifest(parent / "manifest.json") is not None:
            raise RunnerError(f"the folder lies inside the cases/ of the run folder {parent}, "
                              f"whose replacement would remove it: give --out a folder "
                              f"outside it", file=str(run_dir), element="--out")


def run_manifest(manifest: Path) -> dict | None:
    """The content of ``manifest`` when it is a regular file (not a link) a testzone run
    wrote (``"tool": "icv-testzone"`` and a ``cases`` list), else None."""
    try:
        if manifest.is_symlink() or not manifest.is_file():
            return None
        doc = parse_user_json(read_regular(manifest, "manifest.json", MAX_MANIFEST_BYTES))
    except (TestzoneError, UserJsonError, OSError):
        return None
    ours = isinstance(doc, dict) and doc.get("tool") == "icv-testzone" \
        and isinstance(doc.get("cases"), list)
    return doc if ours else None


def earlier_run(run_dir: Path) -> dict:
    """The manifest of the run that wrote ``run_dir`` (a run to resume).

    Raises:
        RunnerError: (element ``--resume``) the folder holds no ``manifest.json`` a testzone
            run wrote.
    """
    doc = run_manifest(Path(run_dir) / "manifest.json")
    if doc is None:
        raise RunnerError("nothing to resume: expected the folder of an earlier run (its "
                          "manifest.json)", file=str(run_dir), element="--resume")
    return doc


MAX_RESULT_BYTES = 64 * 1024 * 1024
"""Largest earlier case's result.json read back by a resumed or interrupted run [bytes] (a
real one is kilobytes)."""


def result_on_disk(run_dir: Path, case_id: str) -> dict[str, Any] | None:
    """The ``cases/<case_id>/result.json`` a case of the run in ``run_dir`` wrote, when it is
    a regular file (at most :data:`MAX_RESULT_BYTES`) holding a valid case record
    (``evaluator.report.summary.check_case_record``) of that case; None otherwise (not
    finished, written halfway, hand-edited into something else)."""
    from evaluator.errors import EvaluationError
    from evaluator.report.summary import check_case_record
    path = Path(run_dir) / "cases" / case_id / "result.json"
    try:   # a hand-edited one may nest past the recursion limit: UserJsonError too
        res = parse_user_json(read_regular(path, "result.json", MAX_RESULT_BYTES))
        check_case_record(res, str(path))
    except (OSError, TestzoneError, UserJsonError, EvaluationError):
        return None
    return res if isinstance(res, dict) and res.get("case_id") == case_id else None


def case_folder_problem(run_dir: Path, case_ids: list[str]) -> str | None:
    """Why the run's ``cases/`` or one of its ``cases/<id>`` folders cannot be cleared or
    gone on with (``"its cases/ is not a folder"``: a link or a file, the user's, never
    written through), or None."""
    cases = Path(run_dir) / "cases"
    if cases.is_symlink() or (cases.exists() and not cases.is_dir()):
        return "its cases/ is not a folder"
    for case_id in case_ids:
        folder = cases / case_id
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            return f"its cases/{case_id} is not a folder"
    return None


def _hold(run_dir: Path) -> bool:
    """Lock ``run_dir`` for this process; True the first time, False when this process holds
    it already (a second call for the same folder passes).

    Raises:
        RunnerError: another process holds it, or the folder cannot be opened or locked
            (a file system without ``flock``).
    """
    key = os.path.realpath(run_dir)
    if key in _HELD:
        return False
    try:
        fd = os.open(key, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise RunnerError(f"cannot open the run folder to lock it ({exc.strerror or exc})",
                          file=str(run_dir), element="--out") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise RunnerError("another run is writing into this folder: expected a folder no "
                          "running testzone uses", file=str(run_dir), element="--out") from None
    except OSError as exc:  # ENOLCK on some network or FUSE file systems
        os.close(fd)
        raise RunnerError(f"cannot lock the run folder ({exc.strerror or exc}): give --out a "
                          f"folder on a local file system", file=str(run_dir),
                          element="--out") from None
    _HELD[key] = fd
    return True


def release_run_dir(run_dir: Path) -> None:
    """Unlock a folder :func:`prepare_run_dir` locked for this process (no-op otherwise)."""
    fd = _HELD.pop(os.path.realpath(run_dir), None)
    if fd is not None:
        os.close(fd)   # closing the last descriptor releases the flock


MAX_MANIFEST_BYTES = 64 * 1024 * 1024
"""Largest earlier run's manifest.json read [bytes] (10 000 cases take a few MB)."""

RUN_OUTPUTS = ("manifest.json", "summary.json", "junit.xml", "report.html")
"""The files a run writes at the top of its folder (beside ``cases/``)."""


def is_run_folder(folder: Path) -> bool:
    """True when ``folder`` holds a run's ``manifest.json`` or ``summary.json`` (the files
    ``testzone report`` and ``compare`` read): no other tool may write its files there."""
    return any((folder / name).exists() for name in RUN_OUTPUTS[:2])


def _clear_earlier_run(run_dir: Path) -> None:
    """Remove what an earlier run left in ``run_dir``: a result of it would otherwise be taken
    for one of this run's (an interrupted run gathers the results on disk), and its cases
    would join a report rebuilt from the folder.

    Only what that run wrote goes, and only when all of it can be recognised before anything
    is removed: ``manifest.json`` a regular file (not a link) that a run wrote (``"tool":
    "icv-testzone"`` and its list of ``cases``), the ``cases/<id>`` folders of the case ids it
    lists, then ``cases/`` if that leaves it empty, and the other :data:`RUN_OUTPUTS` when they
    are regular files.

    Raises:
        RunnerError: the folder holds a ``cases/`` or ``manifest.json`` that no run wrote, or
            one of the earlier run's outputs is not a regular file (a folder, a link): the
            user's own files, never removed, and nothing is removed.
        OSError: the earlier run's files cannot be removed.
    """
    cases, manifest = run_dir / "cases", run_dir / "manifest.json"
    if not manifest.exists() and not manifest.is_symlink() and not cases.exists() \
            and not cases.is_symlink():
        return

    def refuse(why: str) -> RunnerError:
        return RunnerError(f"{why}: give --out a new folder, or the folder of an earlier run "
                           f"to replace that run", file=str(run_dir), element="--out")
    doc = run_manifest(manifest)
    if doc is None:
        raise refuse("the folder holds a cases/ or manifest.json that no testzone run wrote")
    ids = [c["case_id"] for c in doc["cases"] if isinstance(c, dict)
           and isinstance(c.get("case_id"), str) and c["case_id"].strip(". /")
           and "/" not in c["case_id"] and "\x00" not in c["case_id"]]
    problem = case_folder_problem(run_dir, ids)
    if problem:
        raise refuse(problem)
    outputs = [run_dir / name for name in RUN_OUTPUTS]
    for path in outputs:
        if path.is_symlink() or (path.exists() and not path.is_file()):
            raise refuse(f"its {path.name} is not a regular file")
    for case_id in ids:
        if (cases / case_id).is_dir():
            shutil.rmtree(cases / case_id)
    if cases.is_dir() and not any(cases.iterdir()):
        cases.rmdir()
    for path in outputs:
        path.unlink(missing_ok=True)
