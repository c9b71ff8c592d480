"""Reading the ``Storyboard`` element into :mod:`scenarios.model` records.

Actions and conditions are dispatched through the registries (``scenarios.actions.ACTIONS``,
``scenarios.conditions.CONDITIONS``): the reader walks through wrapper elements
(PrivateAction, LongitudinalAction, ByValueCondition, EntityCondition, ...) to the innermost
element and lets its registered class parse it. Story and catalog-maneuver
ParameterDeclarations open nested parameter scopes. Entity references are checked against the
declared entities, SetMonitorAction's ``monitorRef`` against the MonitorDeclarations (1.3);
EntitySelections expand to their members where the standard allows them
(``scenarios.selections``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace

from lxml import etree

from scenarios.actions import ACTIONS, WRAPPERS, innermost_action
from scenarios.actions.base import refuse_own_reference
from scenarios.catalogs import Catalogs
from scenarios.conditions import CONDITIONS
from scenarios.entities import NOT_FOR_KIND
from scenarios.errors import ScenarioError
from scenarios.model import (ActDef, ActionDef, ConditionDef, EventDef, ManeuverDef,
                             ManeuverGroupDef, StoryboardDef, StoryDef, TriggerDef)
from scenarios.parameters import read_declarations
from scenarios.registry import ParseContext
from scenarios.selections import check_reference, expand
from scenarios.storyboard import init_cycle, teleport_references
from scenarios.xmlsource import Source, child, children, non_negative, positive_int


def unknown_monitor_message(name: str, declared: Collection[str]) -> str:
    """The message for a SetMonitorAction whose ``monitorRef`` ``name`` is not among the
    ``declared`` monitors (the loader's error and ``scenario check``'s issue say the same)."""
    return (f"monitorRef: unknown monitor '{name}' (declared in MonitorDeclarations: "
            f"{', '.join(declared) or 'none'})")


EDGES = ("rising", "falling", "risingOrFalling", "none")
PRIORITIES = ("overwrite", "override", "skip", "parallel")


@dataclass(frozen=True)
class StoryboardReader:
    """Reads one storyboard.

    Attributes:
        ctx: the parse context (source and position registry) of the scenario.
        catalogs: for Maneuver catalog references.
        entities: declared entity names (for reference checks).
        selections: EntitySelection name -> member entity names.
        monitors: declared monitor names (1.3 MonitorDeclarations; SetMonitorAction's
            ``monitorRef`` must name one).
        kinds: entity name -> its element (Vehicle, Pedestrian, MiscObject), for the private
            actions a kind cannot take (:data:`scenarios.entities.NOT_FOR_KIND`).
    """

    ctx: ParseContext
    catalogs: Catalogs
    entities: Collection[str]
    selections: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    monitors: Collection[str] = ()
    kinds: Mapping[str, str] = field(default_factory=dict)

    def _entities(self, src: Source, el: etree._Element) -> tuple[str, ...]:
        """The entity ``el@entityRef`` names, or the members of the EntitySelection it names
        (where Annex B allows one: ``scenarios.selections``)."""
        name = src.attr(el, "entityRef", str)
        check_reference(src, el, name, self.entities, self.selections)
        return self.selections.get(name, (name,))

    def _check_refs(self, src: Source, top: etree._Element) -> None:
        """Check every ``entityRef`` / ``masterEntityRef`` under ``top`` (inclusive): each
        names a declared entity, or a selection where Annex B allows one."""
        for el in top.iter():
            if not isinstance(el.tag, str):
                continue
            for attr in ("entityRef", "masterEntityRef"):
                if el.get(attr) is not None:
                    check_reference(src, el, src.attr(el, attr, str), self.entities,
                                    self.selections)

    # ------------------------------------------------------------------ actions
    def action_spec(self, src: Source, el: etree._Element) -> object:
        """Walk wrappers down to the registered action element and parse it.

        Raises:
            ScenarioError: the action's ``entity`` or ``monitor`` (SetMonitorAction
                ``monitorRef``) names nothing declared (file, line, element); what the
                action's own ``parse`` raises.
        """
        inner = el
        while inner.tag in WRAPPERS or inner.tag == "Action":
            nxt = next(children(inner), None)
            if nxt is None:
                raise src.error(inner, "expected an action element inside")
            inner = nxt
        self._check_refs(src, inner)
        spec = ACTIONS.parse(inner, self.ctx.with_source(src))
        ref = getattr(spec, "entity", None)
        if isinstance(ref, str) and ref in self.selections and hasattr(spec, "members"):
            spec = replace(spec, members=self.selections[ref])   # EntityAction (Annex B)
        elif isinstance(ref, str) and ref not in self.entities:
            raise src.error(inner, f"unknown entity '{ref}'")
        monitor = getattr(spec, "monitor", None)
        if isinstance(monitor, str) and monitor not in self.monitors:
            raise src.error(inner, unknown_monitor_message(monitor, self.monitors))
        return spec

    def _check_actors(self, src: Source, el: etree._Element, spec: object,
                      actors: tuple[str, ...]) -> None:
        """Refuse a private action an actor's kind cannot take (:data:`NOT_FOR_KIND` errors:
        a MiscObject told to move, a Pedestrian told to tow), and one whose reference entity
        is among its actors (:func:`refuse_own_reference`), naming the action element."""
        inner = innermost_action(el)
        for actor in actors:
            kind = self.kinds.get(actor, "")
            if inner is not None and NOT_FOR_KIND.get(kind, {}).get(str(inner.tag)) == "error":
                raise src.error(inner, f"{inner.tag} cannot apply to '{actor}', a {kind}")
        try:
            refuse_own_reference(spec, actors)
        except ScenarioError as exc:
            raise src.error(inner, exc.message) from None

    def action(self, src: Source, el: etree._Element, actors: tuple[str, ...]) -> ActionDef:
        """Read an ``Action`` of an Event."""
        spec = self.action_spec(src, el)
        private = getattr(spec, "PRIVATE", False)
        if private:
            self._check_actors(src, el, spec, actors)
        return ActionDef(src.attr(el, "name", str, ""), spec, actors if private else (),
                         el.sourceline, src.file)

    def init(self, src: Source, el: etree._Element | None) -> tuple[ActionDef, ...]:
        """Read ``Init/Actions``: Private actions per entity and GlobalActions."""
        out: list[ActionDef] = []
        actions = child(el, "Actions") if el is not None else None
        if actions is None:
            return ()
        for item in children(actions):
            if item.tag == "Private":
                actors = self._entities(src, item)
                for pa in children(item, "PrivateAction"):
                    spec = self.action_spec(src, pa)
                    self._check_actors(src, pa, spec, actors)
                    own = next((a for a in actors if a in teleport_references(spec)), None)
                    if own is not None:
                        # in a story, a jump from one's own position; in Init there is none
                        raise src.error(innermost_action(pa), f"the Init position of '{own}' "
                                        f"is given relative to '{own}' itself: expected "
                                        f"another entity, or an absolute position")
                    out.append(ActionDef(spec.ELEMENT, spec, actors, pa.sourceline))
            else:
                spec = self.action_spec(src, item)
                out.append(ActionDef(spec.ELEMENT, spec, (), item.sourceline))
        cycle = init_cycle(out)
        if cycle:
            names = sorted({actor for a in cycle for actor in a.actors})
            raise ScenarioError(f"the Init positions of {', '.join(map(repr, names))} are each "
                                f"given relative to another of them (a cycle): expected one "
                                f"of them placed without reference to the others",
                                file=src.file, line=cycle[0].line, element="TeleportAction")
        return tuple(out)

    # ------------------------------------------------------------------ conditions
    def condition(self, src: Source, el: etree._Element) -> ConditionDef:
        """Read one ``Condition`` (ByEntityCondition or ByValueCondition)."""
        name = src.attr(el, "name", str, "")
        # required by the schema; esmini reads a missing edge as "none" and so do we
        # (its cut-in_external/_interactive/_sloppy.xosc omit it)
        edge = src.choice(el, "conditionEdge", EDGES, "none")
        delay = src.attr(el, "delay", non_negative, 0.0)
        by = next(children(el), None)
        if by is None:
            raise src.error(el, "expected ByEntityCondition or ByValueCondition")
        triggering: tuple[str, ...] = ()
        rule_all = False
        if by.tag == "ByEntityCondition":
            te = child(by, "TriggeringEntities")
            ec = child(by, "EntityCondition")
            if te is None or ec is None:
                raise src.error(by, "expected TriggeringEntities and EntityCondition")
            rule_all = src.choice(te, "triggeringEntitiesRule", ("any", "all")) == "all"
            refs = list(children(te, "EntityRef"))
            if not refs:  # the condition could never hold: a silently dead trigger
                raise src.error(te, "no EntityRef: expected at least one triggering entity")
            triggering = expand((n for r in refs for n in self._entities(src, r)), {})
            holder = ec
        elif by.tag == "ByValueCondition":
            holder = by
        else:
            raise src.error(by, "expected ByEntityCondition or ByValueCondition")
        leaves = list(children(holder))
        if len(leaves) != 1:  # a second one used to be dropped without a word
            found = ", ".join(e.tag for e in leaves) or "none"
            raise src.error(holder, f"expected exactly one condition element inside, found "
                                    f"{len(leaves)} ({found})")
        leaf = leaves[0]
        self._check_refs(src, leaf)
        spec = CONDITIONS.parse(leaf, self.ctx.with_source(src))
        if getattr(spec, "entities", None):   # RelativeClearanceCondition/EntityRef (Annex B)
            spec = replace(spec, entities=expand(spec.entities, self.selections))
        ref = getattr(spec, "entity", None)
        if isinstance(ref, str) and ref and ref not in self.entities:
            raise src.error(leaf, f"unknown entity '{ref}'")
        if isinstance(ref, str) and ref and set(triggering) == {ref}:
            # its distance, headway, TTC, collision or relative speed to itself: constant, a
            # trigger that never fires (or always does), not what was meant
            raise src.error(leaf, f"entityRef='{ref}' is also the only triggering entity: "
                                  f"expected another entity to measure against")
        return ConditionDef(name, edge, delay, spec, triggering, rule_all, el.sourceline)

    def trigger(self, src: Source, el: etree._Element | None) -> TriggerDef | None:
        """Read a StartTrigger/StopTrigger (None when absent).

        A StartTrigger without ConditionGroup is read as esmini reads it (ScenarioReader's
        ``parseTrigger(node, true)``: the default of a start trigger is true), as if it were
        absent: its Act or Event starts at once. A StopTrigger without one never fires."""
        if el is None:
            return None
        groups = list(children(el, "ConditionGroup"))
        if not groups and el.tag == "StartTrigger":
            return None
        for g in groups:
            if next(children(g, "Condition"), None) is None:  # never true: a dead trigger
                raise src.error(g, "no Condition: expected at least one (an empty group "
                                   "is never true)")
        return TriggerDef(tuple(tuple(self.condition(src, c) for c in children(g, "Condition"))
                                for g in groups))

    # ------------------------------------------------------------------ structure
    def event(self, src: Source, el: etree._Element, actors: tuple[str, ...]) -> EventDef:
        """Read an ``Event`` whose private actions apply to ``actors``."""
        return EventDef(src.attr(el, "name", str), src.choice(el, "priority", PRIORITIES),
                        src.attr(el, "maximumExecutionCount", positive_int, 1),
                        tuple(self.action(src, a, actors) for a in children(el, "Action")),
                        self.trigger(src, child(el, "StartTrigger")))

    def maneuver(self, src: Source, el: etree._Element, actors: tuple[str, ...]) -> ManeuverDef:
        """Read a Maneuver (inline, or from a catalog with its own parameters)."""
        if el.tag == "CatalogReference":
            el, src = self.catalogs.resolve(src, el)
            if el.tag != "Maneuver":
                raise src.error(el, "catalog entry is not a Maneuver")
        else:
            src = src.with_scope(read_declarations(src, el))
        return ManeuverDef(src.attr(el, "name", str),
                           tuple(self.event(src, e, actors) for e in children(el, "Event")))

    def group(self, src: Source, el: etree._Element) -> ManeuverGroupDef:
        """Read a ``ManeuverGroup`` and its Actors."""
        act = child(el, "Actors")
        if act is None:
            raise src.error(el, "expected Actors")
        actors = expand((n for r in children(act, "EntityRef")
                         for n in self._entities(src, r)), {})
        mans = [m for m in children(el) if m.tag in ("Maneuver", "CatalogReference")]
        select = src.attr(act, "selectTriggeringEntities", bool, False)
        maneuvers = tuple(self.maneuver(src, m, actors) for m in mans)
        if not actors and not select:
            for action in (a for m in maneuvers for e in m.events for a in e.actions):
                if getattr(action.spec, "PRIVATE", False):  # it would act on nobody
                    raise src.error(act, f"no EntityRef and selectTriggeringEntities false, "
                                         f"yet the group's action '{action.name}' (line "
                                         f"{action.line}) is a PrivateAction: expected the "
                                         f"entities it acts on")
        return ManeuverGroupDef(src.attr(el, "name", str),
                                src.attr(el, "maximumExecutionCount", positive_int, 1), actors,
                                select, maneuvers)

    def act(self, src: Source, el: etree._Element) -> ActDef:
        """Read an ``Act`` with its start and stop triggers.

        Raises:
            ScenarioError: a maneuver group with private actions whose only actors are to be
                the triggering entities (selectTriggeringEntities, no EntityRef) while the
                Act's StartTrigger has no ByEntityCondition: it would act on nobody.
        """
        groups = tuple(self.group(src, g) for g in children(el, "ManeuverGroup"))
        start = self.trigger(src, child(el, "StartTrigger"))
        by_entity = start is not None and any(c.triggering for g in start.groups for c in g)
        for gdef, gel in zip(groups, children(el, "ManeuverGroup")):
            private = [a for m in gdef.maneuvers for e in m.events for a in e.actions
                       if getattr(a.spec, "PRIVATE", False)]
            if gdef.select_triggering and not gdef.actors and private and not by_entity:
                raise src.error(child(gel, "Actors"), f"selectTriggeringEntities is true and "
                                f"no EntityRef is given, but the Act's StartTrigger has no "
                                f"ByEntityCondition, so the group's action "
                                f"'{private[0].name}' (line {private[0].line}) would act on "
                                f"nobody: expected an EntityRef or a ByEntityCondition")
        return ActDef(src.attr(el, "name", str), groups, start,
                      self.trigger(src, child(el, "StopTrigger")))

    def story(self, src: Source, el: etree._Element) -> StoryDef:
        """Read a ``Story`` in the scope of its own ParameterDeclarations."""
        scope = read_declarations(src, el)
        inner = src.with_scope(scope)
        return StoryDef(src.attr(el, "name", str),
                        tuple(self.act(inner, a) for a in children(el, "Act")), scope.local())

    def storyboard(self, src: Source, el: etree._Element) -> StoryboardDef:
        """Read the whole ``Storyboard``."""
        return StoryboardDef(self.init(src, child(el, "Init")),
                             tuple(self.story(src, s) for s in children(el, "Story")),
                             self.trigger(src, child(el, "StopTrigger")))
