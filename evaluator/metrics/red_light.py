"""Red-light running: the ego's front crossing a signal's position while it shows red.

A traffic signal (OpenDRIVE ``<signal>``, ASAM OpenDRIVE 1.8 clause 14) stands at ``s`` on its
road and applies to traffic along +s (``orientation="+"``), against it (``"-"``) or both
(``"none"``), and to the lanes of its ``validity`` records when it has any. The ego runs the
light when its front bumper passes that s, in its driving direction, while the signal shows
red (Regulations for the Implementation of the PRC Road Traffic Safety Law, art. 38: a red
light forbids passing). The crossing instant is interpolated between the two frames around it;
the colour then is the earlier frame's (a recorded state holds until the next frame, as a
fixed-step simulation shows it), or the later frame's when the earlier one's
``time_to_change`` says the light changed before the crossing instant. The signal's s stands
for its stop line; maps with separate stop-line objects would place it a few metres earlier.
A right turn at red is no violation where the light is a PRC circular vehicle light (country
``CN``, type ``1000001`` without an arrow subtype: :func:`maps.model.permits_right_on_red`):
art. 38 lets a vehicle turning right
pass a red light when it obstructs no released vehicle or pedestrian (what the PET,
crosswalk and collision criteria judge); the crossing is then recorded with
``right_turn_on_red``. The turn is the ego's heading change from the crossing to where it
leaves the junction (:data:`RIGHT_TURN_RAD` or more clockwise). Without a road network the
metric is skipped.
"""

from __future__ import annotations

import math
from typing import Any

from maps.model import NON_VEHICLE_LIGHT_TYPES, permits_right_on_red
from testzone.errors import TestzoneError
from testzone.recording import Recording
from testzone.world import EntityState, LaneCoord, SignalColor, SignalState, wrap_angle

from evaluator.extract import (ego_track, front_point, front_reach, lane_direction,
                               lanes_along, moved_plausibly, road_junction)
from evaluator.interfaces import RoadNetworkView
from evaluator.results import UNIT_COUNT, MetricResult, Statistic


MAX_STOP_LINE_OFFSET_M = 15.0
"""Farthest the ego's front may pass from the signal's reference-line point, across the road
[m], for a step between two roads to count as crossing its stop line, where the map cannot
give the governed lane's width (four 3.5 m lanes one way)."""

LANE_SPAN_MARGIN_M = 1.0
"""How far beside the governed lane [m] the front may cross a stop line in a step between two
roads and still count (a front straddling the lane marking)."""


def front_coord(net: RoadNetworkView, lane: LaneCoord | None,
                st: EntityState) -> LaneCoord | None:
    """Road position of ``st``'s front bumper, from its reference point's ``lane``: ahead
    along the lane's driving direction on the same road while that stays within the road,
    else where the map places the front point (``net.world_to_lane``: on the connecting road
    it has entered). None when the reference point is off the map."""
    if lane is None:
        return None
    d = lane_direction(net, lane)
    s = lane.s + d * front_reach(st)
    try:
        length = net.road(lane.road_id).length  # type: ignore[attr-defined]
    except (AttributeError, TestzoneError):
        length = math.inf
    if 0.0 <= s <= length:
        return LaneCoord(lane.road_id, lane.lane_id, s, lane.t, lane.offset)
    locate = getattr(net, "world_to_lane", None)
    if locate is None:
        return LaneCoord(lane.road_id, lane.lane_id, s, lane.t, lane.offset)
    x, y = front_point(st)
    return locate(x, y, st.pose.h)


def _lane_span(net: RoadNetworkView, road_id: str, lane_id: int,
               s: float) -> tuple[float, float]:
    """Lateral extent ``(t_right, t_left)`` [m] of a lane at ``s`` (road frame, left
    positive); +-:data:`MAX_STOP_LINE_OFFSET_M` when the map cannot say."""
    try:
        centre = net.road(road_id).lane_center_t(lane_id, s)  # type: ignore[attr-defined]
        half = net.lane_width(road_id, lane_id, s) / 2  # type: ignore[attr-defined]
        return centre - half, centre + half
    except (AttributeError, TestzoneError):
        return -MAX_STOP_LINE_OFFSET_M, MAX_STOP_LINE_OFFSET_M


RIGHT_TURN_RAD = math.radians(45.0)
"""Clockwise heading change from a stop line to the junction's exit from which a crossing is a
right turn."""
def _turn_after(k: int, tr: Any, lanes: list, net: RoadNetworkView) -> float:
    """Heading change [rad] of the ego (counter-clockwise positive) from frame ``k`` to the
    first later frame on a road outside every junction after leaving the road of frame
    ``k`` (the run's last frame when it never does)."""
    start = lanes[k].road_id if lanes[k] is not None else None
    roads = getattr(net, "roads", {}) or {}
    end = len(tr.states) - 1
    for j in range(k + 1, len(tr.states)):
        lane = lanes[j]
        if lane is None or lane.road_id == start:
            continue
        road = roads.get(lane.road_id)
        if road is not None and road_junction(road) is None:
            end = j
            break
    return wrap_angle(tr.states[end].pose.h - tr.states[k].pose.h)


def vehicle_lights(net: RoadNetworkView,
                   ignored_types: frozenset[str] = NON_VEHICLE_LIGHT_TYPES) -> list:
    """The network's dynamic signals that govern vehicles (static signs and pedestrian lights
    left out; a signal without ``dynamic``/``type`` attributes is kept)."""
    return [s for s in net.signals if getattr(s, "dynamic", True)
            and str(getattr(s, "type", "")) not in ignored_types]


def applies(orientation: str, direction: int) -> bool:
    """Whether a signal with ``orientation`` (``+``, ``-``, ``none``) governs traffic moving
    ``direction`` (+1 along s, -1 against)."""
    if orientation == "+":
        return direction > 0
    if orientation == "-":
        return direction < 0
    return True


def governs(sig: object, lane_id: int, direction: int) -> bool:
    """Whether signal ``sig`` governs traffic in ``lane_id`` moving ``direction`` (+1 along
    s): its orientation applies (:func:`applies`) and, when it has ``validity`` records
    (``maps.Signal.in_validity``), the lane is among them (a turn arrow over the left lane
    does not govern the lane beside it)."""
    if not applies(str(getattr(sig, "orientation", "none")), direction):
        return False
    in_validity = getattr(sig, "in_validity", None)
    return in_validity is None or in_validity(lane_id)


def lights_by_road(net: RoadNetworkView | None,
                   ignored_types: frozenset[str] = NON_VEHICLE_LIGHT_TYPES) -> dict[str, list]:
    """:func:`vehicle_lights` grouped by the road they stand on (empty without a map)."""
    out: dict[str, list] = {}
    for sig in vehicle_lights(net, ignored_types) if net is not None else ():
        out.setdefault(str(sig.road_id), []).append(sig)
    return out


def lights_ahead(lights: dict[str, list], ego: EntityState, lane: LaneCoord | None,
                 net: RoadNetworkView | None) -> list[tuple[object, float]]:
    """``(signal, distance [m])`` of each light of ``lights`` (:func:`lights_by_road`) that
    governs the ego's lane (:func:`governs`), the distance along the lane from the ego's
    front to the light's stop line (negative once the front is past it); the one reading of
    "a light over the ego's lane N m ahead" the stall metric, the V2X response and the
    timelines share."""
    if lane is None or not lights.get(lane.road_id):
        return []
    d = lane_direction(net, lane)
    front_s = lane.s + d * front_reach(ego)
    return [(sig, (float(sig.s) - front_s) * d) for sig in lights[lane.road_id]
            if governs(sig, lane.lane_id, d)]


def _state_at(t: float, earlier: SignalState | None, later: SignalState | None,
              t_earlier: float) -> SignalState | None:
    """The signal state in force at ``t`` [s] between two frames (module docstring)."""
    if earlier is None:
        return later
    change_in = earlier.time_to_change
    if change_in is not None and t >= t_earlier + change_in and later is not None:
        return later
    return earlier


class RedLightMetric:
    """Count the signals the ego passed while red.

    Args:
        ignored_types: OpenDRIVE signal types that do not govern the ego (default: pedestrian
            lights). Only dynamic signals are considered.

    Statistics: ``red_light_violation_count`` and ``signals_passed`` (counts; None when skipped).
    Events: ``{"t", "signal_id", "road_id", "s", "speed_mps"}`` per violation.
    """

    name = "red_light"
    category = "rules"

    def __init__(self, ignored_types: frozenset[str] = NON_VEHICLE_LIGHT_TYPES) -> None:
        self.ignored_types = ignored_types

    def crossings(self, recording: Recording, net: RoadNetworkView) -> list[dict]:
        """Every vehicle light the ego's front bumper passed, in time order:
        ``{"t", "signal_id", "road_id", "s", "speed_mps", "color"}`` (``t`` [s] the crossing
        instant, ``color`` the light's colour then (module docstring), ``"unknown"`` when no
        state was recorded).

        The front is placed on the map each frame (:func:`front_coord`: on the reference
        point's road, or where it lies once it is past that road's end). A step with the
        front on one road compares its ``s`` before and after with the signal's (in either
        lane when the step changed lanes: a lane change over the stop line is a crossing in
        the lane it left or the one it entered). A step with the front going from one road to
        another (into a junction, at a large ``--dt`` or with a signal just inside the
        connecting road) measures the front's distance along the tangent of the signal's
        road at the signal, before and after, within the governed lane's width, where the
        network gives world positions (``road_to_world``); a step longer than the speed
        allows (a teleport, :func:`evaluator.extract.moved_plausibly`) crosses nothing."""
        tr = ego_track(recording)
        lanes = lanes_along(tr, net)
        fronts = [front_coord(net, lane, st) for lane, st in zip(lanes, tr.states)]
        frames = [f for f in recording.frames if tr.name in f.entities]
        by_road = lights_by_road(net, self.ignored_types)
        out = []
        for k in range(1, len(frames)):
            a, b = fronts[k - 1], fronts[k]
            st, t0, t1 = tr.states[k], frames[k - 1].time, frames[k].time
            if a is None or b is None or not moved_plausibly(tr.states[k - 1], st, t1 - t0):
                continue                   # off the map, or a teleport: nothing driven over
            if a.road_id == b.road_id:
                hits = self._along_road(a, b, by_road, net)
            else:
                hits = self._between_roads(a, b, tr.states[k - 1], st, by_road, net)
            for sig, fraction in hits:
                t = t0 + (t1 - t0) * fraction
                state = _state_at(t, frames[k - 1].signals.get(str(sig.id)),
                                  frames[k].signals.get(str(sig.id)), t0)
                color = state.color.value if state else SignalColor.UNKNOWN.value
                crossing = {"t": t, "signal_id": str(sig.id), "road_id": str(sig.road_id),
                            "s": float(sig.s), "speed_mps": float(st.speed), "color": color}
                if color == SignalColor.RED.value and permits_right_on_red(sig) and \
                        _turn_after(k, tr, lanes, net) <= -RIGHT_TURN_RAD:
                    crossing["right_turn_on_red"] = True
                out.append(crossing)
        return sorted(out, key=lambda c: c["t"])

    @staticmethod
    def _along_road(a: LaneCoord, b: LaneCoord, by_road: dict[str, list],
                    net: RoadNetworkView) -> list[tuple[Any, float]]:
        """``(signal, fraction of the step at the crossing)`` for a step with the front
        (``a`` -> ``b``) on one road."""
        d = lane_direction(net, b)
        if lane_direction(net, a) != d:
            return []
        hits = []
        for sig in by_road.get(b.road_id, []):
            if not (governs(sig, a.lane_id, d) or governs(sig, b.lane_id, d)):
                continue
            before, after = (a.s - sig.s) * d, (b.s - sig.s) * d
            if before < 0.0 <= after:
                hits.append((sig, -before / (after - before)))
        return hits

    @staticmethod
    def _between_roads(a: LaneCoord, b: LaneCoord, sa: EntityState, sb: EntityState,
                       by_road: dict[str, list], net: RoadNetworkView
                       ) -> list[tuple[Any, float]]:
        """``(signal, fraction of the step at the crossing)`` for a step with the front going
        from road ``a`` to road ``b``: the signals of both roads governing the lane the front
        was or is in, crossed within that lane's width (:func:`_lane_span`)."""
        to_world = getattr(net, "road_to_world", None)
        if to_world is None:
            return []
        (xa, ya), (xb, yb) = front_point(sa), front_point(sb)
        hits = []
        for lane in (a, b):
            d = lane_direction(net, lane)
            for sig in by_road.get(lane.road_id, []):
                if not governs(sig, lane.lane_id, d):
                    continue
                try:
                    at = to_world(lane.road_id, float(sig.s), 0.0)
                except TestzoneError:
                    continue
                ux, uy = math.cos(at.h), math.sin(at.h)
                before = ((xa - at.x) * ux + (ya - at.y) * uy) * d
                after = ((xb - at.x) * ux + (yb - at.y) * uy) * d
                if not before < 0.0 <= after:
                    continue
                fraction = -before / (after - before)
                t = ((xa + (xb - xa) * fraction - at.x) * -uy
                     + (ya + (yb - ya) * fraction - at.y) * ux)      # left of the line
                lo, hi = _lane_span(net, lane.road_id, lane.lane_id, float(sig.s))
                if lo - LANE_SPAN_MARGIN_M <= t <= hi + LANE_SPAN_MARGIN_M:
                    hits.append((sig, fraction))
        return hits

    def compute(self, recording: Recording, net: RoadNetworkView | None = None) -> MetricResult:
        """Find signal crossings of the ego's front bumper and their light colour."""
        if net is None:
            stats = {n: Statistic(n, UNIT_COUNT, None)
                     for n in ("red_light_violation_count", "signals_passed")}
            return MetricResult(self.name, self.category, stats,
                                skipped="no road network: signal positions unknown")
        passed = self.crossings(recording, net)
        events = [{k: v for k, v in c.items() if k != "color"} for c in passed
                  if c["color"] == SignalColor.RED.value and not c.get("right_turn_on_red")]
        stats = {"red_light_violation_count": Statistic("red_light_violation_count", UNIT_COUNT,
                                                        float(len(events))),
                 "signals_passed": Statistic("signals_passed", UNIT_COUNT, float(len(passed)))}
        return MetricResult(self.name, self.category, stats, events=tuple(events))
