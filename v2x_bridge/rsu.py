"""Roadside units as data, and the RSU layout file format.

Layout file (JSON, e.g. ``maps/wuhan/wuhan_section1.rsu.json``)::

    {
      "geo_reference": "PROJ string" | null,        # null: the map's, else the Wuhan default
      "rsus": [
        {
          "id": "RSU-S1-01",                         # unique text id
          "x": 120.0, "y": -35.5,                    # position in the map frame [m]
          "z": 6.0,                                  # optional, mounting height [m], default 0
          "range_m": 300,                            # communication range [m]
          "sensing_radius_m": 150,                   # detection radius of its sensors [m]
          "junction_id": "12" | null,                # OpenDRIVE junction it serves
          "signal_ids": ["101", "102"],              # OpenDRIVE signals whose states it sends
          "periods_s": {"SPAT": 0.1, "MAP": 1.0, "RSM": 0.1, "RSI": 0.5},   # optional
          "node_id": 12, "region": 1,                # optional: MAP/SPAT NodeReferenceID
          "phase_ids": {"101": 1, "102": 1}          # optional: SPAT phase id per signal
        }
      ]
    }

Missing periods take the defaults of :data:`DEFAULT_PERIODS_S` (SPAT 10 Hz, MAP 1 Hz, RSM
10 Hz, RSI 2 Hz: the broadcast frequencies YD/T 3709-2020 recommends for each message). The
node id defaults to ``junction_id`` when it is an integer in 0..65535, else to a stable
16-bit hash of it. Without ``phase_ids`` a signal's SPAT phase id is its
``SignalState.phase_id`` (see :mod:`v2x_bridge.spat`). A field not listed above, a
``phase_ids`` key not in ``signal_ids``, and more than :data:`MAX_RSUS` RSUs are refused.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from maps.summary import MAX_COORDINATE_M, MAX_RSU_LAYOUT_BYTES
from testzone.userfiles import UserJsonError, is_finite_number, parse_user_json, shown
from v2x_bridge.errors import V2XError, read_user_file

DEFAULT_PERIODS_S = MappingProxyType({"SPAT": 0.1, "MAP": 1.0, "RSM": 0.1, "RSI": 0.5})
"""Default broadcast period of each RSU message [s]."""

RSI_CLASS_PERIODS_S = MappingProxyType({"urgent": 0.1, "event": 0.5, "info": 1.0})
"""RSI broadcast period [s] by event class: imminent hazards, traffic events, signs/info."""


@dataclass(frozen=True)
class Rsu:
    """One roadside unit.

    Attributes:
        id: text id (also gives the 8-byte message id, see :func:`v2x_bridge.fields.id8`).
        x, y, z: position in the map frame [m].
        range_m: communication range [m]. sensing_radius_m: detection radius [m].
        junction_id: OpenDRIVE junction served (SPAT/MAP), or None.
        signal_ids: OpenDRIVE signal ids whose states go into its SPAT.
        periods_s: broadcast period per message type [s].
        node_id, region: NodeReferenceID of its intersection (None: derived from junction_id).
        phase_ids: SPAT phase id per signal id (overrides ``SignalState.phase_id``).
    """

    id: str
    x: float
    y: float
    z: float = 0.0
    range_m: float = 300.0
    sensing_radius_m: float = 150.0
    junction_id: str | None = None
    signal_ids: tuple[str, ...] = ()
    periods_s: Mapping[str, float] = field(default_factory=lambda: DEFAULT_PERIODS_S)
    node_id: int | None = None
    region: int | None = None
    phase_ids: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))

    def period(self, msg_type: str) -> float:
        """Broadcast period [s] of a message type (layout value or default)."""
        return float(self.periods_s.get(msg_type, DEFAULT_PERIODS_S[msg_type]))

    def node(self) -> int:
        """NodeID of the served intersection (0..65535)."""
        if self.node_id is not None:
            return int(self.node_id)
        jid = self.junction_id or self.id
        if jid.isdigit() and int(jid) <= 65535:
            return int(jid)
        return zlib.crc32(jid.encode("utf-8")) & 0xFFFF

    def distance(self, x: float, y: float) -> float:
        """Horizontal distance [m] from the RSU to (x, y)."""
        return math.hypot(x - self.x, y - self.y)


@dataclass(frozen=True)
class RsuLayout:
    """A loaded layout file: the geoReference (PROJ string or None) and the RSUs in file order."""

    geo_reference: str | None
    rsus: tuple[Rsu, ...]




def _number(d: dict[str, Any], key: str, where: str, path: str, default: float | None = None,
            positive: bool = False) -> float:
    if key not in d:
        if default is None:
            raise V2XError(f"missing '{key}' (a number)", file=path, element=where)
        return default
    v = d[key]
    if not is_finite_number(v, MAX_COORDINATE_M):
        raise V2XError(f"'{key}' must be a finite number within {MAX_COORDINATE_M:g}, got "
                       f"{shown(v)}", file=path, element=where)
    if positive and v <= 0:
        raise V2XError(f"'{key}' must be > 0, got {v!r}", file=path, element=where)
    return float(v)


RSU_FIELDS = frozenset({"id", "x", "y", "z", "range_m", "sensing_radius_m", "junction_id",
                        "signal_ids", "periods_s", "node_id", "region", "phase_ids"})
"""The fields of an RSU entry (module docstring); another one is refused, so a misspelt
``rnage_m`` cannot leave the 300 m default in place unnoticed."""
LAYOUT_FIELDS = frozenset({"geo_reference", "rsus"})
"""The fields of a layout file."""
MAX_RSUS = 2000
"""Most RSUs in one layout: the 106 km smart road has a few hundred; 20 000 made 2 s of
simulation take 255 s (hostile pass 8)."""


def _unknown(d: dict, known: frozenset[str], path: str, where: str) -> None:
    """Refuse the keys of ``d`` outside ``known``, naming them and the known ones."""
    unknown = sorted(str(k) for k in d if k not in known)
    if unknown:
        raise V2XError(f"unknown field{'s' if len(unknown) > 1 else ''} "
                       f"{', '.join(repr(k) for k in unknown[:5])}; expected only "
                       f"{', '.join(sorted(known))}", file=path, element=where)


def _rsu_from_json(d: Any, index: int, path: str) -> Rsu:
    where = f"rsus[{index}]"
    if not isinstance(d, dict) or not isinstance(d.get("id"), str) or not d["id"]:
        raise V2XError("expected an object with a non-empty string 'id'", file=path, element=where)
    where = f"rsus[{index}] ({d['id']})"
    _unknown(d, RSU_FIELDS, path, where)
    periods = dict(DEFAULT_PERIODS_S)
    raw_periods = d.get("periods_s") or {}
    if not isinstance(raw_periods, dict):
        raise V2XError("'periods_s' must be an object", file=path, element=where)
    for k in raw_periods:
        if k not in DEFAULT_PERIODS_S:
            raise V2XError(f"unknown message type '{k}' in periods_s, expected one of "
                           f"{tuple(DEFAULT_PERIODS_S)}", file=path, element=where)
        periods[k] = _number(raw_periods, k, where + ".periods_s", path, positive=True)
    signals = d.get("signal_ids") or []
    if not isinstance(signals, list) or not all(isinstance(s, (str, int)) for s in signals):
        raise V2XError("'signal_ids' must be a list of ids", file=path, element=where)
    jid = d.get("junction_id")
    opt_int = {k: d.get(k) for k in ("node_id", "region")}
    for k, v in opt_int.items():
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 65535):
            raise V2XError(f"'{k}' must be an integer in 0..65535, got {v!r}", file=path,
                           element=where)
    phase_ids = d.get("phase_ids") or {}
    if not isinstance(phase_ids, dict) or not all(
            isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 255
            for v in phase_ids.values()):
        raise V2XError("'phase_ids' must map signal ids to integers in 0..255", file=path,
                       element=where)
    unlisted = sorted(str(k) for k in phase_ids if str(k) not in {str(s) for s in signals})
    if unlisted:
        raise V2XError(f"'phase_ids' names signal {unlisted[0]!r}, which is not in "
                       f"'signal_ids': expected a phase for a signal the RSU sends", file=path,
                       element=where)
    return Rsu(id=d["id"], x=_number(d, "x", where, path), y=_number(d, "y", where, path),
               z=_number(d, "z", where, path, 0.0),
               range_m=_number(d, "range_m", where, path, 300.0, positive=True),
               sensing_radius_m=_number(d, "sensing_radius_m", where, path, 150.0, positive=True),
               junction_id=None if jid is None else str(jid),
               signal_ids=tuple(str(s) for s in signals),
               periods_s=MappingProxyType(periods),
               phase_ids=MappingProxyType({str(k): v for k, v in phase_ids.items()}), **opt_int)


def load_rsu_layout(path: str | Path) -> RsuLayout:
    """Read an RSU layout file (format in the module docstring).

    Raises:
        V2XError: missing file, invalid JSON (with its line), missing/ill-typed fields or
            duplicate ids; ``file`` and ``element`` (``rsus[i] (id)``) name the place.
    """
    path = Path(path)
    raw = read_user_file(path, "the RSU layout", MAX_RSU_LAYOUT_BYTES)
    try:
        doc = parse_user_json(raw.removeprefix(b"\xef\xbb\xbf"))
    except UserJsonError as exc:
        raise V2XError(f"not a JSON RSU layout: {exc.reason}", file=str(path),
                       line=exc.line) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("rsus"), list):
        raise V2XError("expected an object with a list 'rsus'", file=str(path), element="rsus")
    _unknown(doc, LAYOUT_FIELDS, str(path), "layout")
    if len(doc["rsus"]) > MAX_RSUS:
        raise V2XError(f"{len(doc['rsus'])} RSUs: expected at most {MAX_RSUS}", file=str(path),
                       element="rsus")
    geo = doc.get("geo_reference")
    if geo is not None and not isinstance(geo, str):
        raise V2XError("'geo_reference' must be a PROJ string or null", file=str(path),
                       element="geo_reference")
    rsus = tuple(_rsu_from_json(d, i, str(path)) for i, d in enumerate(doc["rsus"]))
    seen: set[str] = set()
    for r in rsus:
        if r.id in seen:
            raise V2XError(f"duplicate RSU id '{r.id}'", file=str(path), element="rsus")
        seen.add(r.id)
    return RsuLayout(geo_reference=geo, rsus=rsus)
