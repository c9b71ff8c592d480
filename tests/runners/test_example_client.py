"""examples/zmq_client.py, the reference ZeroMQ stack: its lane keeping steers towards the
lane centre in lanes driven along and against the road's reference line."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "zmq_client.py"


def _drive():
    spec = importlib.util.spec_from_file_location("zmq_client_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.drive


@pytest.mark.parametrize("lane_id, offset, steers", [
    (-1, 0.5, "right"),   # along +s: 0.5 m left of the centre for the driver too
    (-1, -0.5, "left"),
    (1, 0.5, "left"),     # against +s: 0.5 m left of the reference line = the driver's right
    (1, -0.5, "right"),
])
def test_the_example_stack_steers_back_to_the_lane_centre(lane_id, offset, steers):
    """New-user pass: it steered -0.5 x offset in every lane and left the road on
    tz_speed_limit_change, whose ego drives a positive lane (offset is signed by the
    reference line, docs/agent-protocol.md)."""
    obs = {"ego": {"pose": {"x": 0.0, "y": 0.0, "h": 0.0}, "speed": 10.0,
                   "lane": {"road_id": "1", "lane_id": lane_id, "s": 10.0, "t": 0.0,
                            "offset": offset}},
           "objects": [], "speed_limit": 10.0}
    steering = _drive()(obs)["steering"]
    assert steering == pytest.approx(0.25 if steers == "left" else -0.25)
