"""Distances between entities (and to positions) as OpenSCENARIO conditions measure them.

ASAM OpenSCENARIO 1.x, clause "Distances": a ``coordinateSystem`` (entity, road, lane,
trajectory) and a ``relativeDistanceType`` (longitudinal, lateral, euclidianDistance),
between reference points or, with ``freespace``, between bounding boxes. esmini's
``Object::Distance`` is the reference behaviour:

* ``entity``: the other point in the first entity's frame (x forward, y left);
* ``road``/``lane``: difference of road coordinates (s along the network via
  ``net.longitudinal_distance``, t laterally), measured from the first entity;
* freespace: boxes instead of points (longitudinal/lateral gaps between box projections;
  Euclidean: shortest distance between the ground rectangles).

Results are signed (positive when the other is ahead / to the left) except Euclidean ones;
None means "not defined" (e.g. not connected through the road network).
"""

from __future__ import annotations

import math

from shapely.geometry import Polygon

from testzone.world import BoundingBox, LaneCoord, Pose

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
               freespace: bool) -> float | None:
    """Distance from a to b in road coordinates [m], None when not connected."""
    if a is None or b is None:
        return None
    ds = rt.net.longitudinal_distance(a, b)
    if ds is None:
        return None
    dt = b.t - a.t if not (math.isnan(a.t) or math.isnan(b.t)) else 0.0
    if freespace:
        la = a_box.length / 2 if a_box else 0.0
        lb = b_box.length / 2 if b_box else 0.0
        wa = a_box.width / 2 if a_box else 0.0
        wb = b_box.width / 2 if b_box else 0.0
        ds = math.copysign(max(abs(ds) - la - lb, 0.0), ds)
        dt = math.copysign(max(abs(dt) - wa - wb, 0.0), dt)
    return {LONGITUDINAL: ds, LATERAL: dt}.get(kind, math.hypot(ds, dt))


def between(rt: Runtime, a: str, b: str, system: str, kind: str, freespace: bool) -> float | None:
    """Distance from entity ``a`` to entity ``b`` [m] (None when undefined)."""
    ma, mb = rt.mover(a), rt.mover(b)
    if system in ("road", "lane"):
        return road_frame(rt, ma.lane, ma.defn.box, mb.lane, mb.defn.box, kind, freespace)
    return entity_frame(ma.pose, ma.defn.box, mb.pose, mb.defn.box, kind, freespace)


def to_point(rt: Runtime, a: str, pose: Pose, coord: LaneCoord | None, system: str, kind: str,
             freespace: bool) -> float | None:
    """Distance from entity ``a`` to a position (pose and lane coordinate) [m]."""
    ma = rt.mover(a)
    if system in ("road", "lane"):
        return road_frame(rt, ma.lane, ma.defn.box, coord, None, kind, freespace)
    return entity_frame(ma.pose, ma.defn.box, pose, None, kind, freespace)
