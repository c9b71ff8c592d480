"""Infrastructure actions (ASAM OpenSCENARIO 1.x ``InfrastructureAction/TrafficSignalAction``).

``TrafficSignalStateAction`` sets one signal's state (kept until changed again; a signal set
this way is no longer driven by its controller). ``TrafficSignalControllerAction`` makes a
controller jump to a named phase. States go to ``WorldState.signals``.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from testzone.world import SignalState

from scenarios.actions.base import Done
from scenarios.errors import ScenarioError
from scenarios.registry import ParseContext
from scenarios.runtime import Runtime
from scenarios.signals import light_of


@dataclass(frozen=True)
class TrafficSignalStateAction:
    """Set signal ``name`` (an OpenDRIVE signal id) to ``state``."""

    ELEMENT = "TrafficSignalStateAction"
    PRIVATE = False
    name: str
    state: str

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> TrafficSignalStateAction:
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        return cls(ctx.src.attr(el, "name", str), ctx.src.attr(el, "state", str))

    def start(self, rt: Runtime, actor: str | None) -> Done:
        """Start on ``actor`` (None if global); return the run (see actions.base)."""
        light = light_of(self.state)
        rt.pinned_signals[self.name] = SignalState(self.name, light.color,
                                                   flashing=light.flashing)
        rt.signals[self.name] = rt.pinned_signals[self.name]
        return Done()


@dataclass(frozen=True)
class TrafficSignalControllerAction:
    """Make controller ``controller`` jump to phase ``phase``."""

    ELEMENT = "TrafficSignalControllerAction"
    PRIVATE = False
    controller: str
    phase: str

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> TrafficSignalControllerAction:
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        return cls(ctx.src.attr(el, "trafficSignalControllerRef", str),
                   ctx.src.attr(el, "phase", str))

    def start(self, rt: Runtime, actor: str | None) -> Done:
        """Start on ``actor`` (None if global); return the run (see actions.base)."""
        clock = rt.controllers.get(self.controller)
        if clock is None or not clock.jump(rt.time, self.phase):
            raise ScenarioError(f"no TrafficSignalController '{self.controller}' with phase "
                                f"'{self.phase}'", element=self.ELEMENT)
        return Done()


INFRASTRUCTURE_ACTIONS = (TrafficSignalStateAction, TrafficSignalControllerAction)
INFRASTRUCTURE_UNSUPPORTED = ()
