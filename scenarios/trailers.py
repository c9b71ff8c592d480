"""Trailers during a run (ASAM OpenSCENARIO 1.3 ``TrailerHitch``, ``TrailerCoupler``,
``Trailer``, ``TrailerAction``), as esmini v3.6.0 moves them.

A towing vehicle holds its trailer's coupler at its hitch: the hitch point is ``hitch`` [m]
along the tow vehicle's x axis from its reference point, the coupler point ``coupler`` [m]
along the trailer's (``EntityDef.hitch`` / ``EntityDef.coupler``). Facts from esmini
(``ScenarioEngine::step``, ``Vehicle::AlignTrailers``, ``ConnectTrailerAction``):

* every step, after every entity that is not towed has moved (default controller, actions,
  controllers), each chain is dragged from its front: with H the tow vehicle's new hitch point
  and P the trailer's reference point before the step, the trailer's reference point becomes
  H + coupler * (P - H) / |P - H| and its heading the direction from P' to H (atan2 + pi): the
  coupler follows the hitch and the trailer's heading is dragged towards it (a tractrix); its
  speed becomes the tow vehicle's. A towed trailer is never moved by its own default
  controller; its road coordinates follow from its world position (``snap``);
* a TeleportAction of a vehicle with trailers lines them up straight behind it, at its
  heading and speed (``align``); a TeleportAction on a towed trailer does nothing (the tow
  vehicle places it);
* ConnectTrailerAction first disconnects another trailer the vehicle tows, then connects; the
  new trailer is not moved at once: the next drag pulls its coupler onto the hitch along the
  line to where it stands. DisconnectTrailerAction releases the trailer, which then goes on
  by itself with its last speed, following its lane (esmini's default controller).

Departure from esmini, for the standard: esmini reports the contact of a tow vehicle and its
directly coupled trailer as a collision (lane_change.xosc: "Collision between Truck and
Truck+" from t = 0 for the whole run: a semitrailer reaches over its tractor's rear axle);
here a coupled pair does not collide (:func:`coupled`), so CollisionConditions and the
evaluator see only real contacts.
"""

from __future__ import annotations

import math
from dataclasses import replace

from testzone.world import Pose, wrap_angle

from scenarios.actions.routing import snap
from scenarios.errors import ScenarioError
from scenarios.runtime import Mover, Runtime

_SMALL = 1e-9
"""Distance [m] below which the trailer stands on the hitch (no direction to drag along)."""


def connect_initial(rt: Runtime) -> None:
    """Connect the trailers the entity definitions name (``EntityDef.trailer``): set
    ``Mover.trailer`` / ``Mover.tow`` and emit ``trailer_connected`` ``{"tow", "trailer"}``
    for each (so a recording tells which boxes overlap by design). Called once by the
    engine."""
    for name, m in rt.movers.items():
        if m.defn.trailer is not None:
            m.trailer = m.defn.trailer
            rt.movers[m.defn.trailer].tow = name
            rt.emit("trailer_connected", {"tow": name, "trailer": m.defn.trailer})


def chain(rt: Runtime, name: str) -> list[str]:
    """``name`` and the trailers behind it, front to back (each once): what esmini activates,
    deactivates and aligns with a vehicle (``Entities::activateObject``, ``AlignTrailers``)."""
    out = [name]
    nxt = rt.movers[name].trailer
    while nxt is not None and nxt not in out:
        out.append(nxt)
        nxt = rt.movers[nxt].trailer
    return out


def coupled(rt: Runtime, a: str, b: str) -> bool:
    """True when ``a`` tows ``b`` or ``b`` tows ``a``: their boxes may overlap by design, so
    their contact is no collision (a departure from esmini, see the module docstring)."""
    return rt.movers[a].trailer == b or rt.movers[b].trailer == a


def hitch_point(m: Mover, heading: float | None = None) -> tuple[float, float]:
    """World (x, y) [m] of the hitch of tow vehicle ``m``: ``m.defn.hitch`` (0 without a
    hitch) from its reference point along ``heading`` [rad] (default: its own); OpenSCENARIO
    1.3 ``TrailerHitch@dx``, planar as esmini."""
    dx = m.defn.hitch or 0.0
    h = m.pose.h if heading is None else heading
    return m.pose.x + dx * math.cos(h), m.pose.y + dx * math.sin(h)


def _settle(rt: Runtime, trailer: Mover, x: float, y: float, h: float, speed: float) -> None:
    """Put ``trailer`` at (x, y) [m] heading h [rad] with ``speed`` [m/s]: road coordinates
    from the position (vehicles on driving lanes), z and pitch of the road there."""
    before = trailer.pose
    trailer.pose = Pose(x, y, before.z, wrap_angle(h), before.p, before.r)
    trailer.speed = speed
    trailer.lat_rate = 0.0
    snap(rt, trailer)
    c = trailer.coord
    if c is not None:
        road = rt.net.lane_to_world(c.road_id, c.lane_id, c.s, c.offset)
        trailer.pose = replace(trailer.pose, z=road.z, p=road.p)
    trailer.odometer += math.hypot(x - before.x, y - before.y)


def align(rt: Runtime, name: str) -> None:
    """Line up the trailers of ``name`` straight behind it (esmini ``AlignTrailers``, after a
    TeleportAction): each coupler on its tow vehicle's hitch, every heading and speed the
    front vehicle's."""
    head = rt.movers[name]
    c, s = math.cos(head.pose.h), math.sin(head.pose.h)
    names = chain(rt, name)
    for tow_name, trailer_name in zip(names, names[1:]):
        tow, trailer = rt.movers[tow_name], rt.movers[trailer_name]
        hx, hy = hitch_point(tow, head.pose.h)
        back = trailer.defn.coupler or 0.0
        _settle(rt, trailer, hx - back * c, hy - back * s, head.pose.h, head.speed)


def drag(rt: Runtime) -> None:
    """Move every towed trailer for this step (esmini's trailer update at the end of
    ``ScenarioEngine::step``), chain by chain from the front: coupler onto the hitch, along
    the line from the hitch to where the trailer was; heading towards the hitch; speed of
    the tow vehicle. Trailers driven from outside (external) or absent are left alone (and
    so are those behind them)."""
    for name, head in rt.movers.items():
        if head.tow is not None or head.trailer is None or not head.present:
            continue
        names = chain(rt, name)
        for tow_name, trailer_name in zip(names, names[1:]):
            tow, trailer = rt.movers[tow_name], rt.movers[trailer_name]
            if trailer.external or not trailer.present:
                break
            hx, hy = hitch_point(tow)
            vx, vy = trailer.pose.x - hx, trailer.pose.y - hy
            length = math.hypot(vx, vy)
            if length < _SMALL:     # on the hitch: straight behind the tow vehicle
                vx, vy, length = -math.cos(tow.pose.h), -math.sin(tow.pose.h), 1.0
            back = (trailer.defn.coupler or 0.0) / length
            _settle(rt, trailer, hx + vx * back, hy + vy * back, math.atan2(vy, vx) + math.pi,
                    tow.speed)


def connect(rt: Runtime, tow: str, trailer: str) -> None:
    """Connect ``trailer`` to the hitch of ``tow`` (ConnectTrailerAction), first releasing
    the trailer ``tow`` pulls now and the tow vehicle ``trailer`` hangs on now, if others.
    Emits ``trailer_connected`` ``{"tow", "trailer"}`` (and ``trailer_disconnected`` for
    what was released).

    Raises:
        ScenarioError: ``tow`` has no TrailerHitch, ``trailer`` no TrailerCoupler, they are
            the same entity, or ``tow`` hangs (directly or further) on ``trailer``.
    """
    t, tr = rt.movers[tow], rt.movers[trailer]
    if t.defn.hitch is None:
        raise ScenarioError(f"'{tow}' has no TrailerHitch to connect a trailer to",
                            element="ConnectTrailerAction")
    if tr.defn.coupler is None:
        raise ScenarioError(f"trailer '{trailer}' has no TrailerCoupler",
                            element="ConnectTrailerAction")
    if trailer in _tows_of(rt, tow) or trailer == tow:
        raise ScenarioError(f"'{tow}' hangs on '{trailer}': connecting would make a ring",
                            element="ConnectTrailerAction")
    if t.trailer == trailer:
        return                      # already connected (esmini keeps the connection)
    disconnect(rt, tow)
    if tr.tow is not None:
        disconnect(rt, tr.tow)
    t.trailer, tr.tow = trailer, tow
    rt.emit("trailer_connected", {"tow": tow, "trailer": trailer})


def disconnect(rt: Runtime, tow: str) -> None:
    """Release the trailer of ``tow`` (DisconnectTrailerAction), if any: it keeps its speed and
    goes on by itself. Emits ``trailer_disconnected`` ``{"tow", "trailer"}``."""
    t = rt.movers[tow]
    if t.trailer is None:
        return
    trailer = t.trailer
    t.trailer, rt.movers[trailer].tow = None, None
    rt.emit("trailer_disconnected", {"tow": tow, "trailer": trailer})


def _tows_of(rt: Runtime, name: str) -> list[str]:
    """The vehicles ``name`` hangs on, nearest first."""
    out: list[str] = []
    nxt = rt.movers[name].tow
    while nxt is not None and nxt not in out:
        out.append(nxt)
        nxt = rt.movers[nxt].tow
    return out
