"""Controllers of scenario entities (ASAM OpenSCENARIO 1.x ``Controller``, ``ObjectController``,
``AssignControllerAction``, ``ActivateControllerAction``).

OpenSCENARIO leaves controller behaviour to the simulator. The engine provides two of esmini's
built-in controllers as **esmini-compatible extensions**, chosen by the controller's
``esminiController`` Property (else by its name, as esmini does):

* ``ACCController`` (esmini ``ControllerACC``, longitudinal): adaptive cruise control.
  Properties: ``timeGap`` [s] (default 1.5), ``setSpeed`` [m/s] (default: the speed when
  activated), ``lateralDist`` [m] (5.0: lateral reach of the lead-vehicle search), ``mode``
  ``override`` (speed actions are ignored while active) or ``additive`` (default: a speed set by
  an action becomes the new set speed).
* ``FollowRouteController`` (esmini ``ControllerFollowRoute``, both domains): plans a
  lane-level path along the assigned route and drives it, changing lanes where the next road
  needs another lane (``scenarios.follow_route``). Properties: ``laneChangeTime`` [s] (5),
  ``minDistForCollision`` [m] (10), ``testMode`` (stop when the route is done).

A controller's ``step(rt, name, dt)`` runs before its entity moves in a step; a controller
with an ``after_move(rt, name, dt)`` method is also called after the move (esmini steps its
controllers after the default controller moved the entity), and one with a ``choose(options)``
method picks the way at junctions while active (``scenarios.motion.junction_choice``).

Any other controller (``InteractiveController``, ``ExternalController``, a vendor's) is not
available to scenario entities: activating it leaves the entity to the default controller and
emits ``Event(t, "controller_disabled", {entity, controller})`` -- the behaviour of esmini run
with ``--disable_controllers``. For external entities (the vehicle under test) controller
actions become ``ego_request`` events as before.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from lxml import etree

from scenarios.errors import ScenarioError
from scenarios.follow_route import FollowRouteController
from scenarios.measure import between
from scenarios.xmlsource import Source, child, children

LONGITUDINAL, LATERAL = "longitudinal", "lateral"


@dataclass(frozen=True)
class ControllerDef:
    """A ``Controller``: its name, kind (``esminiController`` Property, else the name) and
    Properties (name -> value string)."""

    name: str
    kind: str
    properties: Mapping[str, str] = field(default_factory=dict)

    def number(self, key: str, default: float) -> float:
        """Property ``key`` as a float, or ``default``.

        Raises:
            ScenarioError: the value is not a number.
        """
        raw = self.properties.get(key)
        if raw is None:
            return default
        try:
            return float(raw)
        except ValueError:
            raise ScenarioError(f"controller '{self.name}': property {key}={raw!r} is not a "
                                f"number", element="Property") from None


def read_controller(src: Source, holder: etree._Element, catalogs: Any) -> ControllerDef:
    """Read the ``Controller`` or controller ``CatalogReference`` inside ``holder``
    (an ObjectController or an AssignControllerAction).

    Raises:
        ScenarioError: neither is present, or the catalog entry is not a Controller.
    """
    el = next((c for c in children(holder) if c.tag in ("Controller", "CatalogReference")),
              None)
    if el is None:
        raise src.error(holder, "expected a Controller or a CatalogReference")
    if el.tag == "CatalogReference":
        if catalogs is None:
            raise src.error(el, "no catalogs available here")
        el, src = catalogs.resolve(src, el)
        if el.tag != "Controller":
            raise src.error(el, f"catalog entry is a {el.tag}, expected a Controller")
    props: dict[str, str] = {}
    holder_props = child(el, "Properties")
    if holder_props is not None:
        for p in children(holder_props, "Property"):
            props[src.attr(p, "name", str)] = src.attr(p, "value", str, "")
    name = src.attr(el, "name", str, "")
    return ControllerDef(name, props.get("esminiController", name), props)


class ACCController:
    """esmini's ``ControllerACC`` (see module docstring). Longitudinal domain only.

    Each step it looks for the nearest entity ahead on a connected lane (same lane id, lateral
    offset within ``lateralDist``) within ``max(50 m, 2*3 m + v^2/maxDeceleration)``, gap
    measured between bounding boxes along the road, or a vehicle just in front (freespace
    distance below ``1 + length + 0.5 * closing speed``, lateral within -0.5 .. 0.2 m). With a
    lead vehicle: follow distance ``3 m + timeGap * max(v, v_lead)``, acceleration
    ``2.5 f - f (v - v_set) - (1 - f) (v - min(v_set, v_lead))`` with ``f = min(1, (gap -
    follow) / follow)``, clamped to the Performance limits, the speed kept within
    [0, setSpeed] (esmini v3.6.0's acc-test.csv never exceeds the set speed); without: approach ``setSpeed`` at
    ``0.7 * maxAcceleration * dv`` (clamped). A gap below 1 m stops it at once.
    """

    DOMAINS = frozenset({LONGITUDINAL})
    MIN_DIST = 3.0
    """Distance [m] kept to the lead vehicle at standstill."""
    ACC_FACTOR = 0.7
    """Fraction of maxAcceleration used to reach the set speed."""

    def __init__(self, cdef: ControllerDef) -> None:
        self.time_gap = cdef.number("timeGap", 1.5)
        self.set_speed = cdef.number("setSpeed", math.nan)
        self.lateral_dist = cdef.number("lateralDist", 5.0)
        self.override = cdef.properties.get("mode", "additive") == "override"
        self.current = 0.0

    def activate(self, rt: Any, name: str) -> None:
        """Start controlling ``name``: current speed; set speed from it unless given."""
        self.current = rt.mover(name).speed
        if not self.override or math.isnan(self.set_speed):
            self.set_speed = self.current

    def _lead(self, rt: Any, name: str) -> tuple[float, float] | None:
        """(gap [m], speed [m/s]) of the vehicle to follow, or None."""
        me = rt.mover(name)
        perf = me.defn.performance
        look = max(50.0, 2 * self.MIN_DIST + self.current ** 2 / max(perf.max_deceleration, 1e-9))
        best: tuple[float, float] | None = None
        for other_name, other in rt.movers.items():
            if other_name == name or not other.present:    # a deleted entity is no lead
                continue
            mb, ob = me.defn.box, other.defn.box           # farther than the look-ahead
            reach = look + self.lateral_dist + (mb.length + ob.length) / 2 + abs(mb.cx) + \
                abs(ob.cx)                                 # along any road: no lead either
            if math.hypot(other.pose.x - me.pose.x, other.pose.y - me.pose.y) > reach:
                continue   # (review 16: swarm traffic under ACC had made 50 vehicles 11x slower)
            gap = self._road_gap(rt, me, other, look)
            if gap is not None and (best is None or gap < best[0]):
                best = (gap, other.speed)
                continue
            lon = between(rt, name, other_name, "entity", "longitudinal", True)
            lat = between(rt, name, other_name, "entity", "lateral", True)
            if lon is not None and lat is not None and 0 < lon < \
                    1.0 + other.defn.box.length + 0.5 * max(0.0, self.current - other.speed) \
                    and -0.5 < lat < 0.2:
                best = (lon, other.speed)
        return best

    def _road_gap(self, rt: Any, me: Any, other: Any, look: float) -> float | None:
        a, b = me.lane, other.lane
        if a is None or b is None or a.lane_id != b.lane_id:
            return None
        if abs(b.t - a.t) >= self.lateral_dist:
            return None
        try:
            ds = rt.net.longitudinal_distance(a, b, look)
        except TypeError:                       # a network without max_distance
            ds = rt.net.longitudinal_distance(a, b)
        if ds is None or ds > look:
            return None
        same = abs(math.remainder(me.pose.h - other.pose.h, 2 * math.pi)) < math.pi / 2
        mb, ob = me.defn.box, other.defn.box
        gap = ds - (mb.length / 2 + mb.cx) - (ob.length / 2 - ob.cx if same
                                               else ob.length / 2 + ob.cx)
        return gap if gap > 0 else None

    def step(self, rt: Any, name: str, dt: float) -> None:
        """Set the entity's speed for this step [m/s]."""
        me = rt.mover(name)
        perf = me.defn.performance
        if not self.override and abs(me.speed - self.current) > 1e-3:
            self.set_speed = me.speed          # an action changed the speed: new set speed
        lead = self._lead(rt, name)
        if lead is not None:
            gap, v_lead = lead
            if gap < 1.0:
                self.current = 0.0
            else:
                follow = self.MIN_DIST + self.time_gap * abs(max(self.current, v_lead))
                f = min(1.0, (gap - follow) / follow)
                dv_min = self.current - min(self.set_speed, v_lead)
                dv_set = self.current - self.set_speed
                acc = 2.5 * f - f * dv_set - (1 - f) * dv_min
                acc = min(max(acc, -perf.max_deceleration), perf.max_acceleration)
                self.current = min(max(0.0, self.current + acc * dt), self.set_speed)
        else:
            acc = (self.set_speed - self.current) * self.ACC_FACTOR * perf.max_acceleration
            acc = min(max(acc, -perf.max_deceleration), self.ACC_FACTOR * perf.max_acceleration)
            nxt = self.current + acc * dt
            passed = abs(nxt - self.set_speed) > abs(self.current - self.set_speed)
            self.current = self.set_speed if passed else nxt
        me.speed = self.current


BUILTIN = MappingProxyType({"ACCController": ACCController,
                            "FollowRouteController": FollowRouteController})
"""Controller kind -> class of the controllers the engine provides."""


def activate(rt: Any, name: str, lateral: bool | None, longitudinal: bool | None) -> None:
    """ActivateControllerAction on scenario entity ``name``: (de)activate its assigned
    controller on the given domains (None: every domain the controller has).

    A controller the engine does not provide is disabled (``controller_disabled`` event); no
    assigned controller leaves the default controller in charge.
    """
    m = rt.mover(name)
    cdef = m.controller_def
    if cdef is None:
        return
    cls = BUILTIN.get(cdef.kind)
    if cls is None:
        rt.emit("controller_disabled", {"entity": name, "controller": cdef.name,
                                        "kind": cdef.kind})
        return
    if m.controller is None:
        m.controller = cls(cdef)
    wanted = set(m.control_domains)
    for domain, flag in ((LATERAL, lateral), (LONGITUDINAL, longitudinal)):
        if flag is None:
            flag = True
        if flag and domain in cls.DOMAINS:
            wanted.add(domain)
        elif not flag:
            wanted.discard(domain)
    was_active = bool(m.control_domains)
    m.control_domains = frozenset(wanted)
    if m.control_domains and not was_active:
        m.controller.activate(rt, name)
    rt.emit("controller", {"entity": name, "controller": cdef.name, "kind": cdef.kind,
                           "domains": sorted(m.control_domains)})


def overridden(rt: Any, name: str, domain: str) -> bool:
    """True when an active controller in override mode holds ``domain`` of ``name`` (actions
    on that domain then do nothing, as in esmini)."""
    m = rt.mover(name)
    return m.controller is not None and getattr(m.controller, "override", False) \
        and domain in m.control_domains


def step_controllers(rt: Any, dt: float) -> None:
    """Step every active controller of a scenario entity (after the storyboard's actions,
    before the entities move)."""
    for name, m in rt.movers.items():
        if m.controller is not None and m.control_domains and not m.external:
            m.controller.step(rt, name, dt)


def settle_controllers(rt: Any, dt: float) -> None:
    """Call ``after_move(rt, name, dt)`` of every active controller that has one, once the
    entities have moved in this step (FollowRouteController plans there)."""
    for name, m in rt.movers.items():
        after = getattr(m.controller, "after_move", None)
        if after is not None and m.control_domains and not m.external:
            after(rt, name, dt)
