"""The V2X bridge: RSUs build messages from the world, the channel delivers them.

Each :meth:`V2XBridge.step` (once per simulation step, after the world advanced):

1. every RSU, in layout order, sends each message type that is due (an RSU farther from the
   receiver than its range, when the channel applies ranges, only advances its schedule and
   message counter: nothing it sends could arrive, so no frame is built or logged — on a
   network of 122 RSUs this is most of the cost saved) (SPAT, MAP, RSM, RSI, in
   that order; a period ``p`` sends at ``t0, t0 + p, ...`` from the first step ``t0``; RSI
   events are grouped by their broadcast period), then every OBU-equipped entity sends its
   BSM (0.1 s); a builder that has nothing to say sends nothing;
2. each sent frame goes through the :class:`ChannelModel` towards the receiver entity (distance
   from the sender to the receiver's box centre at sending time); lost frames are dropped,
   others queued for ``sent_t + latency``;
3. queued frames whose arrival time has come (``recv_t <= t``) are delivered, published on the
   ZeroMQ publisher if any, and returned.

Every sent, dropped and delivered frame becomes a ``testzone.recording.Event(t, "v2x", {...})``
(``action`` = ``sent`` | ``dropped`` | ``delivered``; ``seq`` links the three; ``payload_hex``
on sent and delivered; plus ``spat_conflict`` when signals sharing a phase id disagree),
collected by :meth:`V2XBridge.drain_events`. Random draws (channel, sensing noise) come from
one ``numpy.random.Generator(PCG64(seed))`` in a fixed order, so the
same inputs and seed give the same messages, byte for byte.
"""

from __future__ import annotations

import functools
import heapq
import math
from dataclasses import dataclass, field
from typing import Any, Mapping, Protocol, Sequence

import numpy as np

from testzone.recording import Event
from testzone.world import WorldState
from v2x_bridge import codec, fields, rsm, spat
from v2x_bridge.channel import ChannelModel
from v2x_bridge.context import BuildContext, RsiEvent
from v2x_bridge.errors import V2XError
from v2x_bridge.geo import GeoFrame
from v2x_bridge.registry import MESSAGES, RSU_MESSAGES
from v2x_bridge.rsu import RSI_CLASS_PERIODS_S, Rsu
from v2x_bridge.units import SimClock

BSM_PERIOD_S = 0.1
"""BSM broadcast period of OBU-equipped entities [s] (10 Hz)."""

_EPS = 1e-9


class FramePublisher(Protocol):
    """Anything that can put a frame on a wire (see :class:`v2x_bridge.transport.Publisher`)."""

    def publish(self, msg_type: str, rsu_id: str, sim_t: float, payload: bytes) -> None:
        """Send one frame: message type, sender id, sim time of sending [s], UPER bytes."""


@dataclass(frozen=True)
class DeliveredMessage:
    """A message that reached the receiver.

    Attributes:
        msg_type: ``SPAT``, ``MAP``, ``RSM``, ``RSI`` or ``BSM``.
        rsu_id: sender id (the RSU id; for a BSM the sending entity's name).
        receiver: the receiving entity.
        sent_t, recv_t: simulation times of sending and arrival [s].
        payload: the UPER ``MessageFrame`` bytes.
        decoded: the message value in JSON form (:func:`v2x_bridge.codec.to_json`).
        seq: the bridge's sequence number of the frame (links recording events).
    """

    msg_type: str
    rsu_id: str
    receiver: str
    sent_t: float
    recv_t: float
    payload: bytes
    decoded: dict[str, Any]
    seq: int

    @property
    def sender(self) -> str:
        """Alias of :attr:`rsu_id` (the name ``runners.interfaces.V2XReceived`` uses)."""
        return self.rsu_id

    @property
    def uper(self) -> bytes:
        """Alias of :attr:`payload` (the name ``runners.interfaces.V2XReceived`` uses)."""
        return self.payload

    def info(self, geo: GeoFrame | None = None) -> Any:
        """The message as its typed SI record (``SpatInfo``, ``RsmInfo``, ``RsiInfo``,
        ``BsmInfo`` or MAP ``NodeInfo`` tuple), positions in the map frame when ``geo`` is
        given."""
        return MESSAGES[self.msg_type].read(codec.from_json(self.decoded), geo)


@dataclass
class _Schedule:
    """Periodic due times k = 0, 1, ... at t0 + k * period (no float drift)."""

    t0: float
    period: float
    k: int = 0

    def due(self, t: float) -> bool:
        """True when a send is due at ``t`` [s]; then schedules the next one after ``t``."""
        if t + _EPS < self.t0 + self.k * self.period:
            return False
        self.k = int(math.floor((t - self.t0) / self.period + _EPS)) + 1
        return True


@dataclass(order=True)
class _Pending:
    recv_t: float
    seq: int
    msg: DeliveredMessage = field(compare=False)
    log: dict = field(compare=False, default_factory=dict)  # extra fields of its log event


class V2XBridge:
    """RSUs, OBUs and a channel, stepped with the simulation.

    Args:
        rsus: the roadside units (e.g. ``load_rsu_layout(path).rsus``).
        geo: map frame <-> WGS84.
        channel: the channel model.
        seed: seed of the bridge's random generator.
        publisher: optional frame publisher (delivered frames are published).
        clock: sim time -> UTC (default epoch 2025-01-01T00:00Z).
        junctions: MAP descriptions keyed by junction id (see :mod:`v2x_bridge.map`); any
            Mapping, read when an RSU's MAP is due (``factory.JunctionMaps`` derives them then).
        obu_entities: names of entities that broadcast BSMs.
        obu_range_m: communication range of those OBUs [m].
        options: builder options (see each message module).
    """

    def __init__(self, rsus: Sequence[Rsu], geo: GeoFrame, channel: ChannelModel, seed: int,
                 publisher: FramePublisher | None = None, *, clock: SimClock | None = None,
                 junctions: Mapping[str, Mapping[str, Any]] | None = None,
                 obu_entities: Sequence[str] = (), obu_range_m: float = 300.0,
                 options: Mapping[str, Any] | None = None) -> None:
        ids = [r.id for r in rsus]
        if len(set(ids)) != len(ids):
            raise V2XError(f"duplicate RSU ids in {ids}", element="rsus")
        self.rsus = tuple(rsus)
        self.geo, self.channel, self.publisher = geo, channel, publisher
        self.clock = clock or SimClock()
        self.junctions = junctions if junctions is not None else {}
        self.obu_entities = tuple(obu_entities)
        self.obu_range_m = float(obu_range_m)
        self.options = dict(options or {})
        self._rng = np.random.Generator(np.random.PCG64(seed))
        self._schedules: dict[tuple[str, str, float], _Schedule] = {}
        self._counts: dict[tuple[str, str], int] = {}
        self._rsi_events: list[RsiEvent] = []
        self._pending: list[_Pending] = []
        self._events: list[Event] = []
        self._seq = 0
        self._spat_conflicts: dict[str, tuple] = {}
        self._fixed: dict[str, list[tuple[_Schedule, tuple[str, str]]]] = {}
        self._idle_until: dict[str, float] = {}

    # ------------------------------------------------------------------ scenario hooks
    def add_rsi_event(self, event: RsiEvent) -> None:
        """Announce a road traffic event from now on (within its t_start..t_end).

        Raises:
            V2XError: unknown ``rsi_class`` or ``rsu_id``.
        """
        if event.rsi_class is not None and event.rsi_class not in RSI_CLASS_PERIODS_S:
            raise V2XError(f"unknown rsi_class {event.rsi_class!r}, expected one of "
                           f"{tuple(RSI_CLASS_PERIODS_S)}", element="rsi_class")
        if event.rsu_id is not None and event.rsu_id not in {r.id for r in self.rsus}:
            raise V2XError(f"unknown RSU {event.rsu_id!r}", element="rsu_id")
        self._rsi_events.append(event)

    def remove_rsi_event(self, rte_id: int) -> None:
        """Stop announcing every event with this ``rte_id``."""
        self._rsi_events = [e for e in self._rsi_events if e.rte_id != rte_id]

    def drain_events(self) -> list[Event]:
        """Return the recording events collected since the last call, and forget them."""
        out, self._events = self._events, []
        return out

    # ------------------------------------------------------------------ stepping
    def step(self, world: WorldState, receiver: str) -> list[DeliveredMessage]:
        """Send what is due at ``world.time`` and return what reaches ``receiver`` now.

        Raises:
            V2XError: ``receiver`` is not an entity of ``world``; a message cannot be built or
                encoded (names the field).
        """
        if receiver not in world.entities:
            raise V2XError(f"receiver {receiver!r} is not in the world", element="receiver")
        rx, ry = fields.box_centre(world.entities[receiver])
        t = world.time
        for rsu in self.rsus:
            distance = rsu.distance(rx, ry)
            if self.channel.use_range and distance > rsu.range_m:
                self._keep_counters(rsu, world)   # nothing it sends can arrive: build nothing
                continue
            for msg_type, period, make_context in self._rsu_contexts(rsu, world):
                if self._due(rsu.id, msg_type, period, t) and self._sends(msg_type, rsu, world):
                    self._send(msg_type, rsu.id, make_context(), distance, rsu.range_m,
                               receiver)      # (no context, no noise drawn, for nothing)
        for name in self.obu_entities:
            e = world.entities.get(name)
            if name == receiver or e is None or not e.visible:
                continue
            if self._due(name, "BSM", BSM_PERIOD_S, t):
                sx, sy = fields.box_centre(e)
                ctx = self._context(world, "BSM", name, sender=name)
                self._send("BSM", name, ctx, math.hypot(sx - rx, sy - ry), self.obu_range_m,
                           receiver)
        return self._deliver(t)

    def _keep_counters(self, rsu: Rsu, world: WorldState) -> None:
        """Advance the msgCnt of every message ``rsu`` would send now, without building any
        (the RSU is out of the receiver's range), so its counters run on as a real RSU's do:
        a message counts when it is due and the RSU has something to send (:meth:`_sends`;
        v2x15 audit: an RSM sensing nobody had counted out of range, not in it, so an RSU's
        msgCnt depended on where the receiver had been). Called every step for every RSU out
        of range, so the fixed-period messages' schedules are looked up once per RSU and the
        RSU is skipped until the first of them is due."""
        t = world.time
        fixed = self._fixed.get(rsu.id)
        if fixed is None:
            fixed = []
            for msg_type in RSU_MESSAGES:
                if msg_type != "RSI":
                    period = rsu.period(msg_type)
                    key = (rsu.id, msg_type, period)
                    sched = self._schedules.setdefault(key, _Schedule(t, period))
                    fixed.append((sched, (rsu.id, msg_type)))
            self._fixed[rsu.id] = fixed
        if t + _EPS >= self._idle_until.get(rsu.id, -math.inf):
            for sched, key in fixed:
                if sched.due(t) and self._sends(key[1], rsu, world):
                    self._counts[key] = (self._counts.get(key, 0) + 1) % 128
            self._idle_until[rsu.id] = min(s.t0 + s.k * s.period for s, _ in fixed)
        if self._rsi_events:
            for _, period, _ in self._rsi_contexts(rsu, world):
                if self._due(rsu.id, "RSI", period, t):
                    key = (rsu.id, "RSI")
                    self._counts[key] = (self._counts.get(key, 0) + 1) % 128

    def _sends(self, msg_type: str, rsu: Rsu, world: WorldState) -> bool:
        """Whether ``rsu`` has a ``msg_type`` to send now, in range or out of it (its
        builder gives None without content): a MAP with a junction description, a SPAT with
        a signal state, an RSM with someone sensed; an RSI whenever one is due."""
        if msg_type == "MAP":
            return self.junctions.get(rsu.junction_id or "") is not None
        if msg_type == "SPAT":
            return spat.has_signals(rsu, world)
        if msg_type == "RSM":
            return bool(rsm.sensed(rsu, world))
        return True

    def _due(self, sender: str, msg_type: str, period: float, t: float) -> bool:
        key = (sender, msg_type, period)
        sched = self._schedules.get(key)
        if sched is None:
            sched = self._schedules[key] = _Schedule(t, period)
        return sched.due(t)

    def _context(self, world: WorldState, msg_type: str, sender_id: str,
                 **kw: Any) -> BuildContext:
        return BuildContext(t=world.time, clock=self.clock, geo=self.geo, world=world,
                            msg_cnt=self._counts.get((sender_id, msg_type), 0), **kw)

    def _rsu_contexts(self, rsu: Rsu, world: WorldState):
        """Yield (msg_type, period, make_context) for each message the RSU may send.

        ``make_context()`` is called only when the message is due, so random draws (sensing
        noise) happen only for messages actually built.
        """
        junction = self.junctions.get(rsu.junction_id or "")
        for msg_type in RSU_MESSAGES:
            if msg_type == "RSI":
                yield from self._rsi_contexts(rsu, world)
                continue
            yield msg_type, rsu.period(msg_type), functools.partial(
                self._rsu_context, world, msg_type, rsu, junction=junction)

    def _rsu_context(self, world: WorldState, msg_type: str, rsu: Rsu,
                     **kw: Any) -> BuildContext:
        opts = dict(self.options)
        if msg_type == "RSM" and self.channel.position_noise_m > 0.0:
            sigma = self.channel.position_noise_m
            opts["position_sigma_m"] = sigma
            opts["position_offsets"] = {
                name: tuple(float(v) for v in self._rng.normal(0.0, sigma, 2))
                for name in world.entities}
        return self._context(world, msg_type, rsu.id, rsu=rsu, options=opts, **kw)

    def _rsi_contexts(self, rsu: Rsu, world: WorldState):
        groups: dict[float, list[RsiEvent]] = {}
        for ev in self._rsi_events:
            if not ev.active(world.time):
                continue
            mine = ev.rsu_id == rsu.id if ev.rsu_id else rsu.distance(ev.x, ev.y) <= rsu.range_m
            if mine:
                period = (RSI_CLASS_PERIODS_S[ev.rsi_class] if ev.rsi_class
                          else rsu.period("RSI"))
                groups.setdefault(period, []).append(ev)
        for period in sorted(groups):
            yield "RSI", period, functools.partial(self._rsu_context, world, "RSI", rsu,
                                                   rsi_events=tuple(groups[period]))

    def _send(self, msg_type: str, sender: str, ctx: BuildContext, distance: float,
              range_m: float, receiver: str) -> None:
        value = MESSAGES[msg_type].build(ctx)
        if msg_type == "SPAT" and ctx.rsu is not None:
            self._note_spat_conflicts(ctx)
        if value is None:
            return
        payload = codec.encode_frame(msg_type, value)
        self._counts[(sender, msg_type)] = (ctx.msg_cnt + 1) % 128
        self._seq += 1
        t = ctx.t
        base = {"seq": self._seq, "msg_type": msg_type, "rsu_id": sender, "receiver": receiver}
        self._events.append(Event(t, "v2x", {"action": "sent", **base, "msg_cnt": ctx.msg_cnt,
                                             "bytes": len(payload), "distance_m": round(distance, 3),
                                             "payload_hex": payload.hex()}))
        tx = self.channel.transmit(self._rng, distance, range_m)
        if not tx.delivered:
            self._events.append(Event(t, "v2x", {"action": "dropped", **base,
                                                 "reason": tx.reason}))
            return
        msg = DeliveredMessage(msg_type, sender, receiver, t, t + tx.latency_s, payload,
                               codec.to_json(value), self._seq)
        # what an RSI said, kept with its delivery (the recording's reader has no decoder)
        log = ({"rte_xy": [[round(ev.x, 3), round(ev.y, 3)] for ev in ctx.rsi_events],
                "rte": [{"event_type": ev.event_type, "priority": ev.priority,
                         "radius_m": ev.radius_m, "description": ev.description}
                        for ev in ctx.rsi_events]}
               if msg_type == "RSI" else {})
        heapq.heappush(self._pending, _Pending(msg.recv_t, self._seq, msg, log))

    def _note_spat_conflicts(self, ctx: BuildContext) -> None:
        """Record a ``spat_conflict`` event when the set of disagreeing signals changes."""
        rsu = ctx.rsu
        _, conflicts = spat.group_signals(rsu.signal_ids, ctx.world.signals, rsu.phase_ids)
        if conflicts != self._spat_conflicts.get(rsu.id, ()):
            self._spat_conflicts[rsu.id] = conflicts
            self._events.append(Event(ctx.t, "v2x", {
                "action": "spat_conflict", "rsu_id": rsu.id,
                "conflicts": [list(c) for c in conflicts],
                "message": "signals sharing a SPAT phase id disagree; the first is sent "
                           "(set the RSU's phase_ids)"}))

    def _deliver(self, t: float) -> list[DeliveredMessage]:
        out = []
        while self._pending and self._pending[0].recv_t <= t + _EPS:
            pending = heapq.heappop(self._pending)
            msg = pending.msg
            out.append(msg)
            self._events.append(Event(t, "v2x", {
                "action": "delivered", "seq": msg.seq, "msg_type": msg.msg_type,
                "rsu_id": msg.rsu_id, "receiver": msg.receiver, "sent_t": msg.sent_t,
                "recv_t": round(msg.recv_t, 6), "latency_s": round(msg.recv_t - msg.sent_t, 6),
                "payload_hex": msg.payload.hex(), **pending.log}))
            if self.publisher is not None:
                self.publisher.publish(msg.msg_type, msg.rsu_id, msg.sent_t, msg.payload)
        return out

