"""Per-case trace in esmini's CSV format (``--trace csv``), so any run compares with esmini.

Layout as esmini's ``--csv_logger`` writes it (esmini v3.6 ``ScenarioPlayer::UpdateCSV_Log``,
described in ``shared/reference/esmini/README.md``): six header lines, a column-name line, then
one row per step: ``Index, TimeStamp`` and a 31-column block per entity. Velocities and
accelerations are in the world frame; ``Acc_*`` is the finite difference of ``Vel_*`` between
frames. Collision ids list the entities whose boxes overlap this one at that step (boxes are
only compared when their centres are within reach along x: a sweep over the entities sorted by
x, so 200 entities cost about what 20 do). esmini writes names unquoted, so a comma, line break
or other control character in a name or header value is written as ``_``: a row stays a row.
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


def write_trace_csv(rec: Recording, path: str | Path) -> None:
    """Write ``rec`` as an esmini-style CSV at ``path``.

    Entities are those present in the first frame, in declaration order (as esmini). Road
    columns are 0 when an entity is off the map; relative headings are left 0 (esmini computes
    them from its own road model; they are not needed for conformance).
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
            pv = prev_v.get(n)
            ax = ay = 0.0
            if pv is not None and dt:
                ax, ay = (vx - pv[0]) / dt, (vy - pv[1]) / dt
            prev_v[n] = (vx, vy, 0.0)
            coll = [str(ids[m]) for m in touching[n] if m in ids]
            ln = e.lane
            b = e.box
            row += [_cell(n), str(ids[n]), _fmt(e.speed), _fmt(e.steering), _fmt(0.0), _fmt(b.cx),
                    _fmt(b.cy), _fmt(b.cz), _fmt(b.length), _fmt(b.width), _fmt(b.height),
                    _fmt(e.pose.x), _fmt(e.pose.y), _fmt(e.pose.z), _fmt(vx), _fmt(vy),
                    _fmt(0.0), _fmt(ax), _fmt(ay), _fmt(0.0),
                    _fmt(ln.s if ln else 0.0), _fmt(ln.t if ln else 0.0),
                    str(ln.lane_id if ln else 0), _fmt(ln.offset if ln else 0.0),
                    _fmt(wrap_angle(e.pose.h) % (2 * math.pi)), _fmt(e.yaw_rate),
                    _fmt(0.0), _fmt(0.0), _fmt(e.pose.p), _fmt(0.0), " ".join(coll)]
        prev_t = frame.time
        lines.append(", ".join(row) + ", ")
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
