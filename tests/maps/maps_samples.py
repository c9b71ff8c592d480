"""Small hand-made OpenDRIVE networks for the maps tests (geometry chosen so that every
expected value can be derived by hand)."""

from __future__ import annotations

import math
from pathlib import Path


def _lane(lid: int, width: float, ltype: str = "driving", pred: int | None = None,
          succ: int | None = None, extra: str = "") -> str:
    link = ""
    if pred is not None or succ is not None:
        link = "<link>" + (f'<predecessor id="{pred}"/>' if pred is not None else "") + \
               (f'<successor id="{succ}"/>' if succ is not None else "") + "</link>"
    return (f'<lane id="{lid}" type="{ltype}" level="false">{link}'
            f'<width sOffset="0" a="{width}" b="0" c="0" d="0"/>{extra}</lane>')


def road(rid: str, length: float, geometry: str, left: str = "", right: str = "",
         link: str = "", junction: str = "-1", extra: str = "", lanes_extra: str = "",
         sections: str | None = None) -> str:
    """One ``<road>`` element; ``geometry`` is the inner ``<geometry>`` XML."""
    if sections is None:
        sections = (f'<laneSection s="0"><left>{left}</left><center><lane id="0" '
                    f'type="none" level="false"/></center><right>{right}</right></laneSection>')
    return (f'<road name="r{rid}" length="{length}" id="{rid}" junction="{junction}">'
            f'<link>{link}</link>{extra}<planView>{geometry}</planView>'
            f'<lanes>{lanes_extra}{sections}</lanes></road>')


def line(s: float, x: float, y: float, hdg: float, length: float) -> str:
    return f'<geometry s="{s}" x="{x}" y="{y}" hdg="{hdg}" length="{length}"><line/></geometry>'


def arc(s: float, x: float, y: float, hdg: float, length: float, k: float) -> str:
    return (f'<geometry s="{s}" x="{x}" y="{y}" hdg="{hdg}" length="{length}">'
            f'<arc curvature="{k}"/></geometry>')


def document(*elements: str, header_extra: str = "") -> str:
    """A whole file: line 1 XML declaration, 2 <OpenDRIVE>, 3 header, elements from line 4."""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<OpenDRIVE>\n'
            f'<header revMajor="1" revMinor="6" name="t">{header_extra}</header>\n'
            + "\n".join(elements) + "\n</OpenDRIVE>\n")


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def two_roads_end_to_end() -> str:
    """Road 1 along +x from (0,0), 100 m; road 2 from (200,0) heading pi, 100 m, so both
    roads END at (100, 0): right lane -1 of road 1 continues as left lane +1 of road 2.

    Road 1: laneOffset 0.5 m; lanes 2 (sidewalk 2.0), 1 (3.5), -1 (3.5), -2 (3.0, 20 mph);
    road type speed 50 km/h.
    """
    r1 = road("1", 100, line(0, 0, 0, 0, 100),
              left=_lane(2, 2.0, "sidewalk") + _lane(1, 3.5, succ=-1),
              right=_lane(-1, 3.5, succ=1) + _lane(-2, 3.0, extra='<speed sOffset="0" '
                                                    'max="20" unit="mph"/>'),
              link='<successor elementType="road" elementId="2" contactPoint="end"/>',
              extra='<type s="0" type="town"><speed max="50" unit="km/h"/></type>',
              lanes_extra='<laneOffset s="0" a="0.5" b="0" c="0" d="0"/>')
    r2 = road("2", 100, line(0, 200, 0, math.pi, 100),
              left=_lane(1, 3.5, succ=-1), right=_lane(-1, 3.5, succ=1),
              link='<successor elementType="road" elementId="1" contactPoint="end"/>')
    return document(r1, r2)


def t_junction() -> str:
    """Incoming road 10 along +x from (0,0), 50 m, into junction 100. Connecting road 11 goes
    straight 20 m to road 13 (+x from (70,0)); connecting road 12 turns left on a radius-20
    arc (centre (50,20), length 10*pi) to road 14 (from (70,20) heading pi/2). Every road has
    lanes 1 and -1 of 3.5 m."""
    lanes = dict(left=_lane(1, 3.5, pred=1, succ=1), right=_lane(-1, 3.5, pred=-1, succ=-1))
    plain = dict(left=_lane(1, 3.5), right=_lane(-1, 3.5))
    r10 = road("10", 50, line(0, 0, 0, 0, 50), **plain,
               link='<successor elementType="junction" elementId="100"/>')
    r11 = road("11", 20, line(0, 50, 0, 0, 20), **lanes, junction="100",
               link='<predecessor elementType="road" elementId="10" contactPoint="end"/>'
                    '<successor elementType="road" elementId="13" contactPoint="start"/>')
    r12 = road("12", 10 * math.pi, arc(0, 50, 0, 0, 10 * math.pi, 0.05), **lanes,
               junction="100",
               link='<predecessor elementType="road" elementId="10" contactPoint="end"/>'
                    '<successor elementType="road" elementId="14" contactPoint="start"/>')
    r13 = road("13", 50, line(0, 70, 0, 0, 50), **plain,
               link='<predecessor elementType="junction" elementId="100"/>')
    r14 = road("14", 50, line(0, 70, 20, math.pi / 2, 50), **plain,
               link='<predecessor elementType="junction" elementId="100"/>')
    junction = ('<junction id="100" name="j">'
                '<connection id="0" incomingRoad="10" connectingRoad="11" contactPoint="start">'
                '<laneLink from="-1" to="-1"/></connection>'
                '<connection id="1" incomingRoad="10" connectingRoad="12" contactPoint="start">'
                '<laneLink from="-1" to="-1"/></connection></junction>')
    return document(r10, r11, r12, r13, r14, junction)


def load_error(tmp_path: Path, text: str):
    """Write ``text`` as bad.xodr, check that loading raises MapsError and that
    ``check_opendrive`` reports the same message as its first error; return the error."""
    import pytest

    import maps
    p = write(tmp_path, "bad.xodr", text)
    with pytest.raises(maps.MapsError) as info:
        maps.load_opendrive(p)
    issues = maps.check_opendrive(p)
    assert issues and issues[0].severity == "error"
    assert issues[0].message == info.value.message
    return info.value


def lane_opening_road() -> str:
    """Road 1 along +x, 100 m. At s = 50 a lane opens at the centre (its width grows from 0),
    so OpenDRIVE renumbers the lanes outside it: lane -1 (t = -1.75) of the first section
    continues as lane -2 and lane -2 (t = -5.25) as lane -3 (lane links say so)."""
    first = (f'<laneSection s="0"><center><lane id="0" type="none"/></center><right>'
             f'{_lane(-1, 3.5, succ=-2)}{_lane(-2, 3.5, succ=-3)}</right></laneSection>')
    opening = ('<lane id="-1" type="driving"><width sOffset="0" a="0" b="0.07" c="0" d="0"/>'
               '</lane>')
    second = (f'<laneSection s="50"><center><lane id="0" type="none"/></center><right>'
              f'{opening}{_lane(-2, 3.5, pred=-1)}{_lane(-3, 3.5, pred=-2)}</right>'
              f'</laneSection>')
    return document(road("1", 100, line(0, 0, 0, 0, 100), sections=first + second))
