"""The scenario's own verdicts: OpenSCENARIO 1.3 monitors, read from the recording.

ASAM OpenSCENARIO 1.3 ``MonitorDeclarations/MonitorDeclaration(name, value)`` declares a
boolean the scenario keeps and ``SetMonitorAction(monitorRef, value)`` sets. We read a
monitor as a statement that a criterion holds: declared true and set false by an event when
something bad happened, or declared false and set true when the goal is reached. Its value at
the end of the run is the verdict; false at the end means the scenario's own criterion failed
(the runner adds one criterion ``monitor:<name>`` per declared monitor:
:func:`evaluator.declared.criteria_from_monitors`).

The scenario engine records every value as ``Event(t, "monitor", {"name", "value"})``, the
declared initial values with ``"initial": true`` at t = 0 (``scenarios.actions.monitor``).
"""

from __future__ import annotations

from typing import Any

from testzone.recording import Event, Recording

from evaluator.errors import EvaluationError
from evaluator.interfaces import RoadNetworkView
from evaluator.results import UNIT_BOOL, MetricResult, Statistic

#: Event kind the scenario engine records for a monitor's value.
MONITOR_EVENT = "monitor"

#: Prefix of a monitor's statistic (``monitor_<name>``) and criterion id (``monitor:<name>``).
STATISTIC_PREFIX, CRITERION_PREFIX = "monitor_", "monitor:"


def statistic_name(monitor: str) -> str:
    """The statistic holding monitor ``monitor``'s value at the end of the run: ``monitor_<name>``
    (unit ``bool``: 1.0 true, 0.0 false), the name criteria refer to."""
    return f"{STATISTIC_PREFIX}{monitor}"


def _value(ev: Event) -> tuple[str, bool]:
    """(name, value) of one ``monitor`` event.

    Raises:
        EvaluationError: no non-empty ``name``, or a ``value`` that is not a boolean (JSON
            true/false, or 0/1): a monitor that cannot be read must not pass silently.
    """
    name, value = ev.data.get("name"), ev.data.get("value")
    if not isinstance(name, str) or not name:
        raise EvaluationError(f"monitor event at t={ev.t:g} s has no name: {ev.data!r}",
                              element="monitor event")
    if isinstance(value, bool):
        return name, value
    if isinstance(value, (int, float)) and value in (0, 1):
        return name, bool(value)
    raise EvaluationError(f"monitor '{name}' event at t={ev.t:g} s: value must be a boolean, "
                          f"got {value!r}", element="monitor event")


class MonitorMetric:
    """Each monitor's value at the end of the run and its history.

    Statistics: ``monitor_<name>`` (``bool``: 1.0 true, 0.0 false at the end) for every
    monitor with a ``monitor`` event, in the order of first appearance; none without monitors.
    Events (findings), one per monitor: ``{"monitor": name, "value": bool (at the end),
    "initial": bool | None (the declared value; None when the recording lacks it),
    "last_change_s": float | None (time [s] of the last event that changed the value; None
    when it never changed), "sets": int (SetMonitorActions executed, changing or not)}``.

    Raises (from :meth:`compute`): EvaluationError for a malformed ``monitor`` event.
    """

    name = "monitors"
    category = "scenario"

    def compute(self, recording: Recording, net: RoadNetworkView | None = None) -> MetricResult:
        """Replay the ``monitor`` events in time order (``net`` is not used).

        Returns:
            the statistics and findings of the class docstring (none without monitors;
            never ``skipped``: a scenario without monitors has nothing to judge here).

        Raises:
            EvaluationError: a ``monitor`` event without a name or with a non-boolean value.
        """
        found: dict[str, dict[str, Any]] = {}
        for ev in sorted(recording.events_of(MONITOR_EVENT), key=lambda e: e.t):
            name, value = _value(ev)
            st = found.setdefault(name, {"monitor": name, "value": None, "initial": None,
                                         "last_change_s": None, "sets": 0})
            if ev.data.get("initial"):
                st["initial"] = value
            else:
                st["sets"] += 1
                if value != st["value"]:
                    st["last_change_s"] = float(ev.t)
            st["value"] = value
        stats = {statistic_name(n): Statistic(statistic_name(n), UNIT_BOOL, float(st["value"]))
                 for n, st in found.items()}
        return MetricResult(self.name, self.category, stats, events=tuple(found.values()))
