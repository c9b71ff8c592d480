"""A pool of CARLA servers: one case at a time per server, health checks, retry, retirement.

Each server is a :class:`CarlaServer` (a Ray actor in :class:`RayServerRunner`, or a plain
object in this process in :class:`LocalServerRunner`) owning a :class:`CarlaEndpoint`: host,
RPC port, streaming port (RPC + 1, CARLA's default) and a Traffic Manager port. Servers are
either given (``--carla-servers host:port,...``) or launched by their actor from a command
template (:data:`DEFAULT_LAUNCH`), one GPU per actor (``-graphicsadapter``).

:func:`run_on_servers` is the scheduling policy, written against a small runner interface so
that it is tested with fakes:

* a server is health-checked (``client.get_server_version()`` within the connect timeout)
  before each case it is given;
* a case that ends in error on a server that then fails its health check (or whose actor
  died) lost its server: it is retried **once**, preferably on another server;
* a server that fails ``max_failures`` times in a row is retired (launched servers are
  restarted in between); when every server is retired the remaining cases end as errors;
* a case still running ``case_timeout`` seconds after it started is abandoned: its actor is
  killed (and restarted), the case ends as an error. Ticks have their own timeout inside
  the backend (``CarlaSettings.tick_timeout``).
"""

from __future__ import annotations

import collections
import dataclasses
import json
import shlex
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Protocol, Sequence

from runners.backends.carla_connection import (DEFAULT_RPC_PORT, DEFAULT_TM_PORT,
                                               CarlaEndpoint, CarlaUnavailableError,
                                               import_carla, parse_server, server_version)
from runners.interfaces import RunnerError, Task, WorkerPool

DEFAULT_LAUNCH = ("CarlaUE4.sh -RenderOffScreen -nosound -carla-rpc-port={rpc} "
                  "-carla-streaming-port={streaming} -carla-primary-port={primary} "
                  "-graphicsadapter={gpu}")
"""Command template a server actor launches; ``{rpc}``, ``{streaming}``, ``{primary}`` (RPC +
2: the port CARLA's multi-GPU doc says a primary server listens on for secondary servers,
2002 unless ``-carla-primary-port`` is given, which would clash between servers on one
machine), ``{gpu}`` and ``{tm}`` are filled from its endpoint."""

PORT_STRIDE = 3
"""Ports a launched server occupies from its RPC port: RPC, streaming (RPC + 1) and the
secondary-server port CARLA >= 0.9.12 opens (RPC + 2)."""


def allocate_endpoints(servers: Sequence[tuple[str, int]] = (), *, launch: int = 0,
                       host: str = "127.0.0.1", base_rpc: int = DEFAULT_RPC_PORT,
                       base_tm: int = DEFAULT_TM_PORT,
                       gpus: Sequence[int] = ()) -> list[CarlaEndpoint]:
    """Give every server its ports, with no collisions.

    Args:
        servers: given servers ``(host, rpc_port)``; their streaming port is rpc + 1.
        launch: number of servers to launch on ``host`` (RPC ports ``base_rpc``,
            ``base_rpc + PORT_STRIDE``, ...), after the given ones.
        base_tm: first Traffic Manager port tried.
        gpus: graphics adapters handed round-robin to launched servers (None when empty).

    Returns:
        One :class:`CarlaEndpoint` per server. Traffic Manager ports are distinct from each
        other and from every RPC, streaming and secondary port of the pool (a TM binds its
        port on the client's machine, so a clash with a server on any host is avoided).

    Raises:
        RunnerError: a server is listed twice, or two servers' port ranges overlap on a host.
    """
    pairs = list(servers)
    taken = {(h, p + k) for h, p in pairs for k in range(PORT_STRIDE)}
    rpc = base_rpc
    for _ in range(launch):
        while any((host, rpc + k) in taken for k in range(PORT_STRIDE)):
            rpc += PORT_STRIDE
        pairs.append((host, rpc))
        taken |= {(host, rpc + k) for k in range(PORT_STRIDE)}
    seen: dict[tuple[str, int], int] = {}
    for h, p in pairs:
        for k in range(2):
            if (h, p + k) in seen:
                raise RunnerError(f"CARLA servers {h}:{p} and {h}:{seen[(h, p + k)]} overlap "
                                  f"(each uses its port and port + 1)",
                                  element="--carla-servers")
            seen[(h, p + k)] = p
    used = {p + k for _, p in pairs for k in range(PORT_STRIDE)}
    out, tm = [], base_tm
    for i, (h, p) in enumerate(pairs):
        while tm in used:
            tm += 1
        used.add(tm)
        gpu = gpus[(i - len(servers)) % len(gpus)] if gpus and i >= len(servers) else None
        out.append(CarlaEndpoint(h, p, p + 1, tm, gpu))
    return out


def launch_command(template: str, ep: CarlaEndpoint) -> list[str]:
    """The argv that starts the server of ``ep`` (``template`` as :data:`DEFAULT_LAUNCH`;
    ``-graphicsadapter={gpu}`` is dropped when the endpoint has no GPU)."""
    words = []
    for w in shlex.split(template):
        if "{gpu}" in w and ep.gpu is None:
            continue
        words.append(w.format(rpc=ep.rpc_port, streaming=ep.streaming_port, tm=ep.tm_port,
                              gpu=ep.gpu, primary=ep.rpc_port + 2))
    return words


def bind_endpoint(args: tuple[Any, ...], ep: CarlaEndpoint) -> tuple[Any, ...]:
    """``args`` with every RunOptions-like dataclass pointed at ``ep`` (``carla_servers``
    and ``carla_tm_port`` replaced)."""
    return tuple(dataclasses.replace(a, carla_servers=(ep.address,), carla_tm_port=ep.tm_port)
                 if dataclasses.is_dataclass(a) and hasattr(a, "carla_servers") else a
                 for a in args)


class CarlaServer:
    """One CARLA server seen from its owner (a Ray actor, or this process).

    Args:
        endpoint: its ports. launch: a command template to start it (None: it is given).
        connect_timeout: [s] of the health check. startup_timeout: [s] a launched server
        has to answer.

    Raises:
        CarlaUnavailableError: from :meth:`start` when a launched server never answers.
    """

    def __init__(self, endpoint: CarlaEndpoint, launch: str | None = None,
                 connect_timeout: float = 5.0, startup_timeout: float = 90.0) -> None:
        self.endpoint, self.launch = endpoint, launch
        self.connect_timeout, self.startup_timeout = connect_timeout, startup_timeout
        self._proc: subprocess.Popen | None = None
        self._launch_error: CarlaUnavailableError | None = None

    def start(self) -> str:
        """Launch the server when configured, wait until it answers; return its address.
        A launch failure is kept: :meth:`health` raises it from then on (an actor's
        ``start`` is fired and forgotten, its health check is what the pool waits on)."""
        try:
            return self._start()
        except CarlaUnavailableError as exc:
            self._launch_error = exc
            raise

    def _start(self) -> str:
        if self.launch and self._proc is None:
            self._proc = subprocess.Popen(launch_command(self.launch, self.endpoint),
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                          start_new_session=True)
            deadline = time.monotonic() + self.startup_timeout
            while self.health() is None:
                status = self._proc.poll()
                if status is not None:
                    self._proc = None
                    raise CarlaUnavailableError(
                        f"CARLA server launched as {self.launch!r} exited with status "
                        f"{status} before answering at {self.endpoint.address} (is the "
                        f"command right?)", element="carla")
                if time.monotonic() > deadline:
                    self.stop()
                    raise CarlaUnavailableError(
                        f"CARLA server launched as {self.launch!r} did not answer at "
                        f"{self.endpoint.address} within {self.startup_timeout:g} s",
                        element="carla")
        return self.endpoint.address

    def health(self) -> str | None:
        """The server's version, or None when it does not answer in the connect timeout.

        Raises:
            CarlaUnavailableError: the launch failed (:meth:`start`).
        """
        if self._launch_error is not None:
            raise self._launch_error
        ep = self.endpoint
        return server_version(import_carla(), ep.host, ep.rpc_port, self.connect_timeout)

    def run(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> Any:
        """Run one case: ``fn(*args)`` with its options bound to this server."""
        return fn(*bind_endpoint(args, self.endpoint))

    def stop(self) -> None:
        """Terminate a launched server (idempotent)."""
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
            self._proc = None


class ServerRunner(Protocol):
    """What :func:`run_on_servers` needs from an execution substrate (Ray or local)."""

    endpoints: list[CarlaEndpoint]

    def submit(self, slot: int, task: Task) -> Any:
        """Start ``task`` on server ``slot``; return a handle."""

    def wait(self, handles: list[Any], timeout: float) -> list[Any]:
        """The handles that finished (at least one, or none after ``timeout`` [s])."""

    def result(self, handle: Any) -> Any:
        """The task's return value; raises when its worker died."""

    def healthy(self, slot: int) -> bool:
        """True when server ``slot`` answers its health check."""

    def restart(self, slot: int) -> None:
        """Replace server ``slot``'s owner (kills a hung case; relaunches a launched server)."""


def _lost_result(task: Task, message: str) -> dict[str, Any]:
    """The error result of a case the pool gave up on; written to its ``result.json`` when
    the task is shaped ``(case, options, case_dir)``."""
    args = task.args
    if len(args) == 3 and hasattr(args[0], "case_id") and isinstance(args[2], (str, Path)):
        return unavailable_result(args[0], Path(args[2]), RunnerError(message))
    return {"case_id": task.key, "verdict": "error", "error_kind": "run", "score": 0.0,
            "error": message}


def run_on_servers(tasks: Iterable[Task], runner: ServerRunner, *, case_timeout: float,
                   max_failures: int = 2,
                   clock: Callable[[], float] = time.monotonic) -> Iterator[tuple[str, Any]]:
    """Run every task on the runner's servers, one task per server at a time, with the
    health-check / retry-once / retire / timeout policy of the module docstring.

    Yields ``(key, result)`` in order of completion; a result is the task's value (a dict
    result gets ``carla_server`` and ``attempts``), the exception of a task whose worker died
    twice, or an error dict when the case could not be run (timeout, no server left).
    """
    return _Schedule(runner, case_timeout, max_failures, clock).run(tasks)


class _Schedule:
    """The state of one :func:`run_on_servers` call."""

    def __init__(self, runner: ServerRunner, case_timeout: float, max_failures: int,
                 clock: Callable[[], float]) -> None:
        self.runner, self.case_timeout = runner, case_timeout
        self.max_failures, self.clock = max_failures, clock
        self.queue: collections.deque[tuple[Task, int]] = collections.deque()
        self.idle = collections.deque(range(len(runner.endpoints)))
        self.failures = dict.fromkeys(self.idle, 0)
        self.running: dict[Any, tuple[int, Task, int, float]] = {}

    def fail(self, slot: int) -> None:
        """Count a failure; restart the server and queue it last, or retire it."""
        self.failures[slot] += 1
        if self.failures[slot] < self.max_failures:
            self.runner.restart(slot)
            self.idle.append(slot)  # at the back: other servers get the next case first

    def fill(self) -> None:
        """Give queued cases to idle servers that pass their health check."""
        while self.queue and self.idle:
            slot = self.idle.popleft()
            if not self.runner.healthy(slot):
                self.fail(slot)
                continue
            task, attempt = self.queue.popleft()
            handle = self.runner.submit(slot, task)
            self.running[handle] = (slot, task, attempt, self.clock() + self.case_timeout)

    def run(self, tasks: Iterable[Task]) -> Iterator[tuple[str, Any]]:
        self.queue.extend((t, 1) for t in tasks)
        while self.queue or self.running:
            self.fill()
            if not self.running:
                addrs = ", ".join(ep.address for ep in self.runner.endpoints)
                problem = getattr(self.runner, "problem", lambda slot: None)
                causes = list(dict.fromkeys(filter(None, (
                    problem(slot) for slot in range(len(self.runner.endpoints))))))
                why = f"; the last failure: {causes[-1]}" if causes else ""
                for task, _ in self.queue:
                    yield task.key, _lost_result(task, f"no CARLA server left: every server "
                                                       f"({addrs}) failed its health check "
                                                       f"{self.max_failures} times{why}")
                return
            soonest = min(d for *_, d in self.running.values())
            done = self.runner.wait(list(self.running), max(0.0, soonest - self.clock()))
            if not done:
                yield from self.expire()
            for h in done:
                yield from self.finish(h)

    def expire(self) -> Iterator[tuple[str, Any]]:
        """Abandon the cases past their deadline; their servers count a failure."""
        for h in [h for h, v in self.running.items() if v[3] <= self.clock()]:
            slot, task, attempt, _ = self.running.pop(h)
            self.fail(slot)
            ep = self.runner.endpoints[slot]
            res = _lost_result(task, f"case exceeded its wall-clock deadline of "
                                     f"{self.case_timeout:g} s on CARLA {ep.address}")
            yield task.key, {**res, "carla_server": ep.address, "attempts": attempt}

    def finish(self, h: Any) -> Iterator[tuple[str, Any]]:
        """Collect one finished case: retry it once when it lost its server."""
        slot, task, attempt, _ = self.running.pop(h)
        try:
            res, died = self.runner.result(h), False
        except Exception as exc:  # noqa: BLE001 - the actor died: the server is suspect
            res, died = exc, True
        errored = died or (isinstance(res, dict) and res.get("verdict") == "error")
        if errored and (died or not self.runner.healthy(slot)):
            self.fail(slot)
            if attempt == 1:
                self.queue.appendleft((task, 2))
                return
        else:
            self.failures[slot] = 0
            self.idle.append(slot)
        if isinstance(res, dict):
            ep = self.runner.endpoints[slot]
            res = {**res, "carla_server": ep.address, "attempts": attempt}
        yield task.key, res


@dataclasses.dataclass(eq=False)
class _Outcome:
    value: Any
    error: BaseException | None


class LocalServerRunner:
    """Runs each case in this process, synchronously (a single server without Ray, and
    tests). ``health(endpoint) -> bool`` is the health check."""

    def __init__(self, endpoints: list[CarlaEndpoint],
                 health: Callable[[CarlaEndpoint], bool]) -> None:
        self.endpoints, self._health = endpoints, health

    def submit(self, slot: int, task: Task) -> Any:
        """Run the task now; the handle holds its outcome."""
        try:
            return _Outcome(task.fn(*bind_endpoint(task.args, self.endpoints[slot])), None)
        except Exception as exc:  # noqa: BLE001 - re-raised by result()
            return _Outcome(None, exc)

    def wait(self, handles: list[Any], timeout: float) -> list[Any]:
        """Every handle is already done."""
        return handles[:1]

    def result(self, handle: Any) -> Any:
        """The value, or raise the task's exception."""
        if handle.error is not None:
            raise handle.error
        return handle.value

    def healthy(self, slot: int) -> bool:
        """The injected health check."""
        return self._health(self.endpoints[slot])

    def restart(self, slot: int) -> None:
        """Nothing to restart for a given server."""


class RayServerRunner:
    """One Ray actor per server (:class:`CarlaServer`), ``num_cpus=1`` each, plus the custom
    resource ``{"carla": 1}`` when ``resources`` is True (a cluster whose GPU nodes declare
    ``--resources '{"carla": N}'``). The GPU of a launched server is chosen by its
    ``-graphicsadapter`` argument (:func:`allocate_endpoints`), not by a Ray GPU request.
    """

    def __init__(self, endpoints: list[CarlaEndpoint], *, launch: str | None = None,
                 connect_timeout: float = 5.0, resources: bool = False) -> None:
        import ray
        self._ray, self.endpoints, self._launch = ray, endpoints, launch
        self._timeout = connect_timeout
        opts: dict[str, Any] = {"num_cpus": 1, "max_restarts": 0}
        if resources:
            opts["resources"] = {"carla": 1}
        self._cls = ray.remote(**opts)(CarlaServer)
        self._actors = [self._new(ep) for ep in endpoints]
        self._problems: dict[int, str | None] = {}

    def _new(self, ep: CarlaEndpoint) -> Any:
        actor = self._cls.remote(ep, self._launch, self._timeout)
        actor.start.remote()
        return actor

    def submit(self, slot: int, task: Task) -> Any:
        """Run the task in the server's actor."""
        return self._actors[slot].run.remote(task.fn, task.args)

    def wait(self, handles: list[Any], timeout: float) -> list[Any]:
        """``ray.wait`` for the first finished handle."""
        done, _ = self._ray.wait(handles, num_returns=1, timeout=timeout)
        return done

    def result(self, handle: Any) -> Any:
        """``ray.get``; raises ``RayActorError`` when the actor died."""
        return self._ray.get(handle)

    def healthy(self, slot: int) -> bool:
        """The actor answers and its server reports a version (launch waits included); the
        reason of a failure is kept for :meth:`problem`."""
        actor = self._actors[slot]
        wait = self._timeout + (120.0 if self._launch else 10.0)
        try:
            ok = self._ray.get(actor.health.remote(), timeout=wait) is not None
            self._problems[slot] = None if ok else "it did not answer"
            return ok
        except Exception as exc:  # noqa: BLE001 - dead actor, timeout, launch failure
            cause = getattr(exc, "cause", None) or exc  # a RayTaskError carries the actor's
            self._problems[slot] = " ".join(str(cause).split())[-300:] or type(cause).__name__
            return False

    def problem(self, slot: int) -> str | None:
        """Why server ``slot`` last failed its health check (None: it passed, or unknown)."""
        return self._problems.get(slot)

    def restart(self, slot: int) -> None:
        """Kill the actor (and its case); a new one relaunches the server when launched."""
        self._ray.kill(self._actors[slot], no_restart=True)
        self._actors[slot] = self._new(self.endpoints[slot])

    def close(self) -> None:
        """Stop launched servers and kill the actors."""
        for actor in self._actors:
            try:
                self._ray.get(actor.stop.remote(), timeout=15)
            except Exception:  # noqa: BLE001 - best effort at shutdown
                pass
            self._ray.kill(actor, no_restart=True)


def probe_servers(carla: Any, endpoints: list[CarlaEndpoint],
                  timeout: float) -> dict[str, str | None]:
    """Health-check every server in parallel; ``address -> version or None``, within about
    ``timeout`` [s] in all."""
    with ThreadPoolExecutor(max_workers=max(1, min(16, len(endpoints)))) as ex:
        versions = ex.map(lambda ep: server_version(carla, ep.host, ep.rpc_port, timeout),
                          endpoints)
        return {ep.address: v for ep, v in zip(endpoints, versions)}


def preflight(options: Any) -> list[CarlaEndpoint]:
    """Check the CARLA backend can run before any case starts: the ``carla`` package imports
    and at least one of ``options.carla_servers`` (default ``127.0.0.1:2000``) answers within
    ``options.connect_timeout``.

    Returns:
        The endpoints of the servers that answered (ports allocated over all given servers).

    Raises:
        CarlaUnavailableError: one line: no package (how to install it), or no server (which
        host:port, what to check).
    """
    carla = import_carla()
    given = [parse_server(s) for s in (options.carla_servers or ("127.0.0.1:2000",))]
    endpoints = allocate_endpoints(given, base_tm=options.carla_tm_port)
    versions = probe_servers(carla, endpoints, options.connect_timeout)
    alive = [ep for ep in endpoints if versions[ep.address] is not None]
    if not alive:
        addrs = ", ".join(ep.address for ep in endpoints)
        first = endpoints[0]
        raise CarlaUnavailableError(
            f"no CARLA server answers at {addrs} within {options.connect_timeout:g} s; check "
            f"that CarlaUE4.sh runs there (e.g. CarlaUE4.sh -RenderOffScreen "
            f"-carla-rpc-port={first.rpc_port}), that ports {first.rpc_port}-"
            f"{first.streaming_port} are reachable, or pass --carla-servers HOST:PORT",
            element="--carla-servers")
    return alive


class CarlaServerPool(WorkerPool):
    """:class:`runners.interfaces.WorkerPool` over CARLA servers (:func:`run_on_servers`).

    Tasks are ``run_case_task(case, options, case_dir)``-shaped: their RunOptions argument is
    re-pointed at the server that runs them (:func:`bind_endpoint`).

    Args:
        runner: a :class:`RayServerRunner` or :class:`LocalServerRunner`.
        case_timeout: [s] wall-clock deadline of one case (the pool's watchdog).
        max_failures: consecutive failures that retire a server.
        on_close: called by :meth:`close` (e.g. Ray shutdown).
    """

    def __init__(self, runner: Any, case_timeout: float, max_failures: int = 2,
                 on_close: Callable[[], None] | None = None) -> None:
        self.runner, self.case_timeout, self.max_failures = runner, case_timeout, max_failures
        self._on_close = on_close

    def map_unordered(self, tasks: Iterable[Task]) -> Iterator[tuple[str, Any]]:
        """Run every task on the servers; see :func:`run_on_servers`."""
        return run_on_servers(tasks, self.runner, case_timeout=self.case_timeout,
                              max_failures=self.max_failures)

    def close(self) -> None:
        """Stop the servers' owners, then the on-close hook (idempotent)."""
        close = getattr(self.runner, "close", None)
        if close is not None:
            close()
        if self._on_close is not None:
            self._on_close()
            self._on_close = None


def make_carla_pool(options: Any, workers: int, ray_address: str | None = None, *,
                    launch: str | None = None, launch_count: int = 0,
                    gpus: Sequence[int] = ()) -> CarlaServerPool:
    """The pool a ``--backend carla`` run uses.

    Given servers are preflighted (:func:`preflight`) first. One server and no Ray cluster:
    cases run in this process (:class:`LocalServerRunner`). Otherwise one Ray actor per
    server; with ``launch`` the actors start ``launch_count`` servers themselves (GPUs
    round-robin from ``gpus``) and need the ``carla`` custom resource.

    Raises:
        CarlaUnavailableError: no ``carla`` package, no given server answers, or the
            ``launch`` program is not an executable command on this machine.
        RunnerError: the Ray cluster cannot be reached.
    """
    slack = 30.0  # the case's own deadline fires first; this catches a hung tick or agent
    timeout = options.case_wall_timeout + slack
    if launch:
        eps = allocate_endpoints(launch=max(1, launch_count), base_tm=options.carla_tm_port,
                                 gpus=gpus)
        program = launch_command(launch, eps[0])[0]
        if ray_address is None and shutil.which(program) is None:  # (remote: the node's PATH)
            raise CarlaUnavailableError(f"--carla-launch: {program!r} is not an executable "
                                        f"command here (give the path of CarlaUE4.sh)",
                                        element="carla")
        import_carla()
    else:
        eps = preflight(options)
    if len(eps) == 1 and ray_address is None and not launch:
        carla = import_carla()

        def health(ep: CarlaEndpoint) -> bool:
            return server_version(carla, ep.host, ep.rpc_port, options.connect_timeout) \
                is not None
        return CarlaServerPool(LocalServerRunner(eps, health), timeout)
    from runners.pool import RayPool
    ray_pool = RayPool(max(workers, len(eps)), ray_address, options.connect_timeout)
    runner = RayServerRunner(eps, launch=launch, connect_timeout=options.connect_timeout,
                             resources=bool(launch and ray_address))
    return CarlaServerPool(runner, timeout, on_close=ray_pool.close)


class UnavailablePool(WorkerPool):
    """A pool that runs nothing: every case is recorded as an error carrying ``error``
    (``result.json`` written in its case folder), so a run with no CARLA loses no case."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def map_unordered(self, tasks: Iterable[Task]) -> Iterator[tuple[str, Any]]:
        """One error result per task (tasks shaped ``(case, options, case_dir)``)."""
        for task in tasks:
            case, _, case_dir = task.args
            yield task.key, unavailable_result(case, Path(case_dir), self.error)


def unavailable_result(case: Any, case_dir: Path, error: BaseException) -> dict[str, Any]:
    """The error result of a case that could not start for want of CARLA; written to
    ``case_dir/result.json``."""
    res = {"case_id": case.case_id, "scenario_file": case.scenario_file,
           "parameters": case.parameters, "seed": case.seed, "family": case.family,
           "verdict": "error", "error_kind": "run", "score": 0.0,
           "error": " ".join(str(error).split())}
    case_dir.mkdir(parents=True, exist_ok=True)
    (case_dir / "result.json").write_text(json.dumps(res, indent=2, sort_keys=True))
    return res
