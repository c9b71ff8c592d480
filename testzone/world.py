"""World-state records shared by every package.

All values are SI and in the OpenDRIVE inertial frame (x east, y north, z up, heading h
counter-clockwise from the x axis) [ASAM OpenDRIVE 1.8, clause 2.3 "Coordinate systems"].
Records are frozen dataclasses; a step of the simulation produces one :class:`WorldState`.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from typing import NamedTuple


class EntityKind(str, enum.Enum):
    """What an entity is, after OpenSCENARIO's ScenarioObject kinds and their categories."""

    VEHICLE = "vehicle"
    PEDESTRIAN = "pedestrian"
    CYCLIST = "cyclist"
    OBSTACLE = "obstacle"


@dataclass(frozen=True, slots=True)
class Pose:
    """A pose in the OpenDRIVE inertial frame.

    Attributes:
        x, y, z: position of the entity's reference point [m] (for vehicles OpenSCENARIO puts it
            at the centre of the rear axle, projected to the ground).
        h: heading (yaw) [rad], counter-clockwise from the x axis, in (-pi, pi].
        p: pitch [rad]. r: roll [rad].
    """

    x: float
    y: float
    z: float = 0.0
    h: float = 0.0
    p: float = 0.0
    r: float = 0.0


@dataclass(frozen=True)
class BoundingBox:
    """OpenSCENARIO BoundingBox: centre relative to the reference point and dimensions.

    Attributes:
        cx, cy, cz: box centre in the entity frame (x forward, y left, z up) [m].
        length, width, height: box dimensions [m].
    """

    cx: float = 0.0
    cy: float = 0.0
    cz: float = 0.0
    length: float = 4.5
    width: float = 1.8
    height: float = 1.5

    def centre(self, pose: Pose) -> tuple[float, float]:
        """Inertial ground-plane ``(x, y)`` [m] of this box's centre placed at ``pose`` (the
        pose is the entity's reference point)."""
        c, s = math.cos(pose.h), math.sin(pose.h)
        return (pose.x + c * self.cx - s * self.cy, pose.y + s * self.cx + c * self.cy)

    def corners(self, pose: Pose) -> list[tuple[float, float]]:
        """Return the four ground-plane corners [m] of this box placed at ``pose``.

        Order: front-left, front-right, rear-right, rear-left (counter-clockwise from rear-left
        read backwards), in the inertial frame.
        """
        c, s = math.cos(pose.h), math.sin(pose.h)
        cx, cy = self.centre(pose)
        hl, hw = self.length / 2.0, self.width / 2.0
        out = []
        for dx, dy in ((hl, hw), (hl, -hw), (-hl, -hw), (-hl, hw)):
            out.append((cx + c * dx - s * dy, cy + s * dx + c * dy))
        return out


@dataclass(frozen=True, slots=True)
class LaneCoord:
    """A position in road coordinates (ASAM OpenDRIVE 1.8 clause 2.3.3, the reference-line frame).

    Attributes:
        road_id: OpenDRIVE ``road@id``.
        lane_id: OpenDRIVE lane id: positive left of the reference line, negative right, 0 the
            centre lane.
        s: distance along the road reference line [m].
        t: lateral distance from the reference line, positive to the left [m].
        offset: lateral distance from the lane centre, positive to the left [m].
    """

    road_id: str
    lane_id: int
    s: float
    t: float
    offset: float = 0.0


@dataclass(frozen=True)
class EntityState:
    """The state of one entity at one instant.

    Attributes:
        name: the ScenarioObject name (unique in a scenario).
        kind: vehicle, pedestrian, cyclist or obstacle.
        pose: position and orientation.
        speed: signed longitudinal speed [m/s].
        acceleration: longitudinal acceleration [m/s^2].
        yaw_rate: [rad/s].
        box: the bounding box.
        lane: the lane position, or None when off the road network.
        steering: front-wheel angle [rad], 0 when unknown.
        category: the OpenSCENARIO category (``car``, ``truck``, ``bus``, ``pedestrian``, ...).
        visible: False after a VisibilityAction hid it.
        role: the OpenSCENARIO 1.2 ``Role`` of a Vehicle or Pedestrian (``none``,
            ``ambulance``, ``civil``, ``fire``, ``military``, ``police``, ``publicTransport``,
            ``roadAssistance``).
        lights: the OpenSCENARIO ``VehicleLightType`` names of the lights on or flashing,
            sorted (set by LightStateAction).
    """

    name: str
    kind: EntityKind
    pose: Pose
    speed: float = 0.0
    acceleration: float = 0.0
    yaw_rate: float = 0.0
    box: BoundingBox = field(default_factory=BoundingBox)
    lane: LaneCoord | None = None
    steering: float = 0.0
    category: str = "car"
    visible: bool = True
    role: str = "none"
    lights: tuple[str, ...] = ()

    @property
    def velocity(self) -> tuple[float, float]:
        """Velocity in the inertial frame (vx, vy) [m/s], along the heading."""
        return (self.speed * math.cos(self.pose.h), self.speed * math.sin(self.pose.h))


class SignalColor(str, enum.Enum):
    """Light colour of a traffic signal head, after GB 14886 (and OpenSCENARIO state strings)."""

    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"
    OFF = "off"
    UNKNOWN = "unknown"


class SignalSpan(NamedTuple):
    """One light to come of a signal (:attr:`SignalState.upcoming`): its colour, when it
    starts [s from now], how long it lasts [s], and whether the lamp flashes."""

    color: SignalColor
    starts_in: float
    lasts: float
    flashing: bool = False


@dataclass(frozen=True)
class SignalState:
    """State of one traffic signal (OpenDRIVE ``signal@id``) at one instant.

    Attributes:
        signal_id: the OpenDRIVE signal id.
        color: current colour.
        time_to_change: time until the colour changes [s], or None when unknown.
        phase_id: the index (0-based) of the TrafficSignalController Phase showing now, or
            None; not the SPAT/MAP phase id (the RSU layout gives that, v2x_bridge.factory).
        upcoming: the lights that follow, over one signal cycle, as :class:`SignalSpan`
            ``(colour, starts in [s], lasts [s], flashing)``, in order: the first starts at
            ``time_to_change``, the last is the current light coming round again (its whole
            length). Empty when the plan is not known (a pinned signal, a light held all
            cycle, a backend without the plan).
        flashing: the lamp flashes (esmini's lamp state ``"off;flashing;off"``: a flashing
            amber; the SPAT's LightState flashing-red/-yellow/-green). A change between a
            steady and a flashing lamp of one colour is a change of light (``time_to_change``).
    """

    signal_id: str
    color: SignalColor
    time_to_change: float | None = None
    phase_id: int | None = None
    upcoming: tuple[SignalSpan, ...] = ()
    flashing: bool = False


def warning_light(color: SignalColor, flashing: bool) -> bool:
    """True for a flashing yellow: a warning light, passed with care, not a stop (PRC RTSL
    Implementing Regulations art. 42; GB 14886-2016). A flashing red still stops."""
    return flashing and color == SignalColor.YELLOW


@dataclass(frozen=True)
class WorldState:
    """Everything observable at one simulation step.

    Attributes:
        time: simulation time [s].
        entities: entity states keyed by name, in declaration order.
        signals: traffic-signal states keyed by signal id.
    """

    time: float
    entities: dict[str, EntityState]
    signals: dict[str, SignalState] = field(default_factory=dict)


def wrap_angle(a: float) -> float:
    """Wrap an angle [rad] into (-pi, pi]."""
    a = math.fmod(a + math.pi, 2.0 * math.pi)
    if a <= 0.0:
        a += 2.0 * math.pi
    return a - math.pi


def along_left(x0: float, y0: float, h: float, x: float, y: float) -> tuple[float, float]:
    """Point (x, y) [m] in the frame at (x0, y0) [m] heading ``h`` [rad] (inertial, ISO 8855
    axes: x forward, y left): ``(along, left)`` [m], ahead and to the left positive."""
    dx, dy = x - x0, y - y0
    c, s = math.cos(h), math.sin(h)
    return dx * c + dy * s, -dx * s + dy * c


def _contact_interval(pa: list[tuple[float, float]], pb: list[tuple[float, float]],
                      rvx: float, rvy: float, horizon_s: float) -> tuple[float, float] | None:
    """When, within ``[0, horizon_s]`` [s], the rectangle with corners ``pb`` moving at
    (``rvx``, ``rvy``) [m/s] relative to the one with corners ``pa`` overlaps it (touching
    counts): ``(first, last)`` [s], or None. Swept separating-axis test (Gottschalk et al.,
    "OBBTree", 1996): on each of the four edge normals the projections overlap for an
    interval of time; the rectangles touch where all four intervals meet."""
    lo, hi = 0.0, horizon_s
    for poly in (pa, pb):
        for i in range(2):
            nx, ny = -(poly[i + 1][1] - poly[i][1]), poly[i + 1][0] - poly[i][0]
            da = [nx * px + ny * py for px, py in pa]
            db = [nx * px + ny * py for px, py in pb]
            amin, amax, bmin, bmax = min(da), max(da), min(db), max(db)
            w = nx * rvx + ny * rvy
            if abs(w) < 1e-12:
                if bmin > amax or bmax < amin:
                    return None
                continue
            t1, t2 = (amin - bmax) / w, (amax - bmin) / w
            lo, hi = max(lo, min(t1, t2)), min(hi, max(t1, t2))
            if lo > hi:
                return None
    return lo, hi


def time_to_contact(a: EntityState, b: EntityState, horizon_s: float = 10.0) -> float:
    """Constant-velocity time to collision of two ground boxes in the plane [s]: the earliest
    time in ``[0, horizon_s]`` at which they overlap when each keeps its velocity and heading
    (Hayward 1972's TTC, "if their speeds would not change and taking into account their
    paths"); 0 when they overlap now, inf when they do not meet within the horizon.

    Args:
        a, b: the two states (pose, box, speed along the heading).
        horizon_s: how far ahead to look [s] (>= 0).

    Exact for constant velocities (:func:`_contact_interval`, no sampling); raises nothing.
    """
    (avx, avy), (bvx, bvy) = a.velocity, b.velocity
    found = _contact_interval(a.box.corners(a.pose), b.box.corners(b.pose),
                              bvx - avx, bvy - avy, horizon_s)
    return math.inf if found is None else found[0]


def boxes_overlap(a: EntityState, b: EntityState) -> bool:
    """True when the ground-plane bounding boxes of two entities overlap (touching counts).

    Separating-axis test on the two oriented rectangles (Gottschalk et al., "OBBTree", 1996),
    the test esmini's ``--collision`` option applies to bounding boxes: the swept test of
    :func:`_contact_interval` at no relative motion.
    """
    return _contact_interval(a.box.corners(a.pose), b.box.corners(b.pose), 0.0, 0.0,
                             0.0) is not None
