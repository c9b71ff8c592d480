"""The recording format: what is written is read back, a crash-cut file still reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from testzone.recording import (EntityInfo, Event, RecordingError, RecordingHeader,
                                RecordingWriter, read_recording)
from testzone.world import (BoundingBox, EntityKind, EntityState, LaneCoord, Pose, SignalColor,
                            SignalState, WorldState, boxes_overlap)

HEADER = RecordingHeader(case_id="c1", scenario_file="a.xosc", map_file=None, ego="Ego",
                         dt=0.05, seed=3, parameters={"v": 10.0},
                         entities={"Ego": EntityInfo(EntityKind.VEHICLE, "car", BoundingBox(),
                                                     is_ego=True)})


def world(t: float, x: float) -> WorldState:
    ego = EntityState("Ego", EntityKind.VEHICLE, Pose(x, 2.0, 0.0, 0.5), speed=10.0,
                      lane=LaneCoord("1", -1, x, -1.75, 0.0))
    return WorldState(t, {"Ego": ego}, {"7": SignalState("7", SignalColor.RED, 3.5, 2)})


def test_round_trip_keeps_frames_events_and_end(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    with RecordingWriter(path, HEADER) as w:
        w.frame(world(0.0, 1.0))
        # event data may use any key, even the line's own "type"
        w.event(Event(0.05, "storyboard", {"type": "act", "element": "S::A"}))
        w.frame(world(0.05, 1.5))
        w.end(0.05, "stop_trigger")
    rec = read_recording(path)
    assert rec.header == HEADER
    assert [f.time for f in rec.frames] == [0.0, 0.05]
    assert rec.frames[1].entities["Ego"].pose.x == 1.5
    assert rec.frames[1].entities["Ego"].lane == LaneCoord("1", -1, 1.5, -1.75, 0.0)
    assert rec.frames[1].signals["7"].color is SignalColor.RED
    assert rec.events == [Event(0.05, "storyboard", {"type": "act", "element": "S::A"})]
    assert rec.end_reason == "stop_trigger"


def test_a_flashing_lamp_is_kept_and_a_steady_one_stays_three_fields(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    blink = WorldState(0.0, {}, {"7": SignalState("7", SignalColor.YELLOW, None, 0,
                                                  flashing=True),
                                 "8": SignalState("8", SignalColor.RED, 2.0, 1)})
    with RecordingWriter(path, HEADER) as w:
        w.frame(blink)
        w.end(0.0, "stop_trigger")
    assert '"sig":{"7":["yellow",null,0,true],"8":["red",2.0,1]}' in path.read_text()
    (frame,) = read_recording(path).frames
    assert frame.signals == blink.signals


def test_a_file_cut_by_a_crash_reads_as_truncated(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    w = RecordingWriter(path, HEADER)
    w.frame(world(0.0, 1.0))
    w.flush()
    with path.open("a") as fh:
        fh.write('{"type":"frame","t":0.05,"e":{"Ego":[1.5,')  # cut mid-line
    rec = read_recording(path)
    assert len(rec.frames) == 1 and rec.end_reason == "truncated"


def test_not_a_recording_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text('{"type": "frame"}\n')
    with pytest.raises(RecordingError, match="x.jsonl:1"):
        read_recording(path)


def test_boxes_overlap_by_separating_axes() -> None:
    box = BoundingBox(cx=0.0, length=4.0, width=2.0)
    a = EntityState("a", EntityKind.VEHICLE, Pose(0.0, 0.0), box=box)
    near = EntityState("b", EntityKind.VEHICLE, Pose(3.9, 0.0), box=box)    # 0.1 m overlap
    apart = EntityState("c", EntityKind.VEHICLE, Pose(4.1, 0.0), box=box)   # 0.1 m gap
    # a 4 x 2 m box turned 45 deg reaches 2*cos45 + 1*sin45 = 2.121 m back from its centre:
    # at 3.3 m its rear corner is at x = 1.18 m, inside a (which ends at x = 2 m)
    turned = EntityState("d", EntityKind.VEHICLE, Pose(3.3, 0.0, 0.0, 0.785398), box=box)
    # at 4.2 m that corner is at x = 2.079 m: separated along a's x axis
    clear = EntityState("e", EntityKind.VEHICLE, Pose(4.2, 0.0, 0.0, 0.785398), box=box)
    assert boxes_overlap(a, near) and boxes_overlap(a, turned)
    assert not boxes_overlap(a, apart) and not boxes_overlap(a, clear)


def test_agent_identity_merges_the_header_spec_and_the_stacks_own_name() -> None:
    from dataclasses import replace
    from testzone.recording import Recording
    rec = Recording(replace(HEADER, agent={"spec": "stack.py:Mine"}), events=[
        Event(0.0, "agent", {"name": "my-stack", "version": "0.1"})])
    assert rec.agent_identity() == {"spec": "stack.py:Mine", "name": "my-stack",
                                    "version": "0.1"}
    assert Recording(HEADER).agent_identity() == dict(HEADER.agent or {})
