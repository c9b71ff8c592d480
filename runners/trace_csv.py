"""Per-case trace in esmini's CSV format (``--trace csv``), so any run compares with esmini.

Layout as esmini's ``--csv_logger`` writes it (esmini v3.6 ``ScenarioPlayer::UpdateCSV_Log``,
described in ``shared/reference/esmini/README.md``): six header lines, a column-name line, then
one row per step: ``Index, TimeStamp`` and a 31-column block per entity. Velocities and
accelerations are in the world frame, as esmini writes them: ``Vel_X/Y`` the speed along the
heading, ``Vel_Z`` the change of z between frames, ``Acc_*`` the finite difference of ``Vel_*``.
``Wheel_Angle`` is the front-wheel angle in radians, as esmini writes it despite the [deg] of
its header: the bicycle model's for an agent-driven ego, ``atan(yaw rate * wheelbase /
speed)`` for an entity the storyboard moves (esmini's value, checked against its CSVs).
``Wheel_Rotation`` turns with the distance driven on wheels of radius 0.35 m (esmini's
default), in [0, 2 pi). With the road network, the road columns are those of the entity's
lane position: the heading relative to the reference line in [0, 2 pi) and relative to the
lane's driving direction in (-pi, pi], and the reference line's curvature; angles are written
in [0, 2 pi) as esmini does. Collision ids list the entities whose boxes overlap this one at
that step (boxes are only compared when their centres are within reach along x: a sweep over
the entities sorted by x, so 200 entities cost about what 20 do). esmini writes names
unquoted, so a comma, line break or other control character in a name or header value is
written as ``_``: a row stays a row.
"""

from __future__ import annotations

import bisect
import math
import re
from pathlib import Path

from testzone import __version__
from testzone.recording import Recording
from testzone.world import boxes_overlap, wrap_angle

BLOCK = ["Entity_Name [-]", "Entity_ID [-]", "Current_Speed [m/s]", "Wheel_Angle [deg]",
         "Wheel_Rotation [-]", "bb_x [m]", "bb_y [m]", "bb_z [m]", "bb_length [m]",
         "bb_width [m]", "bb_height [m]", "World_Position_X [m]", "World_Position_Y [m]",
         "World_Position_Z [m]", "Vel_X [m/s]", "Vel_Y [m/s]", "Vel_Z [m/s]", "Acc_X [m/s2]",
         "Acc_Y [m/s2]", "Acc_Z [m/s2]", "Distance_Travelled_Along_Road_Segment [m]",
         "Lateral_Distance_Lanem [m]", "lane_id", "lane_offset[m]",
         "World_Heading_Angle [rad]", "Heading_Angle_Rate [rad/s]",
         "Relative_Heading_Angle [rad]", "Relative_Heading_Angle_Drive_Direction [rad]",
         "World_Pitch_Angle [rad]", "Road_Curvature [1/m]", "collision_ids"]


def _fmt(v: float) -> str:
    return f"{0.0 if v is None or not math.isfinite(v) else v:.6f}"


_UNSAFE = re.compile(r"[,\x00-\x1f\x7f]")


def _cell(text: object) -> str:
    """``text`` as one unquoted cell or header value: commas and control characters as ``_``."""
    return _UNSAFE.sub("_", str(text))


def _overlaps(entities: dict) -> dict[str, list[str]]:
    """Entity name -> names of the entities whose boxes overlap its own (each list in the
    frame's order). Only pairs whose centres are within their reaches (half box diagonal
    plus the box centre offset) along x are tested with the separating-axis test."""
    items = []
    for n, e in entities.items():
        b = e.box
        reach = 0.5 * math.hypot(b.length, b.width) + math.hypot(b.cx, b.cy)
        items.append((e.pose.x, reach, n, e))
    items.sort(key=lambda it: it[0])
    xs = [it[0] for it in items]
    widest = max((it[1] for it in items), default=0.0)
    hits: dict[str, set[str]] = {n: set() for n in entities}
    for i, (x, reach, n, e) in enumerate(items):
        for j in range(i + 1, bisect.bisect_right(xs, x + reach + widest)):
            x2, reach2, m, o = items[j]
            if x2 - x <= reach + reach2 and boxes_overlap(e, o):
                hits[n].add(m)
                hits[m].add(n)
    order = list(entities)
    return {n: [m for m in order if m in hits[n]] for n in entities}


WHEEL_RADIUS_M = 0.35
"""Wheel radius [m] of the Wheel_Rotation column (esmini's default; visualisation only)."""
_TWO_PI = 2.0 * math.pi


def _angle_2pi(a: float) -> float:
    """``a`` [rad] in [0, 2 pi), a hair below 2 pi (rounding of a tiny negative) as 0."""
    r = a % _TWO_PI
    return 0.0 if r > _TWO_PI - 1e-9 else r


def _road_columns(net, lane, heading: float) -> tuple[float, float, float]:
    """``(Relative_Heading_Angle, Relative_Heading_Angle_Drive_Direction, Road_Curvature)``
    of an entity at lane position ``lane`` with world ``heading`` [rad]; zeros without a
    road (the network cannot tell, or the entity is off the map)."""
    road = getattr(net, "roads", {}).get(lane.road_id) if lane is not None else None
    if road is None:
        return 0.0, 0.0, 0.0
    ref = road.heading_at(lane.s)
    drive = ref if road.driving_sign(lane.lane_id) > 0 else ref + math.pi
    return (_angle_2pi(heading - ref), wrap_angle(heading - drive),
            road.reference_line.curvature(lane.s))


def write_trace_csv(rec: Recording, path: str | Path, net: object | None = None) -> None:
    """Write ``rec`` as an esmini-style CSV at ``path``.

    Entities are those present in the first frame, in declaration order (as esmini). Road
    columns are 0 when an entity is off the map; the relative headings and the curvature
    need ``net`` (a ``maps.RoadNetwork``; 0 without it).
    """
    names = list(rec.frames[0].entities)
    ids = {n: i for i, n in enumerate(names)}
    agent = rec.agent_identity()
    lines = [f"icv-testzone version: {__version__}", "esmini-compatible trace",
             f"case: {_cell(rec.header.case_id)}",
             f"agent: {_cell(agent.get('name') or agent.get('spec', ''))}",
             f"Scenario File Name: {_cell(rec.header.scenario_file)}",
             f"Number of Vehicles: {len(names)}"]
    cols = ["Index [-]", "TimeStamp [s]"]
    for i, _ in enumerate(names, 1):
        cols += [f"#{i} {c}" for c in BLOCK]
    lines.append(", ".join(cols) + ", ")
    prev_v: dict[str, tuple[float, float, float]] = {}
    prev_z: dict[str, float] = {}
    turned: dict[str, float] = {}  # distance driven [m], for Wheel_Rotation
    prev_t = None
    for k, frame in enumerate(rec.frames):
        dt = (frame.time - prev_t) if prev_t is not None else None
        row = [str(k), f"{frame.time:.6f}"]
        touching = _overlaps(frame.entities)
        for n in names:
            e = frame.entities.get(n)
            if e is None:
                row += [_cell(n), str(ids[n])] + ["0.000000"] * 28 + [""]
                continue
            vx, vy = e.velocity
            pv, pz = prev_v.get(n), prev_z.get(n)
            vz = (e.pose.z - pz) / dt if pz is not None and dt else 0.0
            ax = ay = az = 0.0
            if pv is not None and dt:
                ax, ay, az = (vx - pv[0]) / dt, (vy - pv[1]) / dt, (vz - pv[2]) / dt
                turned[n] = turned.get(n, 0.0) + e.speed * dt
            prev_v[n], prev_z[n] = (vx, vy, vz), e.pose.z
            rel, rel_drive, curvature = _road_columns(net, e.lane, e.pose.h)
            coll = [str(ids[m]) for m in touching[n] if m in ids]
            ln = e.lane
            b = e.box
            row += [_cell(n), str(ids[n]), _fmt(e.speed), _fmt(e.steering),
                    _fmt(_angle_2pi(turned.get(n, 0.0) / WHEEL_RADIUS_M)), _fmt(b.cx),
                    _fmt(b.cy), _fmt(b.cz), _fmt(b.length), _fmt(b.width), _fmt(b.height),
                    _fmt(e.pose.x), _fmt(e.pose.y), _fmt(e.pose.z), _fmt(vx), _fmt(vy),
                    _fmt(vz), _fmt(ax), _fmt(ay), _fmt(az),
                    _fmt(ln.s if ln else 0.0), _fmt(ln.t if ln else 0.0),
                    str(ln.lane_id if ln else 0), _fmt(ln.offset if ln else 0.0),
                    _fmt(_angle_2pi(e.pose.h)), _fmt(e.yaw_rate),
                    _fmt(rel), _fmt(rel_drive), _fmt(_angle_2pi(e.pose.p)), _fmt(curvature),
                    " ".join(coll)]
        prev_t = frame.time
        lines.append(", ".join(row) + ", ")
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
