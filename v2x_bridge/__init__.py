"""V2X bridge: the YD/T 3709-2020 (T/CSAE 53-2020) message set, RSUs, channel and transport.

Public API::

    from v2x_bridge import (V2XBridge, DeliveredMessage, ChannelModel, GeoFrame, Rsu, RsiEvent,
                            load_rsu_layout, encode_frame, decode_frame, to_json, from_json,
                            SimClock, V2XError, MESSAGES)

    bridge = bridge_for_layout("maps/wuhan/wuhan_section1.rsu.json", net, seed=case_seed)
    # (MAP of each RSU junction derived from OpenDRIVE: junction_map; phase ids pinned)
    apply_command(bridge, "V2X.RSI", '{"eventType": 100, "x": 440, "y": -5.25}', world)
    # or, explicitly:
    layout = load_rsu_layout("maps/wuhan/wuhan_section1.rsu.json")
    geo = GeoFrame.of_map(net, layout.geo_reference)   # no geoReference -> Wuhan default plane
    bridge = V2XBridge(layout.rsus, geo, ChannelModel(latency_s=0.02, loss_probability=0.01),
                       seed=case_seed, junctions=junction_dicts)
    bridge.add_rsi_event(RsiEvent(rte_id=1, event_type=..., x=..., y=..., radius_m=30))
    received = bridge.step(world, receiver=ego_name)   # list[DeliveredMessage]
    for ev in bridge.drain_events(): recorder.event(ev)  # kind "v2x"

Messages are built by one module per message (``spat``, ``map``, ``rsm``, ``rsi``, ``bsm``),
registered by name in :data:`MESSAGES`; SI <-> ASN.1 units are converted in :mod:`units` only.
See ``docs/v2x.md``. Imports ``testzone``, and ``maps.geo`` for the map's georeference.
"""

from v2x_bridge.bridge import DeliveredMessage, V2XBridge
from v2x_bridge.channel import ChannelModel
from v2x_bridge.codec import decode_frame, encode_frame, from_json, to_json
from v2x_bridge.context import BuildContext, RsiEvent
from v2x_bridge.errors import V2XError
from v2x_bridge.factory import bridge_for_layout, junction_map
from v2x_bridge.hooks import apply_command
from v2x_bridge.geo import GeoFrame
from v2x_bridge.registry import MESSAGES
from v2x_bridge.rsu import Rsu, RsuLayout, load_rsu_layout
from v2x_bridge.units import SimClock

__all__ = ["BuildContext", "ChannelModel", "DeliveredMessage", "GeoFrame", "MESSAGES", "Rsu",
           "RsiEvent", "RsuLayout", "SimClock", "V2XBridge", "V2XError", "decode_frame",
           "apply_command", "bridge_for_layout", "encode_frame", "from_json", "junction_map",
           "load_rsu_layout", "to_json"]
