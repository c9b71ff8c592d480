"""One test case, end to end: load, simulate step by step, record, score.

:func:`run_case` never raises for a problem of the case itself: bad input, an agent that
misbehaves, or a crash inside the simulation all become an ``error`` result carrying the cause,
and the recording written so far stays on disk (DESIGN.md, "a crashed or hung run is recorded
as an error, and nothing already computed is lost").
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import functools
import hashlib
import json
import math
import os
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from testzone.errors import TestzoneError
from testzone.recording import (EntityInfo, Event, Recording, RecordingHeader,
                                RecordingWriter)
from testzone.world import EntityState, WorldState

from evaluator.case import CaseResult, reported_agent
from maps.summary import rsu_path
from maps.traversal import RouteWalk

from scenarios.entities import OBU_PROPERTY, xsd_boolean

from runners.agents import agent_follows_scenario, make_agent
from runners.backends import make_backend
from runners.deadline import DeadlineExceeded, wall_deadline
from runners.interfaces import (Agent, AgentError, Control, RouteWaypoint, RunnerError,
                                V2XReceived, VehicleSpec)
from runners.observation import LimitsAhead, SensorModel, observe, route_waypoints

if TYPE_CHECKING:
    from v2x_bridge.geo import GeoFrame


@dataclass(frozen=True)
class TestCase:
    """A concrete test case: one scenario file with its parameter values fixed.

    Attributes:
        case_id: unique, filesystem-safe id within the run.
        scenario_file: absolute path of the .xosc.
        parameters: parameter values overriding the file's declarations.
        seed: random seed of the case.
        criteria: criteria declared for the case (dicts, see ``docs/evaluator.md``).
        family: the scenario family (the file's stem, or the catalogue's name) for grouping.
        input_error: why the case cannot be built ("" when it can): a ParameterValueDistribution
            that could not be expanded stands in the run as one case with this error, so the
            other cases still run (:func:`run_case` records it as bad input).
        distribution_file: the ParameterValueDistribution file the case was expanded from
            ("" for a scenario file given as it is).
        limitations: what the case does not exercise, as the case catalogue says
            (``scenarios/wuhan/catalogue.json``); shown with its verdict.
    """

    __test__ = False

    case_id: str
    scenario_file: str
    parameters: dict[str, Any] = field(default_factory=dict)
    seed: int = 0
    criteria: tuple[dict[str, Any], ...] = ()
    family: str = ""
    input_error: str = ""
    distribution_file: str = ""
    limitations: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunOptions:
    """How to run every case of a run.

    Attributes:
        agent: the ``--agent`` spec. agent_config: its config dict.
        dt: fixed step [s]. max_sim_time: a case still running at this sim time [s] ends with
        reason ``timeout``. extend_to_stop_time: the limit grows, up to
        :data:`MAX_EXTENDED_SIM_TIME`, to the time at which the scenario's own StopTrigger
        ends it by simulation time alone (:func:`simulation_time_stop`; ``testzone run``
        without ``--max-time``: the UN R157 ALKS scenarios run up to an hour).
        case_wall_timeout: wall-clock deadline of a case [s].
        step_timeout: wall-clock deadline of one agent step [s] (out-of-process stacks).
        trace: ``"csv"`` to write an esmini-compatible trace per case, else None.
        v2x: run the V2X bridge when the map has an RSU layout.
        backend: ``embedded`` (kinematic, default) or ``carla`` (``docs/carla.md``).
        carla_servers: ``host:port`` of the CARLA server(s) (the pool binds one per case;
        default ``127.0.0.1:2000``). carla_tm_port: the Traffic Manager port of that server.
        connect_timeout: [s] a CARLA server has to answer.
        v2x_endpoint: ZeroMQ endpoint on which the frames the vehicle under test receives are
            also published (:func:`shared_publisher`), or None.
        agent_memory_gib: cap [GiB] of the data segment of a stack we start (``module:Class``,
            ``file.py:Class``); 0 for none. Its output goes to the case's ``agent.log``.
        utc_start: the UTC instant of simulation time 0 in the V2X frames' time fields
            (MinuteOfTheYear, DSecond, TimeMark), None for :data:`v2x_bridge.units.DEFAULT_EPOCH`.
        utc_start_each_case: take the wall clock at each case's start as its sim time 0
            instead (``--utc-start now --realtime``: an OBU judges every case's frames by its
            own clock); the case records it in a ``v2x_clock`` event.
        realtime: pace the run so that simulation time keeps up with wall-clock time and no
            more (an OBU or a stack in the loop on ``v2x_endpoint`` sees frames at their
            broadcast periods); the time spent waiting does not count towards
            ``case_wall_timeout``.
    """

    agent: str = "idm"
    agent_config: dict[str, Any] = field(default_factory=dict)
    dt: float = 0.05
    max_sim_time: float = 300.0
    extend_to_stop_time: bool = False
    case_wall_timeout: float = 600.0
    step_timeout: float = 1.0
    trace: str | None = None
    v2x: bool = True
    backend: str = "embedded"
    carla_servers: tuple[str, ...] = ()
    carla_tm_port: int = 8000
    connect_timeout: float = 5.0
    v2x_endpoint: str | None = None
    agent_memory_gib: float = 8.0
    utc_start: _dt.datetime | None = None
    utc_start_each_case: bool = False
    realtime: bool = False


@functools.lru_cache(maxsize=None)
def shared_publisher(endpoint: str) -> Any:
    """The process's one :class:`v2x_bridge.transport.Publisher` bound at ``endpoint``, shared
    by the cases this process runs (one bind per process: a subscriber stays connected from case
    to case; ZeroMQ closes the socket at exit).

    Raises:
        V2XError: the endpoint cannot be bound (malformed, in use).
    """
    from v2x_bridge.transport import Publisher
    return Publisher(endpoint)


@functools.lru_cache(maxsize=4)
def _load_network(path: str, mtime_ns: int):
    """Load an OpenDRIVE file once per process (keyed by path and modification time)."""
    from maps import load_opendrive
    return load_opendrive(path)


def load_network(path: str | None):
    """Return the ``maps.RoadNetwork`` of ``path`` (cached per process), or None."""
    if path is None:
        return None
    return _load_network(str(path), os.stat(path).st_mtime_ns)


def vehicle_spec(name: str, entity_def: Any) -> VehicleSpec:
    """Build the ego's VehicleSpec from the scenario's EntityDef (box, Performance, Axles)."""
    box = entity_def.box
    perf = getattr(entity_def, "performance", None)
    kw: dict[str, Any] = {"name": name, "length": box.length, "width": box.width}
    if perf is not None:
        kw.update(max_speed=perf.max_speed, max_acceleration=perf.max_acceleration,
                  max_deceleration=perf.max_deceleration)
    wheelbase = getattr(entity_def, "wheelbase", None)
    if wheelbase:
        kw["wheelbase"] = wheelbase
    max_steer = getattr(entity_def, "max_steering", None)
    if max_steer:
        kw["max_steering"] = max_steer
    return VehicleSpec(**kw)


def _declared(sc: Any, ego: str | None) -> list[dict[str, Any]]:
    """Criteria the .xosc declares (after the catalogue's, so the case file has the last word;
    docs/evaluator.md): one ``monitor:<name>`` per OpenSCENARIO 1.3 MonitorDeclaration (true at
    the end of the run), then the ego's ``criterion:<id>`` Properties.

    Raises:
        EvaluationError: a malformed ``criterion:`` Property (file, entity, property).
    """
    from evaluator.declared import criteria_from_monitors, criteria_from_properties
    out = criteria_from_monitors(getattr(sc, "monitors", {}), file=str(sc.path))
    if ego and ego in sc.entities:
        out += criteria_from_properties(sc.entities[ego].properties, file=str(sc.path),
                                        entity=ego)
    return out


def _entity_infos(sc: Any, ego: str | None) -> dict[str, EntityInfo]:
    out = {}
    for name, ed in sc.entities.items():
        perf = getattr(ed, "performance", None)
        extra = {}
        if perf is not None:
            extra = dict(max_speed=perf.max_speed, max_acceleration=perf.max_acceleration,
                         max_deceleration=perf.max_deceleration)
        out[name] = EntityInfo(kind=ed.kind, category=ed.category, box=ed.box,
                               is_ego=(name == ego), **extra)
    return out


def sha256_of(path: str | Path) -> str:
    """SHA-256 hex digest of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


MAX_EXTENDED_SIM_TIME = 86400.0
"""Longest a case runs by its own SimulationTime StopTrigger when ``--max-time`` is not given
[s] (a day)."""


def _time_conditions(group: Any) -> list[tuple[float, bool]]:
    """``(time [s] it fires from, True when only after it)`` of each condition of a StopTrigger
    ConditionGroup that is a SimulationTimeCondition firing once a time is reached, its delay
    added (``SimulationTimeCondition.fires_from``). A lessThan with edge none holds from the
    start and ends the run at once: no time limit."""
    from scenarios.conditions.value import SimulationTimeCondition
    out = []
    for c in group:
        if isinstance(c.spec, SimulationTimeCondition):
            fires = c.spec.fires_from(c.edge, c.delay)
            if fires is not None:
                out.append(fires)
    return out


def simulation_time_stop(scenario: Any) -> float | None:
    """The simulation time [s] by which the Storyboard's StopTrigger has surely ended the
    scenario, from its ConditionGroups made of SimulationTimeConditions alone that fire once
    a time is reached (:func:`_time_conditions`; the group at the latest of them); the
    earliest such group, or None."""
    trigger = scenario.storyboard.stop_trigger
    times = []
    for group in (trigger.groups if trigger else ()):
        held = _time_conditions(group)
        if group and len(held) == len(group):
            times.append(max(t for t, _ in held))
    return min(times) if times else None


def _later_stop_hint(scenario: Any, limit: float) -> str:
    """``"; its SimulationTimeCondition holds from 3600 s: give --max-time 3600"`` when the
    Storyboard's StopTrigger waits for a simulation time past ``limit`` [s] (the ALKS
    scenarios run up to an hour), else ``""``."""
    trigger = scenario.storyboard.stop_trigger
    times = [held for group in (trigger.groups if trigger else ())
             for held in _time_conditions(group)]
    if not times or any(t <= limit for t, _ in times):
        return ""
    first, after = min(times)
    needed = math.floor(first) + 1 if after else math.ceil(first - 1e-9)
    return (f"; its SimulationTimeCondition holds {'after' if after else 'from'} {first:g} s: "
            f"give --max-time {needed:d}")


class _EgoDriver:
    """The vehicle under test in the loop: observation -> agent -> checked control -> backend."""

    def __init__(self, agent: Agent, backend: Any, ego: str, net: Any,
                 sensor: SensorModel) -> None:
        self.agent, self.backend, self.ego, self.net, self.sensor = agent, backend, ego, net, sensor
        self.spec: VehicleSpec | None = None
        self._roads: tuple[str, ...] | None = None
        self._route: tuple[RouteWaypoint, ...] = ()
        self._walk = RouteWalk()         # the ego along its route (_roads)
        self._limits = LimitsAhead(net) if net is not None else None

    def start(self, world: WorldState, spec: VehicleSpec, config: dict[str, Any]) -> None:
        """Place the ego in the backend and set the agent up (handshake for remote stacks)."""
        self.spec = spec
        self.backend.reset(world.entities[self.ego], spec)
        self.agent.setup(spec, self.net, config)

    def step(self, world: WorldState, received: tuple[V2XReceived, ...], engine: Any,
             dt: float) -> dict[str, EntityState]:
        """One agent step; returns the ego's new state keyed by its name. The route and the
        environment come from the scenario ``engine``.

        Raises:
            AgentError: the agent returned something that is not a valid Control.
        """
        assert self.spec is not None
        roads = engine.route_of(self.ego)
        if roads != self._roads:
            self._roads, self._route = roads, route_waypoints(self.net, roads)
        lane = world.entities[self.ego].lane   # the route still ahead (it may pass a road twice)
        ahead = self._walk.ahead(roads or (), lane.road_id if lane is not None else None)
        obs = observe(world, self.ego, self.net, self.sensor, received, self._route,
                      engine.environment, self._limits, ahead)
        control = self.agent.step(obs)
        if not isinstance(control, Control):
            raise AgentError(f"agent returned {type(control).__name__} at t={obs.time:.2f} s, "
                             f"expected runners.interfaces.Control")
        try:
            control.validate(self.spec.max_steering)
        except AgentError as exc:  # when, as the stack's other errors say
            raise AgentError(f"the step at t={obs.time:.2f} s: {exc.message}") from None
        return {self.ego: self.backend.step_ego(control, dt)}


class _CaseRun:
    """The state of one running case (kept out of :func:`run_case` to keep it short)."""

    def __init__(self, case: TestCase, options: RunOptions, case_dir: Path) -> None:
        self.case, self.options, self.case_dir = case, options, case_dir
        self.writer: RecordingWriter | None = None
        self.recording: Recording | None = None
        self.net: Any = None
        self.inputs: dict[str, str] = {}
        self.commands: list[Event] = []
        self.ignored_commands: dict[str, None] = {}  # CustomCommandAction types, in order
        self.ego: str | None = None
        self.external: frozenset[str] = frozenset()
        self._goal: tuple[float, float] | None = None

    def on_event(self, event: Event) -> None:
        """Record ``event`` (memory and file); keep CustomCommandActions for the V2X bridge."""
        assert self.recording is not None and self.writer is not None
        self.recording.events.append(event)
        self.writer.event(event)
        if event.kind == "custom_command":
            self.commands.append(event)

    def apply_commands(self, bridge: Any, world: WorldState) -> None:
        """Hand the scenario's pending CustomCommandActions to the V2X bridge
        (:func:`v2x_bridge.hooks.apply_command`); the types it does not carry out (or all, in
        a run without the bridge) are ignored and noted in ``ignored_commands``."""
        pending, self.commands = self.commands, []
        if bridge is None:
            self.ignored_commands.update((str(ev.data.get("type", "")), None) for ev in pending)
            return
        from v2x_bridge import V2XError
        from v2x_bridge.hooks import apply_command
        for ev in pending:
            kind = str(ev.data.get("type", ""))
            try:
                if not apply_command(bridge, kind, ev.data.get("content", ""), world):
                    self.ignored_commands[kind] = None
            except V2XError as exc:  # what only the run can tell (an unknown rsu_id): input
                raise V2XError(exc.message, file=self.case.scenario_file,
                               element=exc.element) from None

    def record(self, world: WorldState) -> None:
        """Append one step's world state to the recording (memory and file)."""
        assert self.recording is not None and self.writer is not None
        self.recording.frames.append(world)
        self.writer.frame(world)

    def setup(self) -> tuple[Any, Any]:
        """Load the scenario and its map, open the recording, build the scenario engine.

        Returns (scenario, engine). Raises ScenarioError / MapsError on bad input.
        """
        from scenarios import ScenarioEngine, load_scenario
        case, opts = self.case, self.options
        sc = load_scenario(case.scenario_file, case.parameters or None)
        self.inputs[case.scenario_file] = sha256_of(case.scenario_file)
        if sc.road_network_path:
            self.inputs[str(sc.road_network_path)] = sha256_of(sc.road_network_path)
        for path in sc.catalog_files:
            self.inputs[path] = sha256_of(path)
        self.net = load_network(sc.require_road_network())
        layout = rsu_layout_path(sc)
        if opts.v2x and layout.is_file():
            self.inputs[str(layout)] = sha256_of(layout)
        if opts.v2x:  # a V2X.RSI command with bad content is bad input, found before the run
            from v2x_bridge.hooks import check_commands, layout_rsu_ids
            check_commands(sc.storyboard.actions(), case.scenario_file, set(sc.entities),
                           layout_rsu_ids(sc.road_network_path))
        ego = sc.require_ego()  # scoring needs the vehicle under test: none is bad input
        self.ego = ego
        self.external = (frozenset({ego}) if ego and not agent_follows_scenario(opts.agent)
                         else frozenset())
        header = RecordingHeader(
            case_id=case.case_id, scenario_file=case.scenario_file,
            map_file=str(sc.road_network_path) if sc.road_network_path else None, ego=ego,
            dt=opts.dt, seed=case.seed, parameters=dict(sc.parameters),
            entities=_entity_infos(sc, ego), criteria=list(case.criteria) + _declared(sc, ego),
            agent={"spec": opts.agent},
            stop_trigger_defined=any(sc.storyboard.stop_trigger.groups
                                     if sc.storyboard.stop_trigger else ()))
        self.recording = Recording(header)
        self.writer = RecordingWriter(self.case_dir / "recording.jsonl", header)
        engine = ScenarioEngine(sc, self.net, dt=opts.dt, external=self.external,
                                seed=case.seed, on_event=self.on_event)
        return sc, engine

    def simulate(self) -> None:
        """Run the case to its StopTrigger, its time limit or its first error."""
        sc, engine = self.setup()
        opts, ego = self.options, self.ego
        world = engine.initialize()
        self.record(world)
        bridge = (make_v2x_bridge(self.net, sc, self.case.seed, opts.utc_start)
                  if opts.v2x and ego else None)
        if bridge is not None and opts.v2x_endpoint:
            bridge.publisher = shared_publisher(opts.v2x_endpoint)
        self.apply_commands(bridge, world)
        with contextlib.ExitStack() as stack:
            backend = make_backend(opts, sc, self.case.seed)
            stack.callback(backend.close)
            driver = None
            if self.external:
                agent = make_agent(opts.agent, opts.step_timeout, self.case_dir / "agent.log",
                                   int(opts.agent_memory_gib * 2**30) or None)
                stack.callback(agent.close)
                agent.geo_frame = agent_geo_frame(bridge, self.net)
                agent.map_sha256 = self.inputs.get(str(sc.road_network_path)) \
                    if sc.road_network_path else None   # setup sends it to a stack elsewhere
                driver = _EgoDriver(agent, backend, ego, self.net, SensorModel(seed=self.case.seed))
                driver.start(world, vehicle_spec(ego, sc.entities[ego]), opts.agent_config)
                self.on_event(Event(world.time, "agent", {  # its own word, kept short
                    "name": str(agent.name)[:AGENT_NAME_CHARS],
                    "version": str(agent.version)[:AGENT_NAME_CHARS]}))
            self.sync_backend(backend, world)
            self.note_goal(engine, world)
            self.loop(engine, world, driver, backend, bridge)

    def loop(self, engine: Any, world: WorldState, driver: "_EgoDriver | None", backend: Any,
             bridge: Any) -> None:
        """Step until the StopTrigger, the simulation-time limit, or the wall-clock deadline."""
        opts = self.options
        deadline = time.monotonic() + opts.case_wall_timeout
        pace = _Pacer(world.time) if opts.realtime else None
        if opts.utc_start_each_case and bridge is not None:   # as the pacer starts
            from v2x_bridge.units import SimClock, utc_instant
            now = utc_instant("now") - _dt.timedelta(seconds=world.time)
            bridge.clock = SimClock(now)
            self.on_event(Event(world.time, "v2x_clock", {
                "utc_start": now.isoformat(timespec="milliseconds")}))
        received: tuple[V2XReceived, ...] = ()
        limit = opts.max_sim_time
        planned = simulation_time_stop(engine.scenario)
        stop_at = planned if opts.extend_to_stop_time else None
        if stop_at is not None and limit < stop_at + opts.dt <= MAX_EXTENDED_SIM_TIME:
            limit = stop_at + opts.dt   # one step more: a greaterThan holds the step after
            self.on_event(Event(world.time, "time_limit", {
                "max_sim_time_s": limit, "from": "the StopTrigger's SimulationTimeCondition"}))
        # the latest this run can end: an Event timed after it was never to run here
        latest = limit if planned is None else min(planned, limit)
        while not engine.done:
            if world.time >= limit - 1e-9:
                if engine.stop_trigger_holds():   # `SimulationTime >= limit` ends it right
                    break
                self.note_coverage(engine, world.time, latest)
                self.end(world.time, "timeout", f"simulation time reached "
                         f"{limit:g} s before the StopTrigger"
                         f"{_later_stop_hint(engine.scenario, limit)}")
                return
            if pace is not None:
                deadline += pace.wait_for(world.time)
            if time.monotonic() > deadline:
                raise RunnerError(f"case exceeded its wall-clock deadline of "
                                  f"{opts.case_wall_timeout:g} s")
            ext_states = driver.step(world, received, engine, opts.dt) if driver else {}
            world = engine.step(opts.dt, ext_states)
            if engine.done:
                break  # the StopTrigger fired: the engine returned the unchanged world
            self.sync_backend(backend, world)
            self.note_goal(engine, world)
            self.apply_commands(bridge, world)
            if bridge is not None:
                received = tuple(to_received(m) for m in bridge.step(world, self.ego))
                for ev in bridge.drain_events():
                    self.on_event(ev)
            self.record(world)
        self.note_coverage(engine, world.time, latest)
        self.end(world.time, engine.end_reason or "stop_trigger", "")

    def note_coverage(self, engine: Any, t: float, latest: float) -> None:
        """Record a ``storyboard_coverage`` event at the end of the run (sim time ``t`` [s]):
        ``{"events": how many storyboard Events the scenario has, "never_started": the paths
        of those never executed, monitor guards and Events timed after ``latest`` apart,
        "guards_never_started": those guards, "timed_after_end": Events whose start trigger
        needs a SimulationTime at or after ``latest`` [s], the latest this run could end (the
        earlier of the StopTrigger's own SimulationTime and the time limit: a run that ended
        earlier, by a distance or a collision, still owes the Events timed before it; hostile
        pass 16)
        (``ScenarioEngine.event_coverage``), "ignored_commands": the
        CustomCommandAction types the run did not carry out}``. An Event that never starts is
        a part of the test that did not happen (its RSI never sent, its cut-in never made),
        and so is a command of a type no part of the platform takes (``V2X.RSl`` for
        ``V2X.RSI``): the report says so, and the criterion events_started fails the case."""
        paths, never, guards, after_end = engine.event_coverage(latest)
        self.on_event(Event(t, "storyboard_coverage", {
            "events": len(paths), "never_started": never, "guards_never_started": guards,
            "timed_after_end": after_end, "ignored_commands": list(self.ignored_commands)}))

    def note_goal(self, engine: Any, world: WorldState) -> None:
        """Record a ``goal`` event when the scenario gives the ego a new route destination
        (AssignRouteAction / AcquirePositionAction), with the road ids the route was planned
        along (``roads``), for the evaluator's route completion and route keeping."""
        if not self.ego:
            return
        goal = engine.goal_of(self.ego)
        if goal is not None and goal != self._goal:
            self._goal = goal
            self.on_event(Event(world.time, "goal", {
                "entity": self.ego, "x": goal[0], "y": goal[1],
                "roads": list(engine.route_of(self.ego) or ())}))

    def sync_backend(self, backend: Any, world: WorldState) -> None:
        """Mirror the engine's entities into the backend and record its events."""
        backend.sync_scenario_entities(world)
        for ev in backend.drain_events():
            self.on_event(ev)

    def end(self, t: float, reason: str, message: str) -> None:
        """Close the recording at sim time ``t`` [s] with why the case ended."""
        if self.recording is not None and self.writer is not None:
            self.recording.end_reason, self.recording.end_message = reason, message
            self.writer.end(t, reason, message)

    def close(self) -> None:
        """Close the recording file (idempotent)."""
        if self.writer is not None:
            self.writer.close()


def obu_entities(sc: Any) -> tuple[str, ...]:
    """Names of the scenario's entities equipped with an on-board unit (Property
    :data:`OBU_PROPERTY` true in the entity's Properties, the standard's place for
    user-defined entity data, OpenSCENARIO 1.x Properties), in declaration order; each of them
    broadcasts a BSM at 10 Hz during the run.

    Raises:
        ScenarioError: the Property's value is not an xsd:boolean (names the file and entity;
            ``load_scenario`` already refuses it with the line).
    """
    from scenarios.errors import ScenarioError
    out = []
    for name, e in sc.entities.items():
        value = e.properties.get(OBU_PROPERTY)
        if value is None:
            continue
        try:
            equipped = xsd_boolean(value)
        except ValueError:
            raise ScenarioError(f"Property {OBU_PROPERTY!r} of entity {name!r} is "
                                f"{value!r}: expected true or false", file=str(sc.path),
                                element=f"ScenarioObject[{name}]/Property[{OBU_PROPERTY}]"
                                ) from None
        if equipped:
            out.append(name)
    return tuple(out)


def rsu_layout_path(sc: Any) -> Path:
    """Where a case's RSU layout is: beside its map, ``<map>.rsu.json`` (docs/v2x.md)."""
    return rsu_path(str(sc.road_network_path))


def make_v2x_bridge(net: Any, sc: Any, seed: int, utc_start: _dt.datetime | None = None):
    """The V2X bridge for a case: RSUs from the layout file beside the map (``<map>.rsu.json``),
    and a BSM sender for every entity with an on-board unit (:func:`obu_entities`); None when
    the map has no layout and no entity an OBU. ``utc_start``: the UTC instant of simulation
    time 0 in the frames (None: :data:`v2x_bridge.units.DEFAULT_EPOCH`).

    Raises:
        ScenarioError: a bad :data:`OBU_PROPERTY` value.
    """
    if net is None or sc.road_network_path is None:
        return None
    obus = obu_entities(sc)
    layout = rsu_layout_path(sc)
    from v2x_bridge import ChannelModel, GeoFrame, SimClock, V2XBridge
    from v2x_bridge.factory import bridge_for_layout
    clock = SimClock(utc_start) if utc_start is not None else SimClock()
    if layout.exists():  # a folder of that name is refused, not taken for "no layout"
        return bridge_for_layout(layout, net, seed=seed, obu_entities=obus, clock=clock)
    if not obus:
        return None
    return V2XBridge((), GeoFrame.of_map(net), ChannelModel(), seed,
                     obu_entities=obus, clock=clock)


AGENT_NAME_CHARS = 200
"""At most this many characters of a stack's name and version are recorded (hostile pass 14:
a 2 MB name made summary.json, junit.xml and compare's output 2 MB)."""


def agent_geo_frame(bridge: Any, net: Any) -> GeoFrame | None:
    """The frame an agent is given (``Agent.geo_frame``, and ``setup``'s ``geo`` for a
    stack elsewhere): the V2X bridge's (``bridge.geo``: the RSU layout's geoReference, else
    the map's), else, without V2X, the map's own when it has a geoReference; None when
    neither (hostile pass 14: a map without one gave the stack the built-in default plane as
    if it were the map's)."""
    if bridge is not None:
        return bridge.geo
    if net is None or not str(getattr(net, "geo_reference", "") or "").strip():
        return None
    from v2x_bridge import GeoFrame
    try:
        return GeoFrame.of_map(net)
    except TestzoneError:
        return None


class _Pacer:
    """Holds a run to wall-clock time (``RunOptions.realtime``): simulation time ``t`` [s] is
    not reached before ``t - t0`` wall seconds have passed since the pacer was made."""

    def __init__(self, t0: float) -> None:
        self.t0 = t0
        self.wall0 = time.monotonic()

    def wait_for(self, t: float) -> float:
        """Sleep until simulation time ``t`` is due; return the seconds slept (>= 0)."""
        ahead = (t - self.t0) - (time.monotonic() - self.wall0)
        if ahead <= 0.0:
            return 0.0
        time.sleep(ahead)
        return ahead


def hard_deadline_s(options: RunOptions) -> float:
    """Wall-clock seconds after which :func:`runners.deadline.wall_deadline` interrupts a case:
    ``case_wall_timeout`` plus :data:`HARD_DEADLINE_GRACE_S`, plus, in a ``realtime`` run, the
    longest simulation time the case may take (its waits are not the case's own time)."""
    paced = 0.0
    if options.realtime:
        paced = MAX_EXTENDED_SIM_TIME if options.extend_to_stop_time else options.max_sim_time
    return options.case_wall_timeout + HARD_DEADLINE_GRACE_S + paced


def to_received(msg: Any) -> V2XReceived:
    """A bridge ``DeliveredMessage`` as the agent's :class:`V2XReceived`."""
    return V2XReceived(msg.msg_type, msg.rsu_id, msg.sent_t, msg.recv_t, bytes(msg.payload),
                       msg.decoded)


HARD_DEADLINE_GRACE_S = 5.0
"""Seconds past ``case_wall_timeout`` before :func:`runners.deadline.wall_deadline` interrupts
a step that never returned (the loop's own check, between steps, comes first)."""


def error_kind(exc: BaseException) -> str:
    """``input`` for bad scenario/map input (or any project error naming the input file it
    is about: an RSU layout, a PROJ string of a map), ``agent`` for a misbehaving stack, else
    ``run``."""
    mod = type(exc).__module__.split(".")[0]
    if mod in ("scenarios", "maps") or (isinstance(exc, TestzoneError) and exc.file):
        return "input"
    if isinstance(exc, AgentError):
        return "agent"
    return "run"


def run_case(case: TestCase, options: RunOptions, case_dir: str | Path) -> dict[str, Any]:
    """Simulate, record and score one test case; return its result as a JSON-ready dict.

    Writes ``case_dir/recording.jsonl`` as it goes, then ``case_dir/result.json`` (and
    ``trace.csv`` when ``options.trace == "csv"``), then the report's figures of the case
    (:func:`evaluator.report.save_case_figures`; drawn here so that a parallel run draws them
    in parallel; a figure that cannot be drawn is a note, never an error of the case). Never
    raises for a problem of the case:
    the result then has ``verdict == "error"``, ``error`` (one line) and ``error_kind``
    (``input``, ``agent`` or ``run``; see :func:`error_kind`), and ``traceback``.
    """
    from evaluator import score_case
    from evaluator.report import save_case_figures
    case_dir = Path(case_dir)
    case_dir.mkdir(parents=True, exist_ok=True)
    if case.input_error:
        result = {"case_id": case.case_id, "scenario_file": case.scenario_file,
                  "parameters": case.parameters, "seed": case.seed, "family": case.family,
                  "limitations": list(case.limitations), "verdict": "error",
                  "error": case.input_error, "error_kind": "input", "score": 0.0,
                  "wall_time_s": 0.0, "inputs": {}}
        (case_dir / "result.json").write_text(json.dumps(result, indent=2, sort_keys=True))
        return result
    run = _CaseRun(case, options, case_dir)
    t0 = time.perf_counter()
    error: BaseException | None = None
    try:
        # the loop's own check comes first; this one ends a step that never returns
        with wall_deadline(hard_deadline_s(options), "case"):
            run.simulate()
    except Exception as exc:  # noqa: BLE001 - every failure of a case becomes its result
        error = exc
        t = run.recording.frames[-1].time if run.recording and run.recording.frames else 0.0
        run.end(t, "error", _one_line(exc))
    finally:
        run.close()
    wall = time.perf_counter() - t0
    try:
        with wall_deadline(options.case_wall_timeout + HARD_DEADLINE_GRACE_S, "scoring"):
            result, scored = _score(run, case, error, score_case)
    except DeadlineExceeded as exc:
        result, scored = _score(run, case, exc, score_case)
    result["wall_time_s"] = round(wall, 3)
    result["inputs"] = run.inputs
    if options.trace == "csv" and run.recording is not None and run.recording.frames:
        from runners.trace_csv import write_trace_csv
        write_trace_csv(run.recording, case_dir / "trace.csv", run.net)
    (case_dir / "result.json").write_text(json.dumps(result, indent=2, sort_keys=True))
    if run.recording is not None and run.writer is not None:
        save_case_figures(case_dir, scored or CaseResult.from_dict(result), run.recording,
                          run.net, run.writer.path)
    return result


def _traceback_of(error: BaseException) -> str:
    """The traceback a case's result keeps: none for a stack's error raised by the runner
    itself (its own frames say nothing of the stack, and read as a crash of the tool to a
    stack's authors: automaker pass 16; a hosted stack's own traceback is in agent.log),
    else the whole chain."""
    if isinstance(error, AgentError) and error.__cause__ is None:
        return ""
    return "".join(traceback.format_exception(error))


def _one_line(exc: BaseException) -> str:
    text = str(exc) if isinstance(exc, TestzoneError) else f"{type(exc).__name__}: {exc}"
    return " ".join(text.split())


def _score(run: _CaseRun, case: TestCase, error: BaseException | None,
           score_case) -> tuple[dict[str, Any], CaseResult | None]:
    """The case's result as a JSON-ready dict, and the evaluator's :class:`CaseResult` (with
    its in-memory series, for the figures) when scoring ran."""
    base = {"case_id": case.case_id, "scenario_file": case.scenario_file,
            "parameters": case.parameters, "seed": case.seed, "family": case.family,
            "limitations": list(case.limitations),
            # what the stack said of itself, also when the case broke (automaker pass 14b)
            "agent": reported_agent(run.recording) if run.recording is not None else {}}
    if error is not None:
        base.update(verdict="error", error=_one_line(error), error_kind=error_kind(error),
                    traceback=_traceback_of(error), score=0.0)
        if run.recording is not None:
            base["end_reason"] = "error"
        return base, None
    assert run.recording is not None
    try:
        result = score_case(run.recording, run.net)
    except Exception as exc:  # noqa: BLE001 - a scoring crash is this case's error
        base.update(verdict="error", error=_one_line(exc), error_kind="run",
                    traceback="".join(traceback.format_exception(exc)), score=0.0)
        return base, None
    out = result.to_dict() if hasattr(result, "to_dict") else dict(result)
    return {**out, **base}, result if isinstance(result, CaseResult) else None
