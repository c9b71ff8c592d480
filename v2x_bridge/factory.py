"""Build a ready bridge for a map from its RSU layout file (what the runner calls per case),
with the MAP of each RSU's junction derived from the OpenDRIVE road network.

MAP from OpenDRIVE (YD/T 3709-2020 / T/CSAE 53-2020 MapData, clause "MAP"): a node is an
intersection or a road end; a link is a directed road between two nodes and belongs to the
node at its downstream end; its points run upstream to downstream along its centre. So, for
an RSU serving junction J:

* the node is J: id ``rsu.node()``, reference position the mean of the RSU's signal heads
  (close to the junction centre, as the standard asks), else the mean of the connecting roads'
  mid points, else the RSU position;
* each road entering J (``junction/connection@incomingRoad``) gives one link; its upstream
  node is the junction at the road's far end (its RSU's node id, else the junction id), or a
  virtual road-end node (:func:`road_end_node`) when the road ends there;
* the link's lanes are the incoming road's lanes that have a ``laneLink`` into J; ``laneID`` is
  ``|OpenDRIVE lane id|`` (lanes counted outward from the reference line, so 1 is the
  innermost lane, as the deployed MAPs number them from the left of the driving direction);
  lane and link points are sampled over ``approach_m`` up to the stop line (the governing
  signal's ``s``, else the road end), at most 31 points (PointList SIZE(2..31)); a lane's
  points begin where the lane does: upstream of a lane section where it has no lane link and
  opens from a width under :data:`OPENING_WIDTH_M` (a turn bay) there are none (they were
  the through lane's: an OBU could not tell the two apart; V2X semantics pass 13);
* each connection of a lane gives its maneuver (straight / left / right / U-turn from the
  heading change across the connecting road) and a ``connectsTo`` entry: remoteIntersection =
  the node at the far end of the road it leads to, connectingLane = the lane reached there,
  phaseId = the SPAT phase of the signal governing the incoming lane (the dynamic signal of
  the RSU on the incoming road whose orientation matches the lane's direction, nearest the
  junction); the phase id of a signal follows :mod:`v2x_bridge.spat`: the RSU's
  ``phase_ids`` entry, else its 1-based position in ``signal_ids``.

:func:`bridge_for_layout` pins those phase ids on its RSUs (``Rsu.phase_ids``), so SPAT and
MAP always agree; ``SignalState.phase_id`` is then not used. (The scenario engine fills it with
the index of the OpenSCENARIO TrafficSignalController phase, which changes over the cycle and
is not a signal group.)
"""

from __future__ import annotations

import dataclasses
import math
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from maps.model import permits_right_on_red
from maps.summary import absent_from_map
from maps.traversal import lane_id_at
from testzone.world import LaneCoord, wrap_angle
from v2x_bridge.bridge import V2XBridge
from v2x_bridge.channel import ChannelModel
from v2x_bridge.errors import V2XError
from v2x_bridge.geo import GeoFrame
from v2x_bridge.rsu import Rsu, load_rsu_layout

MAX_POINTS = 31
"""PointList SIZE(2..31) of YD/T 3709-2020."""

STRAIGHT_MAX_RAD = math.radians(30.0)
"""Heading change [rad] up to which a movement counts as straight; beyond 150 deg: U-turn."""


def road_end_node(road_id: str, end: str) -> int:
    """NodeID of the virtual node at a road end that links to nothing (``end``: ``start`` or
    ``end``): a stable 16-bit hash above 255 (0..255 are reserved for tests in YD/T 3709)."""
    return 256 + zlib.crc32(f"road:{road_id}:{end}".encode("utf-8")) % (65536 - 256)


def signal_phase_ids(rsu: Rsu) -> dict[str, int]:
    """SPAT phase id of each of the RSU's signals: ``phase_ids`` entry, else 1-based index."""
    return {sid: int(rsu.phase_ids.get(sid, i)) for i, sid in enumerate(rsu.signal_ids, 1)}


class _Nodes:
    """Node ids of junctions (RSU node when an RSU serves it) and of free road ends."""

    def __init__(self, net: Any, rsus: tuple[Rsu, ...]) -> None:
        self.net = net
        self.by_junction = {r.junction_id: r.node() for r in rsus if r.junction_id}

    def junction(self, jid: str) -> int:
        if jid in self.by_junction:
            return self.by_junction[jid]
        return Rsu(id=jid, x=0.0, y=0.0, junction_id=jid).node()

    def far_end(self, road_id: str, from_end: str) -> int:
        """Node at the end of ``road_id`` opposite ``from_end`` (``start``/``end``)."""
        road = self.net.roads[road_id]
        far = "start" if from_end == "end" else "end"
        link = road.successor if far == "end" else road.predecessor
        if link is not None and link.element_type == "junction":
            return self.junction(str(link.element_id))
        return road_end_node(road_id, far)


def _junction_end(road: Any, jid: str) -> str | None:
    """Which end (``start``/``end``) of ``road`` touches junction ``jid``, or None."""
    for end, link in (("end", road.successor), ("start", road.predecessor)):
        if link is not None and link.element_type == "junction" and str(link.element_id) == jid:
            return end
    return None


def _governing_signal(net: Any, rsu: Rsu, road_id: str, lane_id: int, end: str) -> Any:
    """The RSU's dynamic signal on ``road_id`` valid for lane ``lane_id``'s direction, nearest
    the junction end; None when there is none."""
    want = "+" if lane_id < 0 else "-"
    length = net.roads[road_id].length
    cands = [s for s in net.signals if str(s.id) in rsu.signal_ids and s.road_id == road_id
             and s.orientation == want and getattr(s, "dynamic", True)]
    if not cands:
        return None
    return min(cands, key=lambda s: (length - s.s) if end == "end" else s.s)


def _samples(s_stop: float, end: str, length: float, approach_m: float) -> list[float]:
    """s values [m] from ``approach_m`` upstream of ``s_stop`` to ``s_stop``, upstream first."""
    far = max(0.0, s_stop - approach_m) if end == "end" else min(length, s_stop + approach_m)
    n = max(2, min(MAX_POINTS, int(math.ceil(abs(s_stop - far) / 10.0)) + 1))
    return [far + (s_stop - far) * i / (n - 1) for i in range(n)]


OPENING_WIDTH_M = 0.5
"""A lane whose width at its lane section's upstream edge is below this [m], with no lane link
there, opens in that section (a turn bay): its MAP points start there."""


def _opening_s(net: Any, road: Any, lane_id: int, s_stop: float, upstream: int) -> float | None:
    """The s [m] of the lane section edge, upstream of ``s_stop``, where the lane that is
    ``lane_id`` at ``s_stop`` opens (no lane link across that edge and a width below
    :data:`OPENING_WIDTH_M` just inside it); None when it comes from the road's start or end.
    ``upstream``: -1 when upstream is decreasing s, +1 when increasing."""
    i, lane = road.section_index(s_stop), lane_id
    while 0 <= i + upstream < len(road.sections):
        sec = road.sections[i]
        edge = sec.s if upstream < 0 else road.sections[i + 1].s
        ln = sec.by_id.get(lane)
        if ln is None:
            return None
        link = ln.predecessor if upstream < 0 else ln.successor
        inside = edge + 1e-3 if upstream < 0 else edge - 1e-3
        if link is None and net.lane_width(road.id, lane, inside) < OPENING_WIDTH_M:
            return edge
        nxt = lane_id_at(road, lane, inside, edge - 1e-3 if upstream < 0 else edge + 1e-3)
        if nxt is None:
            return None
        lane, i = nxt, i + upstream
    return None


def _lane_points(net: Any, road_id: str, lane_id: int, s_stop: float,
                 samples: list[float]) -> dict[float, Any]:
    """s -> centre pose of the lane that is ``lane_id`` at the stop line ``s_stop`` [m], traced
    upstream through the road's lane sections by their lane links (a lane id names another
    lane in another section, e.g. where a turn lane opens); samples where the lane cannot be
    traced, or upstream of where it opens (:func:`_opening_s`), are left out."""
    road = net.roads[road_id]
    upstream = -1 if samples[0] < s_stop else 1
    opens = _opening_s(net, road, lane_id, s_stop, upstream)
    out = {}
    for s in samples:
        if opens is not None and (s - opens) * upstream > 1e-9:
            continue
        lane = lane_id_at(road, lane_id, s_stop, s)
        if lane is not None:
            out[s] = net.lane_to_world(road_id, lane, s)
    return out


def _maneuver(net: Any, conn: Any, conn_lane: int) -> tuple[str, str, str, int | None]:
    """(maneuver name, road reached, its end entered (``start``/``end``), lane reached there or
    None) of one lane link through a connecting road."""
    road = net.roads[conn.connecting_road]
    s_in = 0.0 if conn.contact_point == "start" else road.length
    s_out = road.length - s_in
    h_in = net.lane_to_world(conn.connecting_road, conn_lane, s_in).h
    h_out = net.lane_to_world(conn.connecting_road, conn_lane, s_out).h
    turn = wrap_angle(h_out - h_in)
    if abs(turn) <= STRAIGHT_MAX_RAD:
        name = "straight"
    elif abs(turn) >= math.pi - STRAIGHT_MAX_RAD:
        name = "uturn"
    else:
        name = "left" if turn > 0 else "right"
    link = road.successor if conn.contact_point == "start" else road.predecessor
    out_road, out_end = str(link.element_id), link.contact_point or "start"
    # the lane's length differs from the reference line's in a curve: overshoot a little
    reached = net.advance(LaneCoord(conn.connecting_road, conn_lane, s_in, 0.0),
                          1.5 * road.length + 1.0)
    lane = abs(reached.lane_id) if reached.road_id == out_road else None
    return name, out_road, out_end, lane


def _lane_entry(net: Any, rsu: Rsu, nodes: _Nodes, road_id: str, end: str, lane_id: int,
                links: list[tuple[Any, int]], approach_m: float
                ) -> tuple[dict, float, dict[float, Any]]:
    """(lane description, stop-line s [m], its centre poses by sample s [m]:
    :func:`_lane_points`) of one incoming lane and its lane links."""
    length = net.roads[road_id].length
    sig = _governing_signal(net, rsu, road_id, lane_id, end)
    phase = signal_phase_ids(rsu).get(str(sig.id)) if sig is not None else None
    s_stop = sig.s if sig is not None else (length if end == "end" else 0.0)
    man, conns = [], []
    for conn, conn_lane in links:
        name, out_road, out_end, out_lane = _maneuver(net, conn, conn_lane)
        c: dict[str, Any] = {"remote_node_id": nodes.far_end(out_road, out_end),
                             "maneuver": name}
        if out_lane is not None:
            c["lane_id"] = out_lane
        if phase is not None:
            c["phase_id"] = phase
        if name not in man:
            man.append(name)
        conns.append(c)
    if "right" in man and sig is not None and permits_right_on_red(sig):
        man.append("right_on_red")     # PRC art. 38: a right turn may pass a circular red
    pts = _lane_points(net, road_id, lane_id, s_stop, _samples(s_stop, end, length, approach_m))
    points = [[p.x, p.y] for p in pts.values()] if len(pts) >= 2 else []  # a PointList has 2+
    lane = {"lane_id": abs(lane_id), "width_m": net.lane_width(road_id, lane_id, s_stop),
            "maneuvers": man, "points": points, "connects_to": conns,
            "road_id": road_id, "odr_lane_id": lane_id}
    return lane, s_stop, pts


def _link(net: Any, rsu: Rsu, nodes: _Nodes, road_id: str, conns: list[Any],
          approach_m: float) -> dict[str, Any] | None:
    """Link description of one incoming road (None when it does not touch the junction)."""
    road = net.roads[road_id]
    end = _junction_end(road, rsu.junction_id or "")
    if end is None:
        return None
    by_lane: dict[int, list[tuple[Any, int]]] = {}
    for conn in conns:
        for from_lane, to_lane in conn.lane_links:
            by_lane.setdefault(from_lane, []).append((conn, to_lane))
    entries = [_lane_entry(net, rsu, nodes, road_id, end, lane_id, by_lane[lane_id], approach_m)
               for lane_id in sorted(by_lane, key=abs)]
    lanes = [lane for lane, _, _ in entries]
    s_ref = entries[0][1]
    ids = [ln["odr_lane_id"] for ln in lanes]
    samples = _samples(s_ref, end, road.length, approach_m)
    # the centre line over the first lane's samples: a lane with the same stop line has them
    per_lane = [pts if s_stop == s_ref else _lane_points(net, road_id, lane["odr_lane_id"],
                                                         s_ref, samples)
                for lane, s_stop, pts in entries]
    centre = []
    for s in samples:
        ps = [pl[s] for pl in per_lane if s in pl]
        if ps:
            centre.append([sum(p.x for p in ps) / len(ps), sum(p.y for p in ps) / len(ps)])
    moves = []
    for ln in lanes:
        for c in ln["connects_to"]:
            m = {k: c[k] for k in ("remote_node_id", "phase_id") if k in c}
            if m not in moves:
                moves.append(m)
    out = {"upstream_node_id": nodes.far_end(road_id, end), "region": rsu.region,
           "name": str(getattr(road, "name", "") or ""),   # none: map.py names it by id
           "width_m": sum(ln["width_m"] for ln in lanes), "points": centre,
           "movements": moves[:32], "lanes": lanes, "road_id": road_id}
    if rsu.region is not None:
        out["upstream_region"] = rsu.region
    limit = net.speed_limit(road_id, ids[0], s_ref)
    if limit is not None:
        out["speed_limit_mps"] = limit
    return out


def junction_map(rsu: Rsu, net: Any, rsus: tuple[Rsu, ...] = (),
                 approach_m: float = 250.0) -> dict[str, Any] | None:
    """The MAP description (:mod:`v2x_bridge.map` format) of the RSU's junction, derived from
    the OpenDRIVE network ``net`` (``maps.RoadNetwork``, duck-typed) as the module docstring
    says; one node, one link per incoming road. ``rsus``: all RSUs of the layout (their
    junctions' node ids name the far ends of roads). ``approach_m`` [m]: length of the sampled
    approach before each stop line. None when the RSU serves no junction; a node without
    links when the network lacks the junction.
    """
    if rsu.junction_id is None:
        return None
    pts = [(s.x, s.y) for s in getattr(net, "signals", ()) if str(s.id) in rsu.signal_ids]
    junction = getattr(net, "junctions", {}).get(rsu.junction_id)
    if not pts and junction is not None:
        for c in junction.connections:
            r = net.roads[c.connecting_road]
            p = net.road_to_world(c.connecting_road, r.length / 2.0, 0.0)
            pts.append((p.x, p.y))
    x, y = ((sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)) if pts
            else (rsu.x, rsu.y))
    out: dict[str, Any] = {"node_id": rsu.node(), "region": rsu.region, "x": x, "y": y}
    if junction is None:
        return out
    if getattr(junction, "name", None):
        out["name"] = str(junction.name)
    nodes = _Nodes(net, tuple(rsus) or (rsu,))
    incoming: dict[str, list[Any]] = {}
    for conn in junction.connections:
        incoming.setdefault(str(conn.incoming_road), []).append(conn)
    links = [ln for rid, conns in incoming.items()
             if (ln := _link(net, rsu, nodes, rid, conns, approach_m)) is not None]
    if links:
        out["links"] = links[:32]
    return out


class JunctionMaps(Mapping[str, Any]):
    """The MAP descriptions of the RSUs' junctions, keyed by junction id, each derived from the
    network (:func:`junction_map`) the first time it is asked for and then kept: a run builds
    the MAP of the few RSUs the vehicle under test comes within range of, not of every RSU of
    the layout (about 1 s for the 122 RSUs of the Wuhan test zone). Where two RSUs serve one
    junction, the later one in the layout describes it.

    Args:
        rsus: every RSU of the layout. net: the road network (``maps.RoadNetwork``).
    """

    def __init__(self, rsus: tuple[Rsu, ...], net: Any) -> None:
        self._rsus = tuple(rsus)
        self._serving = {r.junction_id: r for r in rsus if r.junction_id is not None}
        self._net = net
        self._maps: dict[str, Any] = {}

    def __getitem__(self, junction_id: str) -> Any:
        if junction_id not in self._maps:
            rsu = self._serving[junction_id]          # KeyError: no RSU serves it
            self._maps[junction_id] = junction_map(rsu, self._net, self._rsus)
        return self._maps[junction_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._serving)

    def __len__(self) -> int:
        return len(self._serving)


def _check_against_map(rsus: Any, net: Any, layout_path: str) -> None:
    """Each RSU's ``junction_id`` and ``signal_ids`` must exist in the road network
    (:func:`maps.summary.absent_from_map`, as ``testzone map check`` says it).

    Raises:
        V2XError: naming the layout file and the RSU.
    """
    if not hasattr(net, "junctions") or not hasattr(net, "signals"):
        return
    absent = absent_from_map(net, ((r.id, r.junction_id, r.signal_ids) for r in rsus))
    if absent:
        rsu_id, why = absent[0]
        raise V2XError(why, file=layout_path, element=f"rsus ({rsu_id})")


def bridge_for_layout(layout_path: str | Path, net: Any = None, seed: int = 0,
                      channel: ChannelModel | None = None, **kwargs: Any) -> V2XBridge:
    """A :class:`V2XBridge` for the RSU layout at ``layout_path``.

    Args:
        layout_path: the ``.rsu.json`` file (format in :mod:`v2x_bridge.rsu`).
        net: the map (``maps.RoadNetwork``, duck-typed): its ``geo_reference`` is used when the
            layout has none; its junctions, roads and signals give the MAP of each RSU
            (:func:`junction_map`, derived when first sent: :class:`JunctionMaps`; without a
            map: a node at the RSU, no links).
        seed: the case seed. channel: default ``ChannelModel()`` (20 ms, lossless).
        kwargs: passed to :class:`V2XBridge` (``publisher``, ``clock``, ``obu_entities``, ...).

    The RSUs get their phase ids pinned (:func:`signal_phase_ids`, see the module docstring).

    Raises:
        V2XError: bad layout file or PROJ string (naming the layout or map file it came from).
    """
    layout = load_rsu_layout(layout_path)
    try:
        geo = GeoFrame.of_map(net, layout.geo_reference)
    except V2XError as exc:  # name the file the PROJ string came from (an input error)
        source = layout_path if layout.geo_reference else getattr(net, "path", None)
        raise V2XError(exc.message, file=str(source) if source else None,
                       element="geoReference") from None
    rsus = tuple(dataclasses.replace(r, phase_ids=MappingProxyType(signal_phase_ids(r)))
                 for r in layout.rsus)
    if net is not None:
        _check_against_map(rsus, net, str(layout_path))
        junctions: Mapping[str, Any] = JunctionMaps(rsus, net)
    else:
        junctions = {r.junction_id: {"node_id": r.node(), "region": r.region, "x": r.x, "y": r.y}
                     for r in rsus if r.junction_id is not None}
    kwargs.setdefault("junctions", junctions)
    return V2XBridge(rsus, geo, channel or ChannelModel(), seed, **kwargs)
