"""What a message builder gets: the records passed from the bridge to the builders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from testzone.world import WorldState
from v2x_bridge.geo import GeoFrame
from v2x_bridge.rsu import Rsu
from v2x_bridge.units import SimClock


@dataclass(frozen=True)
class RsiEvent:
    """A road traffic event an RSU announces in RSI (DF_RTEData), in SI.

    Attributes:
        rte_id: local event id (0..255).
        event_type: GB/T 29100-2012 traffic-event code (0..65535) as the scenario gives it.
        x, y: event position in the map frame [m].
        radius_m: radius of the event area [m] (None: left out).
        t_start, t_end: simulation times [s] of the event's activity (t_end None: open-ended).
        priority: 0 (lowest) .. 7 (highest), sent in the upper 3 bits of RSIPriority.
        rsi_class: ``urgent`` (0.1 s), ``event`` (0.5 s) or ``info`` (1.0 s) broadcast period;
            None: the RSU's configured RSI period.
        path: reference path points (x, y) [m], upstream to downstream (0 or >= 2 points).
        path_radius_m: half-width of the reference path [m].
        description: free ASCII text (<= 512 characters) or None.
        source: EventSource name (unknown, police, government, meteorological, internet,
            detection).
        rsu_id: the RSU that announces it; None: every RSU whose range covers (x, y).
    """

    rte_id: int
    event_type: int
    x: float
    y: float
    radius_m: float | None = None
    t_start: float = 0.0
    t_end: float | None = None
    priority: int = 0
    rsi_class: str | None = None
    path: tuple[tuple[float, float], ...] = ()
    path_radius_m: float = 0.0
    description: str | None = None
    source: str = "detection"
    rsu_id: str | None = None

    def active(self, t: float) -> bool:
        """True while sim time ``t`` [s] is within [t_start, t_end]."""
        return t >= self.t_start - 1e-9 and (self.t_end is None or t <= self.t_end + 1e-9)


@dataclass(frozen=True)
class BuildContext:
    """Inputs of one message build.

    Attributes:
        t: simulation time of sending [s].
        clock: sim time -> UTC fields. geo: map frame <-> WGS84.
        world: the world state at ``t``.
        msg_cnt: MsgCount of this message (0..127).
        rsu: the sending RSU (RSU messages) or None.
        sender: the sending entity name (BSM) or None.
        rsi_events: the RSI events to announce (RSI).
        junction: the MAP description of the RSU's junction (MAP), see :mod:`v2x_bridge.map`.
        options: builder options (e.g. ``green_light`` for SPAT, ``source`` for RSM).
    """

    t: float
    clock: SimClock
    geo: GeoFrame
    world: WorldState
    msg_cnt: int = 0
    rsu: Rsu | None = None
    sender: str | None = None
    rsi_events: tuple[RsiEvent, ...] = ()
    junction: Mapping[str, Any] | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
