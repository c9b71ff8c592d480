"""The ``testzone`` command line (typer). Every command's options are in ``docs/cli.md``.

Errors of the project (:class:`testzone.errors.TestzoneError`) become one line on stderr and
exit status 2 (bad input or usage) or 3 (something could not be run); a Python traceback is
never shown for them.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Iterable, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from testzone import __version__
from testzone.errors import TestzoneError
from testzone.text import terminal_safe

app = typer.Typer(rich_markup_mode="markdown", add_completion=False, no_args_is_help=True,
                  help="icv-testzone: run OpenSCENARIO test cases on the Wuhan smart road.")

err = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)
out = Console(highlight=False, soft_wrap=True, emoji=False)


def _fail(message: str, status: int) -> None:
    err.print(terminal_safe(f"error: {message}"), markup=False)
    raise typer.Exit(status)


_EXIT_OF_ELEMENT = {"--ray-address": 3, "--resume": 2}
"""Exit status of a RunnerError naming these options, whatever the caller's: an unreachable
Ray cluster is a run that could not be run (3), a run that cannot be resumed is usage (2)."""


def _guard(fn: Callable[[], Any], status: int = 2) -> Any:
    """Run ``fn``; turn a TestzoneError into one line and exit ``status`` (a RunnerError
    naming an option of :data:`_EXIT_OF_ELEMENT`: that option's status), and a failed write
    of the run's own files (a full disk, a folder removed under it) into one line and exit
    3."""
    try:
        return fn()
    except TestzoneError as exc:
        from runners.interfaces import RunnerError
        code = (_EXIT_OF_ELEMENT.get(str(exc.element), status)
                if isinstance(exc, RunnerError) else status)
        _fail(str(exc), code)
    except OSError as exc:
        _fail(f"cannot write {exc.filename or 'the run files'}: {exc.strerror or exc} (what "
              f"was written before is kept)", 3)


def _version(value: bool) -> None:
    if value:
        out.print(f"icv-testzone {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    """icv-testzone command line."""


MAX_AGENT_CONFIG_BYTES = 1 << 20
"""Largest ``--agent-config`` file [bytes] (1 MiB of JSON parameters)."""


def _load_agent_config(path: Optional[Path]) -> dict[str, Any]:
    """The ``--agent-config`` file as a dict; a usage error (exit 2) unless it is a readable
    JSON object."""
    if path is None:
        return {}
    from testzone.userfiles import UserFileError, UserJsonError, parse_user_json, read_regular
    try:
        config = parse_user_json(read_regular(path, "agent config", MAX_AGENT_CONFIG_BYTES))
    except UserFileError as exc:
        _fail(f"--agent-config: {exc}", 2)
    except UserJsonError as exc:
        where = f"{path}:{exc.line}" if exc.line else str(path)
        _fail(f"{where}: agent config must be a JSON object: {exc.reason}", 2)
    if not isinstance(config, dict):
        _fail(f"{path}: agent config must be a JSON object, got a JSON "
              f"{type(config).__name__}", 2)
    return config


MAX_CONFIG_DEPTH = 32
"""Deepest nesting of an ``--agent-config`` value: the manifest carries the config, and a
summary holds values nested at most 64 deep (``evaluator.report.summary``)."""


def _config_problem(value: Any, where: str, depth: int = 0) -> str:
    """What in an ``--agent-config`` value the run could not carry (to a stack over msgpack,
    into the manifest and summary), naming its place (``a.b[2]``); "" when all is fine:
    nesting beyond :data:`MAX_CONFIG_DEPTH`, an integer outside 64 bits (msgpack), text
    UTF-8 cannot hold (a lone surrogate from a ``\\ud800`` escape)."""
    if depth > MAX_CONFIG_DEPTH:
        return f"nests deeper than {MAX_CONFIG_DEPTH} levels at {where or 'the top'}"
    if isinstance(value, dict):
        for k, v in value.items():
            here = f"{where}.{k}" if where else str(k)
            bad = _config_problem(k, here, depth + 1) or _config_problem(v, here, depth + 1)
            if bad:
                return bad
        return ""
    if isinstance(value, list):
        return next((bad for i, v in enumerate(value)
                     if (bad := _config_problem(v, f"{where}[{i}]", depth + 1))), "")
    if isinstance(value, int) and not isinstance(value, bool) \
            and not -2**63 <= value < 2**64:
        return f"value at {where} is an integer beyond 64 bits: expected a smaller number"
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return (f"text at {where.encode('utf-8', 'backslashreplace').decode()} holds a "
                    f"lone surrogate: expected text UTF-8 can hold")
    return ""


def _check_positive(option: str, value: float, unit: str, upper: float = math.inf) -> None:
    """A usage error (exit 2) unless ``value`` is a finite number in (0, upper]."""
    if not (math.isfinite(value) and 0 < value <= upper):
        bound = f"in (0, {upper:g}]" if math.isfinite(upper) else "> 0"
        _fail(f"{option} {value}: expected a finite value {bound} [{unit}]", 2)


MAX_CASE_TIMEOUT_S = 1e6
"""Longest ``--case-timeout`` [s] (11.6 days): 1e10 s overflowed the platform's time_t in the
case's alarm and every case errored."""


def _check_run_options(dt: float, max_time: float | None, step_timeout: float,
                       case_timeout: float, connect_timeout: float, workers: int,
                       seed: int | None = None) -> None:
    """Refuse (exit 2, one line naming the option) a value no run can use: non-finite,
    non-positive, a step above 1 s, a negative seed (a PCG64 seed is a non-negative int)."""
    if seed is not None and seed < 0:
        _fail(f"--seed {seed}: expected an integer >= 0", 2)
    _check_positive("--dt", dt, "s", upper=1.0)
    if max_time is not None:
        _check_positive("--max-time", max_time, "s")
    _check_positive("--step-timeout", step_timeout, "s")
    _check_positive("--case-timeout", case_timeout, "s", upper=MAX_CASE_TIMEOUT_S)
    _check_positive("--connect-timeout", connect_timeout, "s")
    if workers < 0:
        _fail(f"--workers {workers}: expected 0 (one per core) or a positive count", 2)


#: ``--max-time`` when it is not given [s] (the scenario's own SimulationTime StopTrigger may
#: extend it: ``RunOptions.extend_to_stop_time``).
DEFAULT_MAX_TIME = 300.0


@app.command()
def run(paths: list[Path] = typer.Argument(None, help=".xosc files or folders"),
        suite: Optional[str] = typer.Option(
            None, help="named suite (smoke, gbt41798, v2x-day1, full), or a suite file of "
                       "your own: NAME.json, a JSON list of .xosc paths relative to it"),
        agent: str = typer.Option("idm", help="idm, idm-v2x, naive, scenario, module:Class, file.py:Class or zmq://HOST:PORT"),
        agent_config: Optional[Path] = typer.Option(None, help="JSON file given to the agent"),
        workers: int = typer.Option(0, help="parallel cases; 0: one per CPU core"),
        out_dir: Optional[str] = typer.Option(None, "--out", help="run folder (default results/RUN-ID)"),
        seed: Optional[int] = typer.Option(
            None, help="base random seed (default 0); given, it also replaces the randomSeed of "
                       "Stochastic distributions"),
        trace: Optional[str] = typer.Option(None, help="'csv': esmini-compatible trace per case"),
        dt: float = typer.Option(0.05, help="simulation step [s]"),
        max_time: Optional[float] = typer.Option(
            None, help="simulation-time limit of a case [s] (default 300, or the time the "
                       "scenario's own SimulationTime StopTrigger ends it, up to a day)"),
        step_timeout: float = typer.Option(1.0, help="wall-clock deadline of one agent step [s]"),
        case_timeout: float = typer.Option(600.0, help="wall-clock deadline of one case [s]"),
        ray_address: Optional[str] = typer.Option(None, help="HOST:PORT of a Ray cluster"),
        backend: str = typer.Option("embedded", help="embedded (default) or carla"),
        carla_servers: Optional[str] = typer.Option(
            None, help="CARLA servers HOST:PORT[,HOST:PORT...] (default 127.0.0.1:2000)"),
        carla_launch: Optional[str] = typer.Option(
            None, help="launch --workers CARLA servers with this command template "
                       "(e.g. 'CarlaUE4.sh -RenderOffScreen -carla-rpc-port={rpc} "
                       "-carla-streaming-port={streaming} -carla-primary-port={primary} "
                       "-graphicsadapter={gpu}')"),
        carla_gpus: Optional[str] = typer.Option(None, help="GPU indices for launched servers, "
                                                            "e.g. 0,1"),
        connect_timeout: float = typer.Option(5.0, help="seconds a CARLA server has to answer"),
        v2x_endpoint: Optional[str] = typer.Option(
            None, help="also publish the V2X frames the vehicle under test receives on this "
                       "ZeroMQ endpoint (PUB, e.g. tcp://127.0.0.1:5556; runs 1 worker)"),
        agent_memory: float = typer.Option(
            8.0, help="memory cap of a stack we start (module:Class, file.py:Class) [GiB]; "
                      "0 for none"),
        utc_start: Optional[str] = typer.Option(
            None, help="UTC instant of simulation time 0 in the V2X frames' time fields: ISO "
                       "8601 with an offset (2026-12-01T08:00:00+08:00) or 'now' (default "
                       "2025-01-01T00:00:00Z, so frames repeat byte for byte)"),
        realtime: bool = typer.Option(
            False, "--realtime", help="pace each case to the wall clock (an OBU or stack "
                                      "listening on --v2x-endpoint gets frames in real time)"),
        resume: bool = typer.Option(
            False, "--resume", help="go on with the unfinished run in --out: keep its pass/fail "
                                    "results whose inputs are unchanged, run the other cases "
                                    "(same command and options as that run)"),
        ) -> None:
    """Simulate, judge and score test cases; leave a report folder."""
    from runners.case import RunOptions
    from runners.run_folder import default_run_dir, prepare_run_dir
    from runners.suite import Terminated, discover, make_cases, run_suite, suite_files
    if backend not in ("embedded", "carla"):
        _fail(f"--backend {backend!r}: expected 'embedded' or 'carla'", 2)
    if trace not in (None, "csv"):
        _fail(f"--trace {trace!r}: expected 'csv'", 2)
    _check_run_options(dt, max_time, step_timeout, case_timeout, connect_timeout, workers, seed)
    if not (math.isfinite(agent_memory) and 0 <= agent_memory <= 2**20):
        _fail(f"--agent-memory {agent_memory}: expected 0 (no cap) or a size in GiB", 2)
    config = _load_agent_config(agent_config)
    start_instant = None
    if utc_start is not None:
        from v2x_bridge.errors import V2XError
        from v2x_bridge.units import utc_instant
        try:
            start_instant = utc_instant(utc_start)
        except V2XError as exc:
            _fail(f"--utc-start: {exc.message}", 2)
    files: list[Path] = []
    if suite:
        files += _guard(lambda: suite_files(suite))
    if paths:
        files += _guard(lambda: discover(paths))
    if not files:
        given = [str(p) for p in (paths or [])] + ([f"--suite {suite}"] if suite else [])
        where = f" (no .xosc file in {', '.join(given)})" if given else ""
        _fail(f"nothing to run{where}: give .xosc files or folders, or --suite NAME", 2)
    counts = Counter(files)
    for f, n in sorted((f, n) for f, n in counts.items() if n > 1)[:5]:
        # a file or folder given twice: each copy runs (its ids get -2, -3, ...)
        out.print(terminal_safe(f"note: {f} is given {n} times: each runs as a case of its "
                                f"own"), markup=False)
    cases = _guard(lambda: make_cases(files, seed or 0, distribution_seed=seed))
    seed = seed or 0
    n_workers = workers if workers > 0 else (os.cpu_count() or 1)
    if agent.startswith("zmq://") and n_workers > 1:
        out.print("note: one zmq:// stack serves one case at a time: running with 1 worker")
        n_workers = 1
    if v2x_endpoint:
        from runners.case import shared_publisher
        from v2x_bridge.transport import refuse_inproc
        _guard(lambda: refuse_inproc(v2x_endpoint, "cannot publish on"))
        publisher = _guard(lambda: shared_publisher(v2x_endpoint))  # bad or busy: exit 2
        out.print(f"V2X frames published on {publisher.endpoint}")  # the port a * chose
        if n_workers > 1:
            out.print("note: one process publishes on --v2x-endpoint: running with 1 worker")
            n_workers = 1
    options = RunOptions(agent=agent, agent_config=config, dt=dt,
                         max_sim_time=DEFAULT_MAX_TIME if max_time is None else max_time,
                         extend_to_stop_time=max_time is None, trace=trace,
                         step_timeout=step_timeout,
                         case_wall_timeout=case_timeout, backend=backend,
                         carla_servers=tuple(s for s in (carla_servers or "").split(",") if s),
                         connect_timeout=connect_timeout, v2x_endpoint=v2x_endpoint,
                         agent_memory_gib=agent_memory, utc_start=start_instant,
                         utc_start_each_case=realtime and (utc_start or "").strip().lower()
                         == "now",
                         realtime=realtime)
    stack_files = _check_agent(agent)
    if backend == "carla":      # a step CARLA's physics cannot take: refused before any case
        from runners.backends.carla_world import substeps_for
        _guard(lambda: substeps_for(dt, None))
    from runners.agents import check_agent_config
    _guard(lambda: check_agent_config(agent, config))   # a reference agent's own keys first
    problem = _config_problem(config, "")
    if problem:
        _fail(f"{agent_config}: agent config {problem}", 2)
    if out_dir is not None and not out_dir.strip():
        _fail("--out '': expected a folder", 2)
    if resume and out_dir is None:
        _fail("--resume: expected --out naming the folder of the run to resume", 2)
    run_dir = Path(out_dir) if out_dir else default_run_dir(Path("results"), agent)
    _guard(lambda: prepare_run_dir(run_dir, resume=resume))
    pool = None
    if backend == "carla":
        pool = _carla_pool(options, cases, run_dir, n_workers, ray_address, seed,
                           carla_launch, carla_gpus, resume)
    out.print(f"icv-testzone {__version__}: {len(cases)} case(s), agent {agent}, "
              f"{min(n_workers, len(cases))} worker(s) -> {run_dir}")
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err, transient=False) as progress:
        bar = progress.add_task("running", total=len(cases))

        def on_result(res: dict[str, Any]) -> None:
            progress.advance(bar)
            progress.console.print(terminal_safe(_result_line(res)), markup=False)

        def on_kept(kept: list[dict[str, Any]]) -> None:
            progress.advance(bar, len(kept))
            progress.console.print(f"resuming: {len(kept)} of {len(cases)} case(s) kept from "
                                   f"the earlier run, {len(cases) - len(kept)} to run",
                                   markup=False)

        try:
            report = _guard(lambda: run_suite(
                cases, options, run_dir, workers=n_workers, seed=seed, ray_address=ray_address,
                argv=sys.argv, on_result=on_result, pool=pool, suite=suite,
                extra_inputs=_run_inputs(agent, agent_config, suite, stack_files),
                resume=resume, on_kept=on_kept), status=3)
        except KeyboardInterrupt as exc:
            done = f" ({exc})" if str(exc) else ""
            how = "terminated" if isinstance(exc, Terminated) else "interrupted"
            err.print(terminal_safe(f"{how}{done}: report of the finished cases in "
                                    f"{run_dir / 'report.html'}"), markup=False)
            raise typer.Exit(143 if isinstance(exc, Terminated) else 130) from None
    for res in report.results:
        if res.get("verdict") == "error":
            err.print(terminal_safe(f"error: {res['case_id']}: {res.get('error', '')}"),
                      markup=False)
    _print_totals(report.results)
    out.print(f"report: {report.run_dir / 'report.html'}")
    raise typer.Exit(report.exit_status)


def _run_inputs(agent: str, agent_config: Optional[Path], suite: Optional[str],
                stack_files: Iterable[str] = ()) -> list[Path]:
    """Files of the run's options that the manifest hashes: the agent's ``file.py`` (an
    ``--agent file.py:Class``) and the source files of the stack's own modules its import
    loaded (``stack_files``, from :func:`runners.agents.check_agent_spec`: a
    ``module:Class``'s module, the modules beside a file), the ``--agent-config`` file, and the
    suite list with ``--suite``."""
    from runners.suite import SUITE_FILE, suite_path
    files = []
    path, _, cls = agent.rpartition(":")
    if path.endswith(".py") and cls and Path(path).is_file():
        files.append(Path(path).resolve())
    files += [Path(f) for f in stack_files if Path(f).is_file() and Path(f) not in files]
    if agent_config is not None:
        files.append(agent_config.resolve())
    if suite:
        own = suite_path(suite)
        files.append(own.resolve() if own is not None else SUITE_FILE)
    return files


def _check_agent(agent: str) -> list[str]:
    """Refuse an ``--agent`` that cannot load (exit 2), or a ``zmq://`` address where nothing
    answers (exit 3), before any case runs; return the stack's own source files."""
    from runners.agents import check_agent_spec
    files = _guard(lambda: check_agent_spec(agent))
    if agent.startswith("zmq://"):
        from runners.remote_agent import probe_tcp
        _guard(lambda: probe_tcp("tcp://" + agent[len("zmq://"):]), status=3)
    return files


def _carla_pool(options: Any, cases: list, run_dir: Path, workers: int,
                ray_address: Optional[str], seed: int, launch: Optional[str],
                gpus: Optional[str], resume: bool = False) -> Any:
    """The CARLA server pool (``runners.carla_pool``). When CARLA is unusable (no package, no
    server within the connect timeout) every case is recorded as an error (with ``resume``,
    every case the earlier run's results do not keep), the report is written, and the run
    stops with one line and exit status 3."""
    from runners.backends.carla_connection import CarlaUnavailableError
    from runners.carla_pool import UnavailablePool, make_carla_pool
    from runners.suite import run_suite
    try:
        gpu_ids = [int(g) for g in (gpus or "").split(",") if g.strip()]
    except ValueError:
        _fail(f"--carla-gpus {gpus!r}: expected integers like 0,1", 2)
    try:
        return make_carla_pool(options, workers, ray_address, launch=launch,
                               launch_count=workers, gpus=gpu_ids)
    except CarlaUnavailableError as exc:
        unavailable = UnavailablePool(exc)
        _guard(lambda: run_suite(cases, options, run_dir, workers=1, seed=seed, argv=sys.argv,
                                 pool=unavailable, resume=resume))
        _fail(f"{exc} ({len(cases)} case(s) recorded as errors in {run_dir})", 3)
    except TestzoneError as exc:
        _fail(str(exc), 3)


def _result_line(res: dict[str, Any]) -> str:
    verdict = res.get("verdict", "?").upper()
    score = res.get("score")
    extra = ""
    if res.get("verdict") == "fail":
        failed = [c for c in res.get("criteria", []) if c.get("status") == "fail"]
        extra = "  failed: " + ", ".join(
            f"{c['id']} (measured {c.get('measured')} {c.get('unit', '')}, expected "
            f"{c.get('rule')} {c.get('threshold')})" for c in failed)
    elif res.get("verdict") == "error":
        extra = "  " + str(res.get("error", ""))[:200]
    unjudged = [str(c.get("id")) for c in res.get("criteria", [])
                if isinstance(c, dict) and c.get("status") == "not_evaluated"]
    if unjudged:  # a statistic no metric computes (a typo?): never a pass, never a failure
        extra += f"  not evaluated: {', '.join(unjudged)}"
    unmet = [str(c.get("id")) for c in res.get("criteria", []) if isinstance(c, dict)
             and c.get("declared") and c.get("status") == "not_applicable"]
    if unmet:  # the case's own criterion had nothing to judge in this run
        extra += f"  not applicable: {', '.join(unmet)}"
    end = ((res.get("findings") or {}).get("run_end") or [{}])[0]
    end = end if isinstance(end, dict) else {}
    never = end.get("never_started")
    if isinstance(never, list) and never:  # a part of the test that did not happen
        extra += f"  never started: {', '.join(str(p).split('::')[-1] for p in never[:5])}"
        extra += " ..." if len(never) > 5 else ""
    if end.get("end_reason") == "timeout":
        # author pass 14: "reached_stop_trigger (measured 0.0 ...)" alone left the cause in
        # summary.json (the end message: "simulation time reached 300 s before the
        # StopTrigger"; run_duration_s is only the part judged)
        extra += f"  {str(end.get('message') or 'stopped by the time limit')[:120]}"
    ignored = end.get("ignored_commands")
    if isinstance(ignored, list) and ignored:  # a command no part of ours takes (a typo?)
        extra += f"  not carried out: CustomCommandAction {', '.join(map(str, ignored[:5]))}"
    score_txt = f" score {score:5.1f}" if isinstance(score, (int, float)) else ""
    return f"{verdict:5} {res['case_id']}{score_txt}{extra}"


def _print_totals(results: list[dict[str, Any]]) -> None:
    counts = {v: sum(1 for r in results if r.get("verdict") == v) for v in ("pass", "fail", "error")}
    out.print(f"{len(results)} case(s): {counts['pass']} passed, {counts['fail']} failed, "
              f"{counts['error']} error(s)")


@app.command()
def report(run_dir: Path = typer.Argument(..., help="a run folder")) -> None:
    """Rewrite a run folder's summary.json, junit.xml and report.html from its stored results.

    Read from summary.json, else cases/*/result.json; stored figures that still match their
    recording are kept, others redrawn from it. Results are read back, not recomputed: to
    re-score, re-run the manifest's command."""
    from evaluator import rebuild_report
    path = _guard(lambda: rebuild_report(run_dir))
    out.print(f"report: {path}")


@app.command()
def verify(run_dir: Path = typer.Argument(..., help="a run folder"),
           root: Path = typer.Option(Path("."), "--root",
                                     help="checkout to check (default: the current folder)"),
           ) -> None:
    """Check that this checkout holds the run's inputs, tool and libraries.

    Each input file of the run's manifest is hashed again (a file that lay in the run's
    working folder is looked for under --root), the tool's version and source digest, the
    Python version and the libraries' versions are compared with those recorded. One line
    per item that differs or is missing, then a count. Exit 0 when all are the same, 1 when
    any differs, 2 when the run folder cannot be read."""
    from runners.verify import verify_run
    checks = _guard(lambda: verify_run(run_dir, root))
    for c in checks:
        if c.status != "same":
            out.print(terminal_safe(f"{c.status:8} {c.what}: {c.detail}"), markup=False)
    bad = sum(c.status != "same" for c in checks)
    out.print(f"{len(checks) - bad} of {len(checks)} the same as recorded"
              + (f"; {bad} differ or are missing" if bad else ""))
    if bad:
        raise typer.Exit(1)


@app.command()
def compare(run_a: Path = typer.Argument(...), run_b: Path = typer.Argument(...),
            as_json: bool = typer.Option(False, "--json", help="machine-readable output"),
            html: Path | None = typer.Option(None, "--html", help="also write the comparison as this .html file"),
            fail_on_regression: bool = typer.Option(
                False, "--fail-on-regression",
                help="exit 1 when a verdict got worse (pass -> fail/error, fail -> error)"),
            ) -> None:
    """Show what changed between two runs of the same suite: flipped verdicts, score deltas.

    Exit 0, or 1 with --fail-on-regression when a verdict got worse; 2 for unreadable runs,
    and with --fail-on-regression for runs that share no case."""
    from evaluator.report.compare import compare_runs, format_compare, write_compare_html
    from runners.run_folder import is_run_folder
    if html is not None and (html.suffix.lower() not in (".html", ".htm") or html.is_dir()
                             or not html.parent.is_dir() or html.is_symlink()
                             or is_run_folder(html.parent)):
        err.print(terminal_safe(f"error: --html {html}: expected an .html file (not a link) "
                                f"in an existing folder that is not a run's folder"),
                  markup=False)  # never a run's summary.json or report.html, nor a link's target
        raise typer.Exit(2)
    diff = _guard(lambda: compare_runs(run_a, run_b))
    if html is not None:
        _guard(lambda: write_compare_html(html, diff))
    if as_json:
        typer.echo(json.dumps(diff, sort_keys=True, indent=2))
    else:
        typer.echo(terminal_safe(format_compare(diff)), nl=False)
    if fail_on_regression and diff["regressions"]:
        raise typer.Exit(1)
    if fail_on_regression and not diff["common"]:  # a CI gate must not pass on nothing
        err.print(terminal_safe(f"error: {run_a} and {run_b} share no case: nothing to "
                                f"compare (--fail-on-regression)"), markup=False)
        raise typer.Exit(2)


def _mount_optional(name: str, module: str, attr: str = "app") -> None:
    """Mount a package's own typer app (``testzone v2x ...``) when that package provides one."""
    try:
        mod = __import__(module, fromlist=[attr])
    except ImportError:
        return
    sub = getattr(mod, attr, None)
    if sub is not None:
        app.add_typer(sub, name=name)


_mount_optional("map", "maps.cli")
_mount_optional("v2x", "v2x_bridge.cli")
_mount_optional("scenario", "scenarios.cli")


def _one_line_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Print a warning (a map's suspicious lane link, ...) as its own text on one line of
    stderr, without Python's source location and code line (our warnings name their file,
    line and element themselves)."""
    text = " ".join(str(message).split())
    if not re.match(r"(?:\S+: )?warning: ", text):  # a check Issue's "file:line: warning:"
        text = f"warning: {text}"
    print(terminal_safe(text), file=file or sys.stderr)


def main() -> None:
    """Console-script entry point (``testzone``)."""
    import warnings
    warnings.showwarning = _one_line_warning
    app()


if __name__ == "__main__":
    main()
