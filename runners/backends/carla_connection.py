"""Reaching a CARLA server: the optional ``carla`` import, endpoints, connect and health check.

The ``carla`` client wheel is an optional extra (``pip install '.[carla]'``); it is imported
lazily here so that everything else works without it. Facts measured with carla 0.9.16 and no
server: ``carla.Client(host, port)`` returns at once; the first call that needs the server
(``get_server_version``, ``get_world``) raises a plain ``RuntimeError("time-out of 1000ms while
waiting for the simulator ...")`` after the client timeout (``client.set_timeout``).
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from runners.interfaces import RunnerError

DEFAULT_RPC_PORT = 2000
"""CARLA's default RPC port (``-carla-rpc-port``); its streaming port is rpc + 1."""
DEFAULT_TM_PORT = 8000
"""CARLA's default Traffic Manager port."""


class CarlaError(RunnerError):
    """The CARLA backend failed (server, map, spawn or tick)."""


class CarlaUnavailableError(CarlaError):
    """No usable CARLA: the ``carla`` package is missing or no server answers."""


class CarlaConnectionError(CarlaUnavailableError):
    """A CARLA server did not answer within its timeout (at connect, load or tick)."""


@dataclass(frozen=True)
class CarlaEndpoint:
    """One CARLA server as the pool allocated it.

    Attributes: host; rpc_port (``-carla-rpc-port``); streaming_port (``-carla-streaming-port``,
    rpc + 1 by CARLA's default); tm_port (the Traffic Manager's port, distinct from every RPC
    and streaming port of the pool); gpu: the graphics adapter index of a launched server, or
    None.
    """

    host: str = "127.0.0.1"
    rpc_port: int = DEFAULT_RPC_PORT
    streaming_port: int = DEFAULT_RPC_PORT + 1
    tm_port: int = DEFAULT_TM_PORT
    gpu: int | None = None

    @property
    def address(self) -> str:
        """``host:rpc_port``."""
        return f"{self.host}:{self.rpc_port}"


def parse_server(spec: str) -> tuple[str, int]:
    """Parse one ``--carla-servers`` item: ``host:port``, ``host`` (port 2000) or ``:port``.

    Raises:
        CarlaError: the port is not an integer in 1..65534 (its streaming port is port + 1).
    """
    spec = spec.strip()
    host, sep, port = spec.rpartition(":")
    if not sep:
        host, port = spec, str(DEFAULT_RPC_PORT)
    host = host.strip("[]") or "127.0.0.1"
    if not port.isdigit() or not 1 <= int(port) <= 65534:
        raise CarlaError(f"CARLA server {spec!r}: expected HOST:PORT with PORT in 1..65534",
                         element="--carla-servers")
    return host, int(port)


def import_carla() -> ModuleType:
    """Import the ``carla`` client package.

    Raises:
        CarlaUnavailableError: it is not installed (the message says how to install it).
    """
    try:
        return importlib.import_module("carla")
    except ImportError as exc:
        raise CarlaUnavailableError(
            f"the CARLA backend needs the 'carla' client package ({exc}); install it with "
            f"pip install '.[carla]' (or pip install carla==<your server's version>)",
            element="--backend") from None


def connect(carla: Any, host: str, port: int, timeout: float) -> Any:
    """Open a ``carla.Client`` and check the server answers within ``timeout`` [s].

    Returns:
        The client, its timeout set to ``timeout``.

    Raises:
        CarlaConnectionError: nothing answered (one line naming host, port and what to check).
    """
    try:
        client = carla.Client(host, port)
        client.set_timeout(timeout)
        version = client.get_server_version()
    except RuntimeError as exc:
        raise CarlaConnectionError(
            f"no CARLA server answers at {host}:{port} within {timeout:g} s "
            f"({' '.join(str(exc).split())[:120]}); check that CarlaUE4.sh runs with "
            f"-carla-rpc-port={port}, that ports {port}-{port + 1} are reachable from this "
            f"machine, or pass --carla-servers HOST:PORT", element="--carla-servers") from None
    mismatch = version_mismatch(client.get_client_version(), version)
    if mismatch:
        logging.getLogger(__name__).warning("%s at %s:%d", mismatch, host, port)
    return client


def version_mismatch(client_version: Any, server_version: Any) -> str:
    """A sentence when the ``carla`` client wheel and the server are different releases
    (compared without a ``-suffix``), else "". CARLA itself only warns ("Version mismatch
    detected"); calls may then fail in odd ways (CARLA issues #2341, #2757, #8113), so the
    run records it (``backend_warning``)."""
    c, v = str(client_version), str(server_version)
    if c.split("-")[0] == v.split("-")[0]:
        return ""
    return (f"the carla client {c} and the CARLA server {v} are different releases: install "
            f"the client wheel of the server's release (pip install carla=={v.split('-')[0]})")


def server_version(carla: Any, host: str, port: int, timeout: float) -> str | None:
    """The server's version string, or None when it does not answer within ``timeout`` [s]
    (the pool's health check; never raises)."""
    try:
        client = carla.Client(host, port)
        client.set_timeout(timeout)
        return str(client.get_server_version())
    except RuntimeError:
        return None
