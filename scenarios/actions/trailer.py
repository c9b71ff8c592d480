"""``TrailerAction`` (ASAM OpenSCENARIO 1.3 PrivateAction): ConnectTrailerAction,
DisconnectTrailerAction, as esmini v3.6.0 plays them (``ConnectTrailerAction::Start``).

ConnectTrailerAction hangs the entity ``trailerRef`` (a Vehicle with a TrailerCoupler) on the
actor's TrailerHitch, first releasing a trailer the actor tows and a tow vehicle the trailer
hangs on; the trailer is then dragged by its coupler from the next motion on
(``scenarios.trailers``). DisconnectTrailerAction releases the actor's trailer, which goes on
by itself at its last speed (esmini's default controller); without a trailer it does
nothing. Both complete at once, occupy no control domain and also apply to an externally
driven actor (the trailer is a scenario entity the engine moves). Recorded as
``trailer_connected`` / ``trailer_disconnected`` events ``{"tow", "trailer"}``.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from scenarios.actions.base import Done
from scenarios.registry import ParseContext
from scenarios.runtime import Runtime
from scenarios.trailers import connect, disconnect


@dataclass(frozen=True)
class ConnectTrailerAction:
    """``ConnectTrailerAction``: ``entity`` is its ``trailerRef`` (checked against the declared
    entities by the storyboard reader, as every action's ``entity``)."""

    ELEMENT = "ConnectTrailerAction"
    PRIVATE = True
    DOMAINS = ()
    APPLIES_TO_EXTERNAL = True
    entity: str

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> ConnectTrailerAction:
        """Read ``trailerRef``; ScenarioError (file, line, element) when missing or empty."""
        ref = ctx.src.attr(el, "trailerRef", str)
        if not ref:
            raise ctx.src.error(el, "trailerRef is empty: expected the trailer's entity name")
        return cls(ref)

    def start(self, rt: Runtime, actor: str | None) -> Done:
        """Connect the trailer to ``actor``; complete.

        Raises:
            ScenarioError: the actor has no TrailerHitch, the trailer no TrailerCoupler, or
                the connection would make a ring (``scenarios.trailers.connect``).
        """
        assert actor is not None
        connect(rt, actor, self.entity)
        return Done()


@dataclass(frozen=True)
class DisconnectTrailerAction:
    """``DisconnectTrailerAction`` (no attributes)."""

    ELEMENT = "DisconnectTrailerAction"
    PRIVATE = True
    DOMAINS = ()
    APPLIES_TO_EXTERNAL = True

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> DisconnectTrailerAction:
        """Read this element (no attributes)."""
        return cls()

    def start(self, rt: Runtime, actor: str | None) -> Done:
        """Release the actor's trailer (if any); complete."""
        assert actor is not None
        disconnect(rt, actor)
        return Done()


TRAILER_ACTIONS = (ConnectTrailerAction, DisconnectTrailerAction)
