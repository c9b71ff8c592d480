"""Controller actions (ASAM OpenSCENARIO 1.x ``ActivateControllerAction``,
``ControllerAction/AssignControllerAction``, ``OverrideControllerValueAction``).

Controllers are not modelled here: scenario entities are driven by the default controller.
Aimed at an external entity (the vehicle under test) they become ``ego_request`` events, so
the runner can hand the vehicle over; aimed at a scenario entity they raise
UnsupportedElementError when they start (with the file and line of the Action).
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from scenarios.errors import UnsupportedElementError
from scenarios.registry import ParseContext
from scenarios.runtime import Runtime
from scenarios.xmlsource import child, children


class _ControllerBase:
    """Shared start: controllers only for external entities."""

    PRIVATE = True
    DOMAINS: tuple[str, ...] = ()

    def start(self, rt: Runtime, actor: str | None) -> None:
        """Raise: controllers are not modelled for scenario-controlled entities."""
        raise UnsupportedElementError(f"controllers are not modelled; '{actor}' is driven by "
                                      f"the default controller (only an external entity may "
                                      f"get a {self.ELEMENT})", element=self.ELEMENT)


@dataclass(frozen=True)
class ActivateControllerAction(_ControllerBase):
    """``ActivateControllerAction``: which domains to (de)activate (None: unchanged)."""

    ELEMENT = "ActivateControllerAction"
    lateral: bool | None = None
    longitudinal: bool | None = None

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> ActivateControllerAction:
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        a = ctx.src.attr
        return cls(a(el, "lateral", bool, None), a(el, "longitudinal", bool, None))


@dataclass(frozen=True)
class AssignControllerAction(_ControllerBase):
    """``AssignControllerAction``: the controller's name (inline or catalog entry)."""

    ELEMENT = "AssignControllerAction"
    controller: str = ""

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> AssignControllerAction:
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        inner = next(children(el), None)
        if inner is None:
            raise ctx.src.error(el, "expected a Controller or a CatalogReference")
        if inner.tag == "CatalogReference":
            return cls(ctx.src.attr(inner, "entryName", str))
        return cls(ctx.src.attr(inner, "name", str, ""))


@dataclass(frozen=True)
class OverrideControllerValueAction(_ControllerBase):
    """``OverrideControllerValueAction`` (throttle, brake, steering... overrides)."""

    ELEMENT = "OverrideControllerValueAction"
    overrides: tuple[str, ...] = ()

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> OverrideControllerValueAction:
        """Read this element (``ELEMENT``); ScenarioError on bad input."""
        return cls(tuple(str(c.tag) for c in children(el)))


CONTROLLER_ACTIONS = (ActivateControllerAction, AssignControllerAction,
                      OverrideControllerValueAction)
