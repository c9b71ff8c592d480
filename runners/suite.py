"""A run: find the test cases, run them in a worker pool, write results as they come, report.

Layout of a run folder (``results/<run-id>/`` or ``--out``)::

    manifest.json            what was run: tool version, command, inputs and SHA-256, seeds, agent
    cases/<case_id>/         recording.jsonl, result.json, figures.json + figure-<k>.png
                             (the report's figures), trace.csv with --trace csv
    summary.json junit.xml report.html      written by ``evaluator.write_report``

Exit statuses (``docs/cli.md``): 0 every case passed; 1 some case failed its criteria;
2 bad input or usage (a scenario or map that cannot be read; the other cases still run);
3 a case could not be run (agent or simulation error).
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import json
import os
import platform
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Iterable, Mapping, NamedTuple

from lxml import etree

from testzone import __version__
from testzone.errors import TestzoneError, not_a_file
from testzone.text import is_utf8_path, readable_path
from testzone.userfiles import UserJsonError, parse_user_json, read_regular, shown

from runners.case import RunOptions, TestCase, run_case, sha256_of
from runners.interfaces import RunnerError, Task, WorkerPool
from runners.pool import make_pool
from runners.resume import kept_results, resumed_record
from runners.run_folder import earlier_run, prepare_run_dir, release_run_dir, result_on_disk

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_ERROR = 0, 1, 2, 3
SUITE_FILE = Path(__file__).resolve().parent.parent / "scenarios" / "wuhan" / "suites.json"
CATALOGUE_FILE = SUITE_FILE.with_name("catalogue.json")
WEIGHTS_FILE = Path(__file__).resolve().parent.parent / "evaluator" / "weights.json"
RUN_DATA_FILES = (CATALOGUE_FILE, WEIGHTS_FILE)
"""Data every run reads, listed among its inputs: the catalogue (criteria, thresholds,
clauses, families) and the score weights and gates."""


def _sniff_root_child(path: Path) -> str | None:
    """Tag of the first element child of an .xosc's root that tells what the file is
    (``ParameterValueDistribution``, ``Catalog``, ``Storyboard``...), or None if unreadable."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.parse(str(path), parser).getroot()
    except (etree.XMLSyntaxError, OSError, UnicodeError):  # UnicodeError: a non-UTF-8 name
        return None
    for child in root:
        if isinstance(child.tag, str) and child.tag not in ("FileHeader",):
            if child.tag in ("ParameterValueDistribution", "Catalog"):
                return child.tag
    return "Scenario"


def _case_seed(base_seed: int, case_id: str) -> int:
    digest = hashlib.sha256(f"{base_seed}:{case_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def load_catalogue(path: Path = CATALOGUE_FILE) -> dict[str, dict[str, Any]]:
    """The test-case catalogue (``scenarios/wuhan/catalogue.json``) keyed by resolved file path
    (the scenario's ``file`` and, when given, its ``distribution`` file)."""
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    entries = data.get("cases", data) if isinstance(data, dict) else data
    out = {}
    for entry in entries:
        out[str((path.parent / entry["file"]).resolve())] = entry
        if entry.get("distribution"):  # a suite may name the logical scenario's distribution
            out[str((path.parent / entry["distribution"]).resolve())] = entry
    return out


class CatalogueLookup:
    """The catalogue entry of a scenario or distribution file: by its resolved path, else by
    its content (a byte-identical copy of a catalogue file elsewhere, e.g. an automaker's
    checkout run through its own suite file, keeps the case's criteria; automaker pass 16: it
    had been judged on the default criteria alone, a FAIL turned PASS). The catalogue files
    are hashed once, the first time a path is not found."""

    def __init__(self, catalogue: Mapping[str, dict[str, Any]]) -> None:
        self.catalogue = catalogue
        self._by_content: dict[str, dict[str, Any]] | None = None

    def __call__(self, path: str | Path) -> dict[str, Any]:
        """The entry of ``path`` ({} when none)."""
        entry = self.catalogue.get(str(path)) or self.catalogue.get(str(Path(path).resolve()))
        if entry:
            return entry
        if self._by_content is None:
            self._by_content = {}
            for key, e in self.catalogue.items():
                try:
                    self._by_content.setdefault(sha256_of(key), e)
                except OSError:
                    continue
        try:
            return self._by_content.get(sha256_of(path), {}) if self._by_content else {}
        except OSError:
            return {}


MAX_SUITE_FILE_BYTES = 1 << 20
"""Largest suite file of one's own (a JSON list of paths; 1 MiB is some 10^4 entries)."""


def suite_path(name: str) -> Path | None:
    """The suite file of one's own that ``--suite`` names (a name ending in ``.json``), or
    None for a name of ``scenarios/wuhan/suites.json``."""
    return Path(name) if name.lower().endswith(".json") else None


def suite_files(name: str, path: Path = SUITE_FILE) -> list[Path]:
    """The .xosc files of a suite: a name of ``scenarios/wuhan/suites.json`` (``path``), or a
    suite file of one's own (:func:`suite_path`): a JSON list of ``.xosc`` / ``.dist.xosc``
    paths or folders (read as on the command line, :func:`discover`), each relative to that
    file's folder (or absolute).

    Raises:
        RunnerError: unknown suite name (the message lists the known ones); a suite file that
            cannot be read, is not JSON, or is not a list of paths (naming the file, and the
            entry).
    """
    own = suite_path(name)
    if own is not None:
        return _own_suite(own)
    suites = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    if name not in suites:
        raise RunnerError(f"unknown suite {name!r}; known: {', '.join(sorted(suites)) or 'none'} "
                          f"(or a suite file of your own, NAME.json: a JSON list of .xosc "
                          f"paths)", file=str(path), element="--suite")
    return [(path.parent / f).resolve() for f in suites[name]]


def _own_suite(path: Path) -> list[Path]:
    """The entries of a suite file of one's own (see :func:`suite_files`)."""
    try:
        doc = parse_user_json(read_regular(path, "the suite file", MAX_SUITE_FILE_BYTES))
    except UserJsonError as exc:
        raise RunnerError(f"not a JSON suite file: {exc.reason}", file=str(path),
                          line=exc.line, element="--suite") from None
    except TestzoneError as exc:
        raise RunnerError(exc.message, file=str(path), element="--suite") from None
    if not isinstance(doc, list) or not doc:
        raise RunnerError("expected a non-empty JSON list of .xosc paths (relative to this "
                          "file's folder), e.g. [\"cases/evw.dist.xosc\", \"cases/tjw.xosc\"]",
                          file=str(path), element="--suite")
    out = []
    for i, entry in enumerate(doc):
        if not isinstance(entry, str) or not entry.strip() or "\x00" in entry:
            raise RunnerError(f"entry {i} must be a path (a non-empty string), got "
                              f"{shown(entry)}", file=str(path),
                              element=f"--suite [{i}]")
        out.append((path.resolve().parent / entry).resolve())
    return discover(out)   # a folder entry is read as on the command line


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """Expand files and folders into .xosc files (folders recursively, catalogs skipped, and
    anything in a folder that is not a regular file: a FIFO named ``x.xosc`` would block the
    run reading it).

    A path that is neither a folder nor a regular file (missing, a FIFO, a device, a name the
    file system refuses) is kept: :func:`make_cases` turns it into one error case, so the other
    files still run.

    Raises:
        RunnerError: a folder holds more than :data:`MAX_FOLDER_FILES` .xosc files (``/``
            given by mistake walked the whole file system and queued 43,962 cases).
    """
    out: list[Path] = []
    for p in map(Path, paths):
        try:
            folder = p.is_dir()
        except OSError:  # a name too long for the file system (ENAMETOOLONG): an error case
            folder = False
        if folder:
            found = []
            for f in p.rglob("*.xosc"):
                if len(found) == MAX_FOLDER_FILES:
                    raise RunnerError(f"folder {p} holds more than {MAX_FOLDER_FILES} .xosc "
                                      f"files: give the folder of the cases to run",
                                      element="paths")
                found.append(f)
            out += [f.resolve() for f in sorted(found)
                    if f.is_file() and _sniff_root_child(f) != "Catalog"]
        else:  # a file, or what make_cases reports as a case error (missing, a FIFO...)
            out.append(p.resolve())
    return out


MAX_FOLDER_FILES = 10_000
"""Most .xosc files taken from one folder (the Wuhan catalogue's files number under 100; its
``full`` suite expands to a few hundred cases)."""

MAX_RUN_CASES = 10_000
"""Most cases one run holds once its distributions are expanded (as many as one distribution
may give, :data:`scenarios.distribution.MAX_CASES`; at about a second a case, a night on two
cores)."""


def make_cases(files: list[Path], seed: int,
               distribution_seed: int | None = None) -> list[TestCase]:
    """One TestCase per concrete scenario; ParameterValueDistribution files expand to many (a
    distribution that cannot be expanded becomes one case carrying the error, so the other
    files still run and the run exits 2).

    Case ids: the scenario file's stem; a distribution's variant ``k`` (0-based, in expansion
    order) is ``<ScenarioFile stem>-<kkk>``, as ``testzone scenario expand`` names its files, so
    an id never depends on what else is in the run; an id already taken gets ``-2``, ``-3``...
    in file order. ``seed`` is the base of the case seeds; ``distribution_seed`` (None: each
    file's ``randomSeed``) seeds Stochastic distributions.

    Criteria and family come from the case catalogue (:func:`load_catalogue`): the entry of
    the file given (by path, else by content: :class:`CatalogueLookup`), else, for a
    distribution, the entry of its ScenarioFile; a file that ``scenario expand`` wrote
    (:func:`expanded_from`) takes those of its distribution.

    Raises:
        RunnerError: the cases number more than :data:`MAX_RUN_CASES` (a folder of
            distributions can expand to millions).
    """
    catalogue = CatalogueLookup(load_catalogue())
    cases: list[TestCase] = []
    ids = _CaseIds()
    def error_case(name: str, error: str, family: str | None = None,
                   distribution_file: str = "") -> None:
        """One case carrying ``error`` for the file ``name``; the other files still run."""
        case_id = ids.take(Path(name).stem)
        cases.append(TestCase(case_id=case_id, scenario_file=name,
                              seed=_case_seed(seed, case_id), family=family or case_id,
                              input_error=error, distribution_file=distribution_file))

    for n_file, f in enumerate(files, 1):
        if not is_utf8_path(f):  # lxml, JSON and HTML cannot take the name
            name = readable_path(f)
            error_case(name, f"{name}: the file name is not valid UTF-8 (rename the file)")
            continue
        try:
            regular = f.is_file()
        except OSError as exc:  # the file system refuses the name (ENAMETOOLONG)
            error_case(str(f), f"scenario file cannot be looked up ({exc.strerror or exc}): "
                               f"{f}")
            continue
        if not regular:  # missing, a FIFO, a device: name what is there instead
            error_case(str(f), not_a_file("scenario file", f))
            continue
        concrete: list[tuple[Path, dict[str, Any]]] = [(f, {})]
        entry = catalogue(f)
        origin = expanded_from(f)
        if origin:  # a file `scenario expand` wrote: judged and reported as the variant it is
            entry = entry or catalogue(origin.distribution) or catalogue(origin.scenario)
            concrete = [(f, dict(origin.parameters))]
        if _sniff_root_child(f) == "ParameterValueDistribution":
            from scenarios.distribution import check_declared, read_distribution
            try:
                dist = read_distribution(f, distribution_seed)
                check_declared(dist)   # else each variant would fail naming the ScenarioFile
                concrete = [(Path(dist.scenario_file), dict(params)) for params in dist.sets]
            except TestzoneError as exc:
                error_case(str(f), " ".join(str(exc).split()),
                           entry.get("family", f.stem), str(f))
                continue
        for k, (scen, params) in enumerate(concrete):
            varied = params and not origin       # a variant of the distribution file f
            case_id = ids.take(f"{scen.stem}-{k:03d}" if varied else scen.stem)
            # a distribution of the user's own over a catalogue scenario: the scenario's entry
            found = entry or catalogue(scen)
            cases.append(TestCase(case_id=case_id, scenario_file=str(scen), parameters=params,
                                  seed=_case_seed(seed, case_id),
                                  criteria=tuple(found.get("criteria", ())),
                                  limitations=tuple(str(x) for x in
                                                    found.get("limitations", ())),
                                  family=found.get("family", Path(origin.scenario).stem
                                                   if origin else scen.stem),
                                  distribution_file=origin.distribution if origin else
                                  str(f) if varied else ""))
        if len(cases) > MAX_RUN_CASES:
            raise RunnerError(f"the run would hold more than {MAX_RUN_CASES} cases ("
                              f"{len(cases)} up to {readable_path(f)}, file {n_file} of "
                              f"{len(files)} files): split it into several runs",
                              element="paths")
    return cases


MAX_INDEX_BYTES = 64 * 1024 * 1024
"""Largest ``index.json`` of ``scenario expand`` read (10 000 variants take about 2 MB)."""


class Expansion(NamedTuple):
    """Where a file ``scenario expand`` wrote came from: the distribution and its ScenarioFile
    (absolute paths), and the variant's parameter values as ``index.json`` lists them."""

    distribution: str
    scenario: str
    parameters: Mapping[str, Any]


def expanded_from(path: Path) -> Expansion | None:
    """The :class:`Expansion` of ``path`` when ``testzone scenario expand`` wrote it: the
    ``index.json`` beside it lists its name among the variants
    (:func:`scenarios.expand.write_variants`). None otherwise (no index, one that does not
    list it, or one that cannot be read: the file is then a scenario like any other), or
    when the file's SHA-256 is no longer the one the index records (it was edited: its
    parameters may not be the listed ones). A folder of expanded files reads its index once
    (cached by path, size and mtime).
    """
    index = path.parent / "index.json"
    try:
        st = index.stat()
    except OSError:
        return None
    listed, origin = _index_listing(str(index), st.st_size, st.st_mtime_ns)
    if origin is None or path.name not in listed:
        return None
    params, sha = listed[path.name]
    if sha is not None:   # edited since expand wrote it: a scenario of its own now
        try:
            if sha256_of(path) != sha:
                return None
        except OSError:
            return None
    return Expansion(*origin, params)


_SCALARS = (str, int, float, bool)


@functools.lru_cache(maxsize=64)
def _index_listing(index: str, size: int, mtime_ns: int
                   ) -> tuple[Mapping[str, tuple[Mapping[str, Any], str | None]],
                              tuple[str, str] | None]:
    """({variant file name: (its parameters, its SHA-256 or None)}, (distribution, scenario)
    or None) of one ``index.json``; nothing listed when it cannot be read. Parameters that
    are not scalars are left out; an index written before the SHA-256s were has none.
    ``size`` and ``mtime_ns`` only key the cache."""
    try:
        doc = json.loads(read_regular(index, "index.json", MAX_INDEX_BYTES))
    except (TestzoneError, ValueError, RecursionError):
        return {}, None
    if not isinstance(doc, dict) or not isinstance(doc.get("variants"), list):
        return {}, None
    where = [doc.get(k) for k in ("distribution", "scenario")]
    if not all(isinstance(w, str) and w for w in where):
        return {}, None
    listed = {}
    for v in doc["variants"]:
        if isinstance(v, dict) and isinstance(v.get("file"), str):
            params = v.get("parameters")
            sha = v.get("sha256")
            listed[v["file"]] = (MappingProxyType(
                {k: x for k, x in params.items() if isinstance(x, _SCALARS)}
                if isinstance(params, dict) else {}), sha if isinstance(sha, str) else None)
    return (MappingProxyType(listed),
            (str(Path(where[0]).resolve()), str(Path(where[1]).resolve())))


MAX_CASE_ID_BYTES = 160
"""Longest case id base [UTF-8 bytes]; with a ``-NNN`` suffix still well within a folder name's
255 bytes."""


class _CaseIds:
    """The case ids handed out in one run: each a folder name, none given twice.

    :meth:`take` returns ``base``, or ``base-2``, ``base-3``... when taken before, even by an
    id that was itself a base (files ``x``, ``x`` and ``x-2`` give ``x``, ``x-2`` and
    ``x-2-2``). Leading dots are dropped (a file ``..xosc`` has the stem ``.``, which would
    write into the run folder itself) and control characters become ``_``; an id left empty
    is ``case``; a base is cut to :data:`MAX_CASE_ID_BYTES` of UTF-8 (a folder name may hold
    255 bytes: a 300-character file name ended the whole run, its folder unwritable)."""

    def __init__(self) -> None:
        self._issued: set[str] = set()
        self._next: dict[str, int] = {}  # base -> the suffix to try next

    def take(self, base: str) -> str:
        """A new id for a case whose natural id is ``base``."""
        base = "".join("_" if ch < " " or ch == "\x7f" else ch for ch in base).lstrip(".")
        base = base.encode("utf-8", "surrogateescape")[:MAX_CASE_ID_BYTES].decode(
            "utf-8", "ignore") or "case"
        case_id, n = base, self._next.get(base, 1)
        if n > 1 or case_id in self._issued:
            n = max(n, 2)
            while f"{base}-{n}" in self._issued:
                n += 1
            case_id = f"{base}-{n}"
        self._next[base] = n + 1
        self._issued.add(case_id)
        return case_id


def run_case_task(case: TestCase, options: RunOptions, case_dir: str) -> dict[str, Any]:
    """The unit of work of a pool: :func:`runners.case.run_case` (a module-level function so
    Ray can ship it)."""
    return run_case(case, options, case_dir)


@dataclass
class RunReport:
    """What a run produced: its folder, the per-case results and the exit status."""

    run_dir: Path
    results: list[dict[str, Any]] = field(default_factory=list)
    exit_status: int = EXIT_OK


def exit_status(results: list[dict[str, Any]]) -> int:
    """2 if any case had bad input, else 3 if any errored, else 1 if any failed, else 0."""
    if any(r.get("verdict") == "error" and r.get("error_kind") == "input" for r in results):
        return EXIT_BAD_INPUT
    if any(r.get("verdict") == "error" for r in results):
        return EXIT_ERROR
    if any(r.get("verdict") == "fail" for r in results):
        return EXIT_FAILED
    return EXIT_OK


def _store_manifest(run_dir: Path, manifest: dict[str, Any]) -> None:
    (run_dir / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))


def build_manifest(cases: list[TestCase], options: RunOptions, seed: int, workers: int,
                   argv: list[str], suite: str | None = None,
                   extra_inputs: Iterable[str | Path] = ()) -> dict[str, Any]:
    """The run's ``manifest.json`` content: enough to reproduce the run. ``tool_identity`` fingerprints
    the code (:func:`testzone.provenance.tool_identity`: version, source digest, git commit).
    ``inputs`` (path -> SHA-256) starts with the distribution files the cases came from,
    :data:`RUN_DATA_FILES` and ``extra_inputs`` (the agent's file, its config, the suite
    list); each case adds its scenario, map, RSU layout and catalog files when it has run
    (:func:`run_suite`)."""
    from testzone.provenance import ROOT, library_versions, tool_identity
    from v2x_bridge.units import DEFAULT_EPOCH
    inputs = {}
    for path in sorted({c.distribution_file for c in cases if c.distribution_file}
                       | {str(p) for p in (*RUN_DATA_FILES, *extra_inputs)}):
        try:
            inputs[readable_path(path)] = sha256_of(path)
        except OSError:
            continue  # unreadable: the case or the option that names it reports why
    manifest = {
        "tool": "icv-testzone", "tool_version": __version__, "tool_identity": tool_identity(),
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        # names that are not UTF-8 (made on another system) as \xff escapes: the summary
        # that carries the manifest holds UTF-8 text only
        "command": [readable_path(a) for a in argv], "cwd": readable_path(os.getcwd()),
        "environment": run_environment(),
        "python": platform.python_version(), "libraries": library_versions(),
        "tool_root": readable_path(str(ROOT)),
        "platform": platform.platform(),
        "seed": seed, "workers": workers, "backend": options.backend,
        "agent": {"spec": options.agent, "config": options.agent_config},
        "dt_s": options.dt, "max_sim_time_s": options.max_sim_time,
        "max_sim_time_extends": options.extend_to_stop_time,
        # the V2X frames' UTC time fields start here ('--utc-start now' resolved: pass this)
        "utc_start": ("each case's start (its v2x_clock event)" if options.utc_start_each_case
                      else (options.utc_start or DEFAULT_EPOCH).isoformat(
                          timespec="milliseconds")),
        "realtime": options.realtime, "v2x_endpoint": options.v2x_endpoint,
        "trace": options.trace, "v2x": options.v2x,
        "suite": suite,
        "cases": [{"case_id": c.case_id, "scenario_file": c.scenario_file,
                   "parameters": c.parameters, "seed": c.seed,
                   **({"distribution_file": c.distribution_file} if c.distribution_file
                      else {})} for c in cases],
        "inputs": inputs,
    }
    return manifest


RUN_ENVIRONMENT = ("PYTHONPATH",)
"""Environment variables a run's outcome can depend on: where a ``module:Class`` stack
imports from. Recorded in the manifest so its ``command`` can be run again as it was."""


def run_environment() -> dict[str, str]:
    """The :data:`RUN_ENVIRONMENT` variables that are set, by name."""
    return {k: readable_path(os.environ[k]) for k in RUN_ENVIRONMENT if k in os.environ}


class Terminated(KeyboardInterrupt):
    """The run got SIGTERM: handled as Ctrl-C (the finished cases are reported)."""


_SIGTERM_SEEN: list[bool] = [False]
"""Set by the run's SIGTERM handlers: Ray turns an exception raised inside ``ray.wait`` into a
plain KeyboardInterrupt, so the class alone cannot tell a SIGTERM from a Ctrl-C."""


def _raise_terminated(signum: int, frame: Any) -> None:
    _SIGTERM_SEEN[0] = True
    raise Terminated("SIGTERM")


def _note_terminated(signum: int, frame: Any) -> None:
    """SIGTERM while Ray starts: noted, raised once ``ray.init`` has returned (raising inside
    its C code once left the run hung for good)."""
    _SIGTERM_SEEN[0] = True


def _sigterm_as_interrupt() -> Any:
    """Make SIGTERM raise :class:`Terminated` in this (main) thread; return the handler it
    replaces (None when not in the main thread, where handlers cannot be set). Set before the
    worker pool starts and again after (Ray's driver installs a handler of its own that only
    dumps a stack), and once more after the pool closes (``ray.shutdown()`` resets SIGTERM to
    its default action in the OS, while Python still lists the handler)."""
    try:
        return signal.signal(signal.SIGTERM, _raise_terminated)
    except ValueError:
        return None


def _finished_on_disk(run_dir: Path, cases: list[TestCase], have: set[str]
                      ) -> list[dict[str, Any]]:
    """Results of cases that wrote ``result.json`` but were not collected (a worker finished
    as the run was interrupted)."""
    found = (result_on_disk(run_dir, c.case_id) for c in cases if c.case_id not in have)
    return [res for res in found if res is not None]


def run_suite(cases: list[TestCase], options: RunOptions, run_dir: Path, *, workers: int,
              seed: int = 0, ray_address: str | None = None, argv: list[str] | None = None,
              on_result: Callable[[dict[str, Any]], None] | None = None,
              pool: WorkerPool | None = None, suite: str | None = None,
              extra_inputs: Iterable[str | Path] = (), resume: bool = False,
              on_kept: Callable[[list[dict[str, Any]]], None] | None = None) -> RunReport:
    """Run every case (in parallel when ``workers > 1``), write results as they finish, then
    the manifest's input hashes and the reports. Returns the :class:`RunReport`. Interrupted
    (Ctrl-C, or SIGTERM: :class:`Terminated`), it still writes the manifest (``"interrupted":
    true``) and the reports of the cases that finished (the report names the missing ones),
    then raises the same KeyboardInterrupt class. ``pool``
    replaces the default worker pool (the CARLA server pool, ``runners.carla_pool``); it is
    closed at the end either way, after the reports are written.

    With ``resume`` the earlier run in ``run_dir`` is not replaced: its results that still
    stand are kept (:func:`runners.resume.kept_results`; given to ``on_kept`` before any case
    runs) and only the other cases run; the manifest records them (``resumed``).

    Raises:
        RunnerError: the run folder cannot be created, or the worker pool cannot start (e.g.
            unreachable ``ray_address``; the manifest then records why, ``"not_started"``);
            with ``resume``, the folder holds no run or one that differs (element
            ``--resume``, :mod:`runners.resume`).
    """
    prepare_run_dir(run_dir, resume=resume)
    manifest = build_manifest(cases, options, seed, workers, argv or sys.argv, suite,
                              extra_inputs)
    kept: list[dict[str, Any]] = []
    if resume:
        earlier = earlier_run(run_dir)
        kept = kept_results(run_dir, earlier, manifest)
        manifest["resumed"] = resumed_record(earlier, kept)
    _store_manifest(run_dir, manifest)
    if resume and on_kept:
        on_kept(kept)
    by_id = {c.case_id: c for c in cases}
    done = {r["case_id"] for r in kept}
    tasks = [Task(run_case_task, (c, options, str(run_dir / "cases" / c.case_id)), c.case_id)
             for c in cases if c.case_id not in done]
    _SIGTERM_SEEN[0] = False
    previous = _sigterm_as_interrupt()  # before Ray starts too (it takes seconds)
    results: list[dict[str, Any]] = list(kept)
    interrupted: KeyboardInterrupt | None = None
    try:
        try:
            if pool is None and tasks:
                if previous is not None:
                    signal.signal(signal.SIGTERM, _note_terminated)
                try:
                    pool = make_pool(workers, len(tasks), ray_address)
                except RunnerError as exc:  # the folder says why it holds no result
                    manifest["not_started"] = exc.message
                    _store_manifest(run_dir, manifest)
                    raise
                except SystemExit as exc:  # Ray's own SIGTERM handler, set during ray.init,
                    if exc.code != signal.SIGTERM:  # exits with status 15
                        raise
                    _SIGTERM_SEEN[0] = True
                if previous is not None:  # ray.init put its own handler in place of ours
                    signal.signal(signal.SIGTERM, _raise_terminated)
                if _SIGTERM_SEEN[0]:
                    raise Terminated("SIGTERM while the worker pool started")
            for key, res in pool.map_unordered(tasks) if tasks else ():
                if isinstance(res, BaseException):
                    res = _crashed_result(by_id[key], res, run_dir)
                results.append(res)
                if on_result:
                    on_result(res)
        except KeyboardInterrupt as exc:  # Ctrl-C / SIGTERM: report what finished, then stop
            interrupted = exc
            late = _finished_on_disk(run_dir, cases, {r["case_id"] for r in results})
            results += late
            for res in late if on_result else ():   # shown as the collected ones were
                on_result(res)
        # the reports before the pool closes: ray.shutdown() puts SIGTERM back to its default
        # action for a while (measured: a SIGTERM then killed the run before its report)
        _write_run_reports(run_dir, results, manifest, interrupted is not None)
    finally:
        try:
            if pool is not None:
                pool.close()
        except KeyboardInterrupt as exc:  # a signal while the pool shuts down
            interrupted = interrupted or exc
        finally:
            if previous is not None:  # registering it sets it in the OS again too, where
                signal.signal(signal.SIGTERM, previous)  # ray.shutdown() had reset it
            release_run_dir(run_dir)
    if interrupted is not None:
        kind = Terminated if _SIGTERM_SEEN[0] else type(interrupted)
        raise kind(f"{len(results)} of {len(cases)} cases done")
    return RunReport(run_dir, results, exit_status(results))


def _write_run_reports(run_dir: Path, results: list[dict[str, Any]], manifest: dict[str, Any],
                       interrupted: bool) -> None:
    """Sort ``results`` by case id (in place), add their inputs to the manifest, write
    ``manifest.json`` (``"interrupted": true`` when the run was stopped) and the reports."""
    from evaluator import write_report
    results.sort(key=lambda r: r["case_id"])
    for r in results:
        manifest["inputs"].update(r.get("inputs", {}))
    if interrupted:
        manifest["interrupted"] = True
    _store_manifest(run_dir, manifest)
    write_report(run_dir, results, manifest)


def _crashed_result(case: TestCase, exc: BaseException, run_dir: Path) -> dict[str, Any]:
    """The result of a case whose worker died before it could report (Ray worker crash)."""
    res = {"case_id": case.case_id, "scenario_file": case.scenario_file,
           "parameters": case.parameters, "seed": case.seed, "family": case.family,
           "verdict": "error", "error_kind": "run", "score": 0.0,
           "error": " ".join(f"worker crashed: {type(exc).__name__}: {exc}".split())[:2000]}
    d = run_dir / "cases" / case.case_id
    d.mkdir(parents=True, exist_ok=True)
    (d / "result.json").write_text(json.dumps(res, indent=2, sort_keys=True))
    return res
