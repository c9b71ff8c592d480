"""Plain records of an OpenDRIVE road network (ASAM OpenDRIVE 1.8 clauses 8-14).

Lane-id sign convention (clause 11.1): lanes left of the reference line have positive ids,
lanes right of it negative ids, the centre lane id 0 (no width). Units are SI: lengths [m],
angles [rad], speeds [m/s] (converted from km/h or mph when read).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from maps.polynomial import Piecewise


@dataclass(frozen=True)
class RoadLink:
    """``road/link/predecessor`` or ``successor``.

    Attributes:
        element_type: ``"road"`` or ``"junction"``.
        element_id: id of the linked road or junction.
        contact_point: ``"start"``/``"end"`` of the linked road, or None (junction links).
        line: source line of the element (not compared).
    """

    element_type: str
    element_id: str
    contact_point: str | None = None
    line: int | None = field(default=None, compare=False)


class RoadMark(NamedTuple):
    """``lane/roadMark``: the marking on a lane's outer border (centre lane: on the lane-offset
    line), ASAM OpenDRIVE 1.8 clause 11.9 "Road markings".

    Attributes:
        s_start, s_end: road s range [m] where this record applies (from its ``sOffset`` to
            the next record or the end of the lane section).
        type: ``solid``, ``broken``, ``solid solid``, ``botts dots``, ``none``...
        weight: ``standard`` or ``bold``. color: ``standard`` (white), ``yellow``...
        width: line width [m] or None when the file gives none.
        lane_change: ``increase``, ``decrease``, ``both``, ``none`` or None.
        line: source line.
    """

    s_start: float
    s_end: float
    type: str
    weight: str = "standard"
    color: str = "standard"
    width: float | None = None
    lane_change: str | None = None
    line: int | None = None


@dataclass
class Lane:
    """One lane of a lane section.

    Attributes:
        id: lane id (sign convention above).
        type: OpenDRIVE lane type (``driving``, ``sidewalk``, ``shoulder``, ``none``...).
        width: width records, ``sOffset`` relative to the section start [m]; empty when the lane
            uses ``border`` records instead.
        border: outer-border records (the t-coordinate of the outer border from the reference
            line [m], as :meth:`maps.road.Road._width` reads them; ``sOffset`` relative to the
            section start); empty when ``width`` is used.
        predecessor, successor: linked lane ids in the neighbouring section/road, or None.
        speeds: ``(sOffset [m], max speed [m/s] or None)`` records.
        heights: ``(sOffset [m], inner [m], outer [m])`` records: the lane surface raised above
            the road surface at its inner/outer border (clause 11.6, e.g. a kerbed sidewalk).
        road_marks: :class:`RoadMark` records of the lane, ordered by s.
        level: ``lane@level``: kept out of superelevation (flat at the height of the inner
            border of the outer block of level lanes, clause 11.6.6).
        direction: ``lane@direction`` (1.8, clause 11.2): ``standard`` (the side and the
            road's rule decide), ``reversed`` (against that) or ``both`` (two-way).
        line: source line of the ``lane`` element.
    """

    id: int
    type: str = "driving"
    width: Piecewise = field(default_factory=Piecewise)
    border: Piecewise = field(default_factory=Piecewise)
    predecessor: int | None = None
    successor: int | None = None
    speeds: tuple[tuple[float, float | None], ...] = ()
    heights: tuple[tuple[float, float, float], ...] = ()
    road_marks: tuple[RoadMark, ...] = ()
    level: bool = False
    direction: str = "standard"
    line: int | None = None

    @property
    def two_way(self) -> bool:
        """Traffic may use the lane both ways: ``type="bidirectional"`` or, in OpenDRIVE 1.8,
        ``direction="both"`` (clause 11.2)."""
        return self.type == "bidirectional" or self.direction == "both"


@dataclass
class LaneSection:
    """``lanes/laneSection``: lanes valid from ``s`` to ``end``.

    Attributes:
        s: section start [m]; end: section end [m] (next section start or road length).
        left: lanes with id > 0, ordered 1, 2, 3...; right: id < 0, ordered -1, -2, ...
        single_side: the ``singleSide`` flag.
        line: source line.
    """

    s: float
    end: float
    left: list[Lane]
    right: list[Lane]
    center: Lane | None = None
    single_side: bool = False
    line: int | None = None

    def __post_init__(self) -> None:
        self.by_id = {ln.id: ln for ln in (*self.left, *self.right)}
        if self.center is not None:
            self.by_id[0] = self.center


@dataclass(frozen=True)
class RoadType:
    """``road/type``: road class from ``s`` [m], with its speed limit [m/s] or None."""

    s: float
    type: str
    speed: float | None = None


@dataclass(frozen=True)
class Signal:
    """A ``signal`` (or a ``signalReference`` to one) placed on a road.

    Attributes:
        id: signal id (for a reference: the id of the referenced signal).
        road_id: road the record belongs to. s, t: road coordinates [m].
        dynamic: True for signals that change state (traffic lights).
        orientation: ``"+"`` (valid for traffic along +s), ``"-"`` (along -s) or ``"none"``.
        type, subtype: country-specific codes (strings). country: country code or None.
        value: numeric value or None; unit: its unit string or None.
        name: ``signal@name`` or None. is_reference: True for a ``signalReference``.
        x, y, z: inertial position [m] (z includes ``zOffset``).
        h: heading [rad] of the traffic the signal applies to: reference-line heading, plus pi
            for orientation ``"-"``, plus ``hOffset``; with a ``positionInertial`` child
            (OpenDRIVE 1.7+) x, y, z and h are taken from it (its ``hdg``).
        validity: ``(fromLane, toLane)`` ranges of the lanes the signal applies to (clause
            14.3 "validity"); empty: every lane of its orientation (see :meth:`applies_to`).
        line: source line.
    """

    id: str
    road_id: str
    s: float
    t: float
    dynamic: bool
    orientation: str
    type: str
    subtype: str
    x: float
    y: float
    z: float
    h: float
    country: str | None = None
    value: float | None = None
    unit: str | None = None
    name: str | None = None
    is_reference: bool = False
    validity: tuple[tuple[int, int], ...] = ()
    line: int | None = None

    def in_validity(self, lane_id: int) -> bool:
        """True when lane ``lane_id`` is inside one of the signal's ``validity`` ranges (either
        order of fromLane/toLane), or when it has none (it then holds for its whole road)."""
        return not self.validity or any(min(a, b) <= lane_id <= max(a, b)
                                        for a, b in self.validity)

    def applies_to(self, lane_id: int, rule: str = "RHT") -> bool:
        """True when the signal is valid for lane ``lane_id`` of its road: inside one of its
        ``validity`` ranges (either order of fromLane/toLane), or, without validity records,
        a lane driven in the signal's direction (``+``: traffic along +s, ``-``: against s,
        ``none``: all). ``rule`` is the road's traffic rule: with ``RHT`` the lanes < 0 run
        along +s, with ``LHT`` the lanes > 0 do (clause 8.1)."""
        if self.validity:
            return self.in_validity(lane_id)
        along_s = lane_id < 0 if rule != "LHT" else lane_id > 0
        if self.orientation == "+":
            return along_s
        if self.orientation == "-":
            return lane_id != 0 and not along_s
        return True

    @property
    def governs_vehicles(self) -> bool:
        """True for a traffic light that motor vehicles obey: dynamic, and not a pedestrian or
        bicycle light (types 1000002 and 1000007 of the German StVO catalogue that OpenDRIVE
        files from esmini, CARLA and RoadRunner use; :data:`NON_VEHICLE_LIGHT_TYPES`)."""
        return self.dynamic and self.type not in NON_VEHICLE_LIGHT_TYPES


NON_VEHICLE_LIGHT_TYPES = frozenset({"1000002", "1000007"})
"""Signal types of pedestrian (1000002) and bicycle (1000007) lights (StVO catalogue)."""
RIGHT_ON_RED_COUNTRIES = frozenset({"CN", "CHN"})
"""``signal@country`` codes whose circular red lights let a right turn pass (PRC Implementing
Regulations of the Road Traffic Safety Law, art. 38: when it obstructs no released vehicle or
pedestrian)."""
CIRCULAR_LIGHT_TYPE = "1000001"
"""Signal type of a three-light vehicle signal (StVO catalogue); a subtype other than -1, none
or 0 marks arrows."""


def permits_right_on_red(sig: object) -> bool:
    """Whether a red of signal ``sig`` (a :class:`Signal`, or any object with ``country``,
    ``type`` and ``subtype``) lets a vehicle turning right pass: a circular vehicle light
    (:data:`CIRCULAR_LIGHT_TYPE` without an arrow subtype) of a country in
    :data:`RIGHT_ON_RED_COUNTRIES`."""
    return (str(getattr(sig, "country", "") or "").upper() in RIGHT_ON_RED_COUNTRIES
            and str(getattr(sig, "type", "")) == CIRCULAR_LIGHT_TYPE
            and str(getattr(sig, "subtype", "-1") or "-1") in ("-1", "none", "0"))


@dataclass(frozen=True)
class Controller:
    """``controller``: a traffic-signal controller and the signals it switches together
    (ASAM OpenDRIVE 1.8 clause 14.6 "Signal controllers").

    Attributes:
        id: controller id. name: ``controller@name`` or "".
        controls: ``(signalId, source line)`` of each ``control`` child: the ids of the
            ``signal`` elements it drives.
        line: source line of the ``controller`` element.
    """

    id: str
    name: str = ""
    controls: tuple[tuple[str, int | None], ...] = ()
    line: int | None = None


@dataclass(frozen=True)
class Connection:
    """``junction/connection``: from an incoming road into a connecting road.

    Attributes:
        id: connection id. incoming_road, connecting_road: road ids.
        contact_point: ``"start"``/``"end"``: where the connecting road is entered.
        lane_links: ``(from lane of incoming road, to lane of connecting road)`` pairs.
    """

    id: str
    incoming_road: str
    connecting_road: str
    contact_point: str
    lane_links: tuple[tuple[int, int], ...] = ()
    line: int | None = None


@dataclass
class Junction:
    """``junction``: id, name, type (``default``, ``direct``, ``virtual``) and connections.

    In a ``direct`` junction (OpenDRIVE 1.7, clause 12.5) ``Connection.connecting_road`` is the
    ``linkedRoad``, an ordinary road entered directly from the incoming road.
    """

    id: str
    name: str = ""
    type: str = "default"
    connections: list[Connection] = field(default_factory=list)
    line: int | None = None
    #: ``crossPath`` records (OpenDRIVE 1.8: pedestrian crossings of a junction), counted:
    #: not modelled, ``map check`` says so.
    cross_paths: int = 0
    #: attributes of a virtual junction (``mainRoad``, ``sStart``, ``sEnd``,
    #: ``orientation``) the element carries.
    virtual_attributes: tuple[str, ...] = ()
