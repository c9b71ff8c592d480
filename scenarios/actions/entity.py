"""``EntityAction`` (ASAM OpenSCENARIO 1.x GlobalAction): AddEntityAction, DeleteEntityAction.

Entities are declared in ``Entities``; DeleteEntityAction takes one out of the run (it is no
longer moved, reported in the world state, collided with or measured by conditions) and
AddEntityAction puts a declared entity back into it at a position, keeping its speed; an Add
of an entity still in the run is skipped with an ``entity_add_skipped`` event (esmini's
``AddEntityAction::Start``: "Entity already active. Skipping action."; every declared entity
is in the run from the start). Both complete at once. As
esmini (``Entities::activateObject`` / ``deactivateObject``), a vehicle's trailers leave and
re-enter with it (lined up behind it again).
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from scenarios.actions.base import Done
from scenarios.actions.teleport import TeleportAction
from scenarios.errors import ScenarioError
from scenarios.registry import ParseContext
from scenarios.runtime import Runtime
from scenarios.trailers import chain
from scenarios.xmlsource import children


@dataclass(frozen=True)
class EntityAction:
    """``EntityAction``: ``entity`` and either a position (Add) or None (Delete).

    ``entity`` may name an EntitySelection (ASAM OpenSCENARIO Annex B): the loader then sets
    ``members`` to its entities and the action applies to each of them.
    """

    ELEMENT = "EntityAction"
    PRIVATE = False
    entity: str
    position: object = None
    members: tuple[str, ...] = ()

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> EntityAction:
        """Read ``EntityAction``; ScenarioError without Add/DeleteEntityAction."""
        name = ctx.src.attr(el, "entityRef", str)
        inner = next(children(el), None)
        if inner is not None and inner.tag == "AddEntityAction":
            return cls(name, ctx.position(inner))
        if inner is not None and inner.tag == "DeleteEntityAction":
            return cls(name)
        raise ctx.src.error(el, "expected AddEntityAction or DeleteEntityAction")

    def start(self, rt: Runtime, actor: str | None) -> Done:
        """Add (at the position) or delete the entity (each member of a selection) and the
        trailers it tows; complete. An Add of an entity still in the run is skipped
        (``entity_add_skipped``), as esmini skips it.

        Raises:
            ScenarioError: the position cannot be resolved (Add); a Delete of the vehicle
                under test, which a driving stack steers (it would vanish from its own world).
        """
        for name in self.members or (self.entity,):
            names = chain(rt, name)         # with its trailers
            if self.position is not None and rt.mover(name).present:
                rt.emit("entity_add_skipped", {"entity": name, "reason": "already in the run"})
                continue
            if self.position is None and any(rt.mover(n).external for n in names):
                raise ScenarioError(f"DeleteEntityAction on '{name}', the vehicle under test: "
                                    f"a driving stack cannot be taken out of its own run",
                                    element="DeleteEntityAction")
            for n in names:
                mover = rt.mover(n)
                mover.present = self.position is not None
                if self.position is None:
                    mover.domains.clear()
            if self.position is not None:
                TeleportAction(self.position).start(rt, name)
            for n in names:
                rt.emit("entity_added" if self.position is not None else "entity_deleted",
                        {"entity": n})
        return Done()


ENTITY_ACTIONS = (EntityAction,)
