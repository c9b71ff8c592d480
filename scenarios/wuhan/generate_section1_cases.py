"""Generate the test cases on Wuhan section 1 (OpenSCENARIO 1.1).

Run ``python scenarios/wuhan/generate_section1_cases.py [--out DIR]``; it writes, byte-for-byte
the same on every run: ``cut_in.xosc``, ``stationary_vehicle.xosc``, ``pedestrian_crossing.xosc``,
and the V2X cases of :mod:`scenarios.wuhan.v2x_cases` (``rlvw_red_light.xosc``,
``glosa_green_arrival.xosc``, ``hlw_hazard.xosc``). Their catalogue data (:func:`catalogue`)
goes into ``catalogue.json`` through :mod:`scenarios.wuhan.generate_catalogue`, which also
writes the distributions and ``suites.json``.

Scenarios are built with scenariogeneration's ``xosc`` module and serialised with lxml (the
creation date is fixed, so the output does not depend on the wall clock). Each case declares its
key values as parameters; the catalogue gives their variation ranges and the pass/fail criteria.

Every case drives the junction's lights from the plan in ``maps/wuhan/wuhan_section1.signals.json``
(RoadNetwork/TrafficSignals/TrafficSignalController, one Phase per constant-state interval, plain
colour words), rotated so that the case starts at the interval named in the catalogue.

Road ids, lane ids and s values refer to ``maps/wuhan/wuhan_section1.xodr``: road 1 is the west
leg of the arterial (x = -1000 .. -20 m, eastbound lanes -1 inner / -2 kerb side), the junction
centre is the local origin, the west crosswalk is centred at road 1 s = 976 m (x = -24 m) and the
west stop line at s = 972 m.
"""

from __future__ import annotations

import datetime
import json
import math
import sys
from pathlib import Path

from scenariogeneration import xosc

from scenarios.authoring import xosc_bytes
from scenarios.wuhan.catalogue_model import GBT, NO_COLLISION, ON_ROAD, crit

HERE = Path(__file__).resolve().parent
MAP_DIR = HERE.parent.parent / "maps" / "wuhan"
LOGIC_FILE = "../../maps/wuhan/wuhan_section1.xodr"
"""LogicFile path, relative to the .xosc file (OpenSCENARIO 1.1 clause 'File paths')."""
SIGNAL_PLAN_FILE = MAP_DIR / "wuhan_section1.signals.json"
CREATION_DATE = datetime.datetime(2026, 11, 30, 0, 0, 0)
EGO = "Ego"
KMH = 1.0 / 3.6
"""m/s per km/h."""


def _f(value: float) -> str:
    """Parameter value text: shortest round-trip repr, rounded to 6 decimals."""
    return repr(round(value, 6))


def _params(*items: tuple[str, str, object]) -> xosc.ParameterDeclarations:
    decl = xosc.ParameterDeclarations()
    for name, ptype, value in items:
        text = _f(value) if isinstance(value, float) else str(value)
        kind = {"double": xosc.ParameterType.double, "string": xosc.ParameterType.string}[ptype]
        decl.add_parameter(xosc.Parameter(name, kind, text))
    return decl


def ego_vehicle() -> xosc.Vehicle:
    """The vehicle under test: car, 4.6 x 1.9 x 1.5 m, box centre (1.4, 0, 0.75) from the rear
    axle, max 40 m/s, 4 m/s^2 acceleration, 9 m/s^2 deceleration."""
    box = xosc.BoundingBox(1.9, 4.6, 1.5, 1.4, 0.0, 0.75)
    front = xosc.Axle(0.5236, 0.68, 1.6, 2.8, 0.34)
    rear = xosc.Axle(0.0, 0.68, 1.6, 0.0, 0.34)
    return xosc.Vehicle(EGO, xosc.VehicleCategory.car, box, front, rear, 40.0, 4.0, 9.0,
                        mass=1600.0)


def target_vehicle(name: str) -> xosc.Vehicle:
    """A passenger car for the other road users (4.5 x 1.8 x 1.5 m)."""
    box = xosc.BoundingBox(1.8, 4.5, 1.5, 1.35, 0.0, 0.75)
    front = xosc.Axle(0.5236, 0.66, 1.55, 2.7, 0.33)
    rear = xosc.Axle(0.0, 0.66, 1.55, 0.0, 0.33)
    return xosc.Vehicle(name, xosc.VehicleCategory.car, box, front, rear, 50.0, 6.0, 9.0,
                        mass=1500.0)


def pedestrian(name: str) -> xosc.Pedestrian:
    """An adult pedestrian, 0.6 x 0.5 x 1.75 m, box centre 0.875 m above the ground."""
    box = xosc.BoundingBox(0.5, 0.6, 1.75, 0.0, 0.0, 0.875)
    return xosc.Pedestrian(name, 75.0, xosc.PedestrianCategory.pedestrian, box, model="adult")


def lane_pos(road: str, lane: int, s: object, offset: object = 0.0) -> xosc.LanePosition:
    """LanePosition on ``road``/``lane`` at ``s`` (value or '$param' / '${expr}')."""
    return xosc.LanePosition(s, offset, lane, road)


def speed_step(speed: object) -> xosc.AbsoluteSpeedAction:
    """Immediate SpeedAction (step, 0 s) to ``speed`` [m/s]."""
    return xosc.AbsoluteSpeedAction(
        speed, xosc.TransitionDynamics(xosc.DynamicsShapes.step, xosc.DynamicsDimension.time, 0.0))


def sim_time_trigger(name: str, seconds: object,
                     edge: xosc.ConditionEdge = xosc.ConditionEdge.none) -> xosc.ValueTrigger:
    """ValueTrigger 'SimulationTime > seconds' [s] (value or '$param'), edge 'none' by default."""
    return xosc.ValueTrigger(name, 0.0, edge,
                             xosc.SimulationTimeCondition(seconds, xosc.Rule.greaterThan))


def load_signal_plan(path: Path = SIGNAL_PLAN_FILE) -> dict:
    """Read the section-1 signal plan written by maps/wuhan/generate_section1.py."""
    return json.loads(path.read_text(encoding="utf-8"))


def signal_controller(plan: dict, start_interval: str) -> xosc.TrafficSignalController:
    """The plan's intervals as an OpenSCENARIO TrafficSignalController, starting at
    ``start_interval`` (the cycle is rotated, never shortened, so the cycle length is kept).

    Raises:
        KeyError: if ``start_interval`` is not an interval name of the plan.
    """
    intervals = plan["intervals"]
    names = [iv["name"] for iv in intervals]
    first = names.index(start_interval) if start_interval in names else None
    if first is None:
        raise KeyError(f"signal plan has no interval {start_interval!r}; expected one of {names}")
    controller = xosc.TrafficSignalController(plan["name"])
    for iv in intervals[first:] + intervals[:first]:
        phase = xosc.Phase(iv["name"], iv["duration_s"])
        for sid, colour in iv["states"].items():
            phase.add_signal_state(sid, colour)
        controller.add_phase(phase)
    return controller


def road_network(start_interval: str) -> xosc.RoadNetwork:
    """RoadNetwork with the section-1 LogicFile and its signal controller."""
    network = xosc.RoadNetwork(roadfile=LOGIC_FILE)
    network.add_traffic_signal_controller(signal_controller(load_signal_plan(), start_interval))
    return network


def stop_after(seconds_param: str) -> xosc.ValueTrigger:
    """StopTrigger: SimulationTime > $param."""
    return xosc.ValueTrigger("EndOfTest", 0.0, xosc.ConditionEdge.none,
                             xosc.SimulationTimeCondition(seconds_param, xosc.Rule.greaterThan),
                             triggeringpoint="stop")


def single_event_act(name: str, actor: str, events: list[xosc.Event]) -> xosc.Act:
    """Act (starts at t > 0) with one ManeuverGroup for ``actor`` holding ``events``."""
    maneuver = xosc.Maneuver(f"{name}Maneuver")
    for event in events:
        maneuver.add_event(event)
    group = xosc.ManeuverGroup(f"{name}ManeuverGroup")
    group.add_actor(actor)
    group.add_maneuver(maneuver)
    act = xosc.Act(f"{name}Act", sim_time_trigger(f"{name}ActStart", 0.0))
    act.add_maneuver_group(group)
    return act


def assemble(name: str, description: str, params: xosc.ParameterDeclarations,
             entities: xosc.Entities, init: xosc.Init, acts: list[xosc.Act],
             start_interval: str | None, network: xosc.RoadNetwork | None = None,
             osc_minor_version: int = 1) -> xosc.Scenario:
    """Wrap the parts into an OpenSCENARIO 1.``osc_minor_version`` (default 1.1) Scenario with
    one Story; ``network`` defaults to section 1 with its controller starting at
    ``start_interval``."""
    story = xosc.Story(f"{name}Story")
    for act in acts:
        story.add_act(act)
    board = xosc.StoryBoard(init, stop_after("$SimulationEnd"))
    board.add_story(story)
    return xosc.Scenario(description, "icv-testzone", params, entities, board,
                         network or road_network(start_interval), xosc.Catalog(),
                         osc_minor_version=osc_minor_version,
                         creation_date=CREATION_DATE)


# ---------------------------------------------------------------------------------------------
# Case 1: cut-in


def cut_in() -> xosc.Scenario:
    """Ego at 50 km/h in lane -2 of road 1; 'CutIn' starts 10 m behind in lane -1 at 70 km/h,
    overtakes, cuts into lane -2 (sinusoidal, 3 s) once it is $CutInTriggerDistance ahead
    (euclidean distance between reference points), then brakes at $BrakeDecel to
    $BrakeTargetSpeed 1 s after the lane change ends."""
    params = _params(("EgoSpeed", "double", 50 * KMH), ("EgoS", "double", 50.0),
                     ("CutInSpeed", "double", 70 * KMH), ("CutInLag", "double", 10.0),
                     ("CutInTriggerDistance", "double", 15.0),
                     ("LaneChangeDuration", "double", 3.0), ("BrakeDelay", "double", 1.0),
                     ("BrakeDecel", "double", 3.0), ("BrakeTargetSpeed", "double", 30 * KMH),
                     ("SimulationEnd", "double", 25.0))
    entities = xosc.Entities()
    entities.add_scenario_object(EGO, ego_vehicle())
    entities.add_scenario_object("CutIn", target_vehicle("CutIn"))
    init = xosc.Init()
    init.add_init_action(EGO, xosc.TeleportAction(lane_pos("1", -2, "$EgoS")))
    init.add_init_action(EGO, speed_step("$EgoSpeed"))
    init.add_init_action("CutIn", xosc.TeleportAction(lane_pos("1", -1, "${$EgoS - $CutInLag}")))
    init.add_init_action("CutIn", speed_step("$CutInSpeed"))

    change = xosc.Event("CutInEvent", xosc.Priority.overwrite)
    change.add_action("CutInLaneChange", xosc.AbsoluteLaneChangeAction(
        -2, xosc.TransitionDynamics(xosc.DynamicsShapes.sinusoidal, xosc.DynamicsDimension.time,
                                    "$LaneChangeDuration")))
    change.add_trigger(xosc.EntityTrigger(
        "CutInStart", 0.0, xosc.ConditionEdge.rising,
        xosc.RelativeDistanceCondition("$CutInTriggerDistance", xosc.Rule.greaterThan,
                                       xosc.RelativeDistanceType.euclidianDistance, EGO,
                                       freespace=False),
        "CutIn"))
    brake = xosc.Event("BrakeEvent", xosc.Priority.overwrite)
    brake.add_action("CutInBrake", xosc.AbsoluteSpeedAction(
        "$BrakeTargetSpeed", xosc.TransitionDynamics(xosc.DynamicsShapes.linear,
                                                     xosc.DynamicsDimension.rate, "$BrakeDecel")))
    brake.add_trigger(xosc.ValueTrigger(
        "BrakeStart", "$BrakeDelay", xosc.ConditionEdge.rising,
        xosc.StoryboardElementStateCondition(xosc.StoryboardElementType.action, "CutInLaneChange",
                                             xosc.StoryboardElementState.endTransition)))
    act = single_event_act("CutIn", "CutIn", [change, brake])
    return assemble("CutIn", "Wuhan S1: vehicle cut-in ahead of Ego, then moderate braking",
                    params, entities, init, [act], "P1-green-walk")


# ---------------------------------------------------------------------------------------------
# Case 2: stationary vehicle ahead


def stationary_vehicle() -> xosc.Scenario:
    """Ego at 50 km/h in lane -2 of road 1; a broken-down car stands still $Gap metres ahead
    (reference point to reference point) in the same lane, $StoppedLaneOffset from the lane
    centre (0 = fully blocking)."""
    params = _params(("EgoSpeed", "double", 50 * KMH), ("EgoS", "double", 100.0),
                     ("Gap", "double", 150.0), ("StoppedLaneOffset", "double", 0.0),
                     ("SimulationEnd", "double", 25.0))
    entities = xosc.Entities()
    entities.add_scenario_object(EGO, ego_vehicle())
    entities.add_scenario_object("Stopped", target_vehicle("Stopped"))
    init = xosc.Init()
    init.add_init_action(EGO, xosc.TeleportAction(lane_pos("1", -2, "$EgoS")))
    init.add_init_action(EGO, speed_step("$EgoSpeed"))
    init.add_init_action("Stopped", xosc.TeleportAction(
        lane_pos("1", -2, "${$EgoS + $Gap}", "$StoppedLaneOffset")))
    init.add_init_action("Stopped", speed_step(0.0))
    # OpenSCENARIO 1.1 needs at least one Story: the stopped car 'holds' speed 0 all along.
    hold = xosc.Event("StayStoppedEvent", xosc.Priority.overwrite)
    hold.add_action("StayStopped", speed_step(0.0))
    hold.add_trigger(sim_time_trigger("StayStoppedStart", 0.0))
    act = single_event_act("Stopped", "Stopped", [hold])
    return assemble("Stationary", "Wuhan S1: stationary (broken-down) vehicle ahead in Ego's lane",
                    params, entities, init, [act], "P1-green-walk")


# ---------------------------------------------------------------------------------------------
# Case 3: pedestrian crossing at the junction

CROSSWALK_X_M = -24.0
"""x [m] of the west crosswalk's centre line (road 1, s = 976 m)."""
KERB_Y_M = 8.0
"""|y| [m] of the walker's start/end point: 1 m behind the kerb (carriageway |y| <= 7 m)."""


def pedestrian_crossing() -> xosc.Scenario:
    """Ego at 50 km/h in lane -2 of road 1, $EgoS = 822 m (150 m before the west stop line).
    The controller starts at the arterial yellow (P1-yellow): red for Ego from 3 s, walk for the
    west crosswalk from 5 s. The pedestrian waits at the south kerb, heading north, and crosses
    the arterial on the crosswalk (FollowTrajectoryAction, Polyline, position mode) at
    $PedestrianSpeed once the walk light is on (t > $WalkStart) and Ego is within
    $TriggerDistance (euclidean)."""
    params = _params(("EgoSpeed", "double", 50 * KMH), ("EgoS", "double", 822.0),
                     ("PedestrianSpeed", "double", 1.4), ("WalkStart", "double", 5.0),
                     ("TriggerDistance", "double", 60.0), ("SimulationEnd", "double", 30.0))
    entities = xosc.Entities()
    entities.add_scenario_object(EGO, ego_vehicle())
    entities.add_scenario_object("Pedestrian", pedestrian("Pedestrian"))
    init = xosc.Init()
    init.add_init_action(EGO, xosc.TeleportAction(lane_pos("1", -2, "$EgoS")))
    init.add_init_action(EGO, speed_step("$EgoSpeed"))
    init.add_init_action("Pedestrian", xosc.TeleportAction(
        xosc.WorldPosition(CROSSWALK_X_M, -KERB_Y_M, 0.0, math.pi / 2, 0.0, 0.0)))
    init.add_init_action("Pedestrian", speed_step(0.0))

    walk = xosc.Event("CrossEvent", xosc.Priority.overwrite)
    walk.add_action("WalkSpeed", speed_step("$PedestrianSpeed"))
    path = xosc.Trajectory("WestCrosswalk", False)
    path.add_shape(xosc.Polyline([], [
        xosc.WorldPosition(CROSSWALK_X_M, -KERB_Y_M, 0.0, math.pi / 2, 0.0, 0.0),
        xosc.WorldPosition(CROSSWALK_X_M, KERB_Y_M, 0.0, math.pi / 2, 0.0, 0.0)]))
    walk.add_action("WalkAcross", xosc.FollowTrajectoryAction(path, xosc.FollowingMode.position))
    start = xosc.ConditionGroup()
    start.add_condition(sim_time_trigger("WalkPhase", "$WalkStart"))
    start.add_condition(xosc.EntityTrigger(
        "EgoNear", 0.0, xosc.ConditionEdge.none,
        xosc.RelativeDistanceCondition("$TriggerDistance", xosc.Rule.lessThan,
                                       xosc.RelativeDistanceType.euclidianDistance, "Pedestrian",
                                       freespace=False),
        EGO))
    walk.add_trigger(start)
    act = single_event_act("Pedestrian", "Pedestrian", [walk])
    return assemble("PedestrianCrossing",
                    "Wuhan S1: pedestrian crossing the arterial on the west crosswalk (walk phase)",
                    params, entities, init, [act], "P1-yellow")


# ---------------------------------------------------------------------------------------------
# Catalogue (requirements, parameter ranges, criteria) and suites



def _param(name: str, value: float, unit: str, lo: float, hi: float, step: float) -> dict:
    return {"name": name, "default": round(value, 6), "unit": unit, "min": round(lo, 6),
            "max": round(hi, 6), "step": round(step, 6)}




def catalogue() -> dict:
    """The case catalogue as JSON-ready data (format in docs/wuhan.md)."""
    cases = [
        {"id": "wuhan-s1-cut-in", "file": "cut_in.xosc",
         "title": "Vehicle cut-in ahead of Ego, then moderate braking",
         "requirements": [f"{GBT} 6.4: vehicle cut-in recognition and response"],
         "v2x_applications": ["T/CSAE 53: Forward Collision Warning (FCW)"],
         "signal_start_interval": "P1-green-walk",
         "parameters": [
             _param("EgoSpeed", 50 * KMH, "m/s", 30 * KMH, 60 * KMH, 10 * KMH),
             _param("CutInSpeed", 70 * KMH, "m/s", 55 * KMH, 80 * KMH, 5 * KMH),
             # min stays above hypot(CutInLag, 3.5 m) = 10.6 m: untriggered at t = 0
             _param("CutInTriggerDistance", 15.0, "m", 12.0, 24.0, 3.0),
             _param("LaneChangeDuration", 3.0, "s", 1.5, 4.5, 1.5),
             _param("BrakeDecel", 3.0, "m/s^2", 2.0, 6.0, 1.0)],
         "criteria": [NO_COLLISION,
                      crit("ttc_min", "ttc_min_s", ">=", 1.0, "s", f"{GBT} 6.4"),
                      crit("ego_decel_max", "decel_peak_mps2", "<=", 9.0, "m/s^2",
                           "vehicle Performance maxDeceleration"),
                      ON_ROAD]},
        {"id": "wuhan-s1-stationary-vehicle", "file": "stationary_vehicle.xosc",
         "title": "Stationary (broken-down) vehicle ahead in Ego's lane",
         "requirements": [f"{GBT} 6.4: stationary vehicle ahead recognition and response"],
         "v2x_applications": ["T/CSAE 53: Abnormal Vehicle Warning (AVW)",
                              "T/CSAE 53: Forward Collision Warning (FCW)"],
         "signal_start_interval": "P1-green-walk",
         "parameters": [
             _param("EgoSpeed", 50 * KMH, "m/s", 30 * KMH, 60 * KMH, 10 * KMH),
             _param("Gap", 150.0, "m", 50.0, 200.0, 50.0),
             _param("StoppedLaneOffset", 0.0, "m", -1.0, 1.0, 0.5)],
         "criteria": [NO_COLLISION,
                      crit("min_gap", "gap_min_m", ">=", 1.0, "m", f"{GBT} 6.4"),
                      crit("ttc_min", "ttc_min_s", ">=", 1.5, "s", f"{GBT} 6.4"),
                      ON_ROAD]},
        {"id": "wuhan-s1-pedestrian-crossing", "file": "pedestrian_crossing.xosc",
         "title": ("Pedestrian crossing the arterial on the junction crosswalk during its "
                   "walk phase"),
         "requirements": [f"{GBT} 6.3: pedestrian crossing the road",
                          f"{GBT} 6.1: traffic signal recognition and response"],
         "v2x_applications": ["T/CSAE 53: Vulnerable Road User Collision Warning (VRUCW)",
                              "T/CSAE 53: Red Light Violation Warning (RLVW)"],
         "signal_start_interval": "P1-yellow",
         "parameters": [
             _param("EgoSpeed", 50 * KMH, "m/s", 30 * KMH, 60 * KMH, 10 * KMH),
             _param("PedestrianSpeed", 1.4, "m/s", 0.8, 2.0, 0.3),
             _param("TriggerDistance", 60.0, "m", 30.0, 90.0, 15.0)],
         "criteria": [NO_COLLISION,
                      crit("no_red_light", "red_light_violation_count", "==", 0, "count",
                           f"{GBT} 6.1; PRC Road Traffic Safety Law art. 38"),
                      # yielding is judged by clearance: the evaluator has no crosswalk
                      # occupancy metric (docs/evaluator.md, known limits)
                      crit("pedestrian_clearance", "pedestrian_distance_min_m", ">=", 2.0,
                           "m", f"{GBT} 6.3")]},
    ]
    from scenarios.wuhan import v2x_cases
    cases += v2x_cases.catalogue_cases()
    return {"map": LOGIC_FILE.replace("../../", ""), "osc_version": "1.1", "cases": cases}


def render() -> dict[str, bytes]:
    """Return ``{file name: bytes}`` of every generated file (deterministic)."""
    from scenarios.wuhan import v2x_cases
    return {"cut_in.xosc": xosc_bytes(cut_in()),
            "stationary_vehicle.xosc": xosc_bytes(stationary_vehicle()),
            "pedestrian_crossing.xosc": xosc_bytes(pedestrian_crossing()),
            **v2x_cases.render()}


def main(argv: list[str] | None = None) -> int:
    """Command line: write the files into ``--out`` (default: this folder)."""
    from maps.wuhan.xodr_tools import write_outputs
    return write_outputs(render, __doc__, argv, default_out=HERE)


if __name__ == "__main__":
    # the V2X cases import this module as scenarios.wuhan.generate_section1_cases
    sys.path.insert(0, str(HERE.parent.parent))
    sys.exit(main())
