"""The V2X (T/CSAE 53-2020 Day-1) test cases on Wuhan section 1, built for
``generate_section1_cases.py`` (which writes them with the other cases).

* ``rlvw_red_light.xosc`` -- red light violation warning (RLVW, SPAT + MAP): Ego at 60 km/h in
  lane -2 of road 1, ``$StopLineDistance`` = 200 m before the west stop line (road 1,
  s = 972 m). The junction controller starts at P1-yellow, so Ego's light is yellow 0-3 s and
  red from 3 s to 40 s; at 3 s Ego is still ~150 m from the signal head, beyond camera range
  (80 m): only SPAT tells it early. A passive Ego runs the red at ~12 s.
* ``glosa_green_arrival.xosc`` -- green light optimal speed advisory (GLOSA, SPAT + MAP): as
  RLVW but 180 m out and the controller starts at P2-green-clear, so Ego's light is red for
  13 s, then green. At 60 km/h Ego would reach the line at ~10.8 s, on red; slowing to the
  advisory (~12.6 m/s) it arrives on green without stopping.
* ``hlw_hazard.xosc`` -- hazardous location warning (HLW, RSI): on road 2 (eastbound, lane
  -2) Ego at 60 km/h follows a truck 30 m ahead; a broken-down car stands in the lane at
  s = ``$HazardS`` = 420 m (x ~ 440 m, beyond RSU-S1-02's 150 m sensing radius, inside its
  300 m radio range). At ``$AnnounceTime`` a ``UserDefinedAction/CustomCommandAction``
  (type ``V2X.RSI``, see ``v2x_bridge/hooks.py``) makes the RSUs announce a stopped-vehicle
  event (GB/T 29100 code ``$EventType`` = 100 as this project uses it) at the car. The truck
  hides the car from Ego's sensors until it swerves into lane -1 when ``$CutOutDistance``
  = 50 m from it (2 s lane change). A passive Ego hits the car.
"""

from __future__ import annotations

import json

from scenariogeneration import xosc

from scenarios.wuhan.catalogue_model import GBT, NO_COLLISION, crit
from scenarios.wuhan.generate_section1_cases import (EGO, KMH, _param, _params, assemble,
                                                     ego_vehicle, lane_pos, single_event_act,
                                                     sim_time_trigger, speed_step,
                                                     target_vehicle)

WEST_STOP_LINE_S = 972.0
"""s [m] of the west stop line (signal 1001) on road 1."""

ISO15622 = ("ISO 15622:2018 ACC automatic deceleration limit 3.5 m/s^2 (there averaged over "
            "2 s; here on the peak of a 0.4 s smoothing, stricter): a comfort bound of this "
            "project")
CSAE = "T/CSAE 53-2020"
STOPPED_VEHICLE_EVENT = 100
"""GB/T 29100-2012 code this project uses for a stopped (broken-down) vehicle in the lane; the
``idm-v2x`` agent's ``obstacle_event_types`` default matches it."""


def truck(name: str) -> xosc.Vehicle:
    """A rigid truck, 10 x 2.5 x 3.5 m, box centre 3.5 m ahead of the rear axle (tall enough
    to hide a car behind it), max 30 m/s, 2 / 6 m/s^2."""
    box = xosc.BoundingBox(2.5, 10.0, 3.5, 3.5, 0.0, 1.75)
    front = xosc.Axle(0.5236, 1.0, 2.0, 6.0, 0.5)
    rear = xosc.Axle(0.0, 1.0, 2.0, 0.0, 0.5)
    return xosc.Vehicle(name, xosc.VehicleCategory.truck, box, front, rear, 30.0, 2.0, 6.0,
                        mass=12000.0)


def rlvw_red_light(distance_m: float = 200.0, start_interval: str = "P1-yellow",
                   name: str = "RedLightViolationWarning",
                   description: str = "Wuhan S1: red light beyond camera range, announced by "
                                      "SPAT (RLVW)") -> xosc.Scenario:
    """RLVW: Ego at $EgoSpeed, $StopLineDistance (default ``distance_m``) before the west stop
    line; the cycle starts at ``start_interval`` (P1-yellow: yellow at t = 0, red from 3 s)."""
    params = _params(("EgoSpeed", "double", 60 * KMH),
                     ("StopLineDistance", "double", distance_m),
                     ("SimulationEnd", "double", 30.0))
    entities = xosc.Entities()
    entities.add_scenario_object(EGO, ego_vehicle())
    init = xosc.Init()
    init.add_init_action(EGO, xosc.TeleportAction(
        lane_pos("1", -2, f"${{{WEST_STOP_LINE_S!r} - $StopLineDistance}}")))
    init.add_init_action(EGO, speed_step("$EgoSpeed"))
    # OpenSCENARIO 1.1 needs a Story: Ego keeps its initial speed (ignored by driving agents).
    keep = xosc.Event("KeepSpeedEvent", xosc.Priority.overwrite)
    keep.add_action("KeepSpeed", speed_step("$EgoSpeed"))
    keep.add_trigger(sim_time_trigger("KeepSpeedStart", 0.0))
    act = single_event_act("Approach", EGO, [keep])
    return assemble(name, description, params, entities, init, [act], start_interval)


def glosa_green_arrival() -> xosc.Scenario:
    """GLOSA: the RLVW set-up 180 m out, red for the first 13 s (cycle from P2-green-clear)."""
    return rlvw_red_light(180.0, "P2-green-clear", "GreenLightOptimalSpeedAdvisory",
                          "Wuhan S1: red turning green before Ego arrives, timed by SPAT "
                          "(GLOSA)")


def rsi_content(event_type: int, entity: str, radius_m: float, priority: int,
                description: str) -> str:
    """The JSON content of a ``V2X.RSI`` CustomCommandAction (format in v2x_bridge/hooks.py)."""
    return json.dumps({"eventType": event_type, "entity": entity, "radius_m": radius_m,
                       "priority": priority, "rsi_class": "urgent",
                       "description": description}, sort_keys=True)


def hlw_hazard() -> xosc.Scenario:
    """HLW: a truck ahead of Ego hides a stopped car; the RSU announces it by RSI at
    $AnnounceTime; the truck swerves to lane -1 at $CutOutDistance from the car."""
    params = _params(("EgoSpeed", "double", 60 * KMH), ("EgoS", "double", 60.0),
                     ("TruckGap", "double", 30.0), ("HazardS", "double", 420.0),
                     ("CutOutDistance", "double", 50.0), ("LaneChangeDuration", "double", 2.0),
                     ("AnnounceTime", "double", 1.0), ("SimulationEnd", "double", 30.0))
    entities = xosc.Entities()
    for name, vehicle in ((EGO, ego_vehicle()), ("Truck", truck("Truck")),
                          ("Stopped", target_vehicle("Stopped"))):
        entities.add_scenario_object(name, vehicle)
    init = xosc.Init()
    init.add_init_action(EGO, xosc.TeleportAction(lane_pos("2", -2, "$EgoS")))
    init.add_init_action(EGO, speed_step("$EgoSpeed"))
    init.add_init_action("Truck", xosc.TeleportAction(lane_pos("2", -2, "${$EgoS + $TruckGap}")))
    init.add_init_action("Truck", speed_step("$EgoSpeed"))
    init.add_init_action("Stopped", xosc.TeleportAction(lane_pos("2", -2, "$HazardS")))
    init.add_init_action("Stopped", speed_step(0.0))

    swerve = xosc.Event("CutOutEvent", xosc.Priority.overwrite)
    swerve.add_action("CutOutLaneChange", xosc.AbsoluteLaneChangeAction(
        -1, xosc.TransitionDynamics(xosc.DynamicsShapes.sinusoidal, xosc.DynamicsDimension.time,
                                    "$LaneChangeDuration")))
    swerve.add_trigger(xosc.EntityTrigger(
        "CutOutStart", 0.0, xosc.ConditionEdge.rising,
        xosc.RelativeDistanceCondition("$CutOutDistance", xosc.Rule.lessThan,
                                       xosc.RelativeDistanceType.euclidianDistance, "Stopped",
                                       freespace=False),
        "Truck"))
    announce = xosc.Event("AnnounceEvent", xosc.Priority.overwrite)
    announce.add_action("AnnounceStoppedVehicle", xosc.UserDefinedAction(
        xosc.CustomCommandAction("V2X.RSI", rsi_content(
            STOPPED_VEHICLE_EVENT, "Stopped", 10.0, 6, "stopped vehicle in lane"))))
    announce.add_trigger(sim_time_trigger("AnnounceStart", "$AnnounceTime"))
    acts = [single_event_act("Truck", "Truck", [swerve]),
            single_event_act("Hazard", "Stopped", [announce])]
    return assemble("HazardousLocationWarning",
                    "Wuhan S1: stopped vehicle hidden by a truck, announced by RSI (HLW)",
                    params, entities, init, acts, "P1-green-walk")


def catalogue_cases() -> list[dict]:
    """Catalogue entries of the V2X cases (format in docs/wuhan.md)."""
    return [
        {"id": "wuhan-s1-rlvw-red-light", "file": "rlvw_red_light.xosc",
         "title": "Red light beyond camera range, known only from SPAT",
         "requirements": [f"{GBT} 6.1: traffic signal recognition and response",
                          f"{CSAE}: Red Light Violation Warning (RLVW), SPAT + MAP"],
         "v2x_applications": [f"{CSAE}: Red Light Violation Warning (RLVW)",
                              f"{CSAE}: Green Light Optimal Speed Advisory (GLOSA)"],
         "signal_start_interval": "P1-yellow",
         "parameters": [_param("EgoSpeed", 60 * KMH, "m/s", 40 * KMH, 60 * KMH, 10 * KMH),
                        _param("StopLineDistance", 200.0, "m", 150.0, 250.0, 50.0)],
         "criteria": [NO_COLLISION,
                      crit("no_red_light", "red_light_violation_count", "==", 0, "count",
                           f"{GBT} 6.1; PRC Road Traffic Safety Law art. 38"),
                      crit("smooth_stop", "decel_peak_mps2", "<=", 3.5, "m/s^2", ISO15622)]},
        {"id": "wuhan-s1-glosa-green-arrival", "file": "glosa_green_arrival.xosc",
         "title": "Red turning green before Ego arrives: arrive on green without stopping",
         "requirements": [f"{GBT} 6.1: traffic signal recognition and response",
                          f"{CSAE}: Green Light Optimal Speed Advisory (GLOSA), SPAT + MAP"],
         "v2x_applications": [f"{CSAE}: Green Light Optimal Speed Advisory (GLOSA)",
                              f"{CSAE}: Red Light Violation Warning (RLVW)"],
         "signal_start_interval": "P2-green-clear",
         "parameters": [_param("EgoSpeed", 60 * KMH, "m/s", 40 * KMH, 60 * KMH, 10 * KMH),
                        _param("StopLineDistance", 180.0, "m", 150.0, 210.0, 30.0)],
         "criteria": [NO_COLLISION,
                      crit("no_red_light", "red_light_violation_count", "==", 0, "count",
                           f"{GBT} 6.1; PRC Road Traffic Safety Law art. 38"),
                      crit("smooth_stop", "decel_peak_mps2", "<=", 3.5, "m/s^2", ISO15622)]},
        {"id": "wuhan-s1-hlw-hazard", "file": "hlw_hazard.xosc",
         "title": "Stopped vehicle hidden behind a truck, announced by RSI",
         "requirements": [f"{GBT} 6.4: stationary vehicle ahead recognition and response",
                          f"{CSAE}: Hazardous Location Warning (HLW), RSI"],
         "v2x_applications": [f"{CSAE}: Hazardous Location Warning (HLW)",
                              f"{CSAE}: Abnormal Vehicle Warning (AVW)"],
         "signal_start_interval": "P1-green-walk",
         "parameters": [_param("EgoSpeed", 60 * KMH, "m/s", 40 * KMH, 60 * KMH, 10 * KMH),
                        _param("CutOutDistance", 50.0, "m", 40.0, 70.0, 10.0),
                        _param("AnnounceTime", 1.0, "s", 1.0, 5.0, 2.0)],
         "criteria": [NO_COLLISION,
                      crit("min_gap", "gap_min_m", ">=", 1.0, "m", f"{GBT} 6.4"),
                      crit("smooth_stop", "decel_peak_mps2", "<=", 3.5, "m/s^2", ISO15622)]},
    ]


def render() -> dict[str, bytes]:
    """``{file name: bytes}`` of the V2X case files."""
    from scenarios.authoring import xosc_bytes
    return {"rlvw_red_light.xosc": xosc_bytes(rlvw_red_light()),
            "glosa_green_arrival.xosc": xosc_bytes(glosa_green_arrival()),
            "hlw_hazard.xosc": xosc_bytes(hlw_hazard())}
