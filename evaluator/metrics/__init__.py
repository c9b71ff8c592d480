"""The metrics, one family per module, each a class whose thresholds are constructor parameters.

:func:`default_metrics` returns one instance of each with its documented defaults; statistic
names are unique across all of them (criteria and weights refer to statistics by name).
"""

from __future__ import annotations

import functools

from evaluator.metrics.collisions import Collision, CollisionMetric
from evaluator.metrics.comfort import ComfortMetric
from evaluator.metrics.drivable import DrivableMetric
from evaluator.metrics.pet import PETMetric
from evaluator.metrics.headway import (HeadwayMetric, LeadGap, drac_mps2, lead_gap, thw_s,
                                       ttc_accel_s, ttc_s)
from evaluator.metrics.monitors import MonitorMetric
from evaluator.metrics.crosswalk import CrosswalkMetric
from evaluator.metrics.progress import ProgressMetric
from evaluator.metrics.route import RouteMetric
from evaluator.metrics.proximity import ProximityMetric
from evaluator.metrics.red_light import RedLightMetric
from evaluator.metrics.run_end import RunEndMetric
from evaluator.metrics.speeding import SpeedingMetric
from evaluator.metrics.standstill import StandstillMetric
from evaluator.metrics.v2x_response import V2XResponseMetric, calls_for_action
from evaluator.metrics.wrong_way import WrongWayMetric
from testzone.recording import EntityInfo, Recording, RecordingHeader
from testzone.world import BoundingBox, EntityKind, EntityState, Pose, WorldState


def statistic_names() -> frozenset[str]:
    """The name of every statistic :func:`default_metrics` reports (criteria and weights refer
    to statistics by these names; ``monitor_<name>`` ones come on top, one per declared
    monitor): the keys of :func:`statistic_units`."""
    return frozenset(statistic_units())


@functools.lru_cache(maxsize=1)
def statistic_units() -> dict[str, str]:
    """Statistic name -> its unit (``s``, ``m``, ``m/s^2``, ``count``...) for every statistic
    :func:`default_metrics` reports. Each metric reports all of its statistics on any
    recording (None where not applicable), so they are read off a one-frame recording of a
    standing ego (a test checks that a real run reports the same names)."""
    box = BoundingBox(length=4.5, width=1.8)
    info = EntityInfo(EntityKind.VEHICLE, "car", box, True)
    header = RecordingHeader("statistic-names", "", None, "ego", 0.05, 0, {}, {"ego": info},
                             [], {})
    frame = WorldState(0.0, {"ego": EntityState("ego", EntityKind.VEHICLE, Pose(0.0, 0.0),
                                                box=box)}, {})
    rec = Recording(header, [frame], [], "stop_trigger")
    return {name: stat.unit for m in default_metrics()
            for name, stat in m.compute(rec).statistics.items()}


def default_metrics() -> list:
    """Return a fresh list with one instance of every metric, default thresholds."""
    return [CollisionMetric(), HeadwayMetric(), ProximityMetric(), PETMetric(), ComfortMetric(),
            SpeedingMetric(), RedLightMetric(), CrosswalkMetric(), DrivableMetric(),
            WrongWayMetric(), ProgressMetric(), RouteMetric(), StandstillMetric(),
            RunEndMetric(), V2XResponseMetric(), MonitorMetric()]


__all__ = ["Collision", "CollisionMetric", "ComfortMetric", "CrosswalkMetric", "DrivableMetric", "HeadwayMetric",
           "LeadGap", "MonitorMetric", "PETMetric", "ProgressMetric", "ProximityMetric",
           "RedLightMetric", "RouteMetric", "RunEndMetric",
           "SpeedingMetric", "StandstillMetric", "V2XResponseMetric", "WrongWayMetric", "calls_for_action",
           "default_metrics", "drac_mps2", "lead_gap", "statistic_names", "statistic_units", "thw_s",
           "ttc_accel_s", "ttc_s"]
