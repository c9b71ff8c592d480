"""``TrafficAction`` (ASAM OpenSCENARIO 1.x GlobalAction): TrafficSwarmAction, TrafficStopAction.

A first version of the swarm, after esmini's ``SwarmTrafficAction``: while it runs it keeps
``numberOfVehicles`` vehicles on driving lanes inside an ellipse around the central entity
(semi-axes ``semiMajorAxis`` along the central entity's heading and ``semiMinorAxis`` across,
centre moved ``offset`` [m] ahead) but outside the circle of ``innerRadius``. Each step,
vehicles outside the ellipse are removed and new ones spawned at random points of the ring
(seeded: the engine's ``seed``), at a lane centre, at least :data:`MIN_GAP` from every entity,
travelling along their lane (direction drawn from ``DirectionOfTravelDistribution`` relative to
the central entity, default: same), with a speed drawn uniformly from ``InitialSpeedRange``
(else ``velocity``, else the central entity's speed), category drawn from the
``VehicleCategoryDistribution`` weights. Swarm vehicles are driven by the default controller and
named ``<trafficName or swarm>_<n>``; they appear in the world state like declared entities and
are removed (with ``swarm_despawn`` events) as they leave. ``TrafficStopAction`` (1.2) removes
the vehicles of the named traffic and stops its swarm. Source and sink actions are not
supported.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from testzone.world import BoundingBox, EntityKind

from scenarios.actions.base import Done
from scenarios.errors import UnsupportedElementError
from scenarios.model import EntityDef, Performance
from scenarios.motion import DRIVING_LANE_TYPES, lane_type, place
from scenarios.registry import ParseContext
from scenarios.runtime import Mover, Runtime
from scenarios.xmlsource import child, children, non_negative, non_negative_int

MIN_GAP = 10.0
"""Minimum distance [m] between a spawned vehicle and any other entity."""
ATTEMPTS = 50
"""Random points tried per vehicle to spawn in one step."""
SWARM_BOX = BoundingBox(1.4, 0.0, 0.75, 4.5, 1.8, 1.5)
"""Bounding box of a swarm vehicle (a typical passenger car) [m]."""


@dataclass(frozen=True)
class SwarmSpec:
    """TrafficSwarmAction attributes (lengths [m], speeds [m/s]) and distributions."""

    central: str
    inner_radius: float
    semi_major: float
    semi_minor: float
    count: int
    offset: float = 0.0
    speed_range: tuple[float, float] | None = None
    velocity: float | None = None
    categories: tuple[tuple[str, float], ...] = (("car", 1.0),)
    same_direction_weight: float = 1.0
    opposite_weight: float = 0.0


def _swarm(el: etree._Element, ctx: ParseContext) -> SwarmSpec:
    a = ctx.src.attr
    central = child(el, "CentralObject")
    if central is None:
        raise ctx.src.error(el, "expected a CentralObject")
    speeds = child(el, "InitialSpeedRange")
    tdef = child(el, "TrafficDefinition")
    cats = child(tdef, "VehicleCategoryDistribution") if tdef is not None else None
    categories = tuple((a(e, "category", str), a(e, "weight", non_negative))
                       for e in children(cats, "VehicleCategoryDistributionEntry")) \
        if cats is not None else ()
    direction = child(el, "DirectionOfTravelDistribution")
    return SwarmSpec(
        a(central, "entityRef", str), a(el, "innerRadius", non_negative),
        a(el, "semiMajorAxis", non_negative), a(el, "semiMinorAxis", non_negative),
        a(el, "numberOfVehicles", non_negative_int), a(el, "offset", float, 0.0),
        (a(speeds, "lowerLimit", non_negative), a(speeds, "upperLimit", non_negative))
        if speeds is not None else None,
        a(el, "velocity", non_negative, None), categories or (("car", 1.0),),
        a(direction, "same", non_negative, 1.0) if direction is not None else 1.0,
        a(direction, "opposite", non_negative, 0.0) if direction is not None else 0.0)


@dataclass(frozen=True)
class TrafficAction:
    """``TrafficAction``: a swarm (``swarm``) or a stop of traffic ``name``."""

    ELEMENT = "TrafficAction"
    PRIVATE = False
    name: str
    swarm: SwarmSpec | None = None

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> TrafficAction:
        """Read this element; UnsupportedElementError for source and sink actions."""
        name = ctx.src.attr(el, "trafficName", str, "swarm")
        inner = next(children(el), None)
        if inner is not None and inner.tag == "TrafficSwarmAction":
            return cls(name, _swarm(inner, ctx))
        if inner is not None and inner.tag == "TrafficStopAction":
            return cls(name)
        raise ctx.src.error(inner if inner is not None else el,
                            "a known element this player does not support (TrafficSwarmAction "
                            "and TrafficStopAction only)", UnsupportedElementError)

    def start(self, rt: Runtime, actor: str | None) -> Any:
        """Start the swarm (a run that never ends by itself) or stop one."""
        if self.swarm is None:
            for run in rt.swarms.pop(self.name, ()):
                run.remove_all(rt)
            return Done()
        run = SwarmRun(self.name, self.swarm)
        rt.swarms.setdefault(self.name, []).append(run)
        return run


@dataclass
class SwarmRun:
    """A running swarm: its spec and the names of the vehicles it spawned."""

    name: str
    spec: SwarmSpec
    vehicles: list[str] = field(default_factory=list)
    spawned: int = 0
    stopped: bool = False

    def _inside(self, rt: Runtime, x: float, y: float) -> tuple[bool, bool]:
        """(inside the ellipse, inside the inner circle) of a world point."""
        c = rt.mover(self.spec.central).pose
        ch, sh = math.cos(c.h), math.sin(c.h)
        cx, cy = c.x + self.spec.offset * ch, c.y + self.spec.offset * sh
        dx, dy = x - cx, y - cy
        u, v = dx * ch + dy * sh, -dx * sh + dy * ch
        ellipse = (u / self.spec.semi_major) ** 2 + (v / self.spec.semi_minor) ** 2 <= 1.0
        return ellipse, math.hypot(x - c.x, y - c.y) < self.spec.inner_radius

    def remove_all(self, rt: Runtime) -> None:
        """Remove every vehicle of this swarm and stop it."""
        for name in self.vehicles:
            rt.movers.pop(name, None)
            rt.emit("swarm_despawn", {"entity": name, "traffic": self.name})
        self.vehicles.clear()
        self.stopped = True

    def step(self, rt: Runtime, dt: float) -> bool:
        """Despawn vehicles that left the ellipse, spawn up to the count; never done."""
        if self.stopped:
            return True
        for name in list(self.vehicles):
            p = rt.movers[name].pose
            if not self._inside(rt, p.x, p.y)[0]:
                self.vehicles.remove(name)
                rt.movers.pop(name, None)
                rt.emit("swarm_despawn", {"entity": name, "traffic": self.name})
        for _ in range(self.spec.count - len(self.vehicles)):
            if not self._spawn(rt):
                break
        return False

    def _spawn(self, rt: Runtime) -> bool:
        rng, spec = rt.rng, self.spec
        c = rt.mover(spec.central).pose
        want_same = rng.random() * (spec.same_direction_weight + spec.opposite_weight) \
            < spec.same_direction_weight
        for _ in range(ATTEMPTS):
            ang, rad = rng.uniform(-math.pi, math.pi), math.sqrt(rng.random())
            u, v = rad * spec.semi_major * math.cos(ang), rad * spec.semi_minor * math.sin(ang)
            ch, sh = math.cos(c.h), math.sin(c.h)
            x = c.x + (spec.offset + u) * ch - v * sh
            y = c.y + (spec.offset + u) * sh + v * ch
            if self._inside(rt, x, y)[1] or any(
                    math.hypot(m.pose.x - x, m.pose.y - y) < MIN_GAP
                    for m in rt.movers.values() if m.present):
                continue
            coord = rt.net.world_to_lane(x, y)
            if coord is None or lane_type(rt.net, coord.road_id, coord.lane_id, coord.s) \
                    not in DRIVING_LANE_TYPES:
                continue
            lane_h = rt.net.lane_to_world(coord.road_id, coord.lane_id, coord.s).h
            if (abs(math.remainder(lane_h - c.h, 2 * math.pi)) < math.pi / 2) != want_same:
                continue
            self._add(rt, coord)
            return True
        return False

    def _add(self, rt: Runtime, coord: Any) -> None:
        rng, spec = rt.rng, self.spec
        self.spawned += 1
        name = f"{self.name}_{self.spawned}"
        category = _draw(rng, spec.categories)
        defn = EntityDef(name=name, element="Vehicle", kind=EntityKind.VEHICLE,
                         category=category, box=SWARM_BOX, performance=Performance())
        mover = Mover(name, defn)
        mover.coord = type(coord)(coord.road_id, coord.lane_id, coord.s, coord.t, 0.0)
        place(rt.net, mover)
        if spec.speed_range is not None:
            mover.speed = rng.uniform(*spec.speed_range)
        else:
            mover.speed = spec.velocity if spec.velocity is not None else \
                rt.speed_of(spec.central)
        rt.movers[name] = mover
        self.vehicles.append(name)
        rt.emit("swarm_spawn", {"entity": name, "traffic": self.name, "category": category,
                                "road": coord.road_id, "lane": coord.lane_id, "s": coord.s})


def _draw(rng: Any, weighted: tuple[tuple[str, float], ...]) -> str:
    total = sum(w for _, w in weighted)
    r = rng.random() * total
    for value, w in weighted:
        r -= w
        if r <= 0:
            return value
    return weighted[-1][0]


TRAFFIC_ACTIONS = (TrafficAction,)
