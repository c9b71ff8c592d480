"""Shared building blocks of the Wuhan test-zone catalogue (OpenSCENARIO 1.1 via
scenariogeneration's ``xosc`` module): the test-zone road network with the signal controllers a
case needs, extra entity types, and small action/trigger helpers.

Everything here is deterministic (no wall clock, no randomness). Positions refer to
``maps/wuhan/wuhan_testzone.xodr`` (see ``docs/wuhan.md``): e.g. road 30 ``R3-45`` is the
2x3 arterial of row 3 between columns 4 and 5 (y = -855 m, x = -260 .. 260 m, eastbound lanes
-2 inner / -3 middle / -4 kerb, 3.5 m; lane -1 is the median, a left-turn lane over the last
90 m), its stop line (signal 10351) at s = 512 m before junction 1035 ``J5-3``.
"""

from __future__ import annotations

import json
from functools import lru_cache

from scenariogeneration import xosc

from maps.wuhan import TESTZONE_SIGNALS
from scenarios.wuhan.generate_section1_cases import (EGO, _params, assemble, lane_pos,
                                                     signal_controller, sim_time_trigger,
                                                     speed_step)

TESTZONE_LOGIC_FILE = "../../maps/wuhan/wuhan_testzone.xodr"
"""LogicFile path relative to the .xosc (OpenSCENARIO 1.1 clause 'File paths')."""


@lru_cache(maxsize=1)
def _testzone_plans_text() -> str:
    return TESTZONE_SIGNALS.read_text(encoding="utf-8")


def testzone_plan(junction_id: str) -> dict:
    """The fixed-time plan record of test-zone junction ``junction_id`` (signals JSON).

    Raises:
        KeyError: the junction is not signalised in ``wuhan_testzone.signals.json``.
    """
    for plan in json.loads(_testzone_plans_text())["junctions"]:
        if str(plan["junction_id"]) == junction_id:
            return plan
    raise KeyError(f"wuhan_testzone.signals.json has no plan for junction {junction_id!r}")


def testzone_network(controllers: dict[str, str] | None = None) -> xosc.RoadNetwork:
    """RoadNetwork on the test-zone map with one TrafficSignalController per entry of
    ``controllers`` ({junction id: interval to start at}; the cycle is rotated, never cut).
    Signals of other junctions get no state (agents and the evaluator then ignore them)."""
    network = xosc.RoadNetwork(roadfile=TESTZONE_LOGIC_FILE)
    for junction_id, interval in sorted((controllers or {}).items()):
        network.add_traffic_signal_controller(
            signal_controller(testzone_plan(junction_id), interval))
    return network


def scenario(name: str, description: str, params: list[tuple[str, float]],
             objects: dict[str, object], init: dict[str, list], acts: list[xosc.Act],
             controllers: dict[str, str] | None = None,
             osc_minor_version: int = 1) -> xosc.Scenario:
    """A test-zone Scenario: double ``params`` ((name, default); ``SimulationEnd`` required),
    ``objects`` {name: Vehicle/Pedestrian/MiscObject} (Ego first), ``init`` {name: [actions]}
    and ``acts``; OpenSCENARIO 1.1 unless it needs a later ``osc_minor_version``."""
    decl = _params(*((pname, "double", float(value)) for pname, value in params))
    entities = xosc.Entities()
    for obj_name, obj in objects.items():
        entities.add_scenario_object(obj_name, obj)
    start = xosc.Init()
    for actor, actions in init.items():
        for action in actions:
            start.add_init_action(actor, action)
    return assemble(name, description, decl, entities, start, acts, None,
                    testzone_network(controllers), osc_minor_version)


def place(road: str, lane: int, s: object, speed: object | None, offset: object = 0.0) -> list:
    """Init actions: teleport to a LanePosition and set the speed [m/s] (step); ``speed``
    None for a MiscObject (SpeedAction does not apply to it)."""
    actions = [xosc.TeleportAction(lane_pos(road, lane, s, offset))]
    return actions if speed is None else actions + [speed_step(speed)]


def vehicle(name: str, category: xosc.VehicleCategory, size_m: tuple[float, float, float],
            max_speed: float, max_accel: float, max_decel: float, mass: float,
            role: xosc.Role | None = None) -> xosc.Vehicle:
    """A vehicle of ``size_m`` = (length, width, height) [m], box centre ``0.3 * length``
    ahead of the rear axle; speeds [m/s], accelerations [m/s^2]; optional OpenSCENARIO 1.2
    ``role`` attribute (e.g. ``ambulance``; the scenario must then be 1.2 or later)."""
    length, width, height = size_m
    box = xosc.BoundingBox(width, length, height, 0.3 * length, 0.0, height / 2)
    front = xosc.Axle(0.5236, 0.6, width - 0.2, 0.6 * length, 0.3)
    rear = xosc.Axle(0.0, 0.6, width - 0.2, 0.0, 0.3)
    return xosc.Vehicle(name, category, box, front, rear, max_speed, max_accel, max_decel,
                        mass=mass, role=role)


def with_obu(veh: xosc.Vehicle) -> xosc.Vehicle:
    """``veh`` equipped with an on-board unit: Property ``v2x:obu`` = ``true``, so it
    broadcasts a BSM at 10 Hz during the run (``runners.case.obu_entities``)."""
    veh.add_property("v2x:obu", "true")
    return veh


def bus(name: str) -> xosc.Vehicle:
    """A 12 x 2.5 x 3.2 m city bus (20 m/s, 1.5 / 6 m/s^2)."""
    return vehicle(name, xosc.VehicleCategory.bus, (12.0, 2.5, 3.2), 20.0, 1.5, 6.0, 15000.0)


def ambulance(name: str) -> xosc.Vehicle:
    """A 5.5 x 2.0 x 2.5 m ambulance (role ambulance: OpenSCENARIO 1.2; 35 m/s, 4 / 8 m/s^2).
    Its BSM carries the emergency extension (``v2x_bridge.bsm.emergency_ext``)."""
    return vehicle(name, xosc.VehicleCategory.van, (5.5, 2.0, 2.5), 35.0, 4.0, 8.0, 3000.0,
                   role=xosc.Role.ambulance)


def special_lights_on() -> xosc.LightStateAction:
    """LightStateAction (OpenSCENARIO 1.2): specialPurposeLights on (siren and light bar: the
    BSM's emergencyExt then says inUse)."""
    return xosc.LightStateAction(xosc.VehicleLightType.specialPurposeLights, xosc.LightMode.on)


def hazard_lights_on() -> xosc.LightStateAction:
    """LightStateAction (OpenSCENARIO 1.2): warningLights (hazard lights) flashing (the BSM's
    eventHazardLights flag and hazardSignalOn light)."""
    return xosc.LightStateAction(xosc.VehicleLightType.warningLights, xosc.LightMode.flashing)


def cyclist(name: str) -> xosc.Vehicle:
    """A rider on a bicycle, 1.8 x 0.6 x 1.7 m (category bicycle: kind cyclist)."""
    return vehicle(name, xosc.VehicleCategory.bicycle, (1.8, 0.6, 1.7), 8.0, 1.5, 4.0, 90.0)


def barrier(name: str) -> xosc.MiscObject:
    """A road-works barrier across most of a lane: 1.0 m long, 3.0 m wide, 1.0 m high."""
    return xosc.MiscObject(name, 50.0, xosc.MiscObjectCategory.barrier,
                           xosc.BoundingBox(3.0, 1.0, 1.0, 0.0, 0.0, 0.5))


def event(name: str, actions: list[tuple[str, object]], trigger) -> xosc.Event:
    """An Event (priority overwrite) with named ``actions`` and one trigger/condition group."""
    ev = xosc.Event(name, xosc.Priority.overwrite)
    for action_name, action in actions:
        ev.add_action(action_name, action)
    ev.add_trigger(trigger)
    return ev


def at_time(name: str, seconds: object) -> xosc.ValueTrigger:
    """Trigger 'SimulationTime > seconds' with a rising edge."""
    return sim_time_trigger(name, seconds, xosc.ConditionEdge.rising)


def near(name: str, entity: str, other: str, distance: object) -> xosc.EntityTrigger:
    """Trigger: ``entity`` within ``distance`` [m] of ``other`` (euclidean, reference points),
    rising edge."""
    return xosc.EntityTrigger(name, 0.0, xosc.ConditionEdge.rising, xosc.RelativeDistanceCondition(
        distance, xosc.Rule.lessThan, xosc.RelativeDistanceType.euclidianDistance, other,
        freespace=False), entity)


def after(name: str, action: str, delay: object = 0.0) -> xosc.ValueTrigger:
    """Trigger: ``delay`` [s] after the action named ``action`` ends."""
    return xosc.ValueTrigger(name, delay, xosc.ConditionEdge.rising,
                             xosc.StoryboardElementStateCondition(
                                 xosc.StoryboardElementType.action, action,
                                 xosc.StoryboardElementState.endTransition))


def speed_rate(target: object, rate: object) -> xosc.AbsoluteSpeedAction:
    """SpeedAction to ``target`` [m/s] at a constant ``rate`` [m/s^2] (linear, rate)."""
    return xosc.AbsoluteSpeedAction(target, xosc.TransitionDynamics(
        xosc.DynamicsShapes.linear, xosc.DynamicsDimension.rate, rate))


def lane_change(lane: int, duration: object) -> xosc.AbsoluteLaneChangeAction:
    """LaneChangeAction to absolute ``lane`` (sinusoidal over ``duration`` [s])."""
    return xosc.AbsoluteLaneChangeAction(lane, xosc.TransitionDynamics(
        xosc.DynamicsShapes.sinusoidal, xosc.DynamicsDimension.time, duration))


def walk(name: str, points: list[tuple[float, float]],
         heading: float) -> xosc.FollowTrajectoryAction:
    """FollowTrajectoryAction along a Polyline of (x, y) WorldPositions (position mode, no
    time reference: the entity moves at its own speed)."""
    path = xosc.Trajectory(name, False)
    path.add_shape(xosc.Polyline([], [xosc.WorldPosition(x, y, 0.0, heading, 0.0, 0.0)
                                      for x, y in points]))
    return xosc.FollowTrajectoryAction(path, xosc.FollowingMode.position)


def route(name: str, waypoints: list[tuple[str, int, float]]) -> xosc.AssignRouteAction:
    """AssignRouteAction through LanePosition waypoints (road, lane, s), strategy shortest."""
    rte = xosc.Route(name)
    for road, lane, s in waypoints:
        rte.add_waypoint(lane_pos(road, lane, s), xosc.RouteStrategy.shortest)
    return xosc.AssignRouteAction(rte)


def rsi(event_type: object, entity: str | None = None, xy: tuple[float, float] | None = None,
        radius_m: float = 10.0, rsi_class: str = "urgent", description: str = "") -> object:
    """UserDefinedAction/CustomCommandAction ``V2X.RSI`` (content format: v2x_bridge/hooks.py,
    docs/v2x.md) at ``entity``'s box centre or at ``xy`` [m]."""
    content: dict[str, object] = {"eventType": event_type, "radius_m": radius_m,
                                  "priority": 6 if rsi_class == "urgent" else 3,
                                  "rsi_class": rsi_class, "description": description}
    if entity is not None:
        content["entity"] = entity
    if xy is not None:
        content["x"], content["y"] = xy
    return xosc.UserDefinedAction(xosc.CustomCommandAction(
        "V2X.RSI", json.dumps(content, sort_keys=True)))


def act(name: str, actor: str, events: list[xosc.Event]) -> xosc.Act:
    """An Act (starts at t > 0) with one ManeuverGroup for ``actor`` holding ``events``."""
    from scenarios.wuhan.generate_section1_cases import single_event_act
    return single_event_act(name, actor, events)


def hold(actor: str, speed: object = 0.0) -> xosc.Act:
    """An Act that keeps ``actor`` (a vehicle or pedestrian) at ``speed`` [m/s], 0 by default
    (also what gives an otherwise static case the Story OpenSCENARIO 1.1 requires). Its Event
    starts on the first step: 'SimulationTime > 0' with edge ``none`` (a rising edge needs
    an earlier evaluation that was false, and the Event's first one is already true: the
    Event never started, and the report said so)."""
    return act(f"{actor}Hold", actor,
               [event(f"{actor}HoldEvent", [(f"{actor}Stay", speed_step(speed))],
                      sim_time_trigger(f"{actor}HoldStart", 0.0))])


__all__ = ["EGO", "TESTZONE_LOGIC_FILE", "act", "after", "ambulance", "at_time", "barrier",
           "bus", "cyclist", "event", "hold", "lane_change", "near", "place", "route", "rsi",
           "scenario", "speed_rate", "testzone_network", "testzone_plan", "vehicle", "walk"]
