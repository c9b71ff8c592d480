"""The Ray side of the CARLA pool: real actors, a server at a closed port (the real carla
wheel's health check fails), so the server is restarted, retired and the case reported."""

from __future__ import annotations

import socket

import pytest

from runners.carla_pool import CarlaServerPool, RayServerRunner, allocate_endpoints
from runners.interfaces import Task


def _never_called() -> dict:
    raise AssertionError("a case ran on a dead server")


def test_ray_actors_health_check_restart_and_retire() -> None:
    pytest.importorskip("carla")
    ray = pytest.importorskip("ray")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False,
             ignore_reinit_error=True, configure_logging=False)
    try:
        eps = allocate_endpoints([("127.0.0.1", port)])
        runner = RayServerRunner(eps, connect_timeout=0.5)
        pool = CarlaServerPool(runner, case_timeout=30.0, max_failures=2)
        out = dict(pool.map_unordered([Task(_never_called, (), "case1")]))
        assert out["case1"]["verdict"] == "error"
        assert f"127.0.0.1:{port}" in out["case1"]["error"]
        assert "no CARLA server left" in out["case1"]["error"]
        pool.close()
    finally:
        ray.shutdown()
