"""Plane geometry of ground boxes (testzone.world): overlap and constant-velocity contact."""

from __future__ import annotations

import math

import pytest

from testzone.world import BoundingBox, EntityKind, EntityState, Pose, boxes_overlap, \
    time_to_contact

BOX = BoundingBox(cx=0.0, length=4.5, width=1.8)


def car(x: float, y: float = 0.0, speed: float = 0.0, h: float = 0.0) -> EntityState:
    return EntityState("c", EntityKind.VEHICLE, Pose(x, y, 0.0, h), speed, box=BOX)


def test_time_to_contact_along_an_axis_by_hand():
    """A 4.5 m ego at x = 0 doing 10 m/s towards a stopped 4.5 m car at x = 30 (same y):
    contact when the centres are 4.5 m apart, (30 - 4.5) / 10 = 2.55 s. Motion parallel to
    the boxes' sides: the swept test's no-motion branch (review 15: no test ran it)."""
    assert time_to_contact(car(0.0, speed=10.0), car(30.0)) == pytest.approx(2.55)
    assert time_to_contact(car(0.0, speed=10.0), car(30.0, y=3.0)) == math.inf   # beside
    assert time_to_contact(car(0.0, speed=10.0), car(2.0)) == 0.0                # overlapping
    assert time_to_contact(car(0.0, speed=10.0), car(30.0), horizon_s=2.0) == math.inf
    assert time_to_contact(car(0.0, speed=-10.0), car(30.0)) == math.inf          # away


def test_boxes_overlap_touching_counts_and_a_gap_does_not():
    assert boxes_overlap(car(0.0), car(4.5))                  # fronts touching
    assert not boxes_overlap(car(0.0), car(4.5001))
    assert boxes_overlap(car(0.0), car(0.0, y=1.8))           # sides touching
    assert not boxes_overlap(car(0.0), car(0.0, y=1.81))
    # a car turned 90 deg whose corner just reaches the ego's side
    assert boxes_overlap(car(0.0), car(0.0, y=0.9 + 2.25, h=math.pi / 2))
