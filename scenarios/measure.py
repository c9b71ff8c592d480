"""Distances between entities (and to positions) as OpenSCENARIO conditions measure them.

ASAM OpenSCENARIO 1.x, clause "Distances": a ``coordinateSystem`` (entity, road, lane,
trajectory) and a ``relativeDistanceType`` (longitudinal, lateral, euclidianDistance),
between reference points or, with ``freespace``, between bounding boxes. esmini's
``Object::Distance`` is the reference behaviour:

* ``entity``: the other point in the first entity's frame (x forward, y left);
* ``road``/``lane``: difference of road coordinates (s along the network via
  ``net.longitudinal_distance``, t laterally), measured from the first entity;
* freespace: boxes instead of points (longitudinal/lateral gaps between box projections, in
  road coordinates the boxes' corners on the road's s and t axes; entity Euclidean: shortest
  distance between the ground rectangles).

Results are signed (positive when the other is ahead / to the left) except Euclidean ones;
None means "not defined" (e.g. not connected through the road network).
"""

from __future__ import annotations

import math

from shapely.geometry import Polygon

from testzone.world import BoundingBox, LaneCoord, Pose

from scenarios.motion import driving_sign
from scenarios.runtime import Runtime, local_xy

LONGITUDINAL, LATERAL, EUCLIDEAN = "longitudinal", "lateral", "euclidianDistance"


def _extent(box: BoundingBox, axis: int) -> tuple[float, float]:
    """(min, max) of a box along its own x (axis=0) or y (axis=1) axis [m]."""
    c, half = (box.cx, box.length / 2) if axis == 0 else (box.cy, box.width / 2)
    return c - half, c + half


def _projected(box: BoundingBox, pose: Pose, frame: Pose, axis: int) -> tuple[float, float]:
    pts = [local_xy(frame, x, y)[axis] for x, y in box.corners(pose)]
    return min(pts), max(pts)


def _gap(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Signed gap from interval a to interval b (0 when they overlap)."""
    if b[0] > a[1]:
        return b[0] - a[1]
    if b[1] < a[0]:
        return b[1] - a[0]
    return 0.0


def entity_frame(a_pose: Pose, a_box: BoundingBox | None, b_pose: Pose,
                 b_box: BoundingBox | None, kind: str, freespace: bool) -> float:
    """Distance from a to b in a's frame [m] (see module docstring)."""
    lx, ly = local_xy(a_pose, b_pose.x, b_pose.y)
    if not freespace or a_box is None:
        return {LONGITUDINAL: lx, LATERAL: ly}.get(kind, math.hypot(lx, ly))
    b_box = b_box or BoundingBox(0, 0, 0, 0, 0, 0)
    if kind == EUCLIDEAN:
        return Polygon(a_box.corners(a_pose)).distance(Polygon(b_box.corners(b_pose)))
    axis = 0 if kind == LONGITUDINAL else 1
    return _gap(_extent(a_box, axis), _projected(b_box, b_pose, a_pose, axis))


def road_frame(rt: Runtime, a: LaneCoord | None, a_box: BoundingBox | None,
               b: LaneCoord | None, b_box: BoundingBox | None, kind: str,
               freespace: bool, a_pose: Pose | None = None,
               b_pose: Pose | None = None) -> float | None:
    """Distance from a to b in road coordinates [m], None when not connected.

    With ``freespace`` the gap is between the boxes' extents in road coordinates: each box's
    corners (its centre offset and its heading against the road's reference line, from
    ``a_pose`` / ``b_pose``) projected on the road's s and t axes at its reference point
    (esmini's ``FreeSpaceDistanceObjectRoadLane`` maps the corners to road coordinates), so a
    car facing the other way, or with its box centre ahead of its reference point, is
    measured from its real front and rear (semantics pass 14: a 2.8 m error, an oncoming
    car measured as if it drove the other way). Laterally only on one road (t axes of two
    roads need not agree): across roads, and without poses or the road's reference line,
    half lengths and widths about the reference points."""
    if a is None or b is None:
        return None
    found = rt.net.longitudinal_path(a, b)      # the distance and how b's road runs
    if found is None:
        return None
    ds, fb = found
    dt = b.t - a.t if not (math.isnan(a.t) or math.isnan(b.t)) else 0.0
    if freespace:
        ea, eb = _road_extents(rt, a, a_pose, a_box), _road_extents(rt, b, b_pose, b_box)
        if ea is not None and eb is not None:
            fa = driving_sign(rt.net, a.road_id, a.lane_id) if a.lane_id != 0 else 1
            ds = _gap(sorted((fa * ea[0][0], fa * ea[0][1])),
                      tuple(ds + v for v in sorted((fb * eb[0][0], fb * eb[0][1]))))
            if a.road_id == b.road_id:
                dt = _gap(ea[1], tuple(dt + v for v in eb[1]))
            else:
                dt = _half_gap(dt, a_box, b_box, "width")
        else:
            ds = _half_gap(ds, a_box, b_box, "length")
            dt = _half_gap(dt, a_box, b_box, "width")
    return {LONGITUDINAL: ds, LATERAL: dt}.get(kind, math.hypot(ds, dt))


def _half_gap(d: float, a_box: BoundingBox | None, b_box: BoundingBox | None,
              size: str) -> float:
    """``d`` [m] less half of each box's ``size`` (length or width), not below 0."""
    half = sum(getattr(box, size) / 2 for box in (a_box, b_box) if box is not None)
    return math.copysign(max(abs(d) - half, 0.0), d)


def _road_extents(rt: Runtime, coord: LaneCoord, pose: Pose | None,
                  box: BoundingBox | None) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """((s min, s max), (t min, t max)) [m] of ``box`` about its reference point along the
    +s and +t axes of its road at ``coord.s``; zeros without a box (a point); None when the
    pose or the road's reference line is unknown."""
    if box is None:
        return (0.0, 0.0), (0.0, 0.0)
    road = getattr(rt.net, "roads", {}).get(coord.road_id)
    line = getattr(road, "reference_line", None)
    if pose is None or line is None:
        return None
    axes = Pose(pose.x, pose.y, 0.0, line.pose(coord.s)[2])   # +s, +t at the reference point
    return _projected(box, pose, axes, 0), _projected(box, pose, axes, 1)


def between(rt: Runtime, a: str, b: str, system: str, kind: str, freespace: bool) -> float | None:
    """Distance from entity ``a`` to entity ``b`` [m] (None when undefined)."""
    ma, mb = rt.mover(a), rt.mover(b)
    if system in ("road", "lane"):
        return road_frame(rt, ma.lane, ma.defn.box, mb.lane, mb.defn.box, kind, freespace,
                          ma.pose, mb.pose)
    return entity_frame(ma.pose, ma.defn.box, mb.pose, mb.defn.box, kind, freespace)


def to_point(rt: Runtime, a: str, pose: Pose, coord: LaneCoord | None, system: str, kind: str,
             freespace: bool) -> float | None:
    """Distance from entity ``a`` to a position (pose and lane coordinate) [m]."""
    ma = rt.mover(a)
    if system in ("road", "lane"):
        return road_frame(rt, ma.lane, ma.defn.box, coord, None, kind, freespace,
                          ma.pose, pose)
    return entity_frame(ma.pose, ma.defn.box, pose, None, kind, freespace)
