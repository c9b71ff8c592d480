"""The storyboard state machine (ASAM OpenSCENARIO 1.x clause "Storyboard and entities",
"States and transitions of storyboard elements"), structured as esmini's
``StoryboardElement.cpp`` / ``Storyboard.cpp``.

One :class:`StoryboardElement` base holds the state (standby, running, complete) and the
execution count; every change goes through :meth:`StoryboardElement.transition`, which emits
``Event(t, "storyboard", {"element": "Story::Act::...", "type": ..., "from": ..., "transition":
..., "to": ...})`` and notifies the StoryboardElementStateConditions watching the element.

Semantics (esmini's):

* starting an element starts its children that have no start trigger (story, maneuver group,
  maneuver); acts and events wait in standby for their start trigger;
* ``eval_triggers`` walks the tree: stop trigger of a running element, start trigger of an
  element in standby, then the children of running elements (so an event can start in the
  same step as its act);
* ``step`` steps the running actions; an action completes when all its runs are done, and
  completion propagates upwards (an element whose children are all complete ends);
* ending a maneuver group or event that has executions left (``maximumExecutionCount``) puts
  it back in standby with its children and triggers reset;
* event priority (ASAM OpenSCENARIO XML 1.3, 8.4.2, where it departs from esmini):
  ``overwrite``/``override`` stops the other running events of the maneuver (stopTransition
  to completeState, whatever executions they have left; esmini ends them and re-runs those
  with executions left), ``skip`` does not start while another event of the maneuver runs:
  a skipTransition that counts as an execution (8.4.2.1), to completeState once the
  executions reach maximumExecutionCount, else back to standby (esmini never counts it and
  runs the event once the other ends); ``parallel`` starts regardless;
* the storyboard itself ends only by its stop trigger.
"""

from __future__ import annotations

import dataclasses

import enum
from collections.abc import Sequence
from dataclasses import asdict, is_dataclass
from typing import Any

from scenarios.conditions.base import TriggerRuntime
from scenarios.errors import ScenarioError
from scenarios.model import (ActDef, ActionDef, EventDef, ManeuverDef, ManeuverGroupDef,
                             StoryboardDef, StoryDef, TriggerDef)
from scenarios.runtime import Runtime


class State(str, enum.Enum):
    """Storyboard element states."""

    STANDBY = "standbyState"
    RUNNING = "runningState"
    COMPLETE = "completeState"


class Transition(str, enum.Enum):
    """Storyboard element transitions."""

    START = "startTransition"
    END = "endTransition"
    STOP = "stopTransition"
    SKIP = "skipTransition"


def _trigger(tdef: TriggerDef | None) -> TriggerRuntime | None:
    return TriggerRuntime(tdef) if tdef is not None else None


class StoryboardElement:
    """Base of every storyboard element.

    Args:
        kind: ``storyboard``, ``story``, ``act``, ``maneuverGroup``, ``maneuver``, ``event``
            or ``action`` (the StoryboardElementType names).
        name: element name. parent: enclosing element (None for the storyboard and Init
            actions). start_trigger/stop_trigger: run-time triggers or None.
        max_executions: maximumExecutionCount (maneuver groups and events), else 1.
    """

    def __init__(self, kind: str, name: str, parent: StoryboardElement | None,
                 start_trigger: TriggerRuntime | None = None,
                 stop_trigger: TriggerRuntime | None = None, max_executions: int = 1) -> None:
        self.kind = kind
        self.name = name
        self.parent = parent
        self.children: list[StoryboardElement] = []
        self.state = State.STANDBY
        self.start_trigger = start_trigger
        self.stop_trigger = stop_trigger
        self.max_executions = max_executions
        self.executions = 0
        self.watchers: list[Any] = []
        self.stopping = False
        self.triggered_by: tuple[str, ...] = ()   # entities that fired the start trigger
        self.select_triggering = False            # maneuver groups: Actors@selectTriggering..
        if parent is None or parent.kind == "storyboard":
            self.path = name if kind != "storyboard" else ""
        else:
            self.path = f"{parent.path}::{name}"

    # ------------------------------------------------------------------ the one setter
    def transition(self, rt: Runtime, transition: Transition, to: State) -> None:
        """Change state through ``transition``, emit the storyboard event, notify watchers."""
        rt.emit("storyboard", {"element": self.path or "Storyboard", "type": self.kind,
                               "from": self.state.value, "transition": transition.value,
                               "to": to.value})
        self.state = to
        for w in self.watchers:
            w.changes.append((self, to.value, transition.value))

    # ------------------------------------------------------------------ transitions
    def start(self, rt: Runtime) -> None:
        """standby -> running; starts the children that have no start trigger."""
        if self.state != State.STANDBY:
            return
        self.executions += 1
        self.transition(rt, Transition.START, State.RUNNING)
        for c in self.children:
            if c.start_trigger is None and c.kind not in ("event", "act"):
                c.start(rt)

    def end(self, rt: Runtime) -> None:
        """running/standby -> complete (or back to standby when executions remain)."""
        if self.state == State.COMPLETE:
            return
        before = self.state
        for c in self.children:
            if c.state == State.RUNNING:
                c.end(rt)
        if self.state != before:
            return  # the last child's end already ended this element (children_changed)
        self.after_execution(rt, Transition.END, again=True)

    def after_execution(self, rt: Runtime, transition: Transition, again: bool) -> None:
        """Leave an execution by ``transition`` (clause 8.4.2.1): back to standby while a
        maneuver group or event has executions left (with ``again``, its triggers and
        children reset for the next run, as after an end; a skip leaves them), else to
        complete; then tell the parent."""
        if self.kind in ("maneuverGroup", "event") and self.executions < self.max_executions:
            if again:
                for trig in (self.start_trigger, self.stop_trigger):
                    if trig is not None:
                        trig.reset()
            self.transition(rt, transition, State.STANDBY)
            if again:
                for c in self.children:
                    c.reset()
        else:
            self.transition(rt, transition, State.COMPLETE)
        if self.parent is not None:
            self.parent.children_changed(rt)

    def stop(self, rt: Runtime) -> None:
        """Stop this element and all its children (-> complete, each by a stopTransition:
        completion of the stopped children does not end their parents on the way)."""
        self.stopping = True
        for c in self.children:
            c.stop(rt)
        self.stopping = False
        if self.state == State.COMPLETE:
            return
        self.transition(rt, Transition.STOP, State.COMPLETE)
        self.on_stop(rt)
        if self.parent is not None:
            self.parent.children_changed(rt)

    def on_stop(self, rt: Runtime) -> None:
        """Hook for subclasses (actions release their control domains)."""

    def reset(self) -> None:
        """Back to standby without events (re-execution of an enclosing element)."""
        for c in self.children:
            c.reset()
        self.state = State.STANDBY
        self.executions = 0
        for trig in (self.start_trigger, self.stop_trigger):
            if trig is not None:
                trig.reset()

    def children_changed(self, rt: Runtime) -> None:
        """End this element when all its children are complete (not the storyboard)."""
        if self.kind != "storyboard" and self.state != State.COMPLETE and not self.stopping and \
                all(c.state == State.COMPLETE for c in self.children):
            self.end(rt)

    # ------------------------------------------------------------------ per step
    def eval_triggers(self, rt: Runtime) -> None:
        """Evaluate stop and start triggers, then recurse into running children."""
        if self.state == State.RUNNING and self.stop_trigger is not None:
            if self.stop_trigger.evaluate(rt):
                self.stop(rt)
        if self.state == State.STANDBY and (self.start_trigger is None
                                            or self.start_trigger.evaluate(rt)):
            if self.start_trigger is not None:
                self.triggered_by = self.start_trigger.fired_entities
            self.start(rt)
        if self.state == State.RUNNING:
            for c in list(self.children):
                c.eval_triggers(rt)

    def step(self, rt: Runtime, dt: float) -> None:
        """Step the running descendants' actions by ``dt`` [s]."""
        if self.state == State.RUNNING:
            for c in list(self.children):
                c.step(rt, dt)

    def walk(self):
        """Yield this element and all descendants, depth first."""
        yield self
        for c in self.children:
            yield from c.walk()


class EventElement(StoryboardElement):
    """An ``Event``: starts its actions under its priority rule."""

    def __init__(self, edef: EventDef, parent: StoryboardElement) -> None:
        super().__init__("event", edef.name, parent, _trigger(edef.start_trigger),
                         max_executions=edef.max_executions)
        self.priority = edef.priority
        self.children = [ActionElement(a, self) for a in edef.actions]
        self.ever_executed = False   # started or skipped once in the run (reset() keeps it)

    def start(self, rt: Runtime) -> None:
        """standby -> running under the priority rule, starting the actions."""
        if self.state != State.STANDBY or self.parent is None:
            return
        siblings = [e for e in self.parent.children if e is not self]
        busy = [e for e in siblings if e.state == State.RUNNING]
        if self.priority in ("overwrite", "override"):
            for e in busy:          # terminated: complete, whatever executions are left
                e.stop(rt)
        elif self.priority == "skip" and busy:
            self.executions += 1    # a skip counts as an execution (8.4.2.1)
            self.ever_executed = True
            self.after_execution(rt, Transition.SKIP, again=False)
            return
        self.ever_executed = True
        super().start(rt)  # starts the actions (they have no start trigger)
        if not self.children:
            self.end(rt)


class ActionElement(StoryboardElement):
    """An ``Action``: one run per actor (private actions) or a single run (global ones)."""

    def __init__(self, adef: ActionDef, parent: StoryboardElement | None,
                 path: str | None = None) -> None:
        super().__init__("action", adef.name, parent)
        self.adef = adef
        if path is not None:
            self.path = path
        self.runs: list[Any] = []
        self.actors: tuple[str, ...] = adef.actors   # as of the last start

    def _actors_now(self) -> tuple[str, ...]:
        """The actors: the Actors' EntityRefs and, when its maneuver group selects triggering
        entities, those that fired the enclosing Act's StartTrigger (union, OpenSCENARIO
        1.2, 7.3.1)."""
        group = self.parent
        while group is not None and group.kind != "maneuverGroup":
            group = group.parent
        if group is None or not group.select_triggering or group.parent is None:
            return self.adef.actors
        extra = tuple(e for e in group.parent.triggered_by if e not in self.adef.actors)
        return self.adef.actors + extra

    def start(self, rt: Runtime) -> None:
        """standby -> running: first end the actions holding the same control domains of the
        actors (esmini ``Event::Start``; not among Init actions, which all apply), then start one run per actor (or one global run);
        an action aimed at an external actor becomes an ``ego_request`` event."""
        if self.state != State.STANDBY:
            return
        spec = self.adef.spec
        self.actors = self._actors_now()
        actors = self.actors if getattr(spec, "PRIVATE", False) else (None,)
        applied = [a for a in actors if a is not None and self._applies(rt, spec, a)]
        for actor in applied if self.parent is not None else ():  # Init actions all apply
            for domain in getattr(spec, "DOMAINS", ()):
                holder = rt.mover(actor).domains.get(domain)
                if holder is not None and holder is not self and holder.state == State.RUNNING:
                    holder.end(rt)
        self.executions += 1
        self.transition(rt, Transition.START, State.RUNNING)
        self.runs = []
        for actor in actors:
            if actor is not None and actor not in applied:
                rt.emit("ego_request", {"entity": actor, "action": spec.ELEMENT,
                                        "name": self.name, "path": self.path,
                                        "spec": asdict(spec) if is_dataclass(spec) else {}})
                continue
            if actor is not None:
                for domain in getattr(spec, "DOMAINS", ()):
                    rt.mover(actor).domains[domain] = self
            try:
                run = spec.start(rt, actor)
            except ScenarioError as exc:
                if exc.file is not None:
                    raise
                raise type(exc)(f"action '{self.name}' on {actor or 'the world'} at "
                                    f"t={rt.time:.2f} s: {exc.message}",
                                    file=self.adef.file or rt.source,   # a catalog's Maneuver
                                    line=self.adef.line, element=exc.element) from None
            if run is not None:
                self.runs.append(run)

    def _applies(self, rt: Runtime, spec: Any, actor: str) -> bool:
        """False for an external actor the action is not applied to.

        In Init (no parent element), actions marked ``INITIAL_STATE`` also apply to external
        actors: they set the test case's initial condition (e.g. the ego's start speed).
        """
        if not rt.mover(actor).external or getattr(spec, "APPLIES_TO_EXTERNAL", False):
            return True
        return self.parent is None and getattr(spec, "INITIAL_STATE", False)

    def step(self, rt: Runtime, dt: float) -> None:
        """Step the running runs by ``dt`` [s]; the action ends when all are done."""
        if self.state != State.RUNNING:
            return
        self.runs = [r for r in self.runs if not r.step(rt, dt)]
        if not self.runs:
            self.end(rt)

    def end(self, rt: Runtime) -> None:
        """End the action and release the control domains it held."""
        self._release(rt)
        super().end(rt)

    def on_stop(self, rt: Runtime) -> None:
        """Release the control domains when stopped."""
        self._release(rt)

    def _release(self, rt: Runtime) -> None:
        for actor in self.actors:
            mover = rt.movers.get(actor)
            if mover is None:
                continue
            for domain, holder in list(mover.domains.items()):
                if holder is self:
                    del mover.domains[domain]
                    if domain == "lateral":
                        mover.lat_rate = 0.0
        self.runs = []


def _maneuver(mdef: ManeuverDef, parent: StoryboardElement) -> StoryboardElement:
    m = StoryboardElement("maneuver", mdef.name, parent)
    m.children = [EventElement(e, m) for e in mdef.events]
    return m


def _group(gdef: ManeuverGroupDef, parent: StoryboardElement) -> StoryboardElement:
    g = StoryboardElement("maneuverGroup", gdef.name, parent, max_executions=gdef.max_executions)
    g.select_triggering = gdef.select_triggering
    g.children = [_maneuver(m, g) for m in gdef.maneuvers]
    return g


def _act(adef: ActDef, parent: StoryboardElement) -> StoryboardElement:
    a = StoryboardElement("act", adef.name, parent, _trigger(adef.start_trigger),
                          _trigger(adef.stop_trigger))
    a.children = [_group(g, a) for g in adef.groups]
    return a


def _story(sdef: StoryDef, parent: StoryboardElement) -> StoryboardElement:
    s = StoryboardElement("story", sdef.name, parent)
    s.children = [_act(a, s) for a in sdef.acts]
    return s


def teleport_references(spec: Any) -> frozenset[str]:
    """The entities a TeleportAction's position is given from: its own ``entityRef``
    (RelativeLane/Road/Object/WorldPosition) and those of the positions inside it (a
    RoutePosition's Waypoints, a TrajectoryPosition's vertices and control points), found by
    walking the parsed position's dataclass fields; empty for an absolute position or another
    action."""
    if getattr(spec, "ELEMENT", None) != "TeleportAction":
        return frozenset()
    found: set[str] = set()
    _collect_entities(getattr(spec, "position", None), found, 0)
    return frozenset(found)


def _collect_entities(obj: Any, found: set[str], depth: int) -> None:
    """Add to ``found`` every ``entity`` (str) field of ``obj`` and the dataclasses, tuples and
    lists inside it (a parsed position; depth-limited as parsed files are)."""
    if depth > 50:
        return
    if isinstance(obj, (tuple, list)):
        for item in obj:
            _collect_entities(item, found, depth + 1)
        return
    if not dataclasses.is_dataclass(obj) or isinstance(obj, type):
        return
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name, None)
        if f.name == "entity" and isinstance(value, str):
            found.add(value)
        else:
            _collect_entities(value, found, depth + 1)


def _init_passes(actions: Sequence[ActionDef]) -> tuple[list[ActionDef], list[ActionDef]]:
    """``(ordered, stuck)``: the Init actions in the order they can start (see
    :func:`init_order`) and those left waiting on each other in a cycle (empty without one)."""
    needs: dict[str, set[str]] = {}
    for a in actions:
        for ref in teleport_references(a.spec):
            for actor in a.actors:
                if ref != actor:
                    needs.setdefault(actor, set()).add(ref)
    pending, out = list(actions), []
    while pending:
        waiting = {actor for a in pending for actor in a.actors}
        ready = [a for a in pending
                 if not any(needs.get(actor, set()) & waiting for actor in a.actors)]
        if not ready:
            return out, pending
        out.extend(ready)
        pending = [a for a in pending if all(a is not r for r in ready)]
    return out, []


def init_order(actions: Sequence[ActionDef]) -> list[ActionDef]:
    """The Init actions in the order they start: document order, except that the actions of
    an entity teleported relative to another entity (a TeleportAction whose Position names an
    ``entityRef``: RelativeLane/Road/Object/WorldPosition, or whose Route or Trajectory has a
    position that does: :func:`teleport_references`) wait until every Init action of
    that entity has started, so it is placed where it is written to be whatever the order of
    the ``Private`` elements (esmini's ``ScenarioReader::parseInit`` reorders the same way).
    Entities that refer to each other in a cycle keep document order (the loader refuses
    them first: :func:`init_cycle`)."""
    ordered, stuck = _init_passes(actions)
    return ordered + stuck


def init_cycle(actions: Sequence[ActionDef]) -> list[ActionDef]:
    """The Init TeleportActions whose positions refer to each other in a cycle (each entity
    placed relative to another that waits for it), empty without one: none of them can be
    placed where it is written (both would be read at the world origin)."""
    return [a for a in _init_passes(actions)[1] if teleport_references(a.spec)]


class Storyboard(StoryboardElement):
    """The root: Init actions, stories, and the stop trigger that ends the run."""

    def __init__(self, sdef: StoryboardDef) -> None:
        super().__init__("storyboard", "Storyboard", None, stop_trigger=_trigger(sdef.stop_trigger))
        self.children = [_story(s, self) for s in sdef.stories]
        self.init = [ActionElement(a, None, f"Init::{'+'.join(a.actors) or 'global'}::{a.name}")
                     for a in init_order(sdef.init_actions)]

    def start(self, rt: Runtime) -> None:
        """Start the Init actions, then the storyboard and its stories."""
        for a in self.init:
            a.start(rt)
        super().start(rt)

    def step(self, rt: Runtime, dt: float) -> None:
        """Step Init actions, then the stories (esmini ``StoryBoard::Step``)."""
        for a in self.init:
            a.step(rt, dt)
        super().step(rt, dt)

    def find(self, kind: str, ref: str) -> list[StoryboardElement]:
        """Elements of ``kind`` whose name, or path suffix, is ``ref`` (esmini's rule)."""
        out = []
        for el in list(self.walk()) + list(self.init):
            if el.kind == kind and (el.name == ref or el.path == ref
                                    or el.path.endswith("::" + ref)):
                out.append(el)
        return out
