"""Trajectory shapes against hand-derived geometry (scenarios.trajectories)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import pytest

from testzone.world import Pose

from scenarios.trajectories import (ClothoidShape, ClothoidSplineShape, Nurbs, NurbsShape,
                                    PolylineShape, SplineSegment, cox_de_boor)


@dataclass(frozen=True)
class Fixed:
    """A position spec that resolves to a fixed pose (``given``: states its heading)."""

    pose: Pose
    given: bool = False

    @property
    def orientation(self):
        return object() if self.given else None

    def resolve(self, rt):
        from scenarios.runtime import Placement
        return Placement(self.pose, None)


def P(x, y, h=0.0, given=False):
    return Fixed(Pose(x, y, 0.0, h), given)


def test_cox_de_boor_partition_of_unity_and_clamped_ends():
    knots = (0.0, 0.0, 0.0, 0.3333, 0.6667, 1.0, 1.0, 1.0)
    for t in (0.0, 0.1, 0.5, 0.9, 0.999999):
        values = [cox_de_boor(t, i, 3, knots) for i in range(5)]
        assert sum(values) == pytest.approx(1.0)
        assert min(values) >= 0.0
    assert cox_de_boor(0.0, 0, 3, knots) == 1.0          # clamped: starts at the first point


def test_rational_quadratic_nurbs_is_an_exact_circle():
    """Quarter circle: control points (1,0), (1,1), (0,1), weights 1, sqrt(2)/2, 1."""
    curve = Nurbs(3, [(1.0, 0.0), (1.0, 1.0), (0.0, 1.0)], [1.0, math.sqrt(0.5), 1.0],
                  (0.0, 0.0, 0.0, 1.0, 1.0, 1.0))
    for t in (0.0, 0.2, 0.5, 0.8, 0.99):
        x, y = curve.point(t)
        assert math.hypot(x, y) == pytest.approx(1.0, abs=1e-12)
    assert curve.point(0.5) == pytest.approx((math.sqrt(0.5), math.sqrt(0.5)))


def test_nurbs_shape_path_length_and_times():
    """A 100 m radius quarter circle sampled about once per metre: length pi*R/2 within the
    chord error, headings along the tangent, times from the control points (0, 5, 10 s)."""
    r = 100.0
    shape = NurbsShape(3, ((P(r, 0), 0.0, 1.0), (P(r, r), 5.0, math.sqrt(0.5)),
                           (P(0, r), 10.0, 1.0)), (0.0, 0.0, 0.0, 1.0, 1.0, 1.0))
    path = shape.freeze(None, False, 0.0)
    assert path.length == pytest.approx(math.pi * r / 2, rel=1e-4)
    mid = path.pose_at(path.length / 2)
    assert math.hypot(mid.x, mid.y) == pytest.approx(r, abs=1e-9)     # refined on the curve
    assert mid.h == pytest.approx(math.pi * 3 / 4, abs=0.01)
    assert (path.start_time, path.duration) == (0.0, 10.0)
    # symmetric, up to the sampled basis peak (esmini's method: within one sample, ~0.8 m)
    assert path.s_at_time(5.0) == pytest.approx(path.length / 2, abs=0.8)
    assert path.s_at_time(5.0) != pytest.approx(path.length / 2, abs=0.01)


def test_nurbs_rejects_wrong_knot_count():
    with pytest.raises(ValueError, match="needs 6 knots"):
        Nurbs(3, [(0, 0), (1, 0), (2, 0)], [1, 1, 1], (0, 0, 1, 1))


def test_clothoid_with_constant_curvature_is_an_arc():
    """curvature 1/50, rate 0, length 50*pi/2: a quarter circle of radius 50 m turning left."""
    shape = ClothoidShape(P(0, 0, 0.0), 0.02, 0.0, 25 * math.pi, 0.0, 5.0)
    path = shape.freeze(None, False, 0.0)
    end = path.pose_at(path.length)
    assert (end.x, end.y, end.h) == pytest.approx((50.0, 50.0, math.pi / 2), abs=1e-9)
    half = path.pose_at(path.length / 2)
    assert (half.x, half.y) == pytest.approx((50 * math.sin(math.pi / 4),
                                              50 - 50 * math.cos(math.pi / 4)), abs=1e-9)
    assert path.s_at_time(2.5) == pytest.approx(path.length / 2)


def test_clothoid_spline_segments_join_and_hoffset_turns():
    """Straight 10 m, then a right quarter circle of radius 20 m, then straight 5 m."""
    segs = (SplineSegment(0.0, 0.0, 10.0, time_start=0.0),
            SplineSegment(-0.05, -0.05, 10 * math.pi, time_start=1.0),
            SplineSegment(0.0, 0.0, 5.0, time_start=3.0))
    path = ClothoidSplineShape(segs, time_end=4.0).freeze(None, False, 0.0, Pose(0, 0, 0, 0))
    end = path.pose_at(path.length)
    assert (end.x, end.y, end.h) == pytest.approx((30.0, -25.0, -math.pi / 2), abs=1e-9)
    assert path.s_at_time(1.0) == pytest.approx(10.0, abs=1e-6)
    assert path.s_at_time(3.5) == pytest.approx(10 + 10 * math.pi + 2.5, abs=1e-6)
    turned = ClothoidSplineShape((SplineSegment(0.0, 0.0, 10.0, h_offset=math.pi / 2),)
                                 ).freeze(None, False, 0.0, Pose(1, 2, 0, 0))
    assert turned.pose_at(10.0).x == pytest.approx(1.0) and turned.pose_at(10.0).y == \
        pytest.approx(12.0)
    assert not turned.timed


def test_clothoid_spline_times_missing_on_some_segments_follow_from_time_end():
    """scenariogeneration's ClothoidSpline example: timeEnd 10 s, the second of two 10 m
    segments starts at 5 s, the first has no timeStart: it starts at 0 (the times were all
    dropped, and the trajectory crawled for 80 s). An inner segment without timeStart is
    placed along the length between the times around it; no timeEnd: untimed."""
    def spline(starts, time_end):
        segs = tuple(SplineSegment(0.0, 0.0, length, time_start=t)
                     for length, t in zip((10.0, 10.0, 20.0), starts))
        return ClothoidSplineShape(segs[:len(starts)], time_end=time_end)
    assert spline((None, 5.0), 10.0).times() == [0.0, 5.0, 10.0]
    assert spline((2.0, None, None), 12.0).times() == pytest.approx([2.0, 4.5, 7.0, 12.0])
    assert spline((0.0, 5.0), None).times() is None and not spline((0.0, 5.0), None).timed
    path = spline((None, 5.0), 10.0).freeze(None, False, 0.0, Pose(0, 0, 0, 0))
    assert (path.start_time, path.duration) == (0.0, 10.0)
    assert path.s_at_time(2.5) == pytest.approx(5.0) and path.s_at_time(7.5) == \
        pytest.approx(15.0)


@pytest.mark.parametrize("times, end, says", [
    ((0.0, 8.0, 3.0), 12.0, "segment 3 timeStart = 3 s is not after segment 2 timeStart = 8 s"),
    ((0.0, 4.0, 4.0), 12.0, "segment 3 timeStart = 4 s is not after segment 2 timeStart = 4 s"),
    ((0.0, 15.0, None), 10.0, "timeEnd = 10 s is not after segment 2 timeStart = 15 s"),
    ((None, None, None), 0.0, "timeEnd = 0 s is not after the start of segment 1, without "
                              "timeStart, = 0 s"),
])
def test_clothoid_spline_times_must_increase(tmp_path, times, end, says):
    """Hostile pass 9: times that went backwards, stood still or ended at 0 passed check and
    scored 100 while the entity moved at 1721 m/s or jumped 100 m in a step."""
    from builders import write

    from scenarios import ScenarioError, load_scenario
    segs = "".join(f'<ClothoidSplineSegment curvatureStart="0" curvatureEnd="0" length="10"'
                   + (f' timeStart="{t}"' if t is not None else "") + ">"
                   + (f"<PositionStart>{START}</PositionStart>" if k == 0 else "")
                   + "</ClothoidSplineSegment>" for k, t in enumerate(times))
    shape = f'<ClothoidSpline timeEnd="{end}">{segs}</ClothoidSpline>'
    with pytest.raises(ScenarioError, match=re.escape(says)) as info:
        load_scenario(write(tmp_path, shape_scenario(shape)))
    assert info.value.line is not None and info.value.element == "ClothoidSpline"


def test_polyline_position_mode_constant_speed_per_segment():
    """Vertices 0 m @0 s, 30 m @2 s, 40 m @4 s: 15 m/s then 5 m/s."""
    shape = PolylineShape(((P(0, 0), 0.0), (P(30, 0), 2.0), (P(30, 10), 4.0)))
    path = shape.freeze(None, False, 0.0)
    assert path.s_at_time(1.0) == pytest.approx(15.0)
    assert path.s_at_time(3.0) == pytest.approx(35.0)
    assert path.s_at_time(9.0) == pytest.approx(40.0)
    assert path.pose_at(35.0).y == pytest.approx(5.0)
    assert path.pose_at(15.0).h == pytest.approx(0.0)            # away from corners: segment
    assert path.pose_at(30.0).h == pytest.approx(math.pi / 4)    # at the corner: halfway


def test_polyline_follow_mode_constant_acceleration_and_early_stop():
    """Follow mode from 10 m/s: 30 m in 2 s needs a = 2*(30-20)/4 = 5 m/s^2 (v1 = 20 m/s);
    then 10 m in 5 s from 20 m/s would need reversing, so it brakes to stop in 10 m
    (a = -v^2/2d = -20 m/s^2, standstill after 1 s)."""
    shape = PolylineShape(((P(0, 0), 0.0), (P(30, 0), 2.0), (P(40, 0), 7.0)))
    path = shape.freeze(None, True, 10.0)
    assert path.s_at_time(1.0) == pytest.approx(10 + 2.5)
    assert path.v[1].speed == pytest.approx(20.0) and path.v[1].acc == pytest.approx(-20.0)
    assert path.s_at_time(2.5) == pytest.approx(30 + 20 * 0.5 - 10 * 0.25)
    assert path.s_at_time(5.0) == pytest.approx(40.0)


def test_polyline_stated_headings_interpolate_linearly():
    """Vertices with stated headings (esmini pedestrian.xosc): linear between them."""
    shape = PolylineShape(((P(0, 0, 0.0, True), None), (P(10, 0, 1.0, True), None)))
    path = shape.freeze(None, False, 0.0)
    assert path.pose_at(2.5).h == pytest.approx(0.25)
    assert not path.timed and math.isnan(path.time_at_s(1.0))


def shape_scenario(shape: str) -> str:
    """A scenario whose Car follows the trajectory ``shape`` (the Shape's inner XML) from
    t = 0.5 s (stop at 2 s)."""
    from builders import document, event, sim_time, story, teleport, trigger
    action = ('<Action name="n"><PrivateAction><RoutingAction><FollowTrajectoryAction>'
              '<TrajectoryRef><Trajectory name="t" closed="false"><Shape>' + shape +
              '</Shape></Trajectory></TrajectoryRef><TimeReference><None/>'
              '</TimeReference><TrajectoryFollowingMode followingMode="position"/>'
              '</FollowTrajectoryAction></RoutingAction></PrivateAction></Action>')
    return document(teleport("Car", -1, 10, speed=5),
                    story(event("E", action, trigger(sim_time(0.5)))),
                    trigger(sim_time(2), kind="StopTrigger"))


def nurbs_scenario(order: int, control_points: str, knots) -> str:
    """A scenario whose Car follows a Nurbs trajectory from t = 0.5 s (stop at 2 s)."""
    return shape_scenario(f'<Nurbs order="{order}">' + control_points +
                          "".join(f'<Knot value="{k}"/>' for k in knots) + '</Nurbs>')


def test_degenerate_nurbs_fails_with_file_and_line(tmp_path):
    """All control points on the car: a ScenarioError naming the file and the Action's line."""
    from builders import run, write

    from scenarios.errors import ScenarioError
    cp = ('<ControlPoint weight="1"><Position><RelativeObjectPosition entityRef="Car" dx="0" '
          'dy="0"/></Position></ControlPoint>')
    text = nurbs_scenario(2, cp * 2, [0, 0, 1, 1])
    with pytest.raises(ScenarioError, match="zero length") as info:
        run(write(tmp_path, text), until=2)
    assert info.value.line and info.value.file.endswith("t.xosc")


@pytest.mark.parametrize("order,knots,weight,fragment", [
    (3, [0.0] * 7, 1.0, "non-decreasing Knot values with the last above the first"),
    (3, [0, 0, 0, 2, 1, 1, 1], 1.0, "non-decreasing"),
    (3, [0, 0, 0, 1, 2, 2, 2], 0.0, "weights > 0"),
    (9, [0.0] * 13, 1.0, "an order of 1..4"),
])
def test_nurbs_that_define_no_curve_are_refused_at_load(tmp_path, order, knots, weight,
                                                        fragment):
    """All-equal knots gave ZeroDivisionError during the run (exit 3); now the file's line."""
    from builders import write

    from scenarios import ScenarioError, load_scenario
    cps = "".join(f'<ControlPoint weight="{weight}"><Position><WorldPosition x="{x}" y="0"/>'
                  f'</Position></ControlPoint>' for x in (10, 20, 30, 40))
    text = nurbs_scenario(order, cps, knots)
    with pytest.raises(ScenarioError, match=fragment) as info:
        load_scenario(write(tmp_path, text))
    assert info.value.line is not None


START = '<Position><WorldPosition x="10" y="-1.75"/></Position>'


@pytest.mark.parametrize("shape, fragment", [
    # sampled a vertex a metre, 1e300 m ran until memory ran out (hostile pass 4)
    (f'<Clothoid curvature="0" curvatureDot="0" length="1e300">{START}</Clothoid>',
     "expected a length in (0, 100000] m"),
    # curvature 1e6 gave NaN positions deep in the spatial index
    (f'<Clothoid curvature="1e6" curvatureDot="0" length="100">{START}</Clothoid>',
     "curvatures within +-10 1/m"),
    (f'<Clothoid curvature="0" curvatureDot="1" length="100">{START}</Clothoid>',
     "got 100"),
    (f'<Clothoid curvature="0" length="10" startTime="4" stopTime="2">{START}</Clothoid>',
     "stopTime 2 s is before startTime 4 s"),
    (f'<ClothoidSpline><ClothoidSplineSegment curvatureStart="0" curvatureEnd="0" '
     f'length="1e12"><PositionStart>{START}</PositionStart></ClothoidSplineSegment>'
     '</ClothoidSpline>', "expected a length in (0, 100000] m"),
])
def test_shapes_beyond_any_test_case_are_refused_at_load(tmp_path, shape, fragment):
    from builders import write

    from scenarios import ScenarioError, load_scenario
    with pytest.raises(ScenarioError, match=re.escape(fragment)) as info:
        load_scenario(write(tmp_path, shape_scenario(shape)))
    assert info.value.line is not None


def test_nurbs_with_a_huge_control_polygon_fails_with_file_and_line(tmp_path):
    from builders import run, write

    from scenarios.errors import ScenarioError
    cps = "".join(f'<ControlPoint weight="1"><Position><WorldPosition x="{x}" y="-1.75"/>'
                  f'</Position></ControlPoint>' for x in (0, 9.9e7))
    with pytest.raises(ScenarioError, match="control polygon of 9.9e\\+07 m") as info:
        run(write(tmp_path, nurbs_scenario(2, cps, [0, 0, 1, 1])), until=2)
    assert info.value.line and info.value.file.endswith("t.xosc")


def test_position_start_holds_the_position_element_as_its_xsd_type_says(tmp_path):
    # OpenSCENARIO 1.3: PositionStart is of type Position, so the WorldPosition sits directly
    # inside it (esmini's lane-change_clothoid_spline_based_trajectory.xosc); the reader only
    # took a nested <Position> and refused the file
    from builders import run, write
    spline = ('<ClothoidSpline><ClothoidSplineSegment curvatureStart="0" curvatureEnd="0" '
              'length="20"><PositionStart>{}</PositionStart></ClothoidSplineSegment>'
              '</ClothoidSpline>')
    starts = []
    for inner in ('<WorldPosition x="10" y="-1.75"/>', START):
        worlds, _, _ = run(write(tmp_path, shape_scenario(spline.format(inner))), until=1)
        starts.append((round(worlds[-1].entities["Car"].pose.x, 6),
                       round(worlds[-1].entities["Car"].pose.y, 6)))
    assert starts[0] == starts[1] and starts[0][1] == -1.75
