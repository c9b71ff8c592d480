"""Controller actions (ASAM OpenSCENARIO 1.x ``ActivateControllerAction``,
``ControllerAction/AssignControllerAction``, ``OverrideControllerValueAction``).

On scenario entities: AssignControllerAction sets the entity's controller (1.2 attributes
``activateLateral``/``activateLongitudinal`` activate it at once); ActivateControllerAction
(de)activates it on the given domains (``scenarios.controllers.activate``: the engine provides
esmini's ACCController and FollowRouteController; other controllers are disabled with a
``controller_disabled`` event); OverrideControllerValueAction is recorded as an
``controller_override`` event and kept in ``Mover.overrides`` (the kinematic default controller
has no throttle, brake or steering to override). Aimed at an external entity (the vehicle under
test) every controller action becomes an ``ego_request`` event, so the runner can hand the
vehicle over.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from lxml import etree

from scenarios.actions.base import Done
from scenarios.controllers import ControllerDef, activate, read_controller
from scenarios.registry import ParseContext
from scenarios.runtime import Runtime
from scenarios.xmlsource import children


@dataclass(frozen=True)
class ActivateControllerAction:
    """``ActivateControllerAction``: which domains to (de)activate (None: all it has)."""

    ELEMENT = "ActivateControllerAction"
    PRIVATE = True
    DOMAINS: ClassVar[tuple[str, ...]] = ()
    lateral: bool | None = None
    longitudinal: bool | None = None

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> ActivateControllerAction:
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        a = ctx.src.attr
        return cls(a(el, "lateral", bool, None), a(el, "longitudinal", bool, None))

    def start(self, rt: Runtime, actor: str | None) -> Done:
        """(De)activate the actor's controller; complete at once."""
        assert actor is not None
        activate(rt, actor, self.lateral, self.longitudinal)
        return Done()


@dataclass(frozen=True)
class AssignControllerAction:
    """``AssignControllerAction``: the controller (inline or catalog entry) and the 1.2
    activation flags (None: not activated by this action)."""

    ELEMENT = "AssignControllerAction"
    PRIVATE = True
    DOMAINS: ClassVar[tuple[str, ...]] = ()
    controller: ControllerDef | None = None
    lateral: bool | None = None
    longitudinal: bool | None = None

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> AssignControllerAction:
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        a = ctx.src.attr
        return cls(read_controller(ctx.src, el, ctx.catalogs),
                   a(el, "activateLateral", bool, None), a(el, "activateLongitudinal", bool, None))

    def start(self, rt: Runtime, actor: str | None) -> Done:
        """Assign (replacing a previous controller); activate when asked to."""
        assert actor is not None
        m = rt.mover(actor)
        m.controller_def, m.controller, m.control_domains = self.controller, None, frozenset()
        if self.lateral or self.longitudinal:
            activate(rt, actor, bool(self.lateral), bool(self.longitudinal))
        return Done()


@dataclass(frozen=True)
class OverrideControllerValueAction:
    """``OverrideControllerValueAction``: override element name -> its attributes."""

    ELEMENT = "OverrideControllerValueAction"
    PRIVATE = True
    DOMAINS: ClassVar[tuple[str, ...]] = ()
    overrides: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> OverrideControllerValueAction:
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        return cls(tuple((str(c.tag), tuple((k, ctx.src.attr(c, k, str))
                                            for k in sorted(c.attrib)))
                         for c in children(el)))

    def start(self, rt: Runtime, actor: str | None) -> Done:
        """Record the overrides (event ``controller_override``); complete at once."""
        assert actor is not None
        values: dict[str, Any] = {tag: dict(attrs) for tag, attrs in self.overrides}
        rt.mover(actor).overrides.update(values)
        rt.emit("controller_override", {"entity": actor, "values": values})
        return Done()


CONTROLLER_ACTIONS = (ActivateControllerAction, AssignControllerAction,
                      OverrideControllerValueAction)
