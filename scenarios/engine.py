"""``ScenarioEngine``: runs a parsed scenario's storyboard against a road network.

One step of ``dt`` follows esmini's ``ScenarioEngine::step`` order (checked against esmini
v3.6.0's cut-in run: the act starting at t=0.05 moves the OverTaker only from t=0.10):

1. triggers are evaluated and actions started and stepped at the current time t (the
   storyboard stop trigger first; if it fires, the run is over and time does not advance);
2. time advances to t + dt;
3. scenario-controlled entities move ``speed * dt`` along their lanes (``scenarios.motion``);
   entities with an active controller (``scenarios.controllers``) move last, after their
   controllers set their speeds from the others' new positions (esmini's order), and their
   controllers then see where they went (``after_move``: FollowRouteController plans there);
   external entities (the vehicle under test) take the states passed in; towed trailers
   are then dragged behind their tow vehicles (``scenarios.trailers``, esmini's order);
4. signal states are updated and bounding-box contacts detected (``collision`` event on first
   contact, ``collision_end`` when it dissolves; a vehicle and the trailer it tows do not
   collide).

Private actions aimed at external entities are not applied (except TeleportAction, which
places them) but emitted as ``Event(t, "ego_request", {...})``.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from testzone.recording import Event
from testzone.world import (EntityState, LaneCoord, Pose, WorldState, boxes_overlap,
                            wrap_angle)

from maps.traversal import RouteWalk
from scenarios.actions.monitor import announce_monitors
from scenarios.controllers import settle_controllers, step_controllers
from scenarios.conditions.value import StoryboardElementStateCondition
from scenarios.errors import ScenarioError
from scenarios.loader import refuse_signal_references
from scenarios.model import Scenario
from scenarios.motion import drive
from scenarios.runtime import Mover, Runtime
from scenarios.signals import controller_clocks
from scenarios.storyboard import State, Storyboard
from scenarios.trailers import connect_initial, coupled, drag


def state_condition_targets(board: Storyboard):
    """Yield ``(condition runtime, the storyboard elements it watches)`` for every
    StoryboardElementStateCondition of ``board``'s triggers; an empty list where its
    ``storyboardElementRef`` names no element of its type (esmini's FindChildByTypeAndName: the
    ref is the element's name or the rightmost part of its ``::`` path)."""
    for el in list(board.walk()):
        for trig in (el.start_trigger, el.stop_trigger):
            if trig is None:
                continue
            for cr in trig.conditions():
                spec = cr.cdef.spec
                if isinstance(spec, StoryboardElementStateCondition):
                    yield cr, board.find(spec.element_type, spec.element_ref)


def unresolved_state_ref(cr, path: str | None) -> ScenarioError:
    """The error for a StoryboardElementStateCondition whose element is not in the
    storyboard (naming the file and the condition's line)."""
    spec = cr.cdef.spec
    return ScenarioError(f"no {spec.element_type} named '{spec.element_ref}' in the storyboard",
                         file=path, line=cr.cdef.line,
                         element="StoryboardElementStateCondition")


class ScenarioEngine:
    """Runs one scenario.

    Args:
        scenario: from :func:`scenarios.load_scenario`.
        net: the road network (``maps.RoadNetwork``, see :class:`scenarios.runtime.Network`).
        dt: nominal step [s] (each :meth:`step` call gives its own dt).
        external: names of entities driven from outside (not moved by the engine).
        seed: random seed (kept for stochastic elements; the supported ones are deterministic).
        on_event: receives every :class:`testzone.recording.Event` (storyboard transitions,
            ego requests, collisions).

    Raises:
        ScenarioError: an external name is not an entity, or has no TeleportAction in Init;
            a StoryboardElementStateCondition names no storyboard element; a signal reference
            names no signal of ``net`` (:func:`scenarios.loader.refuse_signal_references`).
    """

    def __init__(self, scenario: Scenario, net, dt: float = 0.05,
                 external: frozenset[str] = frozenset(), seed: int = 0,
                 on_event: Callable[[Event], None] | None = None) -> None:
        unknown = sorted(set(external) - set(scenario.entities))
        if unknown:
            raise ScenarioError(f"external entities {unknown} are not declared",
                                file=scenario.path, element="Entities")
        for name in sorted(set(external) - scenario.placed_in_init()):  # else at (0, 0)
            raise ScenarioError(f"'{name}', driven by the stack under test, has no "
                                f"TeleportAction in Init: expected its start position",
                                file=scenario.path, element="Init")
        self.scenario = scenario
        self.dt = dt
        self.rng = random.Random(seed)
        movers = {n: Mover(n, d, external=n in external, controller_def=d.controller)
                  for n, d in scenario.entities.items()}
        self.rt = Runtime(net, movers, dict(scenario.parameters), on_event or (lambda e: None),
                          dt=dt, variables=dict(getattr(scenario, "variables", {})),
                          monitors=dict(getattr(scenario, "monitors", {})), rng=self.rng)
        self.board = Storyboard(scenario.storyboard)
        self.rt.find_elements = self.board.find
        self.rt.source = scenario.path
        self.rt.controllers = controller_clocks(scenario.signal_controllers)
        if getattr(net, "signals", None):  # a map with signals: names must be its ids
            refuse_signal_references(scenario, frozenset(str(s.id) for s in net.signals))
        connect_initial(self.rt)
        self._attach_watchers()
        self.done = False
        self._route_walks: dict[str, RouteWalk] = {}  # external entity -> along its route
        self.end_reason: str | None = None
        self._world: WorldState | None = None
        self._at_end: set[str] = set()   # entities stopped at a dead end (event sent)

    def _attach_watchers(self) -> None:
        for cr, found in state_condition_targets(self.board):
            if not found:
                raise unresolved_state_ref(cr, self.scenario.path)
            for target in found:
                target.watchers.append(cr)

    @property
    def environment(self) -> dict:
        """The current Environment (the last EnvironmentAction, else ``{}``): nested dicts of
        the element's attributes, e.g. ``env["Weather"]["Precipitation"]["precipitationType"]``;
        ``TimeOfDay.dateTime`` advances with the simulation when ``animation`` is true
        (see ``scenarios.actions.environment``). A copy: changing it changes nothing."""
        from scenarios.actions.environment import current_environment
        return current_environment(self.rt)

    def route_of(self, name: str) -> tuple[str, ...] | None:
        """The road ids (junction connecting roads included) of the route entity ``name`` was
        given by AssignRouteAction / AcquirePositionAction, as planned on the map
        (``maps.RoadNetwork.route``), or, when an active controller plans its own path
        (esmini's FollowRouteController: ``planned_roads``), the roads of that path; None
        without a route or a plan."""
        mover = self.rt.movers.get(name)
        own = getattr(mover.controller, "planned_roads", None) \
            if mover is not None and mover.control_domains else None
        plan = own(self.rt, name) if own is not None else None
        if not plan:
            plan = getattr(getattr(mover, "route", None), "plan", None)
        return tuple(plan) if plan else None

    def goal_of(self, name: str) -> tuple[float, float] | None:
        """(x, y) [m] of the last waypoint of the route entity ``name`` was given (its goal),
        or None without a route."""
        follower = getattr(self.rt.movers.get(name), "route", None)
        waypoints = getattr(follower, "waypoints", None)
        if not waypoints:
            return None
        pose = waypoints[-1].pose
        return (pose.x, pose.y)

    def event_coverage(self, end_time: float | None = None
                       ) -> tuple[tuple[str, ...], list[str], list[str], list[str]]:
        """``(paths, never, guards, after_end)``: the full path (``Story::Act::ManeuverGroup::
        Maneuver::Event``) of every storyboard Event in document order; those never executed in
        the run (neither started nor skipped by their priority: a skipTransition is an
        execution, OpenSCENARIO XML 1.3, 8.4.2.1), except monitor guards and Events timed after
        ``end_time``; the guards among them: Events whose every Action is a SetMonitorAction
        (1.3 monitors), which a good run may never start; and, given ``end_time`` [s] (the
        latest the run could end: the runner passes the StopTrigger's own SimulationTime or
        its time limit, not the moment it did end), the Events whose start trigger could not
        hold before it, or whose Act's could not: every ConditionGroup holds a
        SimulationTimeCondition that first holds (plus its delay) after ``end_time`` (UN
        R157's ALKS templates start an Event at SimulationTime >= 10000 s in a 40 s case; the
        realinputs16 sweep: events_started had failed all of them)."""
        paths, never, guards, after_end = [], [], [], []
        for el in self.board.walk():
            if el.kind != "event":
                continue
            paths.append(el.path)
            if el.ever_executed:
                continue
            guard = bool(el.children) and all(getattr(c.adef.spec, "ELEMENT", "")
                                              == "SetMonitorAction" for c in el.children)
            if guard:
                guards.append(el.path)
            elif end_time is not None and any(_timed_after(up.start_trigger, end_time)
                                              for up in _self_and_ancestors(el)):
                after_end.append(el.path)
            else:
                never.append(el.path)
        return tuple(paths), never, guards, after_end

    def set_user_value(self, name: str, value) -> None:
        """Feed a value (number or string) read by ``UserDefinedValueCondition`` ``name``
        from the next evaluation on (e.g. a V2X message field, an agent state)."""
        self.rt.user_values[str(name)] = value

    @property
    def time(self) -> float:
        """Current simulation time [s]."""
        return self.rt.time

    def initialize(self) -> WorldState:
        """Record the declared monitors' initial values (``monitor`` events, ``"initial":
        true``), apply the Init actions and start the storyboard; return the world at t = 0."""
        rt = self.rt
        rt.time = 0.0
        announce_monitors(rt)
        self.board.start(rt)
        self.board.eval_triggers(rt)
        self.board.step(rt, 0.0)
        drag(rt)        # trailers take their tow vehicles' initial speeds (esmini's t = 0)
        for m in rt.movers.values():
            m.held = False
        self._update_signals()
        self._world = self._snapshot()
        self._detect_contacts(self._world.entities)
        return self._world

    def stop_trigger_holds(self) -> bool:
        """Evaluate the Storyboard's StopTrigger once at the current time, without starting
        Events or moving anything, and end the storyboard when it holds (``done``,
        ``end_reason`` ``"stop_trigger"``), as :meth:`step` does first. For the last frame of
        a run cut at its time limit: a StopTrigger ``SimulationTime >= 300`` holds at 300 s,
        and a 300 s limit must not call that a time-out. True when the storyboard has ended."""
        if self.done:
            return True
        board = self.board
        if board.state == State.RUNNING and board.stop_trigger is not None \
                and board.stop_trigger.evaluate(self.rt):
            board.stop(self.rt)
            self.done, self.end_reason = True, "stop_trigger"
        return self.done

    def step(self, dt: float, external_states: Mapping[str, EntityState] | None = None
             ) -> WorldState:
        """Advance the scenario by ``dt`` [s].

        Args:
            dt: step [s] (> 0).
            external_states: states at t + dt of the external entities, by name; an external
                entity without a state keeps its previous one.

        Returns:
            the world at t + dt; when the storyboard ended in this step, the unchanged world
            at t (and ``done`` is True, ``end_reason`` ``"stop_trigger"``).
        """
        if self._world is None:
            self.initialize()
        if self.done:
            assert self._world is not None
            return self._world
        rt = self.rt
        rt.dt = dt
        self.board.eval_triggers(rt)
        if self.board.state != State.RUNNING:
            self.done, self.end_reason = True, "stop_trigger"
            assert self._world is not None
            return self._world
        before = {n: (m.speed, m.pose.h) for n, m in rt.movers.items() if m.present}
        self.board.step(rt, dt)
        rt.time = round(rt.time + dt, 9)
        controlled = [m for m in rt.movers.values()
                      if m.controller is not None and m.control_domains and not m.external]
        for m in list(rt.movers.values()):
            towed = m.tow is not None and not m.external     # dragged below
            if m.present and not towed and (not controlled or m not in controlled):
                self._move(m, dt, external_states)
        if controlled:
            # as esmini: controllers see the other entities already moved in this step
            step_controllers(rt, dt)
            for m in controlled:
                if m.tow is None:
                    self._move(m, dt, external_states)
            settle_controllers(rt, dt)
        drag(rt)
        for name, m in rt.movers.items():
            if not m.present or m.external:
                continue
            _check_finite(name, m, rt.time)
            if name in before:
                # over the whole step: actions and controllers change speed and heading too
                speed, heading = before[name]
                m.acceleration = (m.speed - speed) / dt
                m.yaw_rate = wrap_angle(m.pose.h - heading) / dt
        self._update_signals()
        self._world = self._snapshot()
        self._detect_contacts(self._world.entities)
        return self._world

    def _move(self, m: Mover, dt: float, external_states: Mapping[str, EntityState] | None
              ) -> None:
        """Move one entity by a step: the given state (external) or the default controller.
        (:meth:`step` sets the acceleration and yaw rate of scenario entities afterwards.)"""
        if m.external:
            state = (external_states or {}).get(m.name)
            if state is not None:
                self._apply_external(m, state)
            return
        speed = m.speed
        if drive(self.rt.net, m, dt) and m.coord is not None and m.name not in self._at_end:
            self._at_end.add(m.name)  # once: an action may keep asking for speed there
            # a regulator reading the ego's peak deceleration needs to know where it came from
            self.rt.emit("end_of_road", {"entity": m.name, "road_id": m.coord.road_id,
                                         "lane_id": m.coord.lane_id, "s": round(m.coord.s, 3),
                                         "speed_mps": round(speed, 3)})

    def _apply_external(self, m: Mover, state: EntityState) -> None:
        moved = math.hypot(state.pose.x - m.pose.x, state.pose.y - m.pose.y)
        m.pose, m.speed = state.pose, state.speed
        m.acceleration, m.yaw_rate = state.acceleration, state.yaw_rate
        m.lane = state.lane if state.lane is not None else self._localize(m, state.pose)
        m.coord = m.lane
        m.visible = state.visible
        m.odometer += moved

    def _localize(self, m: Mover, pose: Pose) -> LaneCoord | None:
        """Lane position of an external entity at ``pose``: ``net.world_to_lane`` with its
        heading, staying on its previous connecting road inside a junction while it is still
        in that road's lanes (``prefer``; overlapping connecting roads would otherwise flicker
        from step to step), and on its route's connecting road there (``route``: the part of
        the route's plan from the road it was last on, so a route through a junction twice
        takes the second pass's road the second time; the turn it is taking, not the
        straightest road)."""
        plan = getattr(m.route, "plan", None)
        walk = self._route_walks.setdefault(m.defn.name, RouteWalk())
        last = m.lane.road_id if m.lane is not None else None
        ahead = walk.ahead(plan, last) if plan else None
        lane = self.rt.net.world_to_lane(pose.x, pose.y, pose.h, prefer=m.lane, route=ahead)
        if plan and lane is not None:
            walk.ahead(plan, lane.road_id)
        return lane

    def _update_signals(self) -> None:
        rt = self.rt
        for clock in rt.controllers.values():
            rt.signals.update(clock.states(rt.time))
        rt.signals.update(rt.pinned_signals)

    def _detect_contacts(self, states: Mapping[str, EntityState]) -> None:
        """Emit ``collision`` / ``collision_end`` events for pairs of ``states`` (the present
        entities, by name) whose boxes started / stopped overlapping in this step."""
        rt = self.rt
        order = {n: i for i, n in enumerate(rt.movers)}
        reach = {n: math.hypot(abs(st.box.cx) + st.box.length / 2, abs(st.box.cy) + st.box.width / 2)
                 for n, st in states.items()}
        now: set[frozenset[str]] = set()
        for a, b in itertools.combinations(states, 2):
            pa, pb = states[a].pose, states[b].pose
            if math.hypot(pa.x - pb.x, pa.y - pb.y) > reach[a] + reach[b]:
                continue            # bounding circles apart: no contact (cheap test first)
            if coupled(rt, a, b):
                continue            # a tow vehicle and its trailer overlap at the coupling
            if boxes_overlap(states[a], states[b]):
                now.add(frozenset((a, b)))
        def declared_first(n: str) -> tuple[int, str]:  # a vehicle taken out of the run
            return order.get(n, len(order)), n           # (swarm, sink) still ends its contact
        for pair in sorted(now - rt.contacts, key=sorted):
            a, b = sorted(pair, key=declared_first)
            rt.emit("collision", {"a": a, "b": b})
        for pair in sorted(rt.contacts - now, key=sorted):
            a, b = sorted(pair, key=declared_first)
            rt.emit("collision_end", {"a": a, "b": b})
        rt.contacts = now

    def _snapshot(self) -> WorldState:
        rt = self.rt
        return WorldState(rt.time, {n: m.state() for n, m in rt.movers.items() if m.present},
                          dict(rt.signals))


def _check_finite(name: str, m: Mover, time: float) -> None:
    """Raise ScenarioError when a step left ``m``'s pose or speed NaN or infinite: a run error
    naming the entity and the time, before the evaluator meets it as a geometry error."""
    p = m.pose
    # one test for all five: a NaN or an infinity in any of them carries into the sum (and
    # the values are far below where a sum of finite ones could overflow); run every step
    if not math.isfinite(p.x + p.y + p.z + p.h + m.speed):
        raise ScenarioError(f"entity '{name}' at t={time:g} s: its state became x={p.x:g}, "
                            f"y={p.y:g}, heading={p.h:g}, speed={m.speed:g}; expected finite "
                            f"values (an action or controller moving it computed a NaN or "
                            f"infinity)")


def _self_and_ancestors(el: Any) -> Iterator[Any]:
    """``el`` and the storyboard elements enclosing it, innermost first."""
    while el is not None:
        yield el
        el = el.parent


def _timed_after(trigger: Any, end_time: float) -> bool:
    """True when ``trigger`` (a TriggerRuntime, or None) cannot have held up to ``end_time``
    [s] for the clock alone: each of its ConditionGroups (OR) holds a SimulationTimeCondition
    (AND) that first holds after ``end_time`` (:func:`_fires_after`). A trigger without
    groups, or with a group free of such a condition, could have held."""
    groups = getattr(trigger, "groups", None)
    if not groups:
        return False
    for group in groups:
        if not any(_fires_after(c.cdef, end_time) for c in group):
            return False
    return True


def _fires_after(cdef: Any, end_time: float) -> bool:
    """True when condition ``cdef`` is a SimulationTimeCondition that first holds at or after
    ``end_time`` [s] (``SimulationTimeCondition.fires_from``)."""
    fires_from = getattr(cdef.spec, "fires_from", None)
    fires = fires_from(cdef.edge, cdef.delay) if fires_from is not None else None
    return fires is not None and fires[0] >= end_time   # at the end itself: the run stops
                                                        # first (review 16)
