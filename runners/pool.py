"""Worker pools: sequential (in-process) and Ray (one task per case).

Both implement :class:`runners.interfaces.WorkerPool` (after nuPlan's worker_pool with its
sequential and Ray siblings): ``map_unordered`` yields ``(key, result)`` as each task
finishes; a task that raises, or whose Ray worker dies, yields the exception as its result so
the run goes on.

Ray facts this module works around (measured here): ``ray.init(num_cpus=2)`` takes 2-4 s;
an unreachable ``address`` makes ``ray.init`` retry for minutes, and so does an address where
some other TCP service listens. So the address is probed first (``connect_timeout`` seconds):
a TCP connect, then the HTTP/2 connection preface that every gRPC server (Ray's GCS and Ray
Client both are) answers with a SETTINGS frame (RFC 9113, section 3.4).
"""

from __future__ import annotations

import logging
import os
import socket
import time
from typing import Any, Iterable, Iterator

from runners.interfaces import RunnerError, Task, WorkerPool


class SequentialPool(WorkerPool):
    """Runs tasks one after the other in this process (``--workers 1``, and tests)."""

    def map_unordered(self, tasks: Iterable[Task]) -> Iterator[tuple[str, Any]]:
        """Run each task in order; exceptions are yielded as results."""
        for task in tasks:
            try:
                yield task.key, task.fn(*task.args)
            except Exception as exc:  # noqa: BLE001 - reported as the task's result
                yield task.key, exc


#: The client connection preface of HTTP/2 (RFC 9113, 3.4) followed by an empty SETTINGS frame.
HTTP2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes([0, 0, 0, 4, 0, 0, 0, 0, 0])
#: Frame type of SETTINGS (RFC 9113, 6.5): a gRPC server's first frame.
HTTP2_SETTINGS = 0x4
#: Ray's switch for token authentication; ray.init never turns it on for an explicit address
#: (Ray docs, "Ray token authentication"), so joining a cluster that has it needs it set.
AUTH_MODE_ENV = "RAY_AUTH_MODE"


def probe_address(address: str, timeout: float) -> None:
    """Check that ``host:port`` of a Ray cluster accepts TCP connections and speaks gRPC (it
    answers the HTTP/2 preface with a SETTINGS frame) within ``timeout`` [s]. With
    ``RAY_USE_TLS=1`` only the TCP connect is checked (the preface would need TLS first).

    Raises:
        RunnerError: the address is malformed, nothing answers there, or what answers is not
            a gRPC server (another service on that port).
    """
    if address == "auto":
        return
    hostport = address.split("://", 1)[-1]
    host, _, port = hostport.rpartition(":")
    if not host or not port.isdigit():
        raise RunnerError(f"Ray address {address!r}: expected HOST:PORT (e.g. 10.0.0.5:6379)",
                          element="--ray-address")
    deadline = time.monotonic() + timeout
    try:
        with socket.create_connection((host, int(port)), timeout=timeout) as sock:
            if os.environ.get("RAY_USE_TLS", "0") in ("1", "true", "True"):
                return
            sock.sendall(HTTP2_PREFACE)
            header = b""
            while len(header) < 9:
                sock.settimeout(max(deadline - time.monotonic(), 0.01))
                chunk = sock.recv(9 - len(header))
                if not chunk:
                    break
                header += chunk
    except socket.timeout:
        header = b""
    except OSError as exc:
        raise RunnerError(f"no Ray cluster answers at {host}:{port} within {timeout:g} s "
                          f"({exc.strerror or exc}); check the head node is up and the port "
                          f"open", element="--ray-address") from None
    if len(header) < 9 or header[3] != HTTP2_SETTINGS:
        raise RunnerError(f"the service at {host}:{port} is not a Ray cluster (it does not "
                          f"answer gRPC within {timeout:g} s); give the head node's GCS port "
                          f"(`ray start --head` prints it, default 6379)",
                          element="--ray-address")


class RayPool(WorkerPool):
    """Runs each task as a Ray task (``num_cpus`` from the Task) on a local or remote cluster.

    Args:
        workers: CPUs of the local cluster started when ``address`` is None.
        address: ``HOST:PORT`` of an existing cluster, or None for a local one.
        connect_timeout: seconds to wait for ``address`` to answer.

    A local cluster is always a new one: an exported ``RAY_ADDRESS``, or a cluster that
    ``ray start`` left running on this machine (either would make ``ray.init`` connect
    instead, and refuse ``num_cpus``), is ignored for it.

    Raises:
        RunnerError: the cluster cannot be reached, or Ray refuses to start or connect (the
            message names the address and Ray's reason).
    """

    def __init__(self, workers: int, address: str | None = None,
                 connect_timeout: float = 5.0) -> None:
        import ray
        self._ray = ray
        if address:
            probe_address(address, connect_timeout)
        os.environ.setdefault("RAY_DEDUP_LOGS", "0")
        # Ray's notice that token authentication is on (it stays on) is not the user's business
        logging.getLogger("ray._private.authentication.authentication_token_setup").setLevel(
            logging.ERROR)
        kwargs: dict[str, Any] = dict(include_dashboard=False, log_to_driver=False,
                                      ignore_reinit_error=True, configure_logging=False)
        try:
            if address:
                ray.init(address=address, **kwargs)
            else:
                os.environ.pop("RAY_ADDRESS", None)
                # "local": a new cluster even when `ray start` left one running on this
                # machine (without it ray.init joins that one and refuses num_cpus)
                ray.init(address="local", num_cpus=workers, **kwargs)
        except (ConnectionError, RuntimeError, ValueError, TimeoutError) as exc:
            where = f"the Ray cluster at {address}" if address else "a local Ray cluster"
            hint = ""
            if address and AUTH_MODE_ENV not in os.environ:
                hint = (f"; a cluster with Ray's token authentication (on by default for "
                        f"`ray start` when ~/.ray/auth_token exists) needs {AUTH_MODE_ENV}=token "
                        f"here and the same token in ~/.ray/auth_token or RAY_AUTH_TOKEN")
            raise RunnerError(f"cannot start or reach {where}: {' '.join(str(exc).split())}"
                              f"{hint}", element="--ray-address") from None
        self._started = True

    def map_unordered(self, tasks: Iterable[Task]) -> Iterator[tuple[str, Any]]:
        """Submit every task, then yield results as they complete."""
        ray = self._ray
        pending: dict[Any, str] = {}
        remotes: dict[tuple[Any, float], Any] = {}  # one remote function per (fn, CPUs):
        for task in tasks:                           # Ray exports each remote function once
            key = (task.fn, task.num_cpus)
            if key not in remotes:
                remotes[key] = ray.remote(num_cpus=task.num_cpus, max_retries=0)(task.fn)
            pending[remotes[key].remote(*task.args)] = task.key
        while pending:
            done, _ = ray.wait(list(pending), num_returns=1)
            ref = done[0]
            key = pending.pop(ref)
            try:
                yield key, ray.get(ref)
            except Exception as exc:  # noqa: BLE001 - RayTaskError, WorkerCrashedError, ...
                yield key, exc

    def close(self) -> None:
        """Shut Ray down (idempotent)."""
        if self._started:
            self._ray.shutdown()
            self._started = False


def make_pool(workers: int, n_tasks: int, address: str | None = None) -> WorkerPool:
    """Sequential pool for one worker or one task on a local machine, else a Ray pool."""
    if address is None and (workers <= 1 or n_tasks <= 1):
        return SequentialPool()
    return RayPool(workers, address)
