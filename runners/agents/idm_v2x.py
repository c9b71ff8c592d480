"""``idm-v2x``: the ``idm`` reference agent plus the T/CSAE 53-2020 Day-1 V2X applications that
change driving.

What it adds to :class:`~runners.agents.idm.IdmAgent` (everything else is inherited: lane
keeping, IDM car following, camera-range red lights):

* **SPAT + MAP** (red light violation warning, RLVW; green light optimal speed advisory,
  GLOSA): it matches its position to a MAP lane (lateral distance within half the lane width,
  heading within 45 deg, upstream of the lane's last point = the stop line), takes the lane's
  ``straight`` connection (else its first one: the reference agents go straight through
  junctions, the map's default continuation), and reads that connection's
  ``phaseId`` in the latest SPAT of the node. Then, with ``d`` the distance from its front to
  the stop line, ``v`` its speed and ``T`` the count-down (``likelyEndTime`` minus the age of
  the message):

  - red: a stop line in its path (so it stops before it, even far beyond camera range; once
    stopping there needs ``v^2 / 2(d - stop_margin)`` of at least ``limit_braking_onset`` x
    ``comfortable_deceleration``, it brakes at that constant deceleration at once, as it does
    for a lower speed limit ahead, instead of letting IDM's gap term build up over seconds)
    unless
    it rolls at GLOSA speeds (``v`` and ``v_a`` at least ``glosa_min_speed``) and arrives after
    the red ends (``d / v >= T + glosa_margin_s / 2``) -- then a camera red at that line is
    ignored too, the SPAT timing being the better information; GLOSA:
    when ``v_a = d / (T + glosa_margin_s)`` is between ``glosa_min_speed`` and the desired
    speed, its speed is capped at ``v_a`` so it arrives as the light turns green (Katsaros et
    al., "Performance study of a Green Light Optimized Speed Advisory application", IEEE VNC
    2011: advisory = distance / time to green); once it follows an advisory, a later one
    below the floor (it tracks the advisory from above and gains time) caps it at the floor
    until the red ends, and it rolls on while it still arrives after the red ends (it stops
    at the line only if it would arrive early; it never speeds up towards the red);
  - yellow: it goes when it clears the line before the yellow ends (``d / v < T``); else it
    stops when that needs at most ``yellow_stop_deceleration`` (``v^2 / 2d``, the kinematic
    yellow-interval deceleration of the ITE formula, 3.0 m/s^2 = 10 ft/s^2), else it goes
    (dilemma zone);
  - green: when at its speed it would reach the line only after the green ends (``d / v > T``)
    and can stop comfortably (``v^2 / 2d <= comfortable_deceleration``), it plans to stop --
    IDM then brakes gently from afar instead of meeting a yellow at the line.

* **RSI** (hazardous location warning, HLW): an event whose position lies on its path within
  ``hazard_horizon_m`` slows it to ``hazard_speed`` from ``hazard_slow_distance_m`` before the
  event; an event of a type in ``obstacle_event_types`` lying in its lane corridor becomes a
  stationary obstacle ``obstacle_half_length_m`` before the event position (a stopped vehicle
  it cannot see yet).

* **RSM** (roadside perception, T/CSAE 53 phase-2 "sensor data sharing"): participants an RSU
  reports that its own sensors do not see (no sensed object within ``rsm_match_m``, and not
  itself) join its object list, so an occluded pedestrian or vehicle is followed or yielded to.

* **BSM** (vehicle-to-vehicle; the basis of FCW, ICW, BSW/LCW, EVW, AVW, CLW of T/CSAE
  53-2020): each other vehicle's latest BSM joins the object list the same way (same
  matching, so a vehicle both seen and heard is counted once), so it is followed or yielded to
  before its own sensors see it.

* **ICW** (intersection collision warning): a road user known from V2X that moves across its
  path (heading at least ``icw_min_angle_rad`` off the path's direction where its straight
  course meets the path) is predicted at constant speed -- or to its stop, when it reports a
  deceleration that stops it before the path. When it would occupy the conflict zone (the
  crossing widened by both vehicles' half widths and ``icw_margin_m``) within ``icw_gap_s``
  of the time the ego occupies it at its present speed, and reaches it within
  ``icw_horizon_s``, the ego yields if it can stop before the zone's near edge -- or, for a
  crossing inside a junction it has not entered yet, before the junction (where its
  connecting road starts: the stop line), so as not to stand in the other's way -- less
  ``stop_margin``, at no more than ``icw_max_deceleration``: it brakes at the constant
  deceleration that stops it there (IDM's braking for an obstacle appearing 40 m ahead at
  50 km/h would be far harsher) and stands until the other has left the zone; it keeps
  yielding to that road user, even when the predicted gap opens, until then. A zone its front
  has already entered, or one it cannot stop before, is left alone (it drives on through).
  Constant-velocity time-to-conflict prediction as in the ICW of T/CSAE 53-2020 (and SAE
  J2945/1's intersection movement assist). Yielding for a crossing inside a junction lasts
  until the other is ``icw_gap_s`` (at its speed) out of the junction area, as the
  post-encroachment time on that area (``evaluator.metrics.pet``) counts.

Messages are decoded with the bridge's readers (:mod:`v2x_bridge`), positions converted to the
map frame with the map's ``geoReference`` (its own map, as an on-board unit would).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

from shapely.geometry import LineString, Point

from testzone.errors import TestzoneError
from testzone.world import (BoundingBox, EntityKind, EntityState, Pose, SignalColor,
                            warning_light, wrap_angle)

from runners.agents.idm import IdmAgent, IdmParameters
from runners.agents.path_ahead import PathAhead, PathObstacle
from runners.interfaces import Observation, V2XReceived, VehicleSpec


@dataclass(frozen=True)
class V2xParameters:
    """What the V2X applications of ``idm-v2x`` do, SI units.

    Attributes:
        yellow_stop_deceleration: [m/s^2] the largest deceleration it accepts to stop on
            yellow (ITE kinematic yellow interval: 3.0 m/s^2).
        glosa_min_speed: [m/s] lowest advisory speed of GLOSA (below it the ego simply stops;
            20 km/h, a crawl speed most GLOSA studies use as the floor).
        glosa_margin_s: [s] arrive this long after the green starts.
        glosa_max_distance_m: [m] GLOSA applies only this close to the stop line.
        heading_tolerance_rad: [rad] largest heading difference to a MAP lane's direction.
        hazard_horizon_m: [m] RSI events farther along the path are ignored.
        hazard_slow_distance_m: [m] from this distance before an event the speed is capped.
        hazard_speed: [m/s] the capped speed near an event (30 km/h).
        obstacle_event_types: GB/T 29100-2012 event codes treated as a stationary obstacle in
            the lane (the scenarios' codes; the Wuhan V2X cases use 100 for a stopped vehicle).
        obstacle_half_length_m: [m] obstacle extent assumed before an obstacle event's position.
        rsi_timeout_s, spat_timeout_s, rsm_timeout_s, bsm_timeout_s: [s] forget information
            not repeated within this time (RSM and BSM are sent at 10 Hz).
        rsm_match_m: [m] an RSM participant or BSM sender within this of a sensed object (or
            of the ego) is the same object.
        advisory_time_s: [s] time constant of slowing to an advisory speed: the deceleration
            is (v - v_advisory) / advisory_time_s, at most the IDM comfortable deceleration
            (lowering IDM's desired speed below the current speed would brake far harder).
        stop_line_match_m: [m] a camera stop line this close to the MAP stop line is the same.
        icw_horizon_s: [s] crossing road users reaching the conflict zone later are ignored.
        icw_gap_s: [s] the ego yields when its time in the conflict zone and the other's come
            closer than this (a post-encroachment-time margin).
        icw_margin_m: [m] added to both half widths around the crossing point.
        icw_min_angle_rad: [rad] smallest angle between the other's course and the path for
            a crossing (smaller: following or oncoming traffic, left to IDM).
        icw_max_deceleration: [m/s^2] the largest deceleration it starts yielding with (a
            firm stop; beyond it, it drives on through).
    """

    yellow_stop_deceleration: float = 3.0
    glosa_min_speed: float = 20.0 / 3.6
    glosa_margin_s: float = 1.0
    glosa_max_distance_m: float = 300.0
    heading_tolerance_rad: float = math.radians(45.0)
    hazard_horizon_m: float = 300.0
    hazard_slow_distance_m: float = 150.0
    hazard_speed: float = 30.0 / 3.6
    obstacle_event_types: tuple[int, ...] = (100,)
    obstacle_half_length_m: float = 2.5
    rsi_timeout_s: float = 2.0
    spat_timeout_s: float = 1.0
    rsm_timeout_s: float = 0.3
    bsm_timeout_s: float = 0.3
    rsm_match_m: float = 2.5
    advisory_time_s: float = 2.0
    stop_line_match_m: float = 3.0
    icw_horizon_s: float = 8.0
    icw_gap_s: float = 1.5
    icw_margin_m: float = 1.0
    icw_min_angle_rad: float = math.radians(30.0)
    icw_max_deceleration: float = 4.0


@dataclass(frozen=True)
class MapLane:
    """A MAP lane in the map frame: node id, lane id, its centre line (upstream to the stop
    line), width [m], and its connections ``(maneuver names, phase id or None)``."""

    node_id: int
    lane_id: int
    line: LineString
    width_m: float
    connections: tuple[tuple[tuple[str, ...], int | None], ...]

    def phase_for(self, maneuver: str = "straight") -> int | None:
        """The phase id of the connection making ``maneuver`` (else of the first one)."""
        for names, phase in self.connections:
            if maneuver in names:
                return phase
        return self.connections[0][1] if self.connections else None


@dataclass(frozen=True)
class SignalAhead:
    """The V2X view of the signal ahead: colour, remaining time [s] (None: unknown), the
    distance from the ego's reference point to the stop line [m], and whether it flashes."""

    color: SignalColor
    remaining_s: float | None
    stop_distance: float
    flashing: bool = False


@dataclass
class V2xWorld:
    """What the ego has learnt from V2X messages (latest of each kind), in the map frame.

    Args:
        geo: a ``v2x_bridge.GeoFrame`` of the ego's map.
    """

    geo: Any
    lanes: dict[int, tuple[MapLane, ...]] = field(default_factory=dict)
    spat: dict[int, tuple[float, Any]] = field(default_factory=dict)
    events: dict[tuple[str, int], tuple[float, Any]] = field(default_factory=dict)
    participants: dict[str, tuple[float, tuple[Any, ...]]] = field(default_factory=dict)
    vehicles: dict[str, tuple[float, Any]] = field(default_factory=dict)
    _seen_maps: dict[str, bytes] = field(default_factory=dict)

    def ingest(self, msgs: tuple[V2XReceived, ...]) -> None:
        """Decode and keep the messages delivered this step."""
        from v2x_bridge import MESSAGES
        for m in msgs:
            if m.msg_type == "MAP" and self._seen_maps.get(m.sender) == m.uper:
                continue
            info = MESSAGES[m.msg_type].read(m.decoded, self.geo) \
                if m.msg_type in ("MAP", "SPAT", "RSI", "RSM", "BSM") else None
            if m.msg_type == "MAP":
                self._seen_maps[m.sender] = m.uper
                for node in info:
                    self.lanes[node.node_id] = map_lanes(node)
            elif m.msg_type == "SPAT":
                for inter in info.intersections:
                    self.spat[inter.node_id] = (m.sent_t, info)
            elif m.msg_type == "RSI":
                for ev in info.events:
                    self.events[(m.sender, ev.rte_id)] = (m.recv_t, ev)
            elif m.msg_type == "RSM":
                self.participants[m.sender] = (m.sent_t, info.participants)
            elif m.msg_type == "BSM":
                self.vehicles[m.sender] = (m.sent_t, info)

    def forget(self, now: float, p: V2xParameters) -> None:
        """Drop SPAT, RSI, RSM and BSM information older than its timeout."""
        self.spat = {k: v for k, v in self.spat.items() if now - v[0] <= p.spat_timeout_s}
        self.events = {k: v for k, v in self.events.items() if now - v[0] <= p.rsi_timeout_s}
        self.participants = {k: v for k, v in self.participants.items()
                             if now - v[0] <= p.rsm_timeout_s}
        self.vehicles = {k: v for k, v in self.vehicles.items() if now - v[0] <= p.bsm_timeout_s}

    def reports(self) -> list[tuple[str, float, Any, EntityKind, str]]:
        """Every road user known from V2X: ``(name, sent time [s], report, kind, category)``
        with ``report`` a decoded RSM participant or BSM (both carry x, y [m], speed [m/s],
        heading [rad], length, width [m]); RSM first, each group in sender order."""
        out = []
        for sender, (sent_t, parts) in sorted(self.participants.items()):
            for pt in parts:
                kind = {"pedestrian": EntityKind.PEDESTRIAN,
                        "non-motor": EntityKind.CYCLIST}.get(pt.ptc_type, EntityKind.VEHICLE)
                out.append((f"rsm:{sender}:{pt.ptc_id}", sent_t, pt, kind, "v2x-rsm"))
        for sender, (sent_t, bsm) in sorted(self.vehicles.items()):
            out.append((f"bsm:{sender}", sent_t, bsm, EntityKind.VEHICLE, "v2x-bsm"))
        return out


def map_lanes(node: Any) -> tuple[MapLane, ...]:
    """The lanes of a decoded MAP node (``v2x_bridge.map.NodeInfo`` read with a GeoFrame) that
    carry at least two points."""
    out = []
    for link in node.link_details:
        for ln in link.lanes:
            if len(ln.points) < 2:
                continue
            conns = tuple((c.maneuvers, c.phase_id) for c in ln.connections)
            width = ln.width_m or (link.width_m / max(len(link.lanes), 1))
            out.append(MapLane(node.node_id, ln.lane_id, LineString(ln.points), width, conns))
    return tuple(out)


def match_lane(lanes: dict[int, tuple[MapLane, ...]], x: float, y: float, h: float,
               tolerance_rad: float) -> tuple[MapLane, float] | None:
    """The MAP lane the point (x, y) [m] with heading h [rad] drives on, and the distance along
    it to its stop line [m]; None when no lane is within half its width, heading within
    ``tolerance_rad``, with (x, y) between its first and last point."""
    best = None
    p = Point(x, y)
    for node_lanes in lanes.values():
        for lane in node_lanes:
            along = lane.line.project(p)
            if along <= 0.0 or along >= lane.line.length:
                continue
            off = lane.line.distance(p)
            if off > lane.width_m / 2.0:
                continue
            a = lane.line.interpolate(max(along - 1.0, 0.0))
            b = lane.line.interpolate(min(along + 1.0, lane.line.length))
            if abs(wrap_angle(math.atan2(b.y - a.y, b.x - a.x) - h)) > tolerance_rad:
                continue
            if best is None or off < best[0]:
                best = (off, lane, lane.line.length - along)
    return None if best is None else (best[1], best[2])


class IdmV2xAgent(IdmAgent):
    """``idm-v2x``: :class:`IdmAgent` that also acts on SPAT/MAP, RSI, RSM and BSM (module
    docstring).

    Args:
        params: IDM parameters (default: :class:`IdmParameters` with a 300 m path horizon, so
            V2X information farther ahead can be placed on the path).
        v2x: the V2X application parameters.
    """

    version = "1"

    def __init__(self, params: IdmParameters | None = None,
                 v2x: V2xParameters | None = None) -> None:
        super().__init__(params or IdmParameters(horizon=300.0), name="idm-v2x")
        self.v2x = v2x or V2xParameters()
        self.world: V2xWorld | None = None
        self._extra: list[PathObstacle] = []
        self._speed_cap: float | None = None
        self._clear_line: float | None = None
        self._yield_gap: float | None = None
        self._red_gap: float | None = None
        self._glosa_engaged = False    # following a GLOSA advisory for the red ahead
        self._yielding: dict[str, str | None] = {}

    def setup(self, vehicle: VehicleSpec, road_network: Any, config: dict[str, Any]) -> None:
        """As :meth:`IdmAgent.setup`; ``config`` may also override :class:`V2xParameters`."""
        super().setup(vehicle, road_network, config)
        from v2x_bridge import GeoFrame
        keys = V2xParameters.__dataclass_fields__
        if config and any(k in keys for k in config):
            self.v2x = V2xParameters(**{**self.v2x.__dict__,
                                        **{k: v for k, v in config.items() if k in keys}})
        self.world = V2xWorld(self.geo_frame or GeoFrame.of_map(road_network))

    # ------------------------------------------------------------------ hooks of IdmAgent
    def obstacles(self, obs: Observation, path: PathAhead, along: float) -> list[PathObstacle]:
        """The camera/sensor obstacles of :class:`IdmAgent` plus the V2X ones of this step;
        a camera red at a stop line the SPAT timing says it reaches after the green starts
        (within ``stop_line_match_m``) is dropped."""
        found = super().obstacles(obs, path, along) + self._extra
        if self._clear_line is not None:
            found = [o for o in found if o.kind != "signal" or abs(
                o.distance - self._clear_line) > self.v2x.stop_line_match_m]
        return sorted(found, key=lambda o: o.distance)

    def desired_speed(self, obs: Observation) -> float:
        """The IDM desired speed, capped by GLOSA and hazard advisories of this step [m/s]
        (never below the current speed: slowing down to the advisory is done in :meth:`step`
        at a bounded deceleration)."""
        v0 = super().desired_speed(obs)
        if self._speed_cap is None:
            return v0
        return min(v0, max(self._speed_cap, obs.ego.speed))

    def step(self, obs: Observation):
        """Take in this step's V2X messages, plan the V2X obstacles and speed cap, then drive
        as :class:`IdmAgent` on the observation completed with RSM participants and BSM
        senders."""
        assert self.world is not None and self.spec is not None
        self.world.ingest(obs.v2x)
        self.world.forget(obs.time, self.v2x)
        self._extra, self._speed_cap, self._clear_line = [], None, None
        self._yield_gap = self._red_gap = None
        ego = obs.ego
        if ego.lane is not None:
            path, along = self.path_for(ego, self.route_ahead(obs))
            v0 = super().desired_speed(obs)
            self._plan_signal(obs, v0)
            self._plan_hazards(ego, path, along)
        extra = self.v2x_objects(obs)
        if ego.lane is not None:
            self._plan_crossings(ego, path, along, tuple(obs.objects) + extra)
        if extra:
            obs = replace(obs, objects=tuple(obs.objects) + extra)
        control = super().step(obs)
        if self._yield_gap is not None:  # ICW: the constant deceleration stopping it in time
            need = max(ego.speed, 0.0) ** 2 / (2.0 * max(self._yield_gap, 0.1))
            control = replace(control, acceleration=min(control.acceleration, -need, 0.0))
        if self._red_gap is not None:  # RLVW: a planned stop at a red line, braked evenly
            need = max(ego.speed, 0.0) ** 2 / (2.0 * max(self._red_gap, 0.1))
            if need >= self.params.limit_braking_onset * self.params.comfortable_deceleration:
                control = replace(control, acceleration=min(control.acceleration, -need))
        cap = self._speed_cap
        if cap is not None and ego.speed > cap:
            a_adv = max(-self.params.comfortable_deceleration,
                        (cap - ego.speed) / self.v2x.advisory_time_s)
            control = replace(control, acceleration=min(control.acceleration, a_adv))
        return control

    # ------------------------------------------------------------------ SPAT + MAP
    def signal_ahead(self, obs: Observation) -> SignalAhead | None:
        """The SPAT state of the ego's movement at the MAP stop line ahead, or None (no MAP
        lane matched, no SPAT of that node, or no phase for the movement)."""
        assert self.world is not None
        e = obs.ego
        hit = match_lane(self.world.lanes, e.pose.x, e.pose.y, e.pose.h,
                         self.v2x.heading_tolerance_rad)
        if hit is None:
            return None
        lane, stop_distance = hit
        phase = lane.phase_for("straight")
        spat = self.world.spat.get(lane.node_id)
        if phase is None or spat is None:
            return None
        sent_t, info = spat
        state = info.current(lane.node_id, phase)
        if state is None:
            return None
        remaining = state.likely_end_s
        if remaining is not None and (math.isinf(remaining) or state.absolute):
            remaining = None
        if remaining is not None:
            remaining = max(0.0, remaining - (obs.time - sent_t))
        return SignalAhead(state.color, remaining, stop_distance, state.flashing)

    def _plan_signal(self, obs: Observation, v0: float) -> None:
        sig = self.signal_ahead(obs)
        if sig is None or sig.color != SignalColor.RED:
            self._glosa_engaged = False
        if sig is None or sig.stop_distance > self.v2x.glosa_max_distance_m:
            return
        assert self.spec is not None
        ego, p, q = obs.ego, self.params, self.v2x
        front = ego.box.cx + ego.box.length / 2.0
        d = sig.stop_distance - front                       # front bumper to the line [m]
        v = max(ego.speed, 0.0)
        need = v * v / (2.0 * max(d - p.stop_margin, 0.1))  # deceleration to stop [m/s^2]
        stop = False
        if sig.color == SignalColor.RED:
            stop = True
            if sig.remaining_s is not None and d > 0.0:
                v_adv = d / (sig.remaining_s + q.glosa_margin_s)
                if q.glosa_min_speed <= v_adv < v0:
                    self._speed_cap = v_adv
                    self._glosa_engaged = True
                elif self._glosa_engaged and v_adv < q.glosa_min_speed:
                    # the advisory fell below the floor (it tracked the advisory from above
                    # and gained time): hold the floor, never speed up towards a red
                    self._speed_cap = q.glosa_min_speed
                # rolling at GLOSA speeds and arriving after the green starts (half the margin
                # to spare): no stop needed, and the camera's red at this stop line is
                # superseded by the SPAT timing (never while crawling up to the line)
                advised = v_adv >= q.glosa_min_speed or self._glosa_engaged
                stop = not (advised and v >= q.glosa_min_speed
                            and d / v >= sig.remaining_s + q.glosa_margin_s / 2.0)
                if not stop:
                    self._clear_line = sig.stop_distance
        elif sig.color == SignalColor.YELLOW and not warning_light(sig.color, sig.flashing):
            clears = sig.remaining_s is not None and v > 0.1 and d / v < sig.remaining_s
            stop = not clears and need <= q.yellow_stop_deceleration
        elif sig.color == SignalColor.GREEN and sig.remaining_s is not None and d > 0.0:
            late = d / max(v, 0.1) > sig.remaining_s
            stop = late and need <= p.comfortable_deceleration
        if stop:
            self._extra.append(PathObstacle("v2x:stop-line", sig.stop_distance, 0.0, "signal"))
            if sig.color == SignalColor.RED and d > p.stop_margin:
                self._red_gap = d - p.stop_margin

    # ------------------------------------------------------------------ RSI
    def _plan_hazards(self, ego: EntityState, path: PathAhead, along: float) -> None:
        assert self.world is not None
        q = self.v2x
        for (_, rte_id), (_, ev) in sorted(self.world.events.items()):
            if ev.x is None or ev.y is None:
                continue
            ev_along, off = path.locate(ev.x, ev.y)
            d = ev_along - along
            radius = ev.radius_m if ev.radius_m is not None else path.width / 2.0
            if d <= 0.0 or d > q.hazard_horizon_m or off > max(radius, path.width / 2.0) \
                    or ev_along >= path.line.length - 1e-6:
                continue
            if d - radius <= q.hazard_slow_distance_m:
                cap = q.hazard_speed
                self._speed_cap = cap if self._speed_cap is None else min(self._speed_cap, cap)
            if ev.event_type in q.obstacle_event_types and off <= path.width / 2.0 + 0.5:
                self._extra.append(PathObstacle(f"rsi:{rte_id}",
                                                d - q.obstacle_half_length_m, 0.0, "vehicle"))

    # ------------------------------------------------------------------ ICW
    def _plan_crossings(self, ego: EntityState, path: PathAhead, along: float,
                        others: tuple[EntityState, ...]) -> None:
        """Yield to road users crossing the path (module docstring, ICW): sets the gap [m]
        from its front to where it must stop (``_yield_gap``, None: no yielding) and
        remembers whom it yields to, with the junction of the crossing (``_yielding``)."""
        q, p = self.v2x, self.params
        v_ego = max(ego.speed, 0.1)
        front = ego.box.cx + ego.box.length / 2.0
        rear = ego.box.cx - ego.box.length / 2.0
        before, self._yielding = self._yielding, {}

        def stop_at(gap: float, key: str, junction: str | None) -> None:
            self._yielding[key] = junction
            self._yield_gap = gap if self._yield_gap is None else min(self._yield_gap, gap)

        for o in others:
            key = o.name.split(":", 1)[1] if o.name.startswith("bsm:") else o.name
            conflict = crossing_conflict(path, along, o, q.icw_horizon_s, q.icw_min_angle_rad)
            if conflict is None:
                junction = before.get(key)
                span = path.junction_span(junction) if junction is not None else None
                if span is not None and span[0] - along - front > 0.0 \
                        and self._in_junction(o, junction):
                    stop_at(span[0] - along - front - p.stop_margin, key, junction)
                continue
            d_path, d_other = conflict           # ego ref. point / other's centre to crossing
            half = o.box.width / 2.0 + q.icw_margin_m
            reach = o.box.length / 2.0 + path.width / 2.0 + q.icw_margin_m
            # the conflict zone along both courses [m]: the crossing widened, or the junction
            ego_zone = (d_path - half, d_path + half)
            other_zone = (d_other - reach, d_other + reach)
            junction = path.junction_at(along + d_path)
            span = path.junction_span(junction) if junction is not None else None
            if span is not None and span[0] - along - front > 0.0:
                ego_zone = (span[0] - along, span[1] - along)
                other_zone = self._course_through(o, junction) or other_zone
            gap = ego_zone[0] - front - p.stop_margin
            if gap + p.stop_margin <= 0.0:
                continue                         # its front is in the zone: drive through
            if o.acceleration < 0.0 and \
                    o.speed * o.speed / (-2.0 * o.acceleration) < other_zone[0]:
                continue                         # it stops before the zone
            if key not in before:
                ego_in, ego_out = (ego_zone[0] - front) / v_ego, (ego_zone[1] - rear) / v_ego
                other_in, other_out = other_zone[0] / o.speed, other_zone[1] / o.speed
                overlap = other_in - q.icw_gap_s < ego_out and ego_in < other_out + q.icw_gap_s
                need = ego.speed ** 2 / (2.0 * max(gap, 0.1))
                if other_in > q.icw_horizon_s or other_out < 0.0 or not overlap \
                        or need > q.icw_max_deceleration:
                    continue
            stop_at(gap, key, junction)

    def _junction_area(self, junction: str) -> Any:
        """The junction's area (shapely, ``maps.RoadNetwork.junction_area``), or None for a map
        that cannot give it (no area queries, unknown junction)."""
        try:
            return self.net.junction_area(junction)
        except (TestzoneError, AttributeError):
            return None

    def _course_through(self, other: EntityState, junction: str) -> tuple[float, float] | None:
        """``(in, out)`` [m from its box centre along its heading] where ``other``'s box enters
        and leaves the junction's area on a straight course, or None (no area, no crossing
        within ``icw_horizon_s``)."""
        area = self._junction_area(junction)
        if area is None:
            return None
        cx, cy = _centre(other)
        reach = other.speed * self.v2x.icw_horizon_s + other.box.length
        ray = LineString([(cx, cy), (cx + math.cos(other.pose.h) * reach,
                                     cy + math.sin(other.pose.h) * reach)])
        part = ray.intersection(area)
        if part.is_empty:
            return None
        ds = [ray.project(Point(xy)) for g in getattr(part, "geoms", [part])
              for xy in getattr(g, "coords", [])]
        if not ds:
            return None
        half = other.box.length / 2.0
        return min(ds) - half, max(ds) + half

    def _in_junction(self, other: EntityState, junction: str) -> bool:
        """True while ``other``'s box centre is in the junction's area or within half its
        length plus ``icw_gap_s`` at its speed of it."""
        area = self._junction_area(junction)
        if area is None:
            return False
        reach = other.box.length / 2.0 + other.speed * self.v2x.icw_gap_s
        return area.distance(Point(_centre(other))) <= reach

    # ------------------------------------------------------------------ RSM
    def v2x_objects(self, obs: Observation) -> tuple[EntityState, ...]:
        """Road users known from RSM and BSM (:meth:`V2xWorld.reports`) that are not among the
        sensed objects (nor the ego), as entity states: pose at the reported box centre moved
        on at the reported speed and heading for the message's age, ``category``
        ``"v2x-rsm"`` or ``"v2x-bsm"``. A report within ``rsm_match_m`` of a sensed object's
        box centre (or of one already taken) is that object; one within half the ego's length
        plus ``rsm_match_m`` of the ego's box centre is the ego itself."""
        assert self.world is not None
        ego = obs.ego
        ego_c = _centre(ego)
        known = [_centre(o) for o in obs.objects]
        out: list[EntityState] = []
        for name, sent_t, rep, kind, category in self.world.reports():
            if rep.x is None:
                continue
            age = max(obs.time - sent_t, 0.0)
            x = rep.x + (rep.speed or 0.0) * age * math.cos(rep.heading)
            y = rep.y + (rep.speed or 0.0) * age * math.sin(rep.heading)
            if math.hypot(x - ego_c[0], y - ego_c[1]) <= ego.box.length / 2.0 \
                    + self.v2x.rsm_match_m or any(
                        math.hypot(x - kx, y - ky) <= self.v2x.rsm_match_m for kx, ky in known):
                continue
            height = getattr(rep, "height", None) or 1.5
            box = BoundingBox(0.0, 0.0, 0.0, max(rep.length, 0.3), max(rep.width, 0.3), height)
            out.append(EntityState(name, kind, Pose(x, y, 0.0, rep.heading),
                                   speed=rep.speed or 0.0, box=box, category=category,
                                   acceleration=getattr(rep, "acceleration", None) or 0.0))
            known.append((x, y))
        return tuple(out)


def crossing_conflict(path: PathAhead, along: float, other: EntityState, horizon_s: float,
                      min_angle: float) -> tuple[float, float] | None:
    """Where ``other``'s straight course (from its box centre along its heading, as far as it
    goes in ``horizon_s`` [s] at its speed, plus its length) first meets the ego's path ahead:
    ``(distance along the path from the ego's reference point [m], distance from the other's
    centre [m])``; None when it is (almost) standing, does not meet the path ahead of
    ``along`` [m], or meets it at less than ``min_angle`` [rad] (same or opposite
    direction)."""
    if other.speed < 0.5:
        return None
    cx, cy = _centre(other)
    reach = other.speed * horizon_s + other.box.length
    c, s = math.cos(other.pose.h), math.sin(other.pose.h)
    hit = path.line.intersection(LineString([(cx, cy), (cx + c * reach, cy + s * reach)]))
    points = [g for g in getattr(hit, "geoms", [hit]) if isinstance(g, Point)]
    best = None
    for p in points:
        d_path = path.line.project(p) - along
        d_other = math.hypot(p.x - cx, p.y - cy)
        if d_path > 0.0 and (best is None or d_other < best[1]):
            best = (d_path, d_other)
    if best is None:
        return None
    angle = abs(math.sin(wrap_angle(other.pose.h - path.heading_at(best[0] + along))))
    return best if angle >= math.sin(min_angle) else None


def _centre(e: EntityState) -> tuple[float, float]:
    """Box centre (x, y) [m] of an entity (RSM reports centres, poses are reference points)."""
    c, s = math.cos(e.pose.h), math.sin(e.pose.h)
    return (e.pose.x + c * e.box.cx - s * e.box.cy, e.pose.y + s * e.box.cx + c * e.box.cy)
