"""Collisions of the ego and who was at fault.

Contacts come from the recording's ``"collision"`` events (data ``entities: [a, b]``, or
``other``) and from bounding-box overlap recomputed every frame with
:func:`testzone.world.boxes_overlap` (the separating-axis test esmini applies), and inside a
step whose two frames show no overlap but between which the boxes crossed (positions
interpolated: a coarse ``--dt`` or a fast closing speed, :func:`_swept_contact`); both sources
are merged per other entity within ``merge_window_s``. The ego's own trailer (or the vehicle towing
the ego) is no collision while they are connected: their boxes overlap at the coupling by
design (the ``trailer_connected`` / ``trailer_disconnected`` events say when).

At-fault classification follows nuPlan's ``no_ego_at_fault_collisions`` metric (collision types
STOPPED_EGO, STOPPED_TRACK, ACTIVE_FRONT, ACTIVE_REAR, ACTIVE_LATERAL), decided at the first
contact frame, in this order:

* ``at_start``: the boxes already overlap in the first frame (the scenario placed them so;
  ``scenario check`` warns) -> not at fault (author pass 14: it was blamed on the ego), unless
  the ego still drives into the other ``reaction_s`` after the start while they overlap all
  along: moving (not below ``stopped_speed_mps``) the way the other lay at the start
  (hostile pass 14: an ego placed on a stopped car drove on through it) -> at fault;
* ``ego_stopped``: ego speed below ``stopped_speed_mps`` -> not at fault;
* ``stopped_object``: the other is stopped -> at fault;
* otherwise by the edge of the ego's box that was hit (box geometry, as nuPlan tests the ego's
  rear edge against the other box rather than a bearing): the contact point is the centroid of
  the two boxes' overlap at the first contact frame (for an event without overlap, the point of
  the other box nearest the ego's); expressed in the ego box frame and scaled by the half
  length and half width, the larger of |lon|/(L/2) and |lat|/(W/2) names the edge:
* ``front`` (the ego's front edge hit) -> at fault;
* ``rear_ended`` (its rear edge) -> not at fault;
* ``lateral`` (a side) -> at fault when the ego was straddling lanes (``|lane.offset|`` above
  ``lane_offset_m``), had changed lane within ``lane_change_window_s`` or was off the network
  (nuPlan: "ego in multiple lanes or in non-drivable area").

The finding also gives the ``edge`` (``front``, ``rear``, ``left``, ``right``) and the contact
point ``contact_lon_m`` / ``contact_lat_m`` in the ego box frame [m].
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import asdict, dataclass

import shapely
import shapely.ops

from testzone.recording import Recording
from testzone.world import EntityState, WorldState, boxes_overlap

from evaluator.extract import box_centre, ego_name, lane_of, moved_plausibly
from evaluator.interfaces import RoadNetworkView
from evaluator.results import UNIT_COUNT, MetricResult, Statistic


@dataclass(frozen=True)
class Collision:
    """One collision of the ego.

    Attributes:
        t: time of first contact [s]. other: the other entity's name.
        rel_speed_mps: norm of the relative velocity at contact [m/s].
        kind: ``ego_stopped``, ``stopped_object``, ``front``, ``rear_ended`` or ``lateral``.
        at_fault: whether the ego is held responsible (see module docstring).
        source: ``event``, ``overlap`` or ``event+overlap``.
        edge: the ego box edge hit (``front``, ``rear``, ``left``, ``right``; "" unknown).
        contact_lon_m, contact_lat_m: contact point in the ego box frame (x forward, y left,
            origin at the box centre) [m].
    """

    t: float
    other: str
    rel_speed_mps: float
    kind: str
    at_fault: bool
    source: str
    edge: str = ""
    contact_lon_m: float = 0.0
    contact_lat_m: float = 0.0


def contact_point(ego: EntityState, other: EntityState) -> tuple[float, float]:
    """Contact point of two boxes in the ego box frame (x forward, y left) [m]: the centroid
    of their ground-plane overlap, of the edge they share when they only touch (a rear-end at
    exactly the step's contact: the middle of the ego's rear edge, not a corner of it), or
    the point of ``other``'s box nearest the ego's box when they do not meet (an
    event-reported contact)."""
    pe = shapely.Polygon(ego.box.corners(ego.pose))
    po = shapely.Polygon(other.box.corners(other.pose))
    inter = shapely.intersection(pe, po)
    if not inter.is_empty and inter.area > 1e-12:
        p = inter.centroid
    else:
        touch = shapely.intersection(pe.exterior, po.exterior)   # a shared edge, or points
        p = touch.centroid if not touch.is_empty else shapely.ops.nearest_points(po, pe)[0]
    ex, ey = box_centre(ego)
    c, s = math.cos(ego.pose.h), math.sin(ego.pose.h)
    dx, dy = p.x - ex, p.y - ey
    return dx * c + dy * s, -dx * s + dy * c


def hit_edge(ego: EntityState, lon: float, lat: float) -> str:
    """The ego box edge nearest the contact point (lon, lat) [m] in the ego box frame:
    ``front``/``rear`` when |lon| / (L/2) >= |lat| / (W/2), else ``left``/``right``."""
    hl, hw = max(ego.box.length / 2, 1e-9), max(ego.box.width / 2, 1e-9)
    if abs(lon) / hl >= abs(lat) / hw:
        return "front" if lon >= 0 else "rear"
    return "left" if lat >= 0 else "right"


def _event_contacts(recording: Recording, ego: str) -> list[tuple[float, str]]:
    out = []
    for ev in recording.events_of("collision"):
        names = list(ev.data.get("entities") or [])
        for key in ("a", "b", "entity", "other"):
            if ev.data.get(key):
                names.append(ev.data[key])
        if ego in names:
            out += [(ev.t, n) for n in names if n != ego]
    return out


def _may_touch(a: EntityState, b: EntityState) -> bool:
    """Cheap pre-test: box centres closer than the sum of the half diagonals."""
    (ax, ay), (bx, by) = box_centre(a), box_centre(b)
    reach = (math.hypot(a.box.length, a.box.width) + math.hypot(b.box.length, b.box.width)) / 2
    return (ax - bx) ** 2 + (ay - by) ** 2 <= reach * reach


def _coupling_changes(recording: Recording, ego: str) -> list[tuple[float, str, bool]]:
    """``(t, other, coupled)`` whenever the ego's trailer or tow vehicle changes (the engine's
    ``trailer_connected`` / ``trailer_disconnected`` events), in time order."""
    out = []
    for ev in recording.events:
        if ev.kind in ("trailer_connected", "trailer_disconnected"):
            pair = (ev.data.get("tow"), ev.data.get("trailer"))
            if ego in pair:
                other = pair[1] if pair[0] == ego else pair[0]
                out.append((ev.t, str(other), ev.kind == "trailer_connected"))
    return out


def _between(a: EntityState, b: EntityState, w: float, dt: float) -> EntityState:
    """``a``'s state the fraction ``w`` of the way to ``b`` over a step of ``dt`` [s]: the
    reference point on the cubic Hermite curve whose end tangents are the headings times the
    speeds (so a turn within the step is followed, not cut across), heading along the shorter
    turn, speed linear."""
    pa, pb = a.pose, b.pose
    h00, h10 = 2 * w ** 3 - 3 * w ** 2 + 1, w ** 3 - 2 * w ** 2 + w
    h01, h11 = -2 * w ** 3 + 3 * w ** 2, w ** 3 - w ** 2
    ma, mb = a.speed * dt, b.speed * dt
    x = h00 * pa.x + h10 * ma * math.cos(pa.h) + h01 * pb.x + h11 * mb * math.cos(pb.h)
    y = h00 * pa.y + h10 * ma * math.sin(pa.h) + h01 * pb.y + h11 * mb * math.sin(pb.h)
    pose = dataclasses.replace(pa, x=x, y=y,
                               h=pa.h + w * math.remainder(pb.h - pa.h, 2 * math.pi))
    return dataclasses.replace(a, pose=pose, speed=a.speed + w * (b.speed - a.speed))


def _swept_contact(e0: EntityState, e1: EntityState, o0: EntityState, o1: EntityState,
                   dt: float) -> tuple[float, EntityState, EntityState] | None:
    """Where in a step of ``dt`` [s] the boxes first overlap when neither end of the step
    shows it: entities that cross each other's box within one step (a coarse ``--dt``, a fast
    closing speed) would otherwise pass through unseen. Returns ``(fraction of the step, ego
    state, other state)`` there, or None. Each entity moves along :func:`_between`; the step
    is sampled every quarter of the smallest box dimension of relative motion (at most 200
    samples), when the relative box centre's chord comes within both half diagonals; a sample
    counts when the boxes overlap though shrunk by a twentieth of the step (the path between
    frames is a guess). A step in which either entity jumped (:func:`moved_plausibly`: a
    TeleportAction) is not swept."""
    if not (moved_plausibly(e0, e1, dt) and moved_plausibly(o0, o1, dt)):
        return None
    (ex0, ey0), (ex1, ey1) = box_centre(e0), box_centre(e1)
    (ox0, oy0), (ox1, oy1) = box_centre(o0), box_centre(o1)
    rx0, ry0, rx1, ry1 = ex0 - ox0, ey0 - oy0, ex1 - ox1, ey1 - oy1
    dx, dy = rx1 - rx0, ry1 - ry0
    moved = math.hypot(dx, dy)
    finest = 0.25 * min(e0.box.length, e0.box.width, o0.box.length, o0.box.width)
    if finest <= 0.0 or moved <= finest:
        return None
    w = min(1.0, max(0.0, -(rx0 * dx + ry0 * dy) / (moved * moved)))
    reach = (math.hypot(e0.box.length, e0.box.width)
             + math.hypot(o0.box.length, o0.box.width)) / 2 + moved / 4  # the curve bulges
    if math.hypot(rx0 + w * dx, ry0 + w * dy) > reach:
        return None
    # the interpolated path is a guess between two frames: a contact inside a step must hold
    # with both boxes shrunk by a twentieth of the longer step (at most 0.5 m) on every side,
    # so a grazing pass round a bend at a coarse step is not taken for one
    step = max(math.hypot(e1.pose.x - e0.pose.x, e1.pose.y - e0.pose.y),
               math.hypot(o1.pose.x - o0.pose.x, o1.pose.y - o0.pose.y))
    margin = min(0.5, step / 20.0)
    n = min(200, math.ceil(moved / finest))
    for j in range(1, n):
        f = j / n
        e, o = _between(e0, e1, f, dt), _between(o0, o1, f, dt)
        if boxes_overlap(_shrunk(e, margin), _shrunk(o, margin)):
            return f, e, o
    return None


def _shrunk(state: EntityState, margin: float) -> EntityState:
    """``state`` with its box ``margin`` [m] smaller on every side (never below 1 cm)."""
    box = dataclasses.replace(state.box, length=max(state.box.length - 2 * margin, 0.01),
                              width=max(state.box.width - 2 * margin, 0.01))
    return dataclasses.replace(state, box=box)


Onset = tuple[float, str, "tuple[EntityState, EntityState] | None"]
"""``(t, other, states)``: a contact's start, the other entity, and for one inside a step the
interpolated (ego, other) states there (None: the frame at ``t`` has them)."""


def _overlap_onsets(recording: Recording, ego: str) -> list[Onset]:
    """Each contact start: a frame where the ego's box starts to overlap another visible
    entity's, or a moment inside a step where the two crossed without overlapping at either
    frame (:func:`_swept_contact`), leaving out the ego's own trailer or tow vehicle while
    they are connected (their boxes overlap at the coupling by design, as the engine treats
    them)."""
    out: list[Onset] = []
    touching: set[str] = set()
    changes, coupled, k = _coupling_changes(recording, ego), set(), 0
    prev = None
    for f in recording.frames:
        while k < len(changes) and changes[k][0] <= f.time + 1e-9:
            _, other, on = changes[k]
            (coupled.add if on else coupled.discard)(other)
            k += 1
        e = f.entities.get(ego)
        now = set()
        if e is not None:
            now = {n for n, o in f.entities.items() if n != ego and o.visible
                   and n not in coupled and _may_touch(e, o) and boxes_overlap(e, o)}
        out += [(f.time, n, None) for n in sorted(now - touching)]
        e0 = prev.entities.get(ego) if prev is not None else None
        if e is not None and e0 is not None:
            for n, o in sorted(f.entities.items()):
                o0 = prev.entities.get(n)
                if n == ego or n in now or n in touching or n in coupled or o0 is None \
                        or not (o.visible and o0.visible):
                    continue
                found = _swept_contact(e0, e, o0, o, f.time - prev.time)
                if found is not None:
                    frac, es, os_ = found
                    out.append((prev.time + frac * (f.time - prev.time), n, (es, os_)))
        touching, prev = now, f
    return sorted(out, key=lambda c: (c[0], c[1]))


def _frame_at(recording: Recording, t: float) -> WorldState | None:
    best = None
    for f in recording.frames:
        if f.time <= t + 1e-9:
            best = f
        else:
            break
    return best


class CollisionMetric:
    """Collisions of the ego with any other entity, with their at-fault classification.

    Args:
        stopped_speed_mps: below this speed an entity counts as stopped [m/s] (nuPlan: 5e-2).
        lane_offset_m: lateral offset from the lane centre above which the ego straddles lanes [m].
        lane_change_window_s: a lane change this recent makes a lateral contact the ego's [s].
        merge_window_s: contacts with the same entity closer than this are one collision [s].
        reaction_s: an ego placed overlapping another that still drives into it this long
            after the start is at fault [s] (1.5 s: Green 2000, "How long does it take to
            stop?", the reaction time to an unexpected but common event).

    Statistics: ``collision_count``, ``ego_at_fault_collisions`` (counts),
    ``collision_rel_speed_max_mps`` (0 when none). Events: one dict per :class:`Collision`.
    """

    name = "collisions"
    category = "safety"

    def __init__(self, stopped_speed_mps: float = 0.05, lane_offset_m: float = 0.9,
                 lane_change_window_s: float = 1.0, merge_window_s: float = 1.0,
                 reaction_s: float = 1.5) -> None:
        self.stopped_speed_mps = stopped_speed_mps
        self.reaction_s = reaction_s
        self.lane_offset_m = lane_offset_m
        self.lane_change_window_s = lane_change_window_s
        self.merge_window_s = merge_window_s

    def collisions(self, recording: Recording, net: RoadNetworkView | None = None
                   ) -> list[Collision]:
        """Return the ego's collisions, earliest first. ``net`` (a network with
        ``world_to_lane``) places an ego state the recording holds no lane for; it is asked
        only for the lateral class (:meth:`_ego_between_lanes`)."""
        ego = ego_name(recording)
        contacts = [(t, n, "event", None) for t, n in _event_contacts(recording, ego)]
        contacts += [(t, n, "overlap", states) for t, n, states in _overlap_onsets(recording,
                                                                                   ego)]
        contacts.sort(key=lambda c: (c[0], c[1], c[2]))
        merged: list[list] = []
        for t, n, src, states in contacts:
            prev = next((m for m in reversed(merged) if m[1] == n), None)
            if prev is not None and t - prev[3] <= self.merge_window_s:
                prev[3] = t
                if src not in prev[2]:
                    prev[2] = "event+overlap"
                prev[4] = prev[4] or states
                continue
            merged.append([t, n, src, t, states])
        out = []
        for t, n, src, _, states in merged:
            f = _frame_at(recording, t)
            if states is not None:   # inside a step: judged where the boxes met
                e, o = states
            elif f is not None and ego in f.entities and n in f.entities:
                e, o = f.entities[ego], f.entities[n]
            else:
                out.append(Collision(t, n, 0.0, "unknown", True, src))
                continue
            out.append(self._classify(recording, t, e, o, src, net))
        return out

    def _classify(self, rec: Recording, t: float, e: EntityState, o: EntityState,
                  src: str, net: RoadNetworkView | None = None) -> Collision:
        """The :class:`Collision` of ego state ``e`` and other state ``o`` at first contact
        ``t`` [s] (module docstring's order)."""
        ev, ov = e.velocity, o.velocity
        rel = math.hypot(ev[0] - ov[0], ev[1] - ov[1])
        lon, lat = contact_point(e, o)
        edge = hit_edge(e, lon, lat)
        if rec.frames and t <= rec.frames[0].time:   # the scenario placed them overlapping
            kind, fault = "at_start", self._drives_into(rec, e.name, o.name)
        elif abs(e.speed) < self.stopped_speed_mps:
            kind, fault = "ego_stopped", False
        elif abs(o.speed) < self.stopped_speed_mps:
            kind, fault = "stopped_object", True
        elif edge == "front":
            kind, fault = "front", True
        elif edge == "rear":
            kind, fault = "rear_ended", False
        else:
            kind, fault = "lateral", self._ego_between_lanes(rec, t, e, net)
        return Collision(t, o.name, rel, kind, fault, src, edge, lon, lat)

    def _drives_into(self, rec: Recording, ego: str, other: str) -> bool:
        """True when the two boxes overlap from the first frame until at least
        ``reaction_s`` later, and then the ego moves (speed at least ``stopped_speed_mps``)
        further the way the other lay at the start: its velocity relative to the other has a
        positive component along the first frame's ego-to-other centre line (into it, or on
        through it; backing out of it, or the other leaving, is not)."""
        if not rec.frames:
            return False
        t0, axis = rec.frames[0].time, None
        for f in rec.frames:
            e, o = f.entities.get(ego), f.entities.get(other)
            if e is None or o is None or not boxes_overlap(e, o):
                return False
            if axis is None:
                (ex, ey), (ox, oy) = box_centre(e), box_centre(o)
                axis = (ox - ex, oy - ey)
            if f.time - t0 < self.reaction_s - 1e-9 or abs(e.speed) < self.stopped_speed_mps:
                continue
            (evx, evy), (ovx, ovy) = e.velocity, o.velocity
            if (evx - ovx) * axis[0] + (evy - ovy) * axis[1] > 0.0:
                return True
        return False

    def _ego_between_lanes(self, rec: Recording, t: float, e: EntityState,
                           net: RoadNetworkView | None = None) -> bool:
        """Straddling lanes, changed lane within the window, or off the network: the recorded
        lane, else the map's (``net.world_to_lane``; evaluator15 audit: an ego without a
        recorded lane counted as off the network although the map placed it in a lane)."""
        here = lane_of(e, net)
        if here is None:
            return True
        if abs(here.offset) > self.lane_offset_m:
            return True
        for f in rec.frames:
            if t - self.lane_change_window_s <= f.time <= t:
                past = f.entities.get(e.name)
                before = lane_of(past, net) if past is not None else None
                if before is not None and \
                        (before.road_id, before.lane_id) != (here.road_id, here.lane_id):
                    return True
        return False

    def compute(self, recording: Recording, net: RoadNetworkView | None = None) -> MetricResult:
        """Find and classify the ego's collisions (``net`` places an ego without a recorded
        lane)."""
        cols = self.collisions(recording, net)
        stats = {
            "collision_count": Statistic("collision_count", UNIT_COUNT, float(len(cols))),
            "ego_at_fault_collisions": Statistic("ego_at_fault_collisions", UNIT_COUNT,
                                                 float(sum(c.at_fault for c in cols))),
            "collision_rel_speed_max_mps": Statistic(
                "collision_rel_speed_max_mps", "m/s",
                max((c.rel_speed_mps for c in cols), default=0.0)),
        }
        return MetricResult(self.name, self.category, stats,
                            events=tuple(asdict(c) for c in cols))
