"""Values far outside road scale, impossible lane ids and non-files are refused where they are
read, with file, line and element; sampling loops stay bounded."""

from __future__ import annotations

import os

import pytest

import maps
from maps.geometry import Line
from maps.parser import MAX_CURVATURE
from maps.reference_line import MAX_SAMPLES, ReferenceLine
from maps_samples import _lane, load_error, arc, document, line, road, write


def test_a_directory_is_not_reported_as_missing(tmp_path):
    with pytest.raises(maps.MapsError, match="is a directory"):
        maps.load_opendrive(tmp_path)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_a_device_is_refused_without_reading_it():
    with pytest.raises(maps.MapsError, match="not a regular file"):
        maps.load_opendrive("/dev/zero")


def test_opendrive_2_is_refused(tmp_path):
    text = document(road("1", 100, line(0, 0, 0, 0, 100), right=_lane(-1, 3.5)))
    err = load_error(tmp_path, text.replace('revMajor="1"', 'revMajor="2"'))
    assert "revMajor=2 (expected 1" in err.message
    assert err.element == "header" and err.line == 3


@pytest.mark.parametrize("shape, attr", [
    ('<arc curvature="1e308"/>', "curvature"),
    ('<arc curvature="-10.5"/>', "curvature"),
    ('<arc curvature="1e6"/>', "curvature"),
    ('<spiral curvStart="0" curvEnd="1e9"/>', "curvEnd"),
    ('<spiral curvStart="-20" curvEnd="0"/>', "curvStart"),
])
def test_curvature_beyond_a_tenth_metre_radius_is_refused(tmp_path, shape, attr):
    geom = line(0, 0, 0, 0, 100).replace("<line/>", shape)
    err = load_error(tmp_path, document(road("1", 100, geom, right=_lane(-1, 3.5))))
    assert f"expected |{attr}| <= " in err.message  # 1e308 trips the general range first
    assert err.element == shape[1:].split()[0] and err.line == 4


def test_curvature_at_the_limit_is_accepted(tmp_path):
    # a 1 m radius: a 3 m arc from (0, 0) heading +x reaches x = 1 m, its lane 0.05 m more
    p = write(tmp_path, "ok.xodr", document(road("1", 3.0, arc(0, 0, 0, 0, 3.0, MAX_CURVATURE),
                                                 right=_lane(-1, 0.05))))
    net = maps.load_opendrive(p)
    assert net.bounds[2] == pytest.approx(1.05, abs=0.01)


def test_number_far_beyond_road_scale_is_refused(tmp_path):
    geom = line(0, 0, 0, 0, 100).replace('x="0"', 'x="1e300"')
    err = load_error(tmp_path, document(road("1", 100, geom, right=_lane(-1, 3.5))))
    assert "x='1e300' is out of range" in err.message and err.element == "geometry"


def test_zero_length_road_is_refused(tmp_path):
    text = document(road("1", 0, line(0, 0, 0, 0, 0.005), right=_lane(-1, 3.5)))
    err = load_error(tmp_path, text)
    assert "length=0 (expected > 0 and <= 1e+06 m)" in err.message and err.element == "road"


@pytest.mark.parametrize("left, right, message", [
    (_lane(1, 3.5), _lane(1, 3.5), "lane id=1 in <right> (expected an id < 0)"),
    (_lane(-1, 3.5), _lane(-2, 3.5), "lane id=-1 in <left> (expected an id > 0)"),
    ("", _lane(-1, 3.5) + _lane(-1, 3.0), "lane id=-1 appears twice in one laneSection"),
    ("", _lane(-1, 3.5).replace('"-1"', '"-1.5"'), "id='-1.5' is not an integer"),
])
def test_impossible_lane_ids_are_refused(tmp_path, left, right, message):
    err = load_error(tmp_path, document(road("1", 100, line(0, 0, 0, 0, 100), left=left,
                                              right=right)))
    assert message in err.message and err.element == "lane" and err.line == 4


def test_sampling_is_bounded_per_geometry():
    ref = ReferenceLine([Line(0, 0, 0, 0, 1e9)], 1e9)
    assert len(ref.sample_s(max_step=0.01)) == MAX_SAMPLES + 1


def test_a_road_longer_than_1000_km_is_refused(tmp_path):
    # a 1e9 m road passed the number check and hung every run on it (hostile pass 4)
    err = load_error(tmp_path, document(road("1", 2e6, line(0, 0, 0, 0, 2e6),
                                              right=_lane(-1, 3.5))))
    assert "road 1: length=" in err.message and "<= 1e+06 m" in err.message
    assert err.element == "road"


def test_lane_ids_with_a_gap_are_a_warning(tmp_path):
    # only lane -3 on the right: clause 11.3 numbers lanes consecutively from the centre
    p = write(tmp_path, "gap.xodr", document(road("1", 100, line(0, 0, 0, 0, 100),
                                                 right=_lane(-3, 3.5))))
    issues = maps.check_opendrive(p)
    assert [i.severity for i in issues] == ["warning"]
    assert "right lane ids [-3] are not numbered consecutively" in issues[0].message
    p = write(tmp_path, "ok.xodr", document(road("1", 100, line(0, 0, 0, 0, 100),
                                                right=_lane(-1, 3.5) + _lane(-2, 3.5))))
    assert maps.check_opendrive(p) == []
