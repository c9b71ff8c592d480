"""Hand-made recordings for the evaluator tests (no simulator involved)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

from testzone.recording import EntityInfo, Event, Recording, RecordingHeader
from testzone.world import (BoundingBox, EntityKind, EntityState, LaneCoord, Pose, SignalColor,
                            SignalState, WorldState, wrap_angle)

DT = 0.05
CAR = BoundingBox(cx=0.0, length=4.5, width=1.8)

# A state function maps time [s] -> dict of EntityState fields (x, y, h, speed, lane...).
StateFn = Callable[[float], dict]


def straight(x0: float, v0: float, a: float = 0.0, y: float = 0.0, lane: tuple | None = ("1", -1),
             h: float = 0.0, stop_at_zero: bool = True) -> StateFn:
    """Motion along x (heading h=0) from x0 at speed v0 with constant acceleration a."""
    def fn(t: float) -> dict:
        tt = t
        if stop_at_zero and a < 0 and v0 + a * t < 0:
            tt = -v0 / a
        v = v0 + a * tt
        x = x0 + v0 * tt + 0.5 * a * tt * tt
        ln = None if lane is None else LaneCoord(lane[0], lane[1], x, y, 0.0)
        return {"pose": Pose(x, y, 0.0, h), "speed": v, "acceleration": a if tt == t else 0.0,
                "lane": ln}
    return fn


def make_recording(tracks: dict[str, StateFn], duration: float, *, ego: str = "ego",
                   dt: float = DT, boxes: dict[str, BoundingBox] | None = None,
                   kinds: dict[str, EntityKind] | None = None,
                   events: list[Event] | None = None, end_reason: str = "stop_trigger",
                   end_message: str = "", criteria: list[dict] | None = None,
                   signals: Callable[[float], dict[str, SignalState]] | None = None,
                   case_id: str = "case1", scenario_file: str = "cut_in.xosc") -> Recording:
    """Sample each track every dt from 0 to duration (inclusive) into a Recording."""
    boxes = boxes or {}
    kinds = kinds or {}
    ents = {n: EntityInfo(kinds.get(n, EntityKind.VEHICLE), "car", boxes.get(n, CAR), n == ego)
            for n in tracks}
    header = RecordingHeader(case_id, scenario_file, None, ego, dt, 7, {"Speed": "20"}, ents,
                             criteria or [], {"name": "test", "version": "0"})
    frames = []
    n = int(round(duration / dt))
    for k in range(n + 1):
        t = round(k * dt, 9)
        states = {}
        for name, fn in tracks.items():
            f = fn(t)
            pose = f["pose"]
            pose = Pose(pose.x, pose.y, pose.z, wrap_angle(pose.h))
            states[name] = EntityState(name, ents[name].kind, pose, f.get("speed", 0.0),
                                       f.get("acceleration", 0.0), f.get("yaw_rate", 0.0),
                                       ents[name].box, f.get("lane"))
        frames.append(WorldState(t, states, signals(t) if signals else {}))
    return Recording(header, frames, sorted(events or [], key=lambda e: e.t), end_reason,
                     end_message)


@dataclass
class FakeSignal:
    id: str
    road_id: str
    s: float
    t: float = -3.0
    orientation: str = "+"


@dataclass
class FakeNet:
    """A stand-in for maps.RoadNetwork: one straight road '1' along x, constant speed limit."""

    limit_mps: float | None = 10.0
    signals: list = field(default_factory=list)
    road_half_width_m: float = 3.5

    def speed_limit(self, road_id: str, lane_id: int, s: float) -> float | None:
        return self.limit_mps if road_id == "1" else None

    def world_to_lane(self, x: float, y: float, heading: float | None = None) -> LaneCoord | None:
        if abs(y) > self.road_half_width_m or x < 0:
            return None
        return LaneCoord("1", -1 if y <= 0 else 1, x, y, 0.0)

    def lane_outline(self, road_id: str, lane_id: int):
        import numpy as np
        y0, y1 = (0.0, -3.5) if lane_id < 0 else (0.0, 3.5)
        return np.array([[0, y0], [500, y0], [500, y1], [0, y1]], dtype=float)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return (0.0, -3.5, 500.0, 3.5)


def red(ids=("s1",)) -> Callable[[float], dict[str, SignalState]]:
    return lambda t: {i: SignalState(i, SignalColor.RED) for i in ids}


def circle(radius: float, v: float, cx: float = 0.0, cy: float = 0.0) -> StateFn:
    """Counter-clockwise circle at constant speed v, starting at (cx + r, cy) heading +y."""
    w = v / radius

    def fn(t: float) -> dict:
        a = w * t
        return {"pose": Pose(cx + radius * math.cos(a), cy + radius * math.sin(a), 0.0,
                             a + math.pi / 2), "speed": v, "yaw_rate": w}
    return fn


@dataclass
class FakeCrosswalk:
    id: str
    polygon: object


@dataclass
class FakeAreaNet(FakeNet):
    """FakeNet plus the area queries of the newer map contract: road '1' along +x from x=0 to
    500, lane -1 = y in [-3.5, 0] driving +x, lane 1 = y in [0, 3.5] driving -x; junction 'J1'
    is the square x in [40, 60], y in [-10, 10]; one crosswalk x in [100, 104] across the road."""

    junctions: dict = field(default_factory=lambda: {"J1": object()})

    def drivable_area(self):
        import shapely
        return shapely.box(0.0, -3.5, 500.0, 3.5)

    def lane_polygon(self, road_id: str, lane_id: int):
        import shapely
        return shapely.box(0.0, -3.5, 500.0, 0.0) if lane_id < 0 else \
            shapely.box(0.0, 0.0, 500.0, 3.5)

    def lane_to_world(self, road_id: str, lane_id: int, s: float, offset: float = 0.0) -> Pose:
        return Pose(s, -1.75 if lane_id < 0 else 1.75, 0.0, 0.0 if lane_id < 0 else math.pi)

    def junction_area(self, junction_id: str):
        import shapely
        return shapely.box(40.0, -10.0, 60.0, 10.0)

    def crosswalks(self):
        import shapely
        return [FakeCrosswalk("cw1", shapely.box(100.0, -3.5, 104.0, 3.5))]
