"""Response of the ego to V2X messages that call for action.

A ``"v2x"`` event (as the bridge records them, v2x_bridge/bridge.py: ``action`` sent /
dropped / delivered, ``msg_type``, ``receiver``) calls for action when it was delivered to the
ego (``action`` absent or ``"delivered"``; ``receiver`` absent or the ego) and

* it carries ``action_required`` (true/false), which decides; or
* it is an RSI (road-side information: a hazard, T/CSAE 53-2020 Day-1 "hazardous location
  warning" and related applications) about a place ahead of the ego: one of the event
  positions the bridge logs with it (``rte_xy``, map frame) lies ahead of the ego's reference
  point along its heading when it is delivered (an emergency vehicle behind, an event passed:
  no braking is called for; a log without ``rte_xy`` counts, as before); or
* it is a SPAT and the ego is heading into a red light (Day-1 "red light violation warning"):
  the event's ``ego_signal_color`` is ``"red"``, or, from the recorded signal states and the
  map's signal positions, a vehicle light governing the ego's lane stands ahead at distance d
  from the ego's front, is red, will still be red on arrival (``time_to_change`` unknown or
  above d / v) and stopping before it needs v^2 / (2 d) >= ``spat_required_decel_mps2``
  (no map and no ``ego_signal_color``: such a SPAT is not counted).

The response time is from the first such message to the first frame at or after it from
which the ego brakes at ``reaction_decel_mps2`` or more: the speed change to the next frame
over the step, ``(v[k+1] - v[k]) / dt`` (the acceleration applied from frame k on; exact for a
simulator's piecewise-constant control, and never earlier than the braking itself, as a
centred smoothing filter would be); 0 when the ego is already stopped; inf when it never
reacts.
"""

from __future__ import annotations

import bisect
import math
from typing import Any, Callable

import numpy as np

from testzone.recording import Event, Recording
from testzone.userfiles import is_finite_number
from testzone.world import SignalColor

from evaluator.extract import EgoTrack, ego_track, lanes_along
from evaluator.interfaces import RoadNetworkView
from evaluator.metrics.red_light import lights_ahead, lights_by_road
from evaluator.results import UNIT_COUNT, MetricResult, Statistic


def delivered_to(event: Event, ego: str) -> bool:
    """Whether a ``"v2x"`` event is a delivery to ``ego`` (not a send or a drop)."""
    d = event.data
    return d.get("action", "delivered") == "delivered" and d.get("receiver", ego) == ego \
        and bool(d.get("delivered", True))


def calls_for_action(event: Event, ego: str,
                     red_ahead: Callable[[float], Any] | None = None,
                     ahead: Callable[[float, float, float], bool] | None = None) -> bool:
    """Whether a ``"v2x"`` event asks the ego to act (see the module docstring).

    Args:
        red_ahead: time [s] -> the red signal governing the ego's lane ahead (truthy), or
            None; used for SPAT events without ``ego_signal_color``.
        ahead: (time [s], x, y [m]) -> whether the point lies ahead of the ego then; used
            for RSI events with ``rte_xy`` (None: every RSI counts).
    """
    if not delivered_to(event, ego):
        return False
    d: dict[str, Any] = event.data
    if "action_required" in d:
        return bool(d["action_required"])
    msg = str(d.get("msg_type", d.get("message", ""))).upper()
    if msg == "RSI":
        points = d.get("rte_xy")
        if ahead is None or not isinstance(points, list) or not points:
            return True
        return any(ahead(event.t, float(p[0]), float(p[1])) for p in points
                   if isinstance(p, (list, tuple)) and len(p) == 2
                   and all(is_finite_number(v, 1e9) for v in p))
    if msg != "SPAT":
        return False
    if "ego_signal_color" in d:
        return str(d["ego_signal_color"]).lower() == "red"
    return bool(red_ahead(event.t)) if red_ahead is not None else False


def red_ahead_fn(recording: Recording, tr: EgoTrack, net: RoadNetworkView,
                 required_decel_mps2: float) -> Callable[[float], dict | None]:
    """Build ``t -> the red light the ego must brake for`` (see the module docstring) from
    the recorded signal states and ``net.signals``: ``{"signal_id", "distance_m" (front
    bumper to its stop line), "time_to_change_s" (None when unknown)}``, or None."""
    lanes = lanes_along(tr, net)
    frames = [f for f in recording.frames if tr.name in f.entities]
    lights = lights_by_road(net)
    times = [f.time for f in frames]

    def red_ahead(t: float) -> dict | None:
        """The red vehicle light ahead that calls for braking at time t [s], or None."""
        k = bisect.bisect_right(times, t + 1e-9) - 1
        if k < 0 or lanes[k] is None:
            return None
        v = max(float(tr.speed[k]), 0.0)
        for sig, dist in lights_ahead(lights, tr.states[k], lanes[k], net):
            state = frames[k].signals.get(str(sig.id))
            if state is None or state.color != SignalColor.RED or dist <= 0.0 or v <= 0.0:
                continue
            still_red = state.time_to_change is None or state.time_to_change > dist / v
            if still_red and v * v / (2 * dist) >= required_decel_mps2:
                return {"signal_id": str(sig.id), "distance_m": round(float(dist), 3),
                        "time_to_change_s": state.time_to_change}
        return None
    return red_ahead


def ahead_fn(tr: EgoTrack) -> Callable[[float, float, float], bool]:
    """Build ``(t, x, y) -> whether (x, y) lies ahead of the ego at time t``: a positive
    projection of the ego-to-point vector on the ego's heading, at the last frame at or
    before t (the first frame before the track starts)."""
    times = [float(t) for t in tr.t]

    def ahead(t: float, x: float, y: float) -> bool:
        """Whether map point (x, y) [m] is ahead of the ego at time t [s]."""
        if not times:
            return True
        k = max(bisect.bisect_right(times, t + 1e-9) - 1, 0)
        pose = tr.states[k].pose
        return (x - pose.x) * math.cos(pose.h) + (y - pose.y) * math.sin(pose.h) > 0.0
    return ahead


def applied_acceleration(t: np.ndarray, speed: np.ndarray) -> np.ndarray:
    """``(v[k+1] - v[k]) / (t[k+1] - t[k])`` per frame [m/s^2], 0 at the last frame.

    Args:
        t: frame times [s], increasing, shape (N,). speed: speeds [m/s], shape (N,).
    """
    out = np.zeros(len(speed))
    if len(speed) >= 2:
        out[:-1] = np.diff(speed) / np.maximum(np.diff(t), 1e-9)
    return out


class V2XResponseMetric:
    """Time from the first actionable V2X message to the ego's braking reaction.

    Args:
        reaction_decel_mps2: deceleration [m/s^2] that counts as a reaction (positive number).
        stopped_speed_mps: an ego slower than this [m/s] is already stopped (response 0).
        spat_required_decel_mps2: deceleration [m/s^2] needed to stop before a red light
            from which a SPAT calls for action (default 1.0, the reaction threshold: from then
            on the ego must brake at least that hard).

    Statistics: ``v2x_action_messages`` (count), ``v2x_delivered_count`` (every message
    delivered to the ego), ``v2x_response_time_s`` (None without an actionable message, inf
    without a reaction). Event: the first actionable message.
    """

    name = "v2x_response"
    category = "v2x"

    def __init__(self, reaction_decel_mps2: float = 1.0, stopped_speed_mps: float = 0.1,
                 spat_required_decel_mps2: float = 1.0) -> None:
        self.reaction_decel_mps2 = reaction_decel_mps2
        self.stopped_speed_mps = stopped_speed_mps
        self.spat_required_decel_mps2 = spat_required_decel_mps2

    def compute(self, recording: Recording, net: RoadNetworkView | None = None) -> MetricResult:
        """Find the first actionable message and the ego's reaction to it."""
        tr = ego_track(recording)
        red = None
        if net is not None:
            red = red_ahead_fn(recording, tr, net, self.spat_required_decel_mps2)
        ahead = ahead_fn(tr)
        sent = [e for e in recording.events_of("v2x") if delivered_to(e, tr.name)]
        msgs = [e for e in sent if calls_for_action(e, tr.name, red, ahead)]
        response: float | None = None
        events: tuple[dict[str, Any], ...] = ()
        if msgs:
            t0 = msgs[0].t
            acc = applied_acceleration(tr.t, tr.speed)
            response = math.inf
            for t, v, a in zip(tr.t, tr.speed, acc):
                if t < t0 - 1e-9:
                    continue
                stopped = abs(v) < self.stopped_speed_mps and t - t0 < tr.dt
                if a <= -self.reaction_decel_mps2 or stopped:
                    response = max(0.0, float(t) - t0)
                    break
            first = {k: v for k, v in msgs[0].data.items() if k != "payload_hex"}
            light = red(t0) if red is not None and str(first.get(
                "msg_type", first.get("message", ""))).upper() == "SPAT" else None
            if light:            # which light the SPAT was about (regulator pass 13)
                first["red_light"] = light
            events = ({"t": t0, **first, "reaction_decel_mps2": self.reaction_decel_mps2},)
        stats = {"v2x_action_messages": Statistic("v2x_action_messages", UNIT_COUNT,
                                                  float(len(msgs))),
                 "v2x_delivered_count": Statistic("v2x_delivered_count", UNIT_COUNT,
                                                  float(len(sent))),
                 "v2x_response_time_s": Statistic("v2x_response_time_s", "s", response)}
        return MetricResult(self.name, self.category, stats, events=events)
