"""``SetMonitorAction`` (ASAM OpenSCENARIO 1.3 GlobalAction) and the monitors' run-time values.

A monitor (1.3 ``MonitorDeclarations/MonitorDeclaration(name, value)``) is a boolean the
scenario itself keeps to state a criterion: declared true and set false by an event when
something bad happened, or declared false and set true when the goal is reached.
``SetMonitorAction(monitorRef, value)`` sets it; like a ParameterSetAction in esmini it is
atomic (ends in the step it starts). Every value is recorded as ``Event(t, "monitor",
{"name", "value"})``; :func:`announce_monitors` records the declared initial values
(``"initial": true``) when the engine initialises, so a recording holds the whole story (the
evaluator's ``monitors`` metric reads these events; docs/evaluator.md).

A ``monitorRef`` naming no declared monitor is refused when the scenario is loaded (the
storyboard reader checks the action's ``monitor`` against ``Scenario.monitors``).
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from scenarios.actions.base import Done
from scenarios.registry import ParseContext
from scenarios.runtime import Runtime

#: Event kind of a monitor's value: ``{"name": str, "value": bool[, "initial": True]}``.
MONITOR_EVENT = "monitor"


@dataclass(frozen=True)
class SetMonitorAction:
    """``SetMonitorAction``: set the run-time value of monitor ``monitor`` to ``value``.

    Attributes:
        monitor: the ``monitorRef`` (a declared monitor's name; checked when loading).
        value: the new value (xsd:boolean, ``$param`` or ``${expr}`` resolved when loading).
    """

    ELEMENT = "SetMonitorAction"
    PRIVATE = False
    monitor: str
    value: bool

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> SetMonitorAction:
        """Read ``monitorRef`` and ``value``.

        Raises:
            ScenarioError: ``monitorRef`` missing or empty, ``value`` not a boolean (file,
                line, element).
        """
        ref = ctx.src.attr(el, "monitorRef", str)
        if not ref.strip():
            raise ctx.src.error(el, "monitorRef is empty: expected the name of a "
                                    "MonitorDeclaration")
        return cls(ref, ctx.src.attr(el, "value", bool))

    def start(self, rt: Runtime, actor: str | None) -> Done:
        """Set the monitor, emit its ``monitor`` event; complete at once."""
        rt.monitors[self.monitor] = self.value
        rt.emit(MONITOR_EVENT, {"name": self.monitor, "value": self.value})
        return Done()


def announce_monitors(rt: Runtime) -> None:
    """Emit one ``monitor`` event per monitor in ``rt.monitors`` (declaration order) with its
    current value and ``"initial": True`` (the engine calls it at initialisation, before the
    Init actions)."""
    for name, value in rt.monitors.items():
        rt.emit(MONITOR_EVENT, {"name": name, "value": bool(value), "initial": True})


MONITOR_ACTIONS = (SetMonitorAction,)
