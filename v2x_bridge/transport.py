"""ZeroMQ PUB/SUB transport of V2X frames.

Wire format: one multipart message per frame, ``[topic, header, payload]``:

* ``topic``: the message type in ASCII (``b"SPAT"``, ``b"MAP"``, ``b"RSM"``, ``b"RSI"``,
  ``b"BSM"``), so subscribers filter by type with ZeroMQ prefix subscriptions;
* ``header``: msgpack map ``{"v": 1, "t": sim time [s], "rsu": sender id, "type": msg type}``;
* ``payload``: the UPER ``MessageFrame`` bytes.

The publisher binds (default ``tcp://127.0.0.1:5556``, loopback only; ``tcp://127.0.0.1:*``
takes a free port, read back from :attr:`Publisher.endpoint`), subscribers connect. PUB/SUB
drops frames sent before a subscriber has joined (ZeroMQ "slow joiner"); the bridge's own
record of deliveries is the recording, not the socket.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from typing import Iterable

import msgpack
import zmq

from v2x_bridge.errors import V2XError

DEFAULT_ENDPOINT = "tcp://127.0.0.1:5556"
MESSAGE_TYPES = ("BSM", "MAP", "RSM", "SPAT", "RSI")
HEADER_VERSION = 1
MAX_FRAME_BYTES = 1024 * 1024
"""Largest message part a Subscriber accepts [bytes] (``ZMQ_MAXMSGSIZE``): a MessageFrame is
at most a few KiB in UPER; a bigger part makes ZeroMQ drop the publisher's connection
instead of buffering it (a 400 MB frame took a listener to 7.5 GB)."""


@dataclass(frozen=True)
class ReceivedFrame:
    """A frame read from the wire: message type, sender id, sim time [s], UPER payload."""

    msg_type: str
    rsu_id: str
    sim_t: float
    payload: bytes


def check_tcp_endpoint(endpoint: str, verb: str) -> None:
    """Refuse a ``tcp://HOST:PORT`` endpoint ZeroMQ would take without complaint and never
    use: a port outside 1-65535 (a bind would pick another), or a dotted-quad host that is
    not an IPv4 address (``999.1.1.1``: a connect would wait for ever). Other transports
    and host names pass (ZeroMQ resolves them).

    Raises:
        V2XError: naming the endpoint and what is wrong (``verb``: "bind", "connect to").
    """
    if not endpoint.startswith("tcp://"):
        return
    host, _, port = endpoint[len("tcp://"):].rpartition(":")
    if port.isdigit() and not 1 <= int(port) <= 65535:
        raise V2XError(f"cannot {verb} {endpoint}: port {port} is not in 1-65535",
                       element="transport")
    parts = host.split(".")
    if len(parts) == 4 and all(p.isdigit() for p in parts):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            raise V2XError(f"cannot {verb} {endpoint}: {host} is not an IPv4 address",
                           element="transport") from None


def refuse_inproc(endpoint: str, what: str) -> None:
    """Refuse an ``inproc://`` endpoint where the other end is another process (``testzone v2x
    listen``, ``testzone run --v2x-endpoint``): ZeroMQ's inproc transport stays inside one
    process, so nothing would ever arrive (a listener waited its whole timeout).

    Raises:
        V2XError: naming the endpoint and the transports to use instead.
    """
    if endpoint.strip().lower().startswith("inproc://"):
        raise V2XError(f"{what} {endpoint}: inproc:// reaches only the same process; use "
                       f"tcp://HOST:PORT or ipc://PATH", element="transport")


class Publisher:
    """PUB socket that sends V2X frames.

    Args:
        endpoint: ZeroMQ endpoint to bind.
        context: ZeroMQ context (default: the process's shared instance).

    Raises:
        V2XError: the endpoint cannot be bound (in use, malformed).
    """

    def __init__(self, endpoint: str = DEFAULT_ENDPOINT, context: zmq.Context | None = None) -> None:
        check_tcp_endpoint(endpoint, "bind")
        self._ctx = context or zmq.Context.instance()
        self._sock = self._ctx.socket(zmq.PUB)
        self._sock.setsockopt(zmq.LINGER, 0)
        try:
            self._sock.bind(endpoint)
        except zmq.ZMQError as exc:
            self._sock.close()
            raise V2XError(f"cannot bind {endpoint}: {exc}", element="transport") from None
        self.endpoint: str = self._sock.getsockopt_string(zmq.LAST_ENDPOINT)

    def publish(self, msg_type: str, rsu_id: str, sim_t: float, payload: bytes) -> None:
        """Send one frame on topic ``msg_type``."""
        header = msgpack.packb({"v": HEADER_VERSION, "t": float(sim_t), "rsu": rsu_id,
                                "type": msg_type})
        self._sock.send_multipart([msg_type.encode("ascii"), header, bytes(payload)])

    def close(self) -> None:
        """Close the socket (idempotent)."""
        if not self._sock.closed:
            self._sock.close()

    def __enter__(self) -> "Publisher":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Subscriber:
    """SUB socket that receives V2X frames of some types.

    Args:
        endpoint: the publisher's endpoint to connect to.
        topics: message types to receive (default: all).
        context: ZeroMQ context (default: the process's shared instance).
    """

    def __init__(self, endpoint: str = DEFAULT_ENDPOINT, topics: Iterable[str] | None = None,
                 context: zmq.Context | None = None) -> None:
        check_tcp_endpoint(endpoint, "connect to")
        self._ctx = context or zmq.Context.instance()
        self._sock = self._ctx.socket(zmq.SUB)
        self._sock.setsockopt(zmq.LINGER, 0)
        self.max_part_bytes = MAX_FRAME_BYTES   # [bytes] a longer part costs the connection
        self._sock.setsockopt(zmq.MAXMSGSIZE, self.max_part_bytes)
        for topic in (MESSAGE_TYPES if topics is None else tuple(topics)):
            self._sock.setsockopt(zmq.SUBSCRIBE, topic.encode("ascii"))
        self._monitor = self._sock.get_monitor_socket(zmq.EVENT_DISCONNECTED)
        try:
            self._sock.connect(endpoint)
        except zmq.ZMQError as exc:
            self.close()
            raise V2XError(f"cannot connect to {endpoint}: {exc}", element="transport") from None
        self.endpoint = endpoint

    def dropped_connections(self) -> int:
        """How many times the connection to the publisher was lost since the last call, and
        connect again if it was: the publisher stopped, or sent a message part over
        :data:`MAX_FRAME_BYTES`. ZeroMQ then drops the connection and the frame without a
        word, and (libzmq 4.3, measured) does not connect again by itself after such a
        part: the subscriber would hear nothing more. Read from the socket's monitor
        (``zmq_socket_monitor``, ``ZMQ_EVENT_DISCONNECTED``)."""
        from zmq.utils.monitor import recv_monitor_message
        n = 0
        while not self._monitor.closed and self._monitor.poll(0):
            if recv_monitor_message(self._monitor)["event"] == zmq.EVENT_DISCONNECTED:
                n += 1
        if n:
            try:
                self._sock.disconnect(self.endpoint)
            except zmq.ZMQError:  # already gone from the socket's endpoints
                pass
            self._sock.connect(self.endpoint)
        return n

    def receive(self, timeout_s: float) -> ReceivedFrame | None:
        """Wait up to ``timeout_s`` [s, wall clock] for one frame; None on time-out.

        Raises:
            V2XError: a frame that is not ``[topic, msgpack header, payload]``: a header of
                another version, a ``t`` that is not a finite number, a ``type`` or ``rsu``
                that is not text, a topic other than the header's ``type`` (the module
                docstring's wire format); the frame is consumed.
        """
        if not self._sock.poll(max(0, int(timeout_s * 1000))):
            return None
        parts = self._sock.recv_multipart()
        if len(parts) != 3:
            raise V2XError(f"expected 3 frame parts, got {len(parts)}", element="transport")
        try:
            header = msgpack.unpackb(parts[1])
            if not isinstance(header, dict):
                raise TypeError(f"a msgpack map expected, got {type(header).__name__}")
            missing = [k for k in ("v", "t", "type", "rsu") if k not in header]
            if missing:
                raise KeyError(f"no {', '.join(missing)} key (text keys expected; the map's "
                               f"keys: {', '.join(repr(k) for k in list(header)[:6])})")
            if header.get("v") != HEADER_VERSION or isinstance(header.get("v"), bool):
                raise ValueError(f"v={header.get('v')!r}: expected header version "
                                 f"{HEADER_VERSION}")
            t, kind, rsu = header["t"], header["type"], header["rsu"]
            if isinstance(t, bool) or not isinstance(t, (int, float)) or not math.isfinite(t):
                raise ValueError(f"t={t!r} is not a finite time (a number)")
            if not isinstance(kind, str) or not isinstance(rsu, str):
                raise ValueError(f"type={kind!r}, rsu={rsu!r}: expected text")
            if parts[0] != kind.encode("utf-8", "backslashreplace"):
                raise ValueError(f"topic {parts[0][:16]!r} does not match type={kind!r}")
            return ReceivedFrame(kind, rsu, float(t), parts[2])
        except (ValueError, KeyError, TypeError, msgpack.UnpackException) as exc:
            raise V2XError(f"bad frame header ({len(parts[1])} bytes): "
                           f"{type(exc).__name__}: {exc}", element="transport") from None

    def close(self) -> None:
        """Close the socket and its monitor (idempotent)."""
        if not self._sock.closed:
            self._sock.disable_monitor()
            self._sock.close()
        if not self._monitor.closed:
            self._monitor.close()

    def __enter__(self) -> "Subscriber":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
