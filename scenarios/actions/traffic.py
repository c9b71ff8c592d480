"""``TrafficAction`` (ASAM OpenSCENARIO 1.x GlobalAction): TrafficSwarmAction, TrafficSourceAction,
TrafficSinkAction, TrafficStopAction.

A first version of the swarm, after esmini's ``SwarmTrafficAction``: while it runs it keeps
``numberOfVehicles`` vehicles on driving lanes inside an ellipse around the central entity
(semi-axes ``semiMajorAxis`` along the central entity's heading and ``semiMinorAxis`` across,
centre moved ``offset`` [m] ahead) but outside the circle of ``innerRadius``. Each step,
vehicles outside the ellipse are removed and new ones spawned at random points of the ring
(seeded: the engine's ``seed``), at a lane centre, at least :data:`MIN_GAP` from every entity,
travelling along their lane (direction drawn from ``DirectionOfTravelDistribution`` relative to
the central entity, default: same), with a speed drawn uniformly from ``InitialSpeedRange``
(else ``velocity``, else the central entity's speed), the entity drawn from what the action
spawns (:func:`_templates`: the 1.3 ``TrafficDistribution``'s ScenarioObjectTemplates, or a
car-sized vehicle per ``VehicleCategoryDistribution`` category). Swarm vehicles are driven
along their lanes by an ACC controller set to their spawn speed (:class:`ACCController`, as
esmini gives them), named ``<trafficName or swarm>_<n>``; they appear in the world state like
declared entities and are removed (with ``swarm_despawn`` events) as they leave.

``TrafficSourceAction`` (class TrafficSourceAction: ``rate`` [1/s], ``radius`` [m],
``Position``, ``speed``/``velocity`` [m/s], ``TrafficDefinition``): vehicles appear at the
source, the k-th (k = 0, 1, ...) in the storyboard step at ``t0 + k / rate`` after its start at
``t0``, or later while there is no room (a vehicle is never put within :data:`MIN_GAP` of
another entity): at a seeded random point of the disc of ``radius`` around the position,
snapped to the centre of the driving lane there, travelling along it at ``speed`` (else the
lane's speed limit, else 0) under an ACC controller set to that speed, drawn as the swarm's;
named
``<trafficName or source>_<n>``; ``source_spawn`` events. It never ends by itself.

``TrafficSinkAction`` (``rate`` [1/s], ``radius`` [m], ``Position``, ``TrafficDefinition``):
every vehicle (element Vehicle, of a category weighted above 0 by the
``VehicleCategoryDistribution`` or the ``TrafficDistribution`` templates, when given) not
driven from outside whose reference point is within ``radius`` of the position leaves the run, at most one per ``1 / rate`` seconds (the first at once; all at once
without ``rate``): traffic vehicles are removed, declared entities are deleted as by
DeleteEntityAction (``entity_deleted``); each removal is a ``sink_despawn`` event. It never
ends by itself. ``TrafficStopAction`` (1.2) removes the vehicles of the named traffic and stops
its swarms and sources (and sinks). ControllerDistribution, VehicleRoleDistribution, a
template's ObjectControllers and a TrafficDistributionEntry's Properties are read past (the
ACC controller drives).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from lxml import etree

from testzone.world import BoundingBox, EntityKind, LaneCoord

from scenarios.actions.base import Done
from scenarios.actions.entity import EntityAction
from scenarios.controllers import ACCController, ControllerDef
from scenarios.entities import read_template
from scenarios.errors import UnsupportedElementError
from scenarios.model import EntityDef, Performance
from scenarios.motion import DRIVING_LANE_TYPES, lane_type, place
from scenarios.registry import ParseContext
from scenarios.runtime import Mover, Runtime
from scenarios.xmlsource import child, children, non_negative, non_negative_int, positive

MIN_GAP = 10.0
"""Minimum distance [m] between a spawned vehicle and any other entity."""
ATTEMPTS = 50
"""Random points tried per vehicle to spawn in one step."""
SWARM_BOX = BoundingBox(1.4, 0.0, 0.75, 4.5, 1.8, 1.5)
"""Bounding box of a swarm vehicle (a typical passenger car) [m]."""
EPS = 1e-9
"""Tolerance [s x 1/s] of the rate schedules (a sum of steps may fall a few ulps short)."""


def _car(category: str) -> EntityDef:
    """The template of a traffic vehicle given only its category (TrafficDefinition): a
    :data:`SWARM_BOX` car-sized Vehicle, default performance."""
    return EntityDef(name="", element="Vehicle", kind=EntityKind.VEHICLE, category=category,
                     box=SWARM_BOX, performance=Performance())


Templates = tuple[tuple[EntityDef, float], ...]
"""(entity template, weight >= 0) pairs a traffic action draws its new entities from."""


def _templates(el: etree._Element, ctx: ParseContext) -> Templates:
    """What a traffic action element spawns, with weights; () when it says nothing.

    * 1.3 ``TrafficDistribution``: each TrafficDistributionEntry's ``weight`` shared among
      its EntityDistributionEntries in proportion to theirs; each entry's
      ScenarioObjectTemplate read by :func:`scenarios.entities.read_template` (its
      ObjectControllers and the entry's Properties are not used: the default controller
      drives).
    * ``TrafficDefinition`` (deprecated in 1.3): a :func:`_car` per
      VehicleCategoryDistributionEntry, with its ``weight``.

    Raises:
        ScenarioError: a negative weight, a template without an entity (file, line).
    """
    a = ctx.src.attr
    dist = child(el, "TrafficDistribution")
    if dist is not None:
        out: list[tuple[EntityDef, float]] = []
        for entry in children(dist, "TrafficDistributionEntry"):
            share = a(entry, "weight", non_negative)
            ents = [(e, a(e, "weight", non_negative)) for e in children(
                child(entry, "EntityDistribution") if child(entry, "EntityDistribution")
                is not None else entry, "EntityDistributionEntry")]
            total = sum(w for _, w in ents)
            for e, w in ents:
                template = child(e, "ScenarioObjectTemplate")
                if template is None:
                    raise ctx.src.error(e, "expected a ScenarioObjectTemplate")
                out.append((read_template(ctx.src, template, ctx.catalogs),
                            share * w / total if total > 0 else 0.0))
        return tuple(out)
    tdef = child(el, "TrafficDefinition")
    cats = child(tdef, "VehicleCategoryDistribution") if tdef is not None else None
    if cats is None:
        return ()
    return tuple((_car(a(e, "category", str)), a(e, "weight", non_negative))
                 for e in children(cats, "VehicleCategoryDistributionEntry"))


def due(rate: float | None, elapsed: float) -> float:
    """How many events a schedule of ``rate`` [1/s] started ``elapsed`` [s] ago has had: one
    at the start and one every ``1 / rate`` s after (``inf`` without a rate, 0 for rate 0)."""
    if rate is None:
        return math.inf
    return math.floor(rate * elapsed + EPS) + 1 if rate > 0 else 0


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
    templates: Templates = ((_car("car"), 1.0),)
    same_direction_weight: float = 1.0
    opposite_weight: float = 0.0


def _swarm(el: etree._Element, ctx: ParseContext) -> SwarmSpec:
    a = ctx.src.attr
    # esmini accepts (and its swarm.xosc writes) CentralSwarmObject, a name no schema has
    central = child(el, "CentralObject")
    if central is None:
        central = child(el, "CentralSwarmObject")
    if central is None:
        raise ctx.src.error(el, "expected a CentralObject")
    speeds = child(el, "InitialSpeedRange")
    templates = _templates(el, ctx)
    direction = child(el, "DirectionOfTravelDistribution")
    return SwarmSpec(
        a(central, "entityRef", str), a(el, "innerRadius", non_negative),
        a(el, "semiMajorAxis", positive), a(el, "semiMinorAxis", positive),
        a(el, "numberOfVehicles", non_negative_int), a(el, "offset", float, 0.0),
        (a(speeds, "lowerLimit", non_negative), a(speeds, "upperLimit", non_negative))
        if speeds is not None else None,
        a(el, "velocity", non_negative, None), templates or ((_car("car"), 1.0),),
        a(direction, "same", non_negative, 1.0) if direction is not None else 1.0,
        a(direction, "opposite", non_negative, 0.0) if direction is not None else 0.0)


@dataclass(frozen=True)
class SourceSpec:
    """TrafficSourceAction: ``position`` spec, ``rate`` [1/s] >= 0, ``radius`` [m] >= 0,
    ``speed`` [m/s] >= 0 or None, category weights."""

    position: Any
    rate: float
    radius: float
    speed: float | None = None
    templates: Templates = ((_car("car"), 1.0),)


@dataclass(frozen=True)
class SinkSpec:
    """TrafficSinkAction: ``position`` spec, ``radius`` [m] >= 0, ``rate`` [1/s] >= 0 or None
    (unlimited), the categories it removes (None: every vehicle)."""

    position: Any
    radius: float
    rate: float | None = None
    categories: frozenset[str] | None = None


def _source(el: etree._Element, ctx: ParseContext) -> SourceSpec:
    a = ctx.src.attr
    speed = a(el, "speed", non_negative, None)
    return SourceSpec(ctx.position(el), a(el, "rate", non_negative),
                      a(el, "radius", non_negative),
                      speed if speed is not None else a(el, "velocity", non_negative, None),
                      _templates(el, ctx) or ((_car("car"), 1.0),))


def _sink(el: etree._Element, ctx: ParseContext) -> SinkSpec:
    a = ctx.src.attr
    templates = _templates(el, ctx)
    return SinkSpec(ctx.position(el), a(el, "radius", non_negative),
                    a(el, "rate", non_negative, None),
                    frozenset(d.category for d, w in templates if w > 0) if templates else None)


_KINDS = MappingProxyType({
    "TrafficSwarmAction": ("swarm", _swarm), "TrafficSourceAction": ("source", _source),
    "TrafficSinkAction": ("sink", _sink), "TrafficStopAction": ("stop", None)})
"""Inner element -> (kind, spec reader)."""


@dataclass(frozen=True)
class TrafficAction:
    """``TrafficAction``: a swarm, source or sink of traffic ``name`` (``kind`` and its
    ``spec``), or a stop (``kind`` ``stop``) of the traffic of that name."""

    ELEMENT = "TrafficAction"
    PRIVATE = False
    name: str
    kind: str = "stop"
    spec: Any = None

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> TrafficAction:
        """Read this element (``trafficName`` defaults to the kind: swarm, source, sink).

        Raises:
            ScenarioError: no inner action, bad attribute values (file, line, element).
            UnsupportedElementError: an unknown inner element.
        """
        inner = next(children(el), None)
        if inner is None:
            raise ctx.src.error(el, f"expected one of {', '.join(_KINDS)}")
        if inner.tag not in _KINDS:
            raise ctx.src.error(inner, f"a known element this player does not support "
                                       f"({', '.join(_KINDS)} only)", UnsupportedElementError)
        kind, reader = _KINDS[str(inner.tag)]
        name = ctx.src.attr(el, "trafficName", str, kind if kind != "stop" else "swarm")
        return cls(name, kind, reader(inner, ctx) if reader is not None else None)

    def start(self, rt: Runtime, actor: str | None) -> Any:
        """Start the swarm, source or sink (runs that never end by itself), or stop the
        traffic of this name.

        Raises:
            ScenarioError: the source or sink position cannot be resolved.
        """
        if self.kind == "stop":
            for run in rt.swarms.pop(self.name, ()):
                run.remove_all(rt)
            return Done()
        run = {"swarm": SwarmRun, "source": SourceRun, "sink": SinkRun}[self.kind](
            self.name, self.spec)
        run.begin(rt)
        rt.swarms.setdefault(self.name, []).append(run)
        return run


@dataclass
class TrafficRun:
    """What the running traffic actions share: the traffic name, the spec, the vehicles the
    run spawned (removed by :meth:`remove_all`), the time since its start [s]."""

    DESPAWN = "swarm_despawn"
    name: str
    spec: Any
    vehicles: list[str] = field(default_factory=list)
    spawned: int = 0
    stopped: bool = False
    elapsed: float = 0.0

    def begin(self, rt: Runtime) -> None:
        """Hook called when the action starts (resolve what must resolve now)."""

    def remove_all(self, rt: Runtime) -> None:
        """Remove every vehicle of this run and stop it."""
        for name in list(self.vehicles):
            remove_vehicle(rt, name, self.DESPAWN, self.name)
        self.stopped = True

    def add_vehicle(self, rt: Runtime, coord: LaneCoord, template: EntityDef, speed: float,
                    event: str) -> str:
        """Put a new traffic entity made from ``template`` at the centre of ``coord``'s
        lane, travelling along it at ``speed`` [m/s]; emit ``event`` ``{entity, traffic,
        category, road, lane, s}``; return its name (``<traffic>_<n>``, unique in the run)."""
        self.spawned += 1
        name = f"{self.name}_{self.spawned}"
        while name in rt.movers:
            self.spawned += 1
            name = f"{self.name}_{self.spawned}"
        defn = replace(template, name=name)
        mover = Mover(name, defn)
        mover.coord = LaneCoord(coord.road_id, coord.lane_id, coord.s, coord.t, 0.0)
        place(rt.net, mover)
        mover.speed = speed
        rt.movers[name] = mover
        # esmini gives every swarm and source vehicle an ACC controller set to its spawn
        # speed (OSCGlobalAction: InstantiateControllerACC, SetSetSpeed): it brakes for what
        # is ahead (realinputs16b: source traffic at 30 m/s rear-ended a standing ego)
        mover.controller_def = ControllerDef(f"{name}_acc", "ACCController")
        mover.controller = ACCController(mover.controller_def)
        mover.control_domains = ACCController.DOMAINS
        mover.controller.activate(rt, name)
        self.vehicles.append(name)
        rt.emit(event, {"entity": name, "traffic": self.name, "category": defn.category,
                        "road": coord.road_id, "lane": coord.lane_id, "s": coord.s})
        return name


def remove_vehicle(rt: Runtime, name: str, event: str, traffic: str) -> None:
    """Take traffic vehicle ``name`` out of the run (and out of the run that spawned it) and
    emit ``event`` ``{entity, traffic}``."""
    rt.movers.pop(name, None)
    for runs in rt.swarms.values():
        for run in runs:
            if name in run.vehicles:
                run.vehicles.remove(name)
    rt.emit(event, {"entity": name, "traffic": traffic})


def is_traffic(rt: Runtime, name: str) -> bool:
    """True when ``name`` was spawned by a traffic action (not declared in Entities)."""
    return any(name in run.vehicles for runs in rt.swarms.values() for run in runs)


def free_at(rt: Runtime, x: float, y: float) -> bool:
    """True when no present entity is within :data:`MIN_GAP` of the world point."""
    return not any(math.hypot(m.pose.x - x, m.pose.y - y) < MIN_GAP
                   for m in rt.movers.values() if m.present)


def driving_lane_at(rt: Runtime, x: float, y: float) -> LaneCoord | None:
    """The lane position of a world point when it is on a driving lane, else None."""
    coord = rt.net.world_to_lane(x, y)
    if coord is None or lane_type(rt.net, coord.road_id, coord.lane_id, coord.s) \
            not in DRIVING_LANE_TYPES:
        return None
    return coord


@dataclass
class SwarmRun(TrafficRun):
    """A running swarm (see the module docstring)."""

    def _inside(self, rt: Runtime, x: float, y: float) -> tuple[bool, bool]:
        """(inside the ellipse, inside the inner circle) of a world point."""
        c = rt.mover(self.spec.central).pose
        ch, sh = math.cos(c.h), math.sin(c.h)
        cx, cy = c.x + self.spec.offset * ch, c.y + self.spec.offset * sh
        dx, dy = x - cx, y - cy
        u, v = dx * ch + dy * sh, -dx * sh + dy * ch
        ellipse = (u / self.spec.semi_major) ** 2 + (v / self.spec.semi_minor) ** 2 <= 1.0
        return ellipse, math.hypot(x - c.x, y - c.y) < self.spec.inner_radius

    def step(self, rt: Runtime, dt: float) -> bool:
        """Despawn vehicles that left the ellipse, spawn up to the count; never done."""
        if self.stopped:
            return True
        for name in list(self.vehicles):
            p = rt.movers[name].pose
            if not self._inside(rt, p.x, p.y)[0]:
                remove_vehicle(rt, name, self.DESPAWN, self.name)
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
            if self._inside(rt, x, y)[1]:
                continue
            coord = driving_lane_at(rt, x, y)
            if coord is None:
                continue
            # the vehicle goes to the lane centre: that is where there must be room (the
            # drawn point may be 1.75 m beside it, and beside a vehicle in the next lane)
            at = rt.net.lane_to_world(coord.road_id, coord.lane_id, coord.s)
            if self._inside(rt, at.x, at.y)[1] or not free_at(rt, at.x, at.y):
                continue
            if (abs(math.remainder(at.h - c.h, 2 * math.pi)) < math.pi / 2) != want_same:
                continue
            template = _draw(rng, spec.templates)    # drawn before the speed
            self.add_vehicle(rt, coord, template, self._speed(rt), "swarm_spawn")
            return True
        return False

    def _speed(self, rt: Runtime) -> float:
        """Initial speed [m/s] of a new swarm vehicle (drawn from InitialSpeedRange, else
        ``velocity``, else the central entity's speed)."""
        spec = self.spec
        if spec.speed_range is not None:
            return rt.rng.uniform(*spec.speed_range)
        return spec.velocity if spec.velocity is not None else rt.speed_of(spec.central)


@dataclass
class _AtPositionRun(TrafficRun):
    """A running traffic action placed at a Position (source, sink)."""

    def begin(self, rt: Runtime) -> None:
        """Resolve the position once at the start (errors name the action)."""
        self.spec.position.resolve(rt)


@dataclass
class SourceRun(_AtPositionRun):
    """A running TrafficSourceAction (see the module docstring)."""

    DESPAWN = "source_despawn"
    made: int = 0

    def step(self, rt: Runtime, dt: float) -> bool:
        """Spawn the vehicles due by now (as room allows); never done."""
        if self.stopped:
            return True
        spec = self.spec
        centre = spec.position.resolve(rt).pose
        while self.made < due(spec.rate, self.elapsed) and self._spawn(rt, centre.x, centre.y):
            self.made += 1
        self.elapsed += dt
        return False

    def _spawn(self, rt: Runtime, cx: float, cy: float) -> bool:
        rng, spec = rt.rng, self.spec
        for _ in range(ATTEMPTS):
            ang, rad = rng.uniform(-math.pi, math.pi), spec.radius * math.sqrt(rng.random())
            coord = driving_lane_at(rt, cx + rad * math.cos(ang), cy + rad * math.sin(ang))
            if coord is None:
                continue
            at = rt.net.lane_to_world(coord.road_id, coord.lane_id, coord.s)
            if not free_at(rt, at.x, at.y):
                continue
            speed = spec.speed
            if speed is None:
                limit = getattr(rt.net, "speed_limit", None)
                speed = (limit(coord.road_id, coord.lane_id, coord.s) if limit else None) or 0.0
            self.add_vehicle(rt, coord, _draw(rng, spec.templates), speed, "source_spawn")
            return True
        return False


@dataclass
class SinkRun(_AtPositionRun):
    """A running TrafficSinkAction (see the module docstring)."""

    DESPAWN = "sink_despawn"
    last: float | None = None
    """Time since the start [s] of the last removal, None before the first."""

    def _may_remove(self) -> bool:
        """At most one removal per ``1 / rate`` s (any number without a rate, none at rate 0):
        time without a vehicle to remove builds no credit (realinputs16b: a budget had
        removed four vehicles in 2.95 s at rate 0.5)."""
        rate = self.spec.rate
        if rate is None:
            return True
        return rate > 0 and (self.last is None or self.elapsed - self.last >= 1.0 / rate - EPS)

    def step(self, rt: Runtime, dt: float) -> bool:
        """Remove the vehicles within the radius (as the rate allows); never done."""
        if self.stopped:
            return True
        spec = self.spec
        centre = spec.position.resolve(rt).pose
        for name, m in list(rt.movers.items()):
            if not self._may_remove():
                break
            if not m.present or m.external or m.defn.element != "Vehicle" or \
                    (spec.categories is not None and m.defn.category not in spec.categories) \
                    or math.hypot(m.pose.x - centre.x, m.pose.y - centre.y) > spec.radius:
                continue
            self.last = self.elapsed
            if is_traffic(rt, name):
                remove_vehicle(rt, name, self.DESPAWN, self.name)
            else:                              # a declared entity: as DeleteEntityAction
                EntityAction(name).start(rt, None)
                rt.emit(self.DESPAWN, {"entity": name, "traffic": self.name})
        self.elapsed += dt
        return False
def _draw(rng: Any, weighted: Templates) -> EntityDef:
    """One template, drawn with probability proportional to its weight (one ``rng.random()``)."""
    total = sum(w for _, w in weighted)
    r = rng.random() * total
    for value, w in weighted:
        r -= w
        if r <= 0:
            return value
    return weighted[-1][0]


TRAFFIC_ACTIONS = (TrafficAction,)
