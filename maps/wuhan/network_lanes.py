"""Lane sections of the modelled roads, as plain data (no OpenDRIVE writer).

Each side of a lane section lists its lanes from the centre outwards by *role*: ``median``,
``bay`` (dedicated left-turn lane), ``through`` 1..n, ``aux`` (expressway merge/diverge lane) and
``sidewalk``. Lane ids follow from the order (1, 2, ... outwards), and lanes of consecutive
sections with the same role are linked.

* Roads with a median (``RoadClass.median_m`` = lane width, one median lane per side) get a
  left-turn lane at each end, on the side that drives into the junction: over BAY_TAPER_M the
  median lane narrows to 0 while the bay widens from 0 (complementary cubics, so the through
  lanes do not move), then BAY_STORAGE_M of full-width bay up to the road end. Right lanes
  (driven along +s) get theirs at the road's end, left lanes at its start.
* Expressway segments get auxiliary lanes on both sides (``RoadSpec.aux_start_m`` /
  ``aux_end_m`` long): at the start full width, then AUX_TAPER_M down to 0 (merge); at the end
  AUX_TAPER_M up from 0, then full width (diverge).

Every width change is a cubic over a whole section, zero slope at both ends, so each section
starts with the width it has at its start (scenariogeneration's junction creator reads lane
widths at the start of the road's end section).
"""

from __future__ import annotations

from dataclasses import dataclass

from maps.wuhan.network_model import RoadSpec

BAY_STORAGE_M = 60.0
"""Full-width length [m] of a left-turn lane, up to the road end (the stop line is 8 m in)."""
BAY_TAPER_M = 30.0
"""Length [m] over which the median gives way to the left-turn lane."""
AUX_TAPER_M = 50.0
"""Taper length [m] of an expressway auxiliary lane."""


@dataclass(frozen=True)
class LaneSpec:
    """One lane of one side of a section.

    role: 'median', 'bay', 'through', 'aux' or 'sidewalk'; index: k for through lane k, else 0;
    shape: 'const', 'up' (0 -> width over the section) or 'down' (width -> 0); width_m [m].
    """

    role: str
    index: int
    shape: str
    width_m: float

    @property
    def key(self) -> tuple[str, int]:
        """What links the lane to its namesake in the next section."""
        return self.role, self.index


@dataclass(frozen=True)
class SectionSpec:
    """Lane section from ``s`` [m], ``length_m`` long; lanes per side, centre outwards."""

    s: float
    length_m: float
    right: tuple[LaneSpec, ...]
    left: tuple[LaneSpec, ...]


@dataclass(frozen=True)
class _Feature:
    s0: float
    s1: float
    sides: tuple[str, ...]
    role: str
    shape: str


def _features(road: RoadSpec) -> list[_Feature]:
    """Medians, left-turn lanes and auxiliary lanes of ``road`` with their extents [m]."""
    length, out = road.length_m, []
    if road.cls.median_m > 0.0:
        bay_in, bay_out = BAY_STORAGE_M, BAY_STORAGE_M + BAY_TAPER_M
        out += [  # right side: bay at the end; left side: bay at the start
            _Feature(0.0, length - bay_out, ("right",), "median", "const"),
            _Feature(length - bay_out, length - bay_in, ("right",), "median", "down"),
            _Feature(length - bay_out, length - bay_in, ("right",), "bay", "up"),
            _Feature(length - bay_in, length, ("right",), "bay", "const"),
            _Feature(0.0, bay_in, ("left",), "bay", "const"),
            _Feature(bay_in, bay_out, ("left",), "bay", "down"),
            _Feature(bay_in, bay_out, ("left",), "median", "up"),
            _Feature(bay_out, length, ("left",), "median", "const")]
    both = ("right",) if road.one_way else ("right", "left")
    if road.aux_start_m:
        full = road.aux_start_m - AUX_TAPER_M
        out += [_Feature(0.0, full, both, "aux", "const"),
                _Feature(full, road.aux_start_m, both, "aux", "down")]
    if road.aux_end_m:
        full = road.aux_end_m - AUX_TAPER_M
        out += [_Feature(length - road.aux_end_m, length - full, both, "aux", "up"),
                _Feature(length - full, length, both, "aux", "const")]
    return out


def _side(road: RoadSpec, side: str, a: float, b: float, feats: list[_Feature]) -> tuple:
    """Lanes of ``side`` in the section [a, b)."""
    cls = road.cls
    here = {f.role: f.shape for f in feats if side in f.sides and f.s0 <= a + 1e-9
            and b <= f.s1 + 1e-9}
    lanes = [LaneSpec(role, 0, here[role], cls.median_m if role == "median"
                      else cls.lane_width_m) for role in ("median", "bay") if role in here]
    lanes += [LaneSpec("through", k, "const", cls.lane_width_m) for k in range(1, cls.lanes + 1)]
    if "aux" in here:
        lanes.append(LaneSpec("aux", 0, here["aux"], cls.lane_width_m))
    if cls.sidewalk_m > 0.0:
        lanes.append(LaneSpec("sidewalk", 0, "const", cls.sidewalk_m))
    return tuple(lanes)


def lane_sections(road: RoadSpec) -> list[SectionSpec]:
    """Lane sections of ``road`` in s order (one-way roads: right side only)."""
    feats = _features(road)
    cuts = sorted({0.0, road.length_m} | {f.s0 for f in feats} | {f.s1 for f in feats})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        if b - a < 1e-6:
            continue
        left = () if road.one_way else _side(road, "left", a, b, feats)
        out.append(SectionSpec(a, b - a, _side(road, "right", a, b, feats), left))
    return out
