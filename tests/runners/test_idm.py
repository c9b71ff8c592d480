"""IDM acceleration against hand-computed values (Treiber, Hennecke, Helbing 2000, eq. 2-3)."""

from __future__ import annotations

import math

import pytest

from runners.agents import load_agent
from runners.agents.idm import IdmParameters, idm_acceleration
from runners.interfaces import RunnerError

P = IdmParameters(time_headway=1.5, min_gap=2.0, max_acceleration=1.5,
                  comfortable_deceleration=2.0, delta=4.0)


def test_free_road_from_rest_accelerates_at_a_max() -> None:
    assert idm_acceleration(P, 0.0, 20.0, None, 0.0) == pytest.approx(1.5)


def test_free_road_at_desired_speed_does_not_accelerate() -> None:
    assert idm_acceleration(P, 20.0, 20.0, None, 0.0) == pytest.approx(0.0)


def test_approaching_slower_leader() -> None:
    # v=10, v0=20, gap=30, leader at 5 m/s: s* = 2 + 15 + 10*5/(2*sqrt(1.5*2)) = 31.4338 m
    s_star = 2.0 + 15.0 + 50.0 / (2.0 * math.sqrt(3.0))
    expected = 1.5 * (1.0 - 0.5 ** 4 - (s_star / 30.0) ** 2)
    assert expected == pytest.approx(-0.2406, abs=1e-4)
    assert idm_acceleration(P, 10.0, 20.0, 30.0, 5.0) == pytest.approx(expected)


def test_equilibrium_gap_gives_only_the_free_term() -> None:
    v, v0 = 10.0, 20.0
    gap = 2.0 + v * 1.5  # s*(v, 0)
    assert idm_acceleration(P, v, v0, gap, v) == pytest.approx(-1.5 * (v / v0) ** 4)


def test_stopped_obstacle_close_ahead_brakes_hard() -> None:
    assert idm_acceleration(P, 15.0, 15.0, 5.0, 0.0) < -9.0


def test_reference_agents_load_by_name_and_unknown_names_are_refused() -> None:
    assert load_agent("idm").name == "idm"
    assert load_agent("naive").reacts is False
    assert load_agent("scenario").follows_scenario
    with pytest.raises(RunnerError, match="module:Class"):
        load_agent("no-such-agent")
    with pytest.raises(RunnerError, match="not found"):
        load_agent("missing_file.py:Agent")
