"""MOBIL lane-change decisions for the IDM reference agents.

MOBIL, "minimizing overall braking induced by lane changes" (Kesting, Treiber, Helbing 2007,
"General lane-changing model MOBIL for car-following models", Transp. Res. Rec. 1999,
pp. 86-94). With ``a`` the acceleration of the car-following model (here IDM) before and
``a~`` after a prospective change, ``c`` the ego, ``o`` its old follower (current lane) and
``n`` its new follower (target lane):

* safety (eq. 1): ``a~_n >= -b_safe`` -- the new follower need not brake harder than b_safe;
* incentive, symmetric rules (eq. 2): ``a~_c - a_c + p [(a~_n - a_n) + (a~_o - a_o)] > da_th``;
* incentive, asymmetric "keep right" rules (eq. 5-6, the paper's European variant, taken
  here for the PRC Road Traffic Safety Law art. 35, drive on the right, and its Implementing
  Regulations art. 47, overtake on the left): only the follower in the passing lane counts,
  and a bias ``da_bias`` pulls towards the kerb lane::

      towards the kerb: a~_c^eur - a_c     + p (a~_o - a_o) > da_th - da_bias
      towards the centre: a~_c - a_c^eur   + p (a~_n - a_n) > da_th + da_bias

  where ``a^eur`` (no overtaking on the kerb side) caps the ego's acceleration in the kerb
  lane by the acceleration of following the passing lane's leader, when ``v > v_crit``.

The acceleration function takes the vehicle it reasons about (its speed) and its leader (gap
and speed), as HighwayEnv's ``IDMVehicle.acceleration`` does, so the same function gives the
ego's gain and the braking a change imposes on the followers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Callable

from maps.errors import MapsError
from maps.road import DRIVING_TYPES, WALKING_TYPES
from maps.traversal import lane_id_at, route_chooser

from testzone.world import EntityKind, EntityState, LaneCoord, wrap_angle

AccelFn = Callable[[float, "float | None", float], float]
"""``accel(v, gap, v_leader) -> a``: car-following acceleration [m/s^2] of a vehicle at speed
``v`` [m/s] whose leader is ``gap`` [m] ahead (bumper to bumper; None: free road) at
``v_leader`` [m/s]."""


@dataclass(frozen=True)
class MobilParameters:
    """MOBIL parameters, SI units; defaults from Kesting et al. 2007, table 1, unless noted.

    Attributes:
        lane_changes: False keeps the agent in its lane (``--agent-config``
            ``{"lane_changes": false}``: the lane-keeping ``idm`` of before).
        politeness: p [-], weight of the other drivers' gains (paper: 0 ... 1; 0.3 here,
            a "realistic" driver between selfish 0 and the paper's 0.5).
        change_threshold: da_th [m/s^2], least net gain worth a change (paper: 0.1).
        right_bias: da_bias [m/s^2], pull towards the kerb lane under keep-right rules
            (paper: 0.3; 0 with ``keep_right`` False makes the rules symmetric).
        safe_deceleration: b_safe [m/s^2], the largest braking imposed on the new follower
            (paper: 4, well below the ~9 m/s^2 a car can brake); the ego's own deceleration
            in the target lane is held to it too (a project addition).
        keep_right: asymmetric (True) or symmetric (False) rules.
        critical_speed: v_crit [m/s] above which overtaking on the kerb side is not allowed
            (paper: 60 km/h).
        change_min_gap: [m] least bumper-to-bumper gap to the target lane's leader and
            follower at the decision (a project addition: IDM alone lets a slower follower accept a
            metre-long gap).
        change_interval: [s] least time between two changes (project choice, damps lane hopping).
        change_period: [s] how often the agent re-evaluates (project choice).
        change_duration: [s] time to move across to the target lane centre (lane changes
            typically last 3-6 s: Toledo & Zohar 2007, "Modeling duration of lane changes",
            TRR 1999).
        change_clearance: [m] no change when the road (in the driving direction) ends within the
            change's length plus this (no change across or just before a junction).
        change_min_speed: [m/s] no change starts below this speed (a stopped car cannot steer
            round the car it stopped behind; project choice).
        blocked_speed: [m/s] a target lane whose nearest leader moves slower than this is
            blocked and never chosen: MOBIL judges a lane by the braking it needs now, so a
            far-off standing car would otherwise look like a free lane (project addition).
        change_timeout: [s] a change not finished after this long is given up: the ego keeps
            the lane its reference point is in (project choice).
        min_lane_width: [m] a target lane narrower than this anywhere over the change's length
            plus ``change_clearance`` is no lane to change into (a tapering acceleration lane;
            project choice: a 2.5 m car lane is the narrowest GB 50647 urban lane less its
            markings).
    """

    lane_changes: bool = True
    politeness: float = 0.3
    change_threshold: float = 0.1
    right_bias: float = 0.3
    safe_deceleration: float = 4.0
    keep_right: bool = True
    critical_speed: float = 60.0 / 3.6
    change_min_gap: float = 2.0
    change_interval: float = 5.0
    change_period: float = 0.5
    change_duration: float = 4.0
    change_clearance: float = 30.0
    change_min_speed: float = 5.0
    blocked_speed: float = 1.0
    change_timeout: float = 10.0
    min_lane_width: float = 2.5


@dataclass(frozen=True)
class Neighbour:
    """A vehicle ahead of or behind the ego in one lane.

    Attributes:
        gap: bumper-to-bumper distance [m] from the ego (leader: its rear to the ego's front;
            follower: the ego's rear to its front); negative when they overlap.
        speed: its speed along the lane [m/s].
    """

    gap: float
    speed: float


@dataclass(frozen=True)
class LaneGaps:
    """The ego's nearest leader and follower in one lane (None: none seen)."""

    leader: Neighbour | None = None
    follower: Neighbour | None = None


@dataclass(frozen=True)
class MobilDecision:
    """The outcome of :func:`mobil`: ``change`` (safe and worth it), ``safe``, the net
    ``incentive`` [m/s^2] (left side of the incentive criterion minus its threshold: change
    when > 0) and ``new_follower_accel`` a~_n [m/s^2] (None: no new follower)."""

    change: bool
    safe: bool
    incentive: float
    new_follower_accel: float | None


def _follow(accel: AccelFn, v: float, leader: Neighbour | None, extra_gap: float = 0.0
            ) -> float:
    """Acceleration of a vehicle at ``v`` behind ``leader`` (gap increased by ``extra_gap``)."""
    if leader is None:
        return accel(v, None, 0.0)
    return accel(v, leader.gap + extra_gap, leader.speed)


def mobil(p: MobilParameters, accel: AccelFn, v: float, ego_length: float,
          current: LaneGaps, target: LaneGaps, to_kerb: bool) -> MobilDecision:
    """Decide one prospective lane change by MOBIL (Kesting et al. 2007, eq. 1-2, 5-6).

    Args:
        p: the parameters. accel: the car-following model (:data:`AccelFn`), applied to the
            ego and to both followers (assumed to drive by the same model).
        v: ego speed [m/s]. ego_length: ego length [m] (a follower's gap grows by it and by
            the ego's leader gap when the ego leaves).
        current, target: leader and follower in the ego's lane and in the target lane, gaps
            measured from the ego.
        to_kerb: the target lane is on the kerb side (right in right-hand traffic).

    Returns:
        A :class:`MobilDecision`. Unsafe when a target gap is below ``p.change_min_gap``, or
        when the new follower would brake harder than ``b_safe``, or the ego itself would.
    """
    a_c = _follow(accel, v, current.leader)
    at_c = _follow(accel, v, target.leader)
    n, o = target.follower, current.follower
    at_n = None if n is None else accel(n.speed, n.gap, v)
    gaps_ok = all(x is None or x.gap >= p.change_min_gap for x in (target.leader, n))
    safe = gaps_ok and at_c >= -p.safe_deceleration and (
        at_n is None or at_n >= -p.safe_deceleration)
    gain_n = 0.0 if n is None or at_n is None else at_n - _follow(
        accel, n.speed, target.leader, n.gap + ego_length)
    gain_o = 0.0 if o is None else _follow(
        accel, o.speed, current.leader, o.gap + ego_length) - accel(o.speed, o.gap, v)
    if not p.keep_right:
        incentive = at_c - a_c + p.politeness * (gain_n + gain_o) - p.change_threshold
    elif to_kerb:
        at_eur = min(at_c, a_c) if v > p.critical_speed else at_c
        incentive = at_eur - a_c + p.politeness * gain_o - (p.change_threshold - p.right_bias)
    else:
        a_eur = min(a_c, at_c) if v > p.critical_speed else a_c
        incentive = at_c - a_eur + p.politeness * gain_n - (p.change_threshold + p.right_bias)
    return MobilDecision(safe and incentive > 0.0, safe, incentive, at_n)


def lane_gaps(ego: EntityState, objects: tuple[EntityState, ...], road_id: str, lane_id: int,
              direction: int) -> LaneGaps:
    """The nearest leader and follower of ``ego`` in lane ``lane_id`` of road ``road_id``,
    from the objects' lane coordinates (objects off the road or on other roads are ignored).

    ``direction`` is the lane's driving sign (+1 along +s, -1 against). Longitudinal places are
    road s [m] times ``direction`` (the reference line's s, so gaps on a curve are off by the
    factor ``1 - k t``); bumpers are the reference point plus the box centre offset +- half
    the length, the box assumed along the lane; speeds are projected on the ego's heading.
    Pedestrians are not lane occupants (see :func:`pedestrian_ahead`).
    """
    assert ego.lane is not None
    e_ref = direction * ego.lane.s
    e_front = e_ref + ego.box.cx + ego.box.length / 2.0
    e_rear = e_ref + ego.box.cx - ego.box.length / 2.0
    leader: Neighbour | None = None
    follower: Neighbour | None = None
    for obj in objects:
        ln = obj.lane
        if obj.kind == EntityKind.PEDESTRIAN or ln is None or ln.road_id != road_id \
                or ln.lane_id != lane_id:
            continue
        o_ref = direction * ln.s
        speed = obj.speed * math.cos(wrap_angle(obj.pose.h - ego.pose.h))
        if o_ref >= e_ref:
            gap = o_ref + obj.box.cx - obj.box.length / 2.0 - e_front
            if leader is None or gap < leader.gap:
                leader = Neighbour(gap, speed)
        else:
            gap = e_rear - (o_ref + obj.box.cx + obj.box.length / 2.0)
            if follower is None or gap < follower.gap:
                follower = Neighbour(gap, speed)
    return LaneGaps(leader, follower)


def with_lanes(net, objects: tuple[EntityState, ...]) -> tuple[EntityState, ...]:
    """``objects`` with the lane position filled in (``net.world_to_lane`` from the pose and
    heading) where it is missing, e.g. objects learnt from V2X RSM; those off the road stay
    without one."""
    out = []
    for obj in objects:
        if obj.lane is None:
            types = WALKING_TYPES if obj.kind == EntityKind.PEDESTRIAN else DRIVING_TYPES
            lane = net.world_to_lane(obj.pose.x, obj.pose.y, obj.pose.h, lane_types=types)
            if lane is not None:
                obj = replace(obj, lane=lane)
        out.append(obj)
    return tuple(out)


def pedestrian_ahead(net, ego: EntityState, objects: tuple[EntityState, ...], direction: int,
                     distance: float) -> bool:
    """True when a pedestrian stands on the ego's road, in a driving lane, within
    ``distance`` [m] ahead (by road s; ``direction`` the ego lane's driving sign): the ego
    yields in its lane instead of swerving round it."""
    assert ego.lane is not None
    for obj in objects:
        ln = obj.lane
        if obj.kind != EntityKind.PEDESTRIAN or ln is None or ln.road_id != ego.lane.road_id:
            continue
        # any lane of the road counts (a pedestrian crossing the far carriageway comes over)
        if net.lane_type(ln.road_id, ln.lane_id, ln.s) != "driving":
            continue
        ahead = (ln.s - ego.lane.s) * direction
        if -ego.box.length <= ahead <= distance:
            return True
    return False


def _wide_enough(net, road_id: str, lane: int, s0: float, ds: float, width: float) -> bool:
    """Whether lane ``lane`` of road ``road_id`` exists and is at least ``width`` [m] wide
    from ``s0`` over ``ds`` [m] (signed, along the lane's driving direction), sampled every
    10 m and at the end."""
    n = max(1, int(abs(ds) // 10.0))
    for k in range(n + 1):
        s = s0 + ds * k / n
        if lane not in net.lane_ids(road_id, s) or net.lane_width(road_id, lane, s) < width:
            return False
    return True


def adjacent_lanes(net, coord: LaneCoord, length: float, p: MobilParameters,
                   route: tuple[str, ...] = ()) -> list[tuple[int, bool]]:
    """The lanes the ego at ``coord`` may change into: ``(lane id, to_kerb)`` pairs.

    A neighbour qualifies when it is of type ``driving`` and carries traffic in the ego's
    direction both at the ego and ``length`` [m] ahead, the ego's road is no junction
    connecting road, and the road goes on for at least ``length + p.change_clearance`` [m]
    (no change across, or just before, a junction), the lane is at least
    ``p.min_lane_width`` wide all over that stretch (sampled every 10 m: not a lane that
    tapers away, like an acceleration lane), and the lane leads to the road the ego's lane
    leads to 80 m past the road's end (no change into a turning lane): along ``route`` (road
    ids: the scenario's route still ahead of the ego, the agent's ``route_ahead``) where it
    goes on, else by the map's straightest
    continuation. With a route, a lane from which it cannot be followed is never offered (a
    car in the only left-turn lane of a route turning left stays there). Left is the lane id plus the driving
    sign (OpenDRIVE lane ids, centre lane 0 skipped); the kerb side is the larger ``|id|``.
    Raises ``MapsError`` (from ``net``) only for an unknown road.
    """
    road = net.roads[coord.road_id]
    if road.in_junction:
        return []
    sign, left_to = _road_left(road, coord)
    if left_to < length + p.change_clearance:
        return []
    choose = route_chooser(list(route)) if route else None
    exit_road = _exit_road(net, coord, coord.lane_id, coord.s, left_to, choose)
    out = []
    for step in (sign, -sign):
        lane = _next_lane(coord.lane_id, step)
        # the lane must lead where the ego's lane leads (not into a turning lane)
        if _usable(net, coord, lane, length + p.change_clearance, p) and \
                _exit_road(net, coord, lane, coord.s, left_to, choose) == exit_road:
            out.append((lane, abs(lane) > abs(coord.lane_id)))
    return out


EXIT_PAST_END_M = 80.0
"""How far past the ego's road's end [m] a lane is followed to see where it leads (past the
road's end and a junction after it)."""


def _road_left(road, coord: LaneCoord) -> tuple[int, float]:
    """(driving sign of the ego's lane, road left ahead of the ego along it [m])."""
    sign = road.driving_sign(coord.lane_id)
    return sign, (road.length - coord.s if sign > 0 else coord.s)


def _exit_road(net, coord: LaneCoord, lane: int, s: float, left_to: float, choose) -> str:
    """The road that lane ``lane`` of the ego's road, from ``s`` [m], leads to
    :data:`EXIT_PAST_END_M` past the road's end (``left_to`` [m] ahead of the ego at
    ``coord.s``), taking ``choose``'s branch at junctions (``maps.RoadNetwork.advance``)."""
    return net.advance(LaneCoord(coord.road_id, lane, s, 0.0),
                       left_to + EXIT_PAST_END_M - abs(s - coord.s), choose).road_id


def _next_lane(lane_id: int, step: int) -> int:
    """The lane id ``step`` (+1 / -1) from ``lane_id``, the centre lane 0 skipped."""
    lane = lane_id + step
    return lane + step if lane == 0 else lane


def _usable(net, coord: LaneCoord, lane: int, ahead: float, p: MobilParameters,
            from_here: bool = True) -> bool:
    """Whether ``lane`` of the ego's road is a driving lane in the ego's direction at the ego
    and ``ahead`` [m] on, at least ``p.min_lane_width`` wide all the way (a lane that
    tapers away is not); with ``from_here`` False only where the change ends, ``ahead`` on
    (a turn bay that opens within the change: it is there when the ego is)."""
    road = net.roads[coord.road_id]
    sign = road.driving_sign(coord.lane_id)
    end = coord.s + sign * ahead
    for s in ((coord.s, end) if from_here else (end,)):
        if lane not in net.lane_ids(coord.road_id, s) \
                or net.lane_type(coord.road_id, lane, s) != "driving" \
                or road.driving_sign(lane) != sign:
            return False
    if not from_here:
        return net.lane_width(coord.road_id, lane, end) >= p.min_lane_width
    return _wide_enough(net, coord.road_id, lane, coord.s, sign * ahead, p.min_lane_width)


ROUTE_LANE_SEARCH = 3
"""How many lanes to either side :func:`route_lane_step` looks for one that follows the route."""


def route_lane_step(net, coord: LaneCoord, length: float, p: MobilParameters,
                    route: tuple[str, ...]) -> tuple[int, bool] | None:
    """The lane change the route demands: ``(neighbour lane id, to_kerb)`` towards the nearest
    lane of the ego's road from which the route can be followed past the road's end, when
    the ego's own lane cannot (it leads straight on where the route turns off, from another
    lane). ``route``: the roads still ahead, the ego's road first (the agent's
    ``route_ahead``); the lane must lead onto one of them up to the first outside a junction.
    None when its lane follows the route or the route ends on this road. The lanes crossed
    must be there, wide enough, where a change of ``length`` [m] ends (:func:`_usable`: a
    turn bay opening within it counts; no clearance before the junction is asked: the
    change is needed); when no lane within :data:`ROUTE_LANE_SEARCH` follows the route yet,
    the step towards the side where one will (:func:`_towards_later_lane`).
    A mandatory lane change (Kesting et al. 2007, section 3: MOBIL's incentive replaced
    by the route's demand; its safety criterion still applies, in the agent). Hostile pass
    13: idm stayed in a lane that went straight on where its route turned left, and failed
    follows_route."""
    if len(route) < 2 or route[0] != coord.road_id:
        return None
    road = net.roads[coord.road_id]
    if road.in_junction:
        return None
    sign, left_to = _road_left(road, coord)
    length = min(length, left_to - 0.5)
    if length <= 0.0:
        return None
    choose = route_chooser(list(route))
    plain = next((k for k in range(1, len(route))
                  if not net.roads[route[k]].in_junction), len(route) - 1)
    planned = set(route[1:plain + 1])       # the connecting roads and the road after them

    def follows(lane: int, s: float) -> bool:
        try:
            return _exit_road(net, coord, lane, s, left_to, choose) in planned
        except MapsError:
            return False

    if follows(coord.lane_id, coord.s):
        return None
    end = coord.s + sign * length
    for k in range(1, ROUTE_LANE_SEARCH + 1):
        for step in (sign, -sign):
            lanes, lane = [], coord.lane_id
            for _ in range(k):
                lane = _next_lane(lane, step)
                lanes.append(lane)
            if all(_usable(net, coord, ln, length, p, from_here=False) for ln in lanes) \
                    and follows(lanes[-1], end):
                return lanes[0], abs(lanes[0]) > abs(coord.lane_id)
    return _towards_later_lane(net, coord, length, p, sign, left_to, follows)


ROAD_END_PROBE_M = 5.0
"""How far before the road's end [m] :func:`_towards_later_lane` looks for the route's lane."""


def _towards_later_lane(net, coord: LaneCoord, length: float, p: MobilParameters, sign: int,
                        left_to: float, follows) -> tuple[int, bool] | None:
    """When no lane within reach follows the route yet (it opens later, a turn bay): the
    neighbour towards the side where, :data:`ROAD_END_PROBE_M` before the road's end, a lane
    that follows it lies, compared with where the ego's lane has got to there (ids counted
    outward from the reference line); None when no lane there follows it or the neighbour
    that way is not usable now (hostile pass 13b: idm kept right while a left-turn bay was
    still ahead, then could not cross three lanes in time)."""
    if left_to <= ROAD_END_PROBE_M:
        return None
    road = net.roads[coord.road_id]
    s_end = coord.s + sign * (left_to - ROAD_END_PROBE_M)
    there = lane_id_at(road, coord.lane_id, coord.s, s_end)
    if there is None:
        return None
    side = road.sections[road.section_index(s_end)]
    targets = [ln.id for ln in (side.left if there > 0 else side.right)
               if ln.type == "driving" and road.driving_sign(ln.id) == sign
               and follows(ln.id, s_end)]
    if not targets:
        return None
    target = min(targets, key=lambda i: abs(abs(i) - abs(there)))
    if abs(target) == abs(there):
        return None
    step = 1 if (abs(target) > abs(there)) == (coord.lane_id > 0) else -1
    lane = _next_lane(coord.lane_id, step)
    if not _usable(net, coord, lane, length, p):
        return None
    return lane, abs(lane) > abs(coord.lane_id)
