"""The metrics, one family per module, each a class whose thresholds are constructor parameters.

:func:`default_metrics` returns one instance of each with its documented defaults; statistic
names are unique across all of them (criteria and weights refer to statistics by name).
"""

from __future__ import annotations

from evaluator.metrics.collisions import Collision, CollisionMetric
from evaluator.metrics.comfort import ComfortMetric
from evaluator.metrics.drivable import DrivableMetric
from evaluator.metrics.pet import PETMetric
from evaluator.metrics.headway import (HeadwayMetric, LeadGap, drac_mps2, lead_gap, thw_s,
                                       ttc_accel_s, ttc_s)
from evaluator.metrics.monitors import MonitorMetric
from evaluator.metrics.progress import ProgressMetric
from evaluator.metrics.proximity import ProximityMetric
from evaluator.metrics.red_light import RedLightMetric
from evaluator.metrics.run_end import RunEndMetric
from evaluator.metrics.speeding import SpeedingMetric
from evaluator.metrics.standstill import StandstillMetric
from evaluator.metrics.v2x_response import V2XResponseMetric, calls_for_action
from evaluator.metrics.wrong_way import WrongWayMetric


def default_metrics() -> list:
    """Return a fresh list with one instance of every metric, default thresholds."""
    return [CollisionMetric(), HeadwayMetric(), ProximityMetric(), PETMetric(), ComfortMetric(),
            SpeedingMetric(), RedLightMetric(), DrivableMetric(), WrongWayMetric(),
            ProgressMetric(), StandstillMetric(), RunEndMetric(), V2XResponseMetric(),
            MonitorMetric()]


__all__ = ["Collision", "CollisionMetric", "ComfortMetric", "DrivableMetric", "HeadwayMetric",
           "LeadGap", "MonitorMetric", "PETMetric", "ProgressMetric", "ProximityMetric",
           "RedLightMetric", "RunEndMetric",
           "SpeedingMetric", "StandstillMetric", "V2XResponseMetric", "WrongWayMetric", "calls_for_action",
           "default_metrics", "drac_mps2", "lead_gap", "thw_s", "ttc_accel_s", "ttc_s"]
