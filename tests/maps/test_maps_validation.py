"""Clear errors (file, line, element) and warnings for bad OpenDRIVE input."""

from __future__ import annotations

import math

import pytest

import maps
from maps_samples import _lane, load_error, document, line, road, two_roads_end_to_end, write


def test_missing_file(tmp_path):
    with pytest.raises(maps.MapsError, match="file not found"):
        maps.load_opendrive(tmp_path / "nope.xodr")


def test_not_xml(tmp_path):
    err = load_error(tmp_path, "<OpenDRIVE><road></OpenDRIVE>\n")
    assert "not well-formed XML" in err.message and err.line == 1


def test_a_gzip_compressed_map_is_refused_not_inflated(tmp_path):
    """Hostile pass 10: libxml2 inflated a gzip .xodr given by path: 485 KB became 200 MB of
    XML and 3.7 GB of memory, past the map size limit; .xosc files were refused. Both are
    refused now, as compressed files."""
    import gzip
    from scenarios import ScenarioError, load_scenario
    path = tmp_path / "two.xodr"
    path.write_bytes(gzip.compress(two_roads_end_to_end().encode()))
    with pytest.raises(maps.MapsError, match="a gzip-compressed file: expected plain "
                                             "OpenDRIVE XML") as info:
        maps.load_opendrive(path)
    assert info.value.file == str(path)
    xosc = tmp_path / "s.xosc"
    xosc.write_bytes(gzip.compress(b"<OpenSCENARIO/>"))
    with pytest.raises(ScenarioError, match="a gzip-compressed file"):
        load_scenario(xosc)


def test_wrong_root(tmp_path):
    err = load_error(tmp_path, "<?xml version='1.0'?>\n<OpenSCENARIO/>\n")
    assert "expected <OpenDRIVE>" in err.message and err.line == 2


def test_entities_are_not_expanded(tmp_path):
    text = ('<?xml version="1.0"?>\n<!DOCTYPE OpenDRIVE [<!ENTITY big "x">]>\n'
            + two_roads_end_to_end().split("\n", 1)[1].replace('name="r1"', 'name="&big;"'))
    # libxml2 would substitute "&big;" in the attribute despite resolve_entities=False
    err = load_error(tmp_path, text)
    assert "declares entities" in err.message and err.element == "!DOCTYPE"


def test_geometry_lengths_must_add_up(tmp_path):
    text = document(road("1", 120, line(0, 0, 0, 0, 100), right=_lane(-1, 3.5)))
    err = load_error(tmp_path, text)
    assert "add up to 100.0000 m, road@length is 120.0000 m" in err.message
    assert err.element == "road" and err.line == 4 and err.file.endswith("bad.xodr")


@pytest.mark.parametrize("second, jump", [
    (line(250, 0, 0, 0, 250), 250.0),            # listed after, starting at the origin again
    (line(250, 5000, 0, 0, 250), 4750.0),        # 4750 m further on
])
def test_a_reference_line_that_jumps_is_warned_of(tmp_path, second, jump):
    """Hostile pass 6: map check found nothing, and a run on the map changed its verdict.
    The warning names the line of the geometry that jumps (line 5), not its road's (4)."""
    text = document(road("1", 500, line(0, 0, 0, 0, 250) + "\n" + second,
                         right=_lane(-1, 3.5)))
    path = write(tmp_path, "jump.xodr", text)
    (issue,) = maps.check_opendrive(path)
    assert issue.severity == "warning" and issue.line == 5 and issue.element == "geometry"
    assert issue.message.startswith(f"road 1: the reference line jumps {jump:.3f} m at "
                                    f"s=250.0: the previous geometry ends at (250.000, 0.000)")
    smooth = document(road("1", 500, line(0, 0, 0, 0, 250) + line(250, 250, 0, 0, 250),
                           right=_lane(-1, 3.5)))
    assert maps.check_opendrive(write(tmp_path, "ok.xodr", smooth)) == []


def test_a_geo_reference_proj_cannot_use_is_an_error_at_the_header(tmp_path):
    # observed: map check and scenario check passed it; the run then failed in the V2X bridge
    # with exit 3 and no file named
    text = document(road("1", 100, line(0, 0, 0, 0, 100), right=_lane(-1, 3.5)),
                    header_extra="<geoReference><![CDATA[+proj=tmerc +lat_0=1e308 "
                                 "+lon_0=114.15]]></geoReference>")
    err = load_error(tmp_path, text)
    assert "not a usable PROJ string" in err.message
    assert err.element == "geoReference" and err.line == 3 and err.file.endswith("bad.xodr")


def test_a_deprecated_init_geo_reference_is_read_and_warned_of_quietly(tmp_path, recwarn):
    """Hostile pass 8: '+init=epsg:32650' worked, but pyproj's multi-line FutureWarning was
    printed in the middle of the run's output. It is map check's warning now."""
    text = document(road("1", 100, line(0, 0, 0, 0, 100), right=_lane(-1, 3.5)),
                    header_extra="<geoReference><![CDATA[+init=epsg:32650]]></geoReference>")
    path = write(tmp_path, "init.xodr", text)
    (issue,) = maps.check_opendrive(path)
    assert issue.severity == "warning" and issue.element == "geoReference" and issue.line == 3
    assert "deprecated '+init=<authority>:<code>' syntax" in issue.message
    assert not [w for w in recwarn if issubclass(w.category, FutureWarning)]


def test_link_to_missing_road(tmp_path):
    """The error names the link (successor or predecessor) at its own line (maps15 audit:
    the road's line, and 'link')."""
    text = document(road("1", 100, line(0, 0, 0, 0, 100), right=_lane(-1, 3.5),
                         link='\n<successor elementType="road" elementId="9" '
                              'contactPoint="start"/>'))
    err = load_error(tmp_path, text)
    assert "successor road '9' does not exist" in err.message
    assert err.element == "successor" and err.line == 5


def test_lane_sections_out_of_order_are_warned_of(tmp_path):
    """Hostile pass 8: sections at s=50 then s=0 passed map check without a word (they are
    read in order of s); the warning is at the line of the one listed out of place."""
    sec = ('<laneSection s="50"><center><lane id="0" type="none" level="false"/></center>'
           '<right>{}</right></laneSection>\n<laneSection s="0"><center><lane id="0" '
           'type="none" level="false"/></center><right>{}</right></laneSection>'
           ).format(_lane(-1, 3), _lane(-1, 3))
    path = write(tmp_path, "order.xodr", document(road("1", 100, line(0, 0, 0, 0, 100),
                                                        sections=sec)))
    (issue,) = maps.check_opendrive(path)
    assert issue.severity == "warning" and issue.element == "laneSection" and issue.line == 5
    assert issue.message.startswith("road 1: laneSection s=0.0 is listed after the one at "
                                    "s=50.0: OpenDRIVE lists lane sections in ascending s")
    in_order = sec.split("\n")[1] + sec.split("\n")[0]
    assert maps.check_opendrive(write(tmp_path, "ok.xodr", document(road(
        "1", 100, line(0, 0, 0, 0, 100), sections=in_order)))) == []


def test_lane_section_beyond_road_length(tmp_path):
    sec = ('<laneSection s="0"><right>{}</right></laneSection>'
           '<laneSection s="150"><right>{}</right></laneSection>').format(_lane(-1, 3), _lane(-1, 3))
    text = document(road("1", 100, line(0, 0, 0, 0, 100), sections=sec))
    err = load_error(tmp_path, text)
    assert "laneSection s=150.0 beyond road length" in err.message
    assert err.element == "laneSection" and err.line == 4


def test_negative_lane_width(tmp_path):
    lane = ('<lane id="-1" type="driving"><width sOffset="0" a="3.0" b="-0.05" c="0" d="0"/>'
            '</lane>')
    text = document(road("1", 100, line(0, 0, 0, 0, 100), right=lane))
    err = load_error(tmp_path, text)
    # width 3 - 0.05 s is negative from s = 60 m on and lowest at the section end
    assert "lane -1, record <width sOffset=0 a=3 b=-0.05 c=0 d=0>: width -2.0000 m at " \
           "s=100.000" in err.message and err.element == "width"


@pytest.mark.parametrize("sections, expected", [
    # the hostile tester's lane: 3.5 - 1.6 ds + 0.16 ds^2 on s = 0..10 is lowest where
    # -1.6 + 0.32 ds = 0, ds = 5: 3.5 - 8 + 4 = -0.5 m; it is 3.5 m at s = 0, 10, 20... so
    # samples every 10 m all saw 3.5 m
    ('<laneSection s="0"><right><lane id="-1" type="driving">'
     '<width sOffset="0" a="3.5" b="-1.6" c="0.16" d="0"/><width sOffset="10" a="3.5" b="0" '
     'c="0" d="0"/></lane></right></laneSection>',
     "road 1 laneSection s=0.0 lane -1, record <width sOffset=0 a=3.5 b=-1.6 c=0.16 d=0>: "
     "width -0.5000 m at s=5.000, its lowest on s=0..10 (expected >= 0"),
    # a cubic record inside a later section: 1 - 3 x + x^3 on ds = 20..23 (x = ds - 20) has
    # its critical points at x = +-1; at x = 1 it is 1 - 3 + 1 = -1 m, at s = 50 + 21
    ('<laneSection s="0"><right>' + _lane(-1, 3.0) + '</right></laneSection>'
     '<laneSection s="50"><right><lane id="-1" type="driving">'
     '<width sOffset="0" a="3" b="0" c="0" d="0"/><width sOffset="20" a="1" b="-3" c="0" '
     'd="1"/><width sOffset="23" a="3" b="0" c="0" d="0"/></lane></right></laneSection>',
     "road 1 laneSection s=50.0 lane -1, record <width sOffset=20 a=1 b=-3 c=0 d=1>: "
     "width -1.0000 m at s=71.000, its lowest on s=70..73 (expected >= 0"),
], ids=["quadratic_dip_between_samples", "cubic_in_second_section"])
def test_lowest_width_of_each_record_is_found_exactly(tmp_path, sections, expected):
    err = load_error(tmp_path, document(road("1", 100, line(0, 0, 0, 0, 100),
                                             sections=sections)))
    assert expected in err.message, err.message
    assert err.element == "width" and err.line == 4
    errors = [i for i in maps.check_opendrive(tmp_path / "bad.xodr") if i.severity == "error"]
    assert len(errors) == 1  # the records around it are >= 0


def test_border_lane_dipping_inside_its_inner_border_is_found_exactly(tmp_path):
    # lane -2 is bordered at t = -3.5 + 1.6 ds - 0.16 ds^2; its inner border is the lane
    # offset 0.01 s moved out by lane -1's 3 m: t = 0.01 s - 3. Its width, inner minus outer
    # on the right, is 0.5 - 1.59 ds + 0.16 ds^2: lowest at ds = 1.59 / 0.32 = 4.96875,
    # 0.5 - 1.59^2 / 0.64 = -3.45015625 m, where the border is at t = 0.49984375 m
    lanes = (_lane(-1, 3.0) + '<lane id="-2" type="driving"><border sOffset="0" a="-3.5" '
             'b="1.6" c="-0.16" d="0"/><border sOffset="10" a="-3.5" b="0" c="0" d="0"/>'
             '</lane>')
    text = document(road("1", 100, line(0, 0, 0, 0, 100), right=lanes,
                         lanes_extra='<laneOffset s="0" a="0" b="0.01" c="0" d="0"/>'))
    err = load_error(tmp_path, text)
    assert "road 1 laneSection s=0.0 lane -2, record <border sOffset=0 a=-3.5 b=1.6 " \
           "c=-0.16 d=0>: border at t=0.4998 m lies 3.4502 m inside the lane's inner " \
           "border at s=4.969, its lowest on s=0..10" in err.message
    assert err.element == "border"
    # the road model agrees: lane -2 spans t = 0.01 s - 3 .. border there
    from maps.parser import parse_file
    inner, outer = parse_file(tmp_path / "bad.xodr").roads["1"].lane_span(-2, 4.96875)
    assert inner - outer == pytest.approx(-3.45015625)


def only_warning(tmp_path, text):
    """The one issue of a map that loads (esmini loads it too) but ``map check`` warns of."""
    path = write(tmp_path, "odd.xodr", text)
    (issue,) = maps.check_opendrive(path)
    assert issue.severity == "warning"
    with pytest.warns(UserWarning):
        maps.load_opendrive(path)
    return issue


@pytest.mark.parametrize("tag, s", [("signal", "5000"), ("signal", "-300"),
                                    ("signalReference", "100.5")])
def test_signal_off_its_road_is_a_warning(tmp_path, tag, s):
    signals = (f'<signals><{tag} id="sig7" s="{s}" t="-5" dynamic="yes" orientation="+" '
               f'type="1000001"/></signals>')
    text = document(road("1", 100, line(0, 0, 0, 0, 100), right=_lane(-1, 3.5),
                         extra=signals))
    err = only_warning(tmp_path, text)
    assert err.message == (f"{tag} sig7 on road 1: s={float(s):g} m lies off the road "
                           f"(expected 0 <= s <= 100 m, the road's length; ASAM OpenDRIVE "
                           f"1.8 clause 14)")
    assert err.element == tag and err.line == 4


def test_signal_at_either_road_end_is_accepted(tmp_path):
    signals = ('<signals><signal id="a" s="0" t="-5" dynamic="no" orientation="+" type="206"/>'
               '<signal id="b" s="100" t="-5" dynamic="no" orientation="+" type="206"/>'
               '</signals>')
    p = write(tmp_path, "ends.xodr", document(road(
        "1", 100, line(0, 0, 0, 0, 100), right=_lane(-1, 3.5), extra=signals)))
    assert maps.check_opendrive(p) == []


def test_controller_naming_a_missing_signal_is_a_warning(tmp_path):
    signals = ('<signals><signal id="1" s="90" t="-5" dynamic="yes" orientation="+" '
               'type="1000001"/><signalReference id="404" s="10" t="5" orientation="-"/>'
               '</signals>')
    # line 5: a signalReference repeats a signal's id and is no signal of its own
    controller = ('<controller id="c1" name="tl"><control signalId="1" type="0"/>'
                  '<control signalId="404" type="0"/></controller>')
    text = document(road("1", 100, line(0, 0, 0, 0, 100), right=_lane(-1, 3.5),
                         extra=signals), controller)
    err = only_warning(tmp_path, text)
    assert err.message == ("controller c1: control signalId='404' names no signal of the map "
                           "(expected the id of a <signal>; ASAM OpenDRIVE 1.8 clause 14.6)")
    assert err.element == "control" and err.line == 5


def test_connection_into_a_road_outside_the_junction_is_a_warning(tmp_path):
    from maps_samples import t_junction
    text = t_junction().replace('name="r11" length="20" id="11" junction="100"',
                                'name="r11" length="20" id="11" junction="-1"')
    err = only_warning(tmp_path, text)
    assert err.message == ("junction 100 connection 0: connecting road 11 has junction='-1' "
                           "(expected '100': a connecting road belongs to its junction, ASAM "
                           "OpenDRIVE 1.8 clauses 12.2 and 12.4)")
    assert err.element == "connection" and err.line == 9


def test_malformed_number_names_attribute(tmp_path):
    text = document(road("1", 100, line(0, 0, 0, 0, 100).replace('x="0"', 'x="abc"'),
                         right=_lane(-1, 3.5)))
    err = load_error(tmp_path, text)
    assert "x='abc' is not a number" in err.message and err.element == "geometry"


def test_gap_between_linked_roads_warns(tmp_path):
    r1 = road("1", 100, line(0, 0, 0, 0, 100), right=_lane(-1, 3.5),
              link='<successor elementType="road" elementId="2" contactPoint="start"/>')
    r2 = road("2", 50, line(0, 100.5, 0, 0, 50), right=_lane(-1, 3.5),
              link='<predecessor elementType="road" elementId="1" contactPoint="end"/>')
    p = write(tmp_path, "gap.xodr", document(r1, r2))
    with pytest.warns(UserWarning) as caught:
        net = maps.load_opendrive(p)
    # reported from both sides of the link
    assert sorted(str(w.message).split(": ", 3)[-1] for w in caught) == [
        "road 1 (end) and road 2 (start) are 0.500 m apart",
        "road 2 (start) and road 1 (end) are 0.500 m apart"]
    assert len(net.warnings) == 2
    assert [i.severity for i in maps.check_opendrive(p)] == ["warning", "warning"]


def test_clean_file_has_no_issues(tmp_path):
    assert maps.check_opendrive(write(tmp_path, "ok.xodr", two_roads_end_to_end())) == []


def test_error_format_names_file_line_element(tmp_path):
    text = document(road("1", 120, line(0, 0, 0, 0, 100), right=_lane(-1, 3.5)))
    issue = maps.check_opendrive(write(tmp_path, "bad.xodr", text))[0]
    path = str(tmp_path / "bad.xodr")   # the form of scenario check: file:line: severity: ...
    assert issue.format().startswith(f"{path}:4: error: <road>: road 1: geometry lengths")
    assert math.isfinite(float(issue.line))


def test_lane_link_to_missing_lane_warns(tmp_path):
    sections = ('<laneSection s="0"><right>{}</right></laneSection>'
                '<laneSection s="50"><right>{}</right></laneSection>').format(
        _lane(-1, 3.0, succ=-2), _lane(-1, 3.0))
    p = write(tmp_path, "ll.xodr", document(road("1", 100, line(0, 0, 0, 0, 100),
                                                 sections=sections)))
    issues = maps.check_opendrive(p)
    assert [i.severity for i in issues] == ["warning"]
    assert "lane -1: successor lane -2 does not exist in laneSection s=50.0" in issues[0].message


def test_a_lane_link_past_a_road_end_without_a_link_warns(tmp_path):
    """Real-input sweep 12: openPASS's SceneryConfiguration.xodr names a successor for every
    lane of a road that has none; map check said nothing."""
    p = write(tmp_path, "ll.xodr", document(road("1", 100, line(0, 0, 0, 0, 100),
                                                 right=_lane(-1, 3.0, succ=-1))))
    issues = maps.check_opendrive(p)
    assert [(i.severity, i.message) for i in issues] == [
        ("warning", "road 1 lane -1: successor lane -1 named, but road 1 has no successor: "
                    "the lane link leads nowhere")]


def test_empty_and_repeated_object_ids_warn(tmp_path):
    """Real-input sweep 12: openPASS's map has four objects with id="" (map check was silent);
    esmini's straight_500m_signs gives '5' to three poles. One warning per empty id, one per
    repeated id; the instances of a repeated object share their id and are not counted."""
    objects = ('<objects><object id="" type="pole" s="10" t="4" radius="0.1"/>'
               '<object id="p" type="pole" s="20" t="4" radius="0.1"/>'
               '<object id="p" type="pole" s="30" t="4" radius="0.1"/>'
               '<object id="r" type="pole" s="40" t="4" radius="0.1">'
               '<repeat s="40" length="20" distance="5" tStart="4" tEnd="4" zOffsetStart="0" '
               'zOffsetEnd="0" heightStart="1" heightEnd="1"/></object></objects>')
    text = document(road("1", 100, line(0, 0, 0, 0, 100), right=_lane(-1, 3.5)))
    text = text.replace("</lanes>", "</lanes>" + objects, 1)
    issues = maps.check_opendrive(write(tmp_path, "o.xodr", text))
    assert sorted(i.message for i in issues) == [
        "object id 'p' is given 2 times (again at line 4): ids are unique (ASAM OpenDRIVE 1.8 "
        "clause 13)",
        "object with an empty id (OpenDRIVE object@id is required: nothing can refer to it)"]


def test_junction_lane_link_to_missing_lane_warns(tmp_path):
    from maps_samples import t_junction
    text = t_junction().replace('<laneLink from="-1" to="-1"/></connection><connection id="1"',
                                '<laneLink from="-1" to="-4"/></connection><connection id="1"')
    issues = maps.check_opendrive(write(tmp_path, "jl.xodr", text))
    assert len(issues) == 1 and issues[0].element == "laneLink"
    assert "laneLink -1->-4 names a lane missing on road 11" in issues[0].message


@pytest.mark.parametrize("collecting", [True, False])
def test_loading_leaves_the_garbage_collector_as_it_was(tmp_path, collecting):
    """load_opendrive pauses the cyclic collector while it builds the network and puts it
    back as it found it, also when the file is refused."""
    import gc

    text = document(road("1", 120, line(0, 0, 0, 0, 100), right=_lane(-1, 3.5)))
    was = gc.isenabled()
    try:
        (gc.enable if collecting else gc.disable)()
        load_error(tmp_path, text)
        assert gc.isenabled() is collecting
        maps.load_opendrive(write(tmp_path, "good.xodr", document(
            road("1", 100, line(0, 0, 0, 0, 100), right=_lane(-1, 3.5)))))
        assert gc.isenabled() is collecting
    finally:
        (gc.enable if was else gc.disable)()


def test_a_map_over_the_size_cap_is_refused_before_it_is_parsed(tmp_path, monkeypatch):
    import maps.parser as parser
    p = write(tmp_path, "big.xodr", document(road("1", 100, line(0, 0, 0, 0, 100),
                                                   right=_lane(-1, 3.5))))
    monkeypatch.setattr(parser, "MAX_MAP_BYTES", 100)
    with pytest.raises(maps.MapsError, match="larger than the 100 accepted for a map") as err:
        maps.load_opendrive(p)
    assert err.value.file == str(p)


def test_repeated_width_and_lane_offset_records_are_warned_of_and_the_later_holds(tmp_path):
    """ASAM/CARLA sweep: esmini's velodrome repeats <width sOffset="0">, ASAM's
    Ex_Simple-LaneOffset a <laneOffset s="75">; map check said nothing. The later record
    holds (as in esmini): lane -1 is 3.5 m wide, the offset 1 m, so its centre is at t=-0.75."""
    text = document(road(
        "1", 100, line(0, 0, 0, 0, 100),
        right='<lane id="-1" type="driving"><width sOffset="0" a="3" b="0" c="0" d="0"/>'
              '<width sOffset="0" a="3.5" b="0" c="0" d="0"/></lane>',
        lanes_extra='<laneOffset s="0" a="0" b="0" c="0" d="0"/>'
                    '<laneOffset s="0" a="1" b="0" c="0" d="0"/>'))
    path = write(tmp_path, "dup.xodr", text)
    issues = [i for i in maps.check_opendrive(path) if "records at" in i.message]
    assert [(i.severity, i.element, i.message) for i in issues] == [
        ("warning", "laneOffset",
         "road 1: 2 <laneOffset> records at s=0: the later one in the file holds"),
        ("warning", "lane", "road 1: laneSection s=0.0 lane -1: 2 <width> records at "
                            "sOffset=0: the later one in the file holds")]
    with pytest.warns(UserWarning):
        net = maps.load_opendrive(path)
    assert net.lane_width("1", -1, 50.0) == pytest.approx(3.5)
    assert net.lane_to_world("1", -1, 50.0, 0.0).y == pytest.approx(-0.75)


def test_lanes_that_fold_over_the_centre_of_a_bend_are_refused(tmp_path):
    """Hostile pass 10: a tight arc made the drivable area's polygon union run for minutes in
    GEOS (no signal reaches it). Arcs tighter than 1 m are refused when read; lanes reaching
    the centre of curvature on the inside of a bend (1 - k t <= 0) are refused by the check:
    here a left bend of radius 5 m with 3.5 + 3.5 m of lanes on its left."""
    from maps_samples import arc
    bend = arc(0, 0, 0, 0, 10, 0.2)
    folded = document(road("1", 10, bend, left=_lane(2, 3.5) + _lane(1, 3.5),
                           right=_lane(-1, 3.5)))
    err = load_error(tmp_path, folded)
    assert err.message == ("road 1: at s=0.000 the lanes reach t=7.000 m on the inside of a "
                           "bend of radius 5.000 m: their borders fold over its centre (lanes "
                           "are offsets of the reference line and need 1 - k t > 0)")
    fine = document(road("1", 10, bend, left=_lane(1, 3.5), right=_lane(-1, 3.5) +
                         _lane(-2, 3.5)))   # 3.5 m inside, 7 m outside: no fold
    assert maps.check_opendrive(write(tmp_path, "fine.xodr", fine)) == []
    tight = document(road("1", 10, arc(0, 0, 0, 0, 10, 2.0), right=_lane(-1, 3.5)))
    assert "(expected |curvature| <= 1 1/m, a radius of at least 1 m)" in \
        load_error(tmp_path, tight).message
    # verify pass 10: within the curvature limit, a 400 m arc of radius 1.01 m (63 turns)
    # still hung the union; more than two full turns of one road are refused
    wound = document(road("1", 400, arc(0, 0, 0, 0, 400, 0.99), right=_lane(-1, 3.5)))
    assert load_error(tmp_path, wound).message == (
        "road 1: its reference line turns through 63.0 full turns by s=400.000 (more than the "
        "2 accepted: a road winding round overlaps its own lanes)")
    loop = document(road("1", 12.5, arc(0, 0, 0, 0, 12.5, 0.99), right=_lane(-1, 0.5)))
    assert maps.check_opendrive(write(tmp_path, "loop.xodr", loop)) == []   # 1.97 turns


def test_a_plan_view_or_lanes_not_starting_at_s_0_are_refused(tmp_path):
    """Hostile pass 10: a first geometry at s=10 (or -50) and a first laneSection at s=10 were
    clean; positions before them were extrapolated. Geometries out of order: a warning."""
    late = document(road("1", 100, line(10, 0, 0, 0, 100), right=_lane(-1, 3.5)))
    assert "the plan view starts at s=10, the road at s=0" in load_error(tmp_path, late).message
    lanes = ('<laneSection s="10"><center><lane id="0" type="none"/></center><right>'
             f'{_lane(-1, 3.5)}</right></laneSection>')
    no_lanes = document(road("1", 100, line(0, 0, 0, 0, 100), sections=lanes))
    assert "the first laneSection starts at s=10" in load_error(tmp_path, no_lanes).message
    swapped = document(road("1", 100, line(50, 50, 0, 0, 50) + line(0, 0, 0, 0, 50),
                            right=_lane(-1, 3.5)))
    (issue,) = maps.check_opendrive(write(tmp_path, "swapped.xodr", swapped))
    assert issue.severity == "warning" and "not listed in ascending s" in issue.message


def test_a_superelevation_reaching_80_degrees_is_refused(tmp_path):
    """Hostile pass 10: a roll of pi/2 put lane -1 6.5e7 m below its road and the case passed.
    The roll's exact extreme on each record's stretch is checked: here 0.2 + 0.02 s reaches
    1.4 rad at s = 60 of a 100 m road (esmini's velodrome banks at 60 degrees: accepted)."""
    def banked(b: float) -> str:
        return document(road("1", 100, line(0, 0, 0, 0, 100), right=_lane(-1, 3.5),
                             extra=f'<lateralProfile><superelevation s="0" a="0.2" b="{b}" '
                                   f'c="0" d="0"/></lateralProfile>'))
    err = load_error(tmp_path, banked(0.02))
    assert err.message == ("road 1: superelevation 2.2 rad at s=100.000: expected |roll| < 1.4 "
                           "rad (80 degrees; nearer 90 the road is a wall)")
    assert err.element == "superelevation"
    ok = write(tmp_path, "ok.xodr", banked(0.008))      # 0.2 .. 1.0 rad
    assert maps.check_opendrive(ok) == []


def test_two_lane_sections_at_one_s_are_warned_of(tmp_path):
    """Hostile pass 10: a repeated laneSection was silently overridden."""
    sec = ('<laneSection s="0"><center><lane id="0" type="none"/></center><right>'
           f'{_lane(-1, 3.5)}</right></laneSection>')
    path = write(tmp_path, "dup.xodr", document(road("1", 100, line(0, 0, 0, 0, 100),
                                                     sections=sec + sec.replace("3.5", "3.0"))))
    (issue,) = maps.check_opendrive(path)
    assert (issue.severity, issue.message) == (
        "warning", "road 1: two laneSections start at s=0: the later one holds, the other has "
                   "no length")
    with pytest.warns(UserWarning):
        assert maps.load_opendrive(path).lane_width("1", -1, 50.0) == pytest.approx(3.0)


@pytest.mark.parametrize("attrs, inner, messages", [
    ('', '<crossPath id="0" crossingRoad="10" roadAtStart="11" roadAtEnd="12"/>',
     ["junction 100: 1 crossPath record(s) (OpenDRIVE 1.8 pedestrian crossings) are not "
      "modelled: ignored"]),
    (' mainRoad="10" sStart="10" sEnd="20"', '',
     ["junction 100: mainRoad, sStart, sEnd belong to a virtual junction (clause 12.7), but "
      "its type is 'default': ignored"]),
    (' type="virtual" mainRoad="10" sStart="10" sEnd="20"', '', []),
])
def test_junction_records_that_are_not_read_are_warned_of(tmp_path, attrs, inner, messages):
    """realinputs16: qc-opendrive's negative example (virtual-junction attributes on a
    default junction holding only a crossPath) was checked silently. The junction of
    t_junction() (line 9 of the file) with extra attributes or records."""
    from maps_samples import t_junction
    doc = t_junction().replace('<junction id="100" name="j">',
                               f'<junction id="100" name="j"{attrs}>{inner}')
    issues = maps.check_opendrive(write(tmp_path, "j.xodr", doc))
    found = [i for i in issues if "junction 100" in i.message]
    assert [i.message for i in found] == messages
    assert all((i.severity, i.line) == ("warning", doc.count("\n", 0, doc.index("<junction"))
                                        + 1) for i in found)


def test_a_junction_without_connections_is_warned_of(tmp_path):
    from maps_samples import t_junction
    doc = t_junction()
    start, end = doc.index('<connection id="0"'), doc.index("</junction>")
    issues = maps.check_opendrive(write(tmp_path, "j.xodr", doc[:start] + doc[end:]))
    assert "junction 100 has no connection: no road leads through it" in \
        [i.message for i in issues if i.severity == "warning"]


def test_a_lane_offset_with_border_lanes_is_warned_of(tmp_path):
    """qc-opendrive rule 104 (realinputs16b: its negative example was checked silently): a
    laneOffset of 1.25 m on a road whose lanes are given by border records at t = +-3.57 m,
    read from the reference line: lane 1 is 2.32 m wide, lane -1 4.82 m."""
    def bordered(lid: int, t: float) -> str:
        return (f'<lane id="{lid}" type="driving" level="false"><border sOffset="0" a="{t}" '
                f'b="0" c="0" d="0"/></lane>')
    offset = '<laneOffset s="0" a="1.25" b="0" c="0" d="0"/>'
    doc = document(road("1", 100.0, line(0, 0, 0, 0, 100.0), left=bordered(1, 3.57),
                        right=bordered(-1, -3.57), lanes_extra=offset))
    path = write(tmp_path, "b.xodr", doc)
    found = [i for i in maps.check_opendrive(path) if "rule 104" in i.message]
    assert [(i.severity, i.element) for i in found] == [("warning", "laneOffset")]
    net = maps.load_opendrive(path)
    sec = net.roads["1"].sections[0]
    assert net.roads["1"].lane_span(1, 10.0, sec) == pytest.approx((1.25, 3.57))
    assert net.roads["1"].lane_span(-1, 10.0, sec) == pytest.approx((1.25, -3.57))
    plain = document(road("1", 100.0, line(0, 0, 0, 0, 100.0), left=bordered(1, 3.57),
                          right=bordered(-1, -3.57)))
    assert not [i for i in maps.check_opendrive(write(tmp_path, "p.xodr", plain))
                if "rule 104" in i.message]
