"""Message builders and readers registered by message name (``BSM MAP RSM SPAT RSI``).

Each message module exposes ``MSG_TYPE``, ``build(ctx: BuildContext) -> dict | None`` (the
value in asn1tools form, None when there is nothing to send) and ``read(value, ...)`` (typed SI
record). :data:`MESSAGES` maps the name to the module's pair; it is read-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Callable

from v2x_bridge import bsm, map as map_msg, rsi, rsm, spat
from v2x_bridge.context import BuildContext


@dataclass(frozen=True)
class MessageKind:
    """A registered message: its name, builder and reader."""

    name: str
    build: Callable[[BuildContext], dict[str, Any] | None]
    read: Callable[..., Any]


MESSAGES = MappingProxyType({m.MSG_TYPE: MessageKind(m.MSG_TYPE, m.build, m.read)
                             for m in (spat, map_msg, rsm, rsi, bsm)})
"""Registered messages, keyed by name."""

RSU_MESSAGES = ("SPAT", "MAP", "RSM", "RSI")
"""Messages RSUs broadcast, in the order the bridge builds them each step."""
