"""Backends that move the vehicle under test: embedded kinematics (default) and CARLA.

:func:`make_backend` picks one from ``RunOptions.backend``. The CARLA modules (``carla_*``)
import the optional ``carla`` package only when a CARLA backend is built.
"""

from __future__ import annotations

from typing import Any

from runners.interfaces import EgoBackend, RunnerError

BACKENDS = ("embedded", "carla")


def carla_endpoint(options: Any) -> Any:
    """The :class:`~runners.backends.carla_connection.CarlaEndpoint` a case uses: the first of
    ``options.carla_servers`` (default ``127.0.0.1:2000``) with ``options.carla_tm_port``.

    Raises:
        CarlaError: a malformed server spec.
    """
    from runners.backends.carla_connection import CarlaEndpoint, parse_server
    servers = tuple(getattr(options, "carla_servers", ()) or ())
    host, port = parse_server(servers[0]) if servers else ("127.0.0.1", 2000)
    return CarlaEndpoint(host, port, port + 1, int(getattr(options, "carla_tm_port", 8000)))


def make_backend(options: Any, scenario: Any = None, seed: int = 0) -> EgoBackend:
    """The EgoBackend of a case.

    Args:
        options: the run's ``RunOptions`` (``backend``, ``dt``, ``carla_servers``,
            ``carla_tm_port``, ``connect_timeout``).
        scenario: the loaded ``scenarios.Scenario`` (entities and map, for CARLA).
        seed: the case's seed (CARLA's Traffic Manager).

    Raises:
        RunnerError: unknown backend name.
        CarlaUnavailableError: no ``carla`` package or no server within the connect timeout.
    """
    name = getattr(options, "backend", "embedded")
    if name == "embedded":
        from runners.backends.embedded import EmbeddedEgoBackend
        return EmbeddedEgoBackend()
    if name == "carla":
        from runners.backends.carla_backend import CarlaEgoBackend, CarlaSettings, choose_map
        town, xodr = choose_map(scenario)
        settings = CarlaSettings(endpoint=carla_endpoint(options),
                                 connect_timeout=options.connect_timeout, seed=seed)
        return CarlaEgoBackend(settings, getattr(scenario, "entities", {}), options.dt,
                               town=town, xodr_path=xodr)
    raise RunnerError(f"unknown backend {name!r}; expected one of {', '.join(BACKENDS)}",
                      element="--backend")
