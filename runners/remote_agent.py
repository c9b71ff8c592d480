"""The runner's side of the agent protocol: a stack in another process, kept on a deadline.

:class:`RemoteAgent` is an :class:`runners.interfaces.Agent` whose every call is a ZeroMQ
request with a wall-clock deadline. A stack that misses a deadline, exits, answers with an
error or sends an invalid control raises :class:`AgentError` naming the cause, so the case is
recorded as an error and the run goes on. Python agents given as ``module:Class`` or
``file.py:Class`` are started with :func:`spawn_python_agent` in a child process
(``python -m runners.agent_host``) behind the same protocol: a stack never runs inside the
runner's process.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import zmq

from runners.agent_protocol import (MAX_MESSAGE_BYTES, PROTOCOL_VERSION, control_from_dict,
                                    geo_to_dict, observation_to_dict, pack, unpack,
                                    vehicle_to_dict)
from runners.interfaces import Agent, AgentError, Control, Observation, VehicleSpec


#: Deadline of the TCP probe of a ``tcp://`` endpoint before the handshake [s].
PROBE_TIMEOUT_S = 2.0


def probe_tcp(endpoint: str, timeout: float = PROBE_TIMEOUT_S) -> None:
    """Check that something accepts TCP connections at a ``tcp://HOST:PORT`` endpoint (other
    endpoints are left alone). ZeroMQ retries a refused connect silently, so without this a
    stack that is not running shows only as a missed handshake deadline.

    Raises:
        AgentError: the connection is refused, times out after ``timeout`` [s] or the host
            does not resolve (the message names the endpoint).
    """
    if not endpoint.startswith("tcp://"):
        return
    host, _, port = endpoint[len("tcp://"):].rpartition(":")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
            pass
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise AgentError(f"nothing answered at {endpoint} ({reason}): is the stack "
                         f"listening there?", element="--agent") from None


RUN_TOKEN = secrets.token_hex(8)
"""This process's run (``hello``'s ``run``: the same in every case of one ``testzone run``;
a stack serving one run refuses another's, docs/agent-protocol.md "Sessions")."""


class AgentTimeout(AgentError):
    """The stack did not answer a request within its deadline."""


SILENT_HANDSHAKE_S = 3.0
"""Handshake deadline [s] for a ``zmq://`` stack that missed the previous case's handshake
in this process (listening but not answering): the rest of a run does not wait the whole
setup deadline once per case (automaker pass 14: 30 s a case); a stack that answers again is
given the whole deadline from then on."""

_SILENT_STACKS: set[str] = set()
"""Endpoints of ``zmq://`` stacks whose last handshake in this process missed its deadline."""

BUSY_WAIT_S = 8.0
"""How long [s] the handshake goes on asking a stack that answers ``busy`` (serving another
run) before the case is an error: longer than the hold after a run's last request that the
protocol docs suggest (5 s), so a run started right after another on the same stack gets it
(automaker pass 16: back-to-back runs lost their first cases); once a run has waited that
long in vain, its later cases are refused at once (:data:`_BUSY_STACKS`)."""
BUSY_RETRY_S = 0.5
"""Pause [s] between handshakes refused as ``busy``."""

_BUSY_STACKS: set[str] = set()
"""Endpoints of ``zmq://`` stacks that stayed busy for :data:`BUSY_WAIT_S` in this process."""


class AgentBusy(AgentError):
    """The stack answered the handshake with a ``busy`` error: it serves another run."""


class RemoteAgent(Agent):
    """An agent reached over ZeroMQ REQ at ``endpoint`` (``tcp://HOST:PORT`` or ``ipc://``).

    Args:
        endpoint: where the stack's REP socket listens.
        step_timeout: wall-clock deadline of one step [s].
        setup_timeout: deadline of the handshake and setup [s] (stacks may load models).
        process: the child process when the runner started the stack (watched for exits).
        workdir: a temporary folder to remove at close (ipc socket of a spawned stack).
    """

    def __init__(self, endpoint: str, step_timeout: float = 1.0, setup_timeout: float = 30.0,
                 process: subprocess.Popen | None = None,
                 workdir: tempfile.TemporaryDirectory | None = None) -> None:
        self.endpoint, self.step_timeout, self.setup_timeout = endpoint, step_timeout, setup_timeout
        self.process, self._workdir = process, workdir
        self.memory_limit_bytes: int | None = None  # set for a stack we started with a cap
        self._ctx = zmq.Context()
        self._sock = self._ctx.socket(zmq.REQ)
        self._sock.setsockopt(zmq.LINGER, 0)
        self._sock.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE_BYTES)
        # each request carries an id its reply must echo (a REP socket does): a second reply
        # to an earlier request is discarded, not taken as the answer to the next step
        # (hostile pass 8: a stack answering twice made the same case score differently)
        self._sock.setsockopt(zmq.REQ_CORRELATE, 1)
        # and a request may follow one that got no reply in time: `close` still goes out
        # after a missed deadline (the late reply is then discarded by its id)
        self._sock.setsockopt(zmq.REQ_RELAXED, 1)
        self._sock.connect(endpoint)
        self.name, self.version = endpoint, "?"
        self._closed = False
        self.run = RUN_TOKEN   # this run's token, in every case's hello
        self.session = ""   # this case's session token, sent with every request

    def _request(self, msg: dict[str, Any], timeout: float, what: str) -> dict[str, Any]:
        """Send ``msg`` with this case's ``session`` and return the reply.

        Raises:
            AgentTimeout: no reply within ``timeout`` [s] (an AgentError).
            AgentError: the stack we started exited, an ``error`` reply, or a reply naming
                another session (another run took the stack over: one zmq:// stack serves
                one run at a time).
        """
        msg = {**msg, "session": self.session} if self.session else msg
        try:
            self._sock.send(pack(msg), flags=zmq.NOBLOCK)
        except zmq.ZMQError as exc:
            raise AgentError(f"cannot send {what} to the agent at {self.endpoint}: {exc}") from None
        step = 0.05
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            if self._sock.poll(int(min(step, left) * 1000) or 1):
                try:  # a reply to an earlier request wakes poll, and recv then drops it:
                    data = self._sock.recv(zmq.NOBLOCK)  # never block past the deadline
                except zmq.Again:
                    continue
                try:
                    reply = unpack(data)
                except AgentError as exc:   # when: as the other errors say
                    raise AgentError(f"{exc.message}, in reply to {what}") from None
                if reply.get("type") == "error":
                    message = str(reply.get("message", ""))
                    if "MemoryError" in message and self.memory_limit_bytes:
                        message += (f" (the stack's memory cap is "
                                    f"{self.memory_limit_bytes / 2**30:g} GiB: --agent-memory)")
                    kind = AgentBusy if msg.get("type") == "hello" and \
                        message.startswith("busy") else AgentError
                    raise kind(f"agent answered an error to {what}: {message}")
                self._check_session(reply.get("session"), what)
                return reply
            if self.process is not None and self.process.poll() is not None:
                raise AgentError(f"agent process exited with status {self.process.returncode} "
                                 f"during {what}")
        gone = ""
        if self.process is None and msg.get("type") != "close":   # a stack elsewhere: exited?
            try:
                probe_tcp(self.endpoint, 0.5)
            except AgentError:
                gone = (f", and nothing listens at {self.endpoint} any more: the stack "
                        f"has exited or crashed")
        raise AgentTimeout(f"agent missed its deadline of {timeout:g} s during {what}{gone}")

    def _check_session(self, said: Any, what: str) -> None:
        """Refuse a reply naming another session than this case's (docs/agent-protocol.md,
        "Sessions"): none is accepted, binary is read as UTF-8 (a stack that packs its
        strings so).

        Raises:
            AgentError: a session that is no string, or another session's."""
        if isinstance(said, bytes):
            said = said.decode("utf-8", "replace")
        if said is not None and not isinstance(said, str):
            raise AgentError(f"agent answered {what} with a session of type "
                             f"{type(said).__name__}; expected the string it was sent, or none")
        if self.session and said is not None and said != self.session:
            raise AgentError(
                f"agent answered {what} for session {said[:40]!r}, not this case's "
                f"{self.session!r}: another run is using the stack at {self.endpoint} (one "
                f"stack serves one run at a time)")

    def setup(self, vehicle: VehicleSpec, road_network: Any, config: dict[str, Any]) -> None:
        """Probe a TCP endpoint (:func:`probe_tcp`), draw the case's session token (every
        request carries it; docs/agent-protocol.md "Sessions"), handshake (protocol version,
        the stack's name and version), then send the setup."""
        if self.process is None:
            probe_tcp(self.endpoint, min(PROBE_TIMEOUT_S, self.setup_timeout))
        self.session = secrets.token_hex(8)
        silent = self.process is None and self.endpoint in _SILENT_STACKS
        wait = min(self.setup_timeout, SILENT_HANDSHAKE_S) if silent else self.setup_timeout
        try:
            hello = self._hello(wait)
        except AgentTimeout as exc:
            if self.process is None:
                _SILENT_STACKS.add(self.endpoint)
                if silent:
                    raise AgentError(f"{exc.message} (it did not answer the last case's "
                                     f"handshake either: waited {wait:g} s, not "
                                     f"{self.setup_timeout:g} s)") from None
            raise
        _SILENT_STACKS.discard(self.endpoint)
        if hello.get("type") != "hello" or hello.get("protocol") != PROTOCOL_VERSION:
            raise AgentError(f"agent answered the handshake with {hello!r}; expected "
                             f"{{'type': 'hello', 'protocol': {PROTOCOL_VERSION}, ...}}")
        self.name = str(hello.get("name", self.endpoint))
        self.version = str(hello.get("version", "?"))
        map_file = str(getattr(road_network, "path", "")) if road_network is not None else None
        request = {"type": "setup", "vehicle": vehicle_to_dict(vehicle), "map_file": map_file,
                   "config": config}
        if map_file and self.map_sha256:
            request["map_sha256"] = self.map_sha256
        if self.geo_frame is not None:
            request["geo"] = geo_to_dict(self.geo_frame)
        reply = self._request(request, self.setup_timeout, "setup")
        if reply.get("type") != "ready":
            raise AgentError(f"agent answered setup with {reply!r}; expected type 'ready'")

    def _hello(self, wait: float) -> dict[str, Any]:
        """The handshake (deadline ``wait`` [s] a try), asked again every
        :data:`BUSY_RETRY_S` while the stack answers ``busy``, for up to :data:`BUSY_WAIT_S`
        (not again in this process once a stack stayed busy that long).

        Raises:
            AgentBusy: still busy after that; AgentError, AgentTimeout: as :meth:`_request`.
        """
        patience = 0.0 if self.endpoint in _BUSY_STACKS else BUSY_WAIT_S
        give_up = time.monotonic() + patience
        while True:
            try:
                hello = self._request({"type": "hello", "protocol": PROTOCOL_VERSION,
                                       "run": self.run}, wait, "the handshake")
            except AgentBusy as exc:
                if time.monotonic() + BUSY_RETRY_S <= give_up:
                    time.sleep(BUSY_RETRY_S)
                    continue
                _BUSY_STACKS.add(self.endpoint)
                said = (f"asked again for {patience:g} s" if patience else
                        "it stayed busy through an earlier case of this run")
                raise AgentBusy(f"{exc.message} ({said})") from None
            _BUSY_STACKS.discard(self.endpoint)
            return hello

    def step(self, obs: Observation) -> Control:
        """Send the observation; return the stack's control (deadline ``step_timeout``)."""
        reply = self._request({"type": "step", "obs": observation_to_dict(obs)},
                              self.step_timeout, f"the step at t={obs.time:.2f} s")
        if reply.get("type") != "control":
            raise AgentError(f"agent answered the step at t={obs.time:.2f} s with type "
                             f"{reply.get('type')!r}; expected 'control'")
        try:
            return control_from_dict(reply.get("control"))
        except AgentError as exc:  # a NaN, an unknown field...: when, as the other errors say
            raise AgentError(f"the step at t={obs.time:.2f} s: {exc.message}") from None

    def close(self) -> None:
        """Say goodbye (briefly), stop a spawned process, release the socket (idempotent)."""
        if self._closed:
            return
        self._closed = True
        try:
            self._request({"type": "close"}, 0.5, "close")
        except AgentError:
            pass
        self._sock.close(0)
        self._ctx.term()
        if self.process is not None:
            _stop_process_group(self.process)
        if self._workdir is not None:
            self._workdir.cleanup()


def _descendants(pid: int) -> list[int]:
    """The processes below ``pid`` (children, their children...), read from Linux ``/proc``
    (empty elsewhere): a stack's helpers that left its process group (``setsid``)."""
    parents: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for name in entries:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue  # gone meanwhile
        fields = stat[stat.rfind(b")") + 2:].split()  # after "pid (comm) "
        if len(fields) > 1:
            parents.setdefault(int(fields[1]), []).append(int(name))
    out, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _stop_process_group(process: subprocess.Popen, grace: float = 2.0) -> None:
    """Stop a spawned stack and every process it started: SIGTERM to its process group, SIGKILL
    after ``grace`` [s] if the stack is still there, then SIGKILL to whatever is left of the
    group (children a stack forked and forgot) and to its descendants that left the group
    (``setsid``; found through ``/proc`` before the stack is stopped)."""
    def signal_group(sig: int) -> None:
        try:
            os.killpg(process.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass
    below = _descendants(process.pid)
    if process.poll() is None:
        signal_group(signal.SIGTERM)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            pass
    signal_group(signal.SIGKILL)
    for pid in below:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    process.wait()


LOG_LIMIT_BYTES = 64 * 2**20
"""Most bytes of a spawned stack's output kept in its log; the rest is read and dropped."""


def _keep_output(stream: Any, log_path: Path | None, limit: int | None = None) -> None:
    """Copy ``stream`` (the stack's stdout and stderr) into ``log_path`` up to ``limit`` bytes,
    then note the cut and drop the rest, until the stack closes it (so a chatty stack never
    blocks on a full pipe, and never floods the runner's terminal). ``limit`` defaults to
    :data:`LOG_LIMIT_BYTES`."""
    limit = LOG_LIMIT_BYTES if limit is None else limit
    kept = 0
    with stream, (open(log_path, "ab") if log_path else open(os.devnull, "wb")) as log:
        for chunk in iter(lambda: stream.read1(65536), b""):
            if kept < limit:
                part = chunk[:limit - kept]
                log.write(part)
                kept += len(part)
                if kept >= limit:
                    log.write(f"\n[testzone: output cut at {limit // 2**20} MiB]\n".encode())
                log.flush()


def _memory_limit(limit_bytes: int | None):
    """A ``preexec_fn`` that caps the child's data segment (RLIMIT_DATA: heap and private
    mappings, Linux >= 4.7) at ``limit_bytes``; None: no cap. Past it, allocations fail and a
    Python stack gets MemoryError, which ends the case as an agent error."""
    if not limit_bytes:
        return None

    def apply() -> None:
        import resource
        resource.setrlimit(resource.RLIMIT_DATA, (limit_bytes, limit_bytes))
    return apply


def spawn_python_agent(spec: str, step_timeout: float = 1.0, log_path: Path | None = None,
                       memory_limit_bytes: int | None = None) -> RemoteAgent:
    """Start ``python -m runners.agent_host --agent SPEC`` in a child process on an ipc
    socket and return the :class:`RemoteAgent` that talks to it. The child leads its own
    process group, so closing the agent also stops what the stack forked.

    Args:
        log_path: where the stack's stdout and stderr go (the case's ``agent.log``; at most
            :data:`LOG_LIMIT_BYTES` kept); None drops them.
        memory_limit_bytes: cap of the stack's data segment (:func:`_memory_limit`).
    """
    workdir = tempfile.TemporaryDirectory(prefix="testzone-agent-")
    endpoint = f"ipc://{Path(workdir.name) / 'agent.sock'}"
    proc = subprocess.Popen([sys.executable, "-m", "runners.agent_host", "--agent", spec,
                             "--bind", endpoint, "--runner-pid", str(os.getpid())],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True,
                            preexec_fn=_memory_limit(memory_limit_bytes))
    threading.Thread(target=_keep_output, args=(proc.stdout, log_path), daemon=True,
                     name="agent-output").start()
    agent = RemoteAgent(endpoint, step_timeout=step_timeout, process=proc, workdir=workdir)
    agent.memory_limit_bytes = memory_limit_bytes
    return agent
