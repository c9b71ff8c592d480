"""Build a ready bridge for a map from its RSU layout file (what the runner calls per case)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from v2x_bridge.bridge import V2XBridge
from v2x_bridge.channel import ChannelModel
from v2x_bridge.geo import GeoFrame
from v2x_bridge.rsu import Rsu, load_rsu_layout


def minimal_junction(rsu: Rsu, net: Any) -> dict[str, Any] | None:
    """A minimal MAP description of the RSU's junction: one node, no links.

    The node centre is the mean position of the RSU's signals in ``net.signals`` (duck-typed
    ``maps.RoadNetwork``: signals with ``id``, ``x``, ``y``), else the RSU position; the name is
    the OpenDRIVE junction name when there is one. None when the RSU serves no junction.
    """
    if rsu.junction_id is None:
        return None
    pts = [(s.x, s.y) for s in getattr(net, "signals", ()) if str(s.id) in rsu.signal_ids]
    x, y = ((sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)) if pts
            else (rsu.x, rsu.y))
    out: dict[str, Any] = {"node_id": rsu.node(), "region": rsu.region, "x": x, "y": y}
    junction = getattr(net, "junctions", {}).get(rsu.junction_id)
    name = getattr(junction, "name", None)
    if name:
        out["name"] = str(name)
    return out


def bridge_for_layout(layout_path: str | Path, net: Any = None, seed: int = 0,
                      channel: ChannelModel | None = None, **kwargs: Any) -> V2XBridge:
    """A :class:`V2XBridge` for the RSU layout at ``layout_path``.

    Args:
        layout_path: the ``.rsu.json`` file (format in :mod:`v2x_bridge.rsu`).
        net: the map (``maps.RoadNetwork``, duck-typed): its ``geo_reference`` is used when the
            layout has none, its signals place the minimal MAP nodes.
        seed: the case seed. channel: default ``ChannelModel()`` (20 ms, lossless).
        kwargs: passed to :class:`V2XBridge` (``publisher``, ``clock``, ``obu_entities``, ...).

    Raises:
        V2XError: bad layout file or PROJ string.
    """
    layout = load_rsu_layout(layout_path)
    geo = GeoFrame(layout.geo_reference or getattr(net, "geo_reference", None))
    junctions = {r.junction_id: j for r in layout.rsus
                 if (j := minimal_junction(r, net)) is not None}
    kwargs.setdefault("junctions", junctions)
    return V2XBridge(layout.rsus, geo, channel or ChannelModel(), seed, **kwargs)
