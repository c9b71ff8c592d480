"""Message builders and readers registered by message name (``BSM MAP RSM SPAT RSI``).

Each message module exposes ``MSG_TYPE``, ``build(ctx: BuildContext) -> dict | None`` (the
value in asn1tools form, None when there is nothing to send) and ``read(value, ...)`` (typed SI
record). :data:`MESSAGES` maps the name to the module's pair; it is read-only. Its readers
take the value in either form: asn1tools', or the JSON form (:func:`v2x_bridge.codec.to_json`)
a stack receives as ``V2XReceived.decoded``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Callable

from v2x_bridge import bsm, map as map_msg, rsi, rsm, spat
from v2x_bridge.codec import from_json
from v2x_bridge.context import BuildContext


@dataclass(frozen=True)
class MessageKind:
    """A registered message: its name, builder and reader.

    ``read(value, geo=None)``: the message's value (the inner value of its MessageFrame, in
    asn1tools or JSON form) to the module's typed SI record; ``geo`` a
    :class:`v2x_bridge.GeoFrame` (``GeoFrame.of_map(road_network)``) for messages with
    positions. KeyError / TypeError on a value that is not of the message's type."""

    name: str
    build: Callable[[BuildContext], dict[str, Any] | None]
    read: Callable[..., Any]


def _either_form(read: Callable[..., Any]) -> Callable[..., Any]:
    """``read`` taking the JSON form too: :func:`from_json` first (it leaves the asn1tools
    form as it is)."""
    @functools.wraps(read)
    def read_either(value: Any, geo: Any = None) -> Any:
        return read(from_json(value), geo)
    return read_either


MESSAGES = MappingProxyType({m.MSG_TYPE: MessageKind(m.MSG_TYPE, m.build, _either_form(m.read))
                             for m in (spat, map_msg, rsm, rsi, bsm)})
"""Registered messages, keyed by name."""

RSU_MESSAGES = ("SPAT", "MAP", "RSM", "RSI")
"""Messages RSUs broadcast, in the order the bridge builds them each step."""
