"""Pure state extractors shared by the metrics (after nuPlan ``metrics/utils/state_extractors``).

Everything returns numpy arrays indexed by frame, SI units. Derivatives use a Savitzky-Golay
filter (polynomial order 2) the way nuPlan's ``approximate_derivatives`` does (window 5 samples
at its 10 Hz, i.e. 0.4 s); here the window is given in seconds so it is the same span at any dt.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely

from testzone.errors import TestzoneError
from testzone.recording import Recording
from testzone.world import EntityState, LaneCoord

from evaluator.errors import EvaluationError

#: Default derivative window [s]: nuPlan's 5 samples at 0.1 s span 0.4 s.
DERIVATIVE_WINDOW_S = 0.4


@dataclass(frozen=True)
class EgoTrack:
    """The ego's states over the recording, one entry per frame it appears in.

    Attributes:
        name: ego entity name. t: times [s]. x, y: position [m]. h: heading unwrapped [rad].
        speed [m/s], acc (longitudinal) [m/s^2], yaw_rate [rad/s]: as recorded by the backend.
        states: the EntityState records. dt: the recording's step [s].
    """

    name: str
    t: np.ndarray
    x: np.ndarray
    y: np.ndarray
    h: np.ndarray
    speed: np.ndarray
    acc: np.ndarray
    yaw_rate: np.ndarray
    states: tuple[EntityState, ...]
    dt: float

    def __len__(self) -> int:
        return len(self.t)


def ego_name(recording: Recording) -> str:
    """Return the ego's name from the header.

    Raises:
        EvaluationError: the header names no ego (the case has no vehicle under test).
    """
    name = recording.header.ego
    if not name:
        raise EvaluationError("the recording header names no ego vehicle (expected header.ego)",
                              file=recording.header.scenario_file, element="header.ego")
    return name


def ego_track(recording: Recording) -> EgoTrack:
    """Extract the ego's :class:`EgoTrack` from every frame in which the ego appears.

    Raises:
        EvaluationError: no ego in the header.
    """
    name = ego_name(recording)
    frames = [f for f in recording.frames if name in f.entities]
    states = tuple(f.entities[name] for f in frames)

    def arr(values: list[float]) -> np.ndarray:
        """A float array of the values."""
        return np.asarray(values, dtype=float)

    h = np.unwrap(arr([s.pose.h for s in states])) if states else arr([])
    return EgoTrack(name, arr([f.time for f in frames]), arr([s.pose.x for s in states]),
                    arr([s.pose.y for s in states]), h, arr([s.speed for s in states]),
                    arr([s.acceleration for s in states]), arr([s.yaw_rate for s in states]),
                    states, float(recording.header.dt))


def derivative(values: np.ndarray, dt: float, window_s: float = DERIVATIVE_WINDOW_S) -> np.ndarray:
    """First time derivative of evenly sampled ``values`` (unit per second).

    Savitzky-Golay, polynomial order 2, window ``window_s`` [s] rounded to an odd number of
    samples (at least 3); exact for polynomials up to order 2. With fewer samples than the
    window, falls back to ``numpy.gradient``; fewer than 2 samples give zeros. Non-finite
    samples (a recording of a run that went wrong) give NaN derivatives, never an exception.
    The result equals ``scipy.signal.savgol_filter(values, window, 2, deriv=1, delta=dt,
    mode="interp")`` (a test checks it); it is computed with numpy because importing
    ``scipy.signal`` costs about 1.7 s in every process that scores a case (each Ray worker).
    """
    n = len(values)
    if n < 2:
        return np.zeros(n)
    if not np.all(np.isfinite(values)):
        return np.full(n, np.nan)
    win = max(3, int(round(window_s / dt)) + 1)
    if win % 2 == 0:
        win += 1
    if n < win:
        return np.gradient(values, dt)
    return _savgol_slope(np.asarray(values, dtype=float), win, dt)


def _savgol_slope(values: np.ndarray, window: int, dt: float) -> np.ndarray:
    """Savitzky-Golay first derivative, polynomial order 2, odd ``window`` <= len(values).

    Inside, the least-squares slope at a window's centre: sum(k * y[i+k]) / (dt * sum(k^2)),
    k = -h..h (Savitzky & Golay 1964: orders 1 and 2 give the same odd-derivative weights).
    The first and last h samples take the derivative of the order-2 polynomial fitted to the
    first and last window (scipy's ``mode="interp"``).
    """
    h = window // 2
    k = np.arange(-h, h + 1, dtype=float)
    out = np.empty(len(values))
    out[h:len(values) - h] = np.correlate(values, k / (dt * float(k @ k)), mode="valid")
    x = np.arange(window, dtype=float)
    for edge, at in ((slice(0, window), slice(0, h)),
                     (slice(len(values) - window, None), slice(window - h, window))):
        c = np.polynomial.polynomial.polyfit(x, values[edge], 2)
        where = slice(edge.start + at.start, edge.start + at.stop)
        out[where] = (c[1] + 2.0 * c[2] * x[at]) / dt
    return out


def box_centre(state: EntityState) -> tuple[float, float]:
    """Inertial (x, y) [m] of the bounding-box centre (the pose is the reference point)."""
    return state.box.centre(state.pose)


def front_reach(state: EntityState) -> float:
    """How far ahead of ``state``'s reference point its front bumper is [m] (the box's front
    edge: centre offset ``cx`` plus half the length; the reference point is the rear axle in
    OpenSCENARIO, so this is most of the length)."""
    return state.box.cx + state.box.length / 2.0


def front_point(state: EntityState) -> tuple[float, float]:
    """Inertial (x, y) [m] of the middle of ``state``'s front bumper (:func:`front_reach`
    ahead of the reference point along its heading)."""
    reach = front_reach(state)
    return (state.pose.x + reach * math.cos(state.pose.h),
            state.pose.y + reach * math.sin(state.pose.h))


MAX_JUMP_FACTOR = 2.0
"""A step in which an entity moved more than this times what its speed covers (plus 1 m) was a
jump (a TeleportAction), not a motion (:func:`moved_plausibly`)."""


def moved_plausibly(a: EntityState, b: EntityState, dt: float) -> bool:
    """Whether ``a`` -> ``b`` over ``dt`` [s] is a motion its speeds can make: at most
    :data:`MAX_JUMP_FACTOR` times the larger speed's distance plus 1 m. A jump (a
    TeleportAction) is not driven: no contact is swept along it, no distance counted."""
    reach = MAX_JUMP_FACTOR * max(abs(a.speed), abs(b.speed)) * dt + 1.0
    return math.hypot(b.pose.x - a.pose.x, b.pose.y - a.pose.y) <= reach


def lane_of(state: EntityState, net: object | None) -> LaneCoord | None:
    """``state``'s lane position: the recorded ``EntityState.lane`` when present, else, when
    the road network offers ``world_to_lane(x, y, heading)`` (docs/architecture.md, maps),
    its answer; None off the network, without that query, or when the network cannot place
    the point (TestzoneError)."""
    place = map_query(net, "world_to_lane") if state.lane is None else None
    if place is None:
        return state.lane
    try:
        return place(state.pose.x, state.pose.y, state.pose.h)
    except TestzoneError:
        return None


def lanes_along(track: EgoTrack, net: object | None) -> list[LaneCoord | None]:
    """The ego's lane position in each frame of ``track`` (:func:`lane_of`: a network that
    raises TestzoneError for a point gives None there, as ``maps.RoadNetwork`` returns None
    off its roads)."""
    return [lane_of(st, net) for st in track.states]


CROSSING_ANGLE_RAD = math.radians(30.0)
"""Least angle [rad] between a road user's heading and the ego's for it to be crossing the
ego's way rather than going along it (either way: oncoming traffic goes along it too)."""


def crosses_heading(ego: EntityState, other: EntityState, strict: bool = True) -> bool:
    """Whether ``other`` heads across the ego's way: more than (``strict``, else at least)
    :data:`CROSSING_ANGLE_RAD` from the ego's heading, either way (|sin| of the difference
    against sin 30 deg). The metrics add their own rule for road users standing still."""
    across = abs(math.sin(other.pose.h - ego.pose.h))
    limit = math.sin(CROSSING_ANGLE_RAD)
    return across > limit if strict else across >= limit


def road_junction(road: object | None) -> str | None:
    """The id of the junction a road of the network belongs to (``road@junction``, ASAM
    OpenDRIVE 1.8 clause 10.2), None for a road outside every junction or no road (duck-typed:
    any object with a ``junction`` attribute)."""
    jid = getattr(road, "junction", None)
    return None if jid in (None, "", "-1") else str(jid)


def junction_pass_lanes(lanes: list[LaneCoord | None], net: object | None
                        ) -> list[LaneCoord | None]:
    """``lanes`` (one per frame) with each pass through a junction put on one connecting road:
    the one the ego occupied in most frames of the pass (the later one on a tie).

    Connecting roads of a junction overlap where they leave the same incoming lane, so a
    lane lookup there may name, for a frame or two, a turning road the ego never took (its
    centre line is as near and as well aligned as the straight road's at the junction entry);
    rules that depend on the road, such as its speed limit, would then judge the ego by a road
    it did not drive. A pass is a run of consecutive frames on roads of the same junction
    (``net.roads[road_id].junction``, as maps' road model and OpenDRIVE's ``road@junction``
    give it); a replaced frame keeps its ``s``, ``t`` and offset (clipped to the road's length)
    and takes the lane id the ego had on the chosen road. Without ``net.roads`` the lanes are
    returned unchanged.
    """
    roads = getattr(net, "roads", None)
    if not hasattr(roads, "get"):
        return list(lanes)

    def junction_of(lane: LaneCoord | None) -> str | None:
        return road_junction(roads.get(lane.road_id)) if lane is not None else None

    out = list(lanes)
    i = 0
    while i < len(lanes):
        jid = junction_of(lanes[i])
        if jid is None:
            i += 1
            continue
        k = i
        while k < len(lanes) and junction_of(lanes[k]) == jid:
            k += 1
        run = [ln for ln in lanes[i:k] if ln is not None]
        frames: dict[str, int] = {}
        last: dict[str, int] = {}
        for idx, ln in enumerate(run):
            frames[ln.road_id] = frames.get(ln.road_id, 0) + 1
            last[ln.road_id] = idx
        taken = max(frames, key=lambda r: (frames[r], last[r]))
        lane_id = next(ln.lane_id for ln in run if ln.road_id == taken)
        length = float(getattr(roads.get(taken), "length", math.inf))
        for idx in range(i, k):
            ln = lanes[idx]
            if ln is not None and ln.road_id != taken:
                out[idx] = LaneCoord(taken, lane_id, min(ln.s, length), ln.t, ln.offset)
        i = k
    return out


def lane_direction(net: object | None, lane: LaneCoord) -> int:
    """+1 when the lane's driving direction is along +s, -1 against.

    The road's own traffic rule when the network offers ``driving_sign(road_id, lane_id)``
    (``maps.RoadNetwork``: ``rule="LHT"`` mirrors the directions), else right-hand traffic:
    ASAM OpenDRIVE 1.8 clause 9.3 (lane ids: negative right of the reference line, positive
    left), right lanes drive along the reference line.
    """
    sign = getattr(net, "driving_sign", None)
    if sign is not None:
        try:
            return 1 if sign(lane.road_id, lane.lane_id) > 0 else -1
        except (TestzoneError, KeyError):
            pass  # a road the network does not know: the right-hand default
    return 1 if lane.lane_id < 0 else -1


def box_corners(states: tuple[EntityState, ...] | list[EntityState]) -> np.ndarray:
    """Ground-plane box corners of each state, shape (N, 4, 2) [m] in the inertial frame
    (order of :meth:`testzone.world.BoundingBox.corners`: front-left, front-right, rear-right,
    rear-left)."""
    if not states:
        return np.zeros((0, 4, 2))
    return np.asarray([s.box.corners(s.pose) for s in states], dtype=float)


def drivable_area_in(net: object | None, xmin: float, ymin: float, xmax: float, ymax: float):
    """The network's drivable area (shapely geometry [m]) inside the rectangle, or None when
    the network offers no drivable-area query.

    Uses ``net.drivable_area_within(xmin, ymin, xmax, ymax)`` when offered (maps builds only
    the roads near the rectangle: a city-sized network's full union takes seconds), else
    ``net.drivable_area()`` clipped to the rectangle. Either way the result is exact inside the
    rectangle. None also for a rectangle that is not finite (positions that overflowed: the
    off-road test then falls back to the reference point). Raises what the network's query
    raises (TestzoneError).
    """
    if not all(math.isfinite(v) for v in (xmin, ymin, xmax, ymax)):
        return None
    within = map_query(net, "drivable_area_within")
    if within is not None:
        return shapely.clip_by_rect(within(xmin, ymin, xmax, ymax), xmin, ymin, xmax, ymax)
    full = map_query(net, "drivable_area")
    if full is None:
        return None
    return shapely.clip_by_rect(full(), xmin, ymin, xmax, ymax)


def map_query(net: object | None, name: str):
    """The bound method ``name`` of ``net`` when the road network offers it, else None.

    The map contract grows (``drivable_area``, ``lane_polygon``, ``crosswalks``,
    ``reference_frame``, docs/architecture.md); metrics using a newer query fall back or skip
    with a reason when an older or stand-in network lacks it.
    """
    fn = getattr(net, name, None) if net is not None else None
    return fn if callable(fn) else None
