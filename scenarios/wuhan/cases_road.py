"""Logical scenarios along a road of the Wuhan test zone: vehicles ahead (stopped, slow,
braking, stop-and-go, hidden hard braking, control loss), obstacles, a bus at a stop,
overtaking, on-ramp merging, emergency vehicle, blind spot, speed-limit change, lane keeping.

Most run on road 30 ``R3-45`` (eastbound lanes -2/-3/-4, 60 km/h) with junction 1035 green
(``P1-green``, 68 s) so no light stops Ego; see :mod:`scenarios.wuhan.parts`.
"""

from __future__ import annotations

from scenariogeneration import xosc

from scenarios.wuhan.catalogue_model import (AEB_DECEL, GBT, NO_COLLISION, NO_RED, ON_ROAD,
                                             SMOOTH, Logical, Vary, crit, gap, ttc)
from scenarios.wuhan.generate_section1_cases import ego_vehicle, target_vehicle
from scenarios.wuhan.parts import (EGO, act, after, ambulance, at_time, barrier, bus, event,
                                   hold, lane_change, near, place, scenario,
                                   hazard_lights_on, special_lights_on, speed_rate,
                                   with_obu)
from scenarios.wuhan.v2x_cases import truck

KMH = 1.0 / 3.6
GREEN_1035 = {"1035": "P1-green"}
RSM_ONLY = ("RSM",)
RSM_BSM = ("RSM", "BSM")
BASIC_BSM = ("the other vehicle's BSM (Property v2x:obu) carries position, speed, heading, "
             "acceleration, size, the hard-braking (0.4 g) and hazard-light event flags, the "
             "exterior lights a LightStateAction switched on and, for an ambulance, fire or "
             "police role, the emergency extension; no ABS/ESC/traction events (no brake "
             "model); idm-v2x takes it as a V2V object like an RSM participant and does not "
             "read the flags")


def _lead(mode: str) -> object:
    """Ego (lane -3, $EgoS) behind 'Lead' $Gap ahead: ``stopped`` (speed 0, hazard lights
    flashing: OpenSCENARIO 1.2), ``slow`` ($LeadSpeed), ``braking`` (Ego's speed, brakes at
    $BrakeTime at $BrakeDecel to 0)."""
    lead_speed = {"stopped": "0.0", "slow": "$LeadSpeed", "braking": "$EgoSpeed"}[mode]
    params = [("EgoSpeed", 60 * KMH), ("EgoS", 30.0), ("Gap", 120.0 if mode != "braking" else 40.0),
              ("LeadSpeed", 20 * KMH), ("BrakeTime", 4.0), ("BrakeDecel", 6.0),
              ("SimulationEnd", 25.0)]
    if mode == "braking":
        brake = event("LeadBrakeEvent", [("LeadBrake", speed_rate(0.0, "$BrakeDecel"))],
                      at_time("LeadBrakeStart", "$BrakeTime"))
        acts = [act("Lead", "Lead", [brake])]
    else:
        acts = [hold("Lead", lead_speed)]
    return scenario(f"VehicleAhead{mode.title()}", f"Wuhan test zone: vehicle ahead {mode}",
                    params, {EGO: ego_vehicle(), "Lead": with_obu(target_vehicle("Lead"))},
                    {EGO: place("30", -3, "$EgoS", "$EgoSpeed"),
                     "Lead": place("30", -3, "${$EgoS + $Gap}", lead_speed)
                     + ([hazard_lights_on()] if mode == "stopped" else [])},
                    acts, GREEN_1035, osc_minor_version=2 if mode == "stopped" else 1)


def stop_and_go() -> object:
    """Ego follows 'Lead' $Gap ahead at 40 km/h; Lead stops at $StopDecel from $StopTime,
    stands $StandTime, pulls away at 1.5 m/s^2 to 40 km/h; twice."""
    params = [("EgoSpeed", 40 * KMH), ("EgoS", 30.0), ("Gap", 30.0), ("StopTime", 4.0),
              ("StopDecel", 2.5), ("StandTime", 4.0), ("SimulationEnd", 35.0)]
    events = [event("Stop1Event", [("Stop1", speed_rate(0.0, "$StopDecel"))],
                    at_time("Stop1Start", "$StopTime")),
              event("Go1Event", [("Go1", speed_rate("$EgoSpeed", 1.5))],
                    after("Go1Start", "Stop1", "$StandTime")),
              event("Stop2Event", [("Stop2", speed_rate(0.0, "$StopDecel"))],
                    after("Stop2Start", "Go1", 3.0)),
              event("Go2Event", [("Go2", speed_rate("$EgoSpeed", 1.5))],
                    after("Go2Start", "Stop2", "$StandTime"))]
    return scenario("StopAndGo", "Wuhan test zone: following a vehicle in stop-and-go traffic",
                    params, {EGO: ego_vehicle(), "Lead": target_vehicle("Lead")},
                    {EGO: place("30", -3, "$EgoS", "$EgoSpeed"),
                     "Lead": place("30", -3, "${$EgoS + $Gap}", "$EgoSpeed")},
                    [act("Lead", "Lead", events)], GREEN_1035)


def obstacle() -> object:
    """A road-works barrier across lane -3 at $ObstacleS, lateral $ObstacleOffset."""
    params = [("EgoSpeed", 60 * KMH), ("EgoS", 30.0), ("ObstacleS", 250.0),
              ("ObstacleOffset", 0.0), ("SimulationEnd", 25.0)]
    return scenario("ObstacleInLane", "Wuhan test zone: static obstacle in Ego's lane",
                    params, {EGO: ego_vehicle(), "Barrier": barrier("Barrier")},
                    {EGO: place("30", -3, "$EgoS", "$EgoSpeed"),
                     "Barrier": place("30", -3, "$ObstacleS", None, "$ObstacleOffset")},
                    [hold(EGO, "$EgoSpeed")], GREEN_1035)


def bus_stop() -> object:
    """A bus in the kerb lane -4 ahead of Ego stops at the bus stop ``busstop-30-1``
    (s = 240 m) for $DwellTime, then pulls away; Ego follows in lane -4 (no bay here)."""
    params = [("EgoSpeed", 50 * KMH), ("EgoS", 30.0), ("BusGap", 60.0), ("BusSpeed", 30 * KMH),
              ("DwellTime", 8.0), ("SimulationEnd", 40.0)]   # 30 s: a 10 s dwell never ended
    stop_at = xosc.ReachPositionCondition(xosc.LanePosition(215.0, 0.0, -4, "30"), 3.0)
    events = [event("BusStopEvent", [("BusBrake", speed_rate(0.0, 1.5))],
                    xosc.EntityTrigger("BusAtStop", 0.0, xosc.ConditionEdge.rising, stop_at,
                                       "Bus")),
              event("BusLeaveEvent", [("BusGo", speed_rate("$BusSpeed", 1.0))],
                    after("BusLeave", "BusBrake", "$DwellTime"))]
    return scenario("BusStopDwell", "Wuhan test zone: bus stopping at a kerbside bus stop",
                    params, {EGO: ego_vehicle(), "Bus": bus("Bus")},
                    {EGO: place("30", -4, "$EgoS", "$EgoSpeed"),
                     "Bus": place("30", -4, "${$EgoS + $BusGap}", "$BusSpeed")},
                    [act("Bus", "Bus", events)], GREEN_1035)


def overtaking() -> object:
    """Collector road 39 ``R4-45`` (2x1, 40 km/h): a slow truck $SlowGap ahead at $SlowSpeed;
    an oncoming car in lane 1 makes overtaking unsafe at first."""
    params = [("EgoSpeed", 40 * KMH), ("EgoS", 60.0), ("SlowGap", 60.0), ("SlowSpeed", 15 * KMH),
              ("OncomingS", 400.0), ("SimulationEnd", 25.0)]
    return scenario("OvertakingSlowVehicle",
                    "Wuhan test zone: slow vehicle ahead on a two-lane road, oncoming traffic",
                    params, {EGO: ego_vehicle(), "Slow": truck("Slow"),
                             "Oncoming": with_obu(target_vehicle("Oncoming"))},
                    {EGO: place("39", -1, "$EgoS", "$EgoSpeed"),
                     "Slow": place("39", -1, "${$EgoS + $SlowGap}", "$SlowSpeed"),
                     "Oncoming": place("39", 1, "$OncomingS", 40 * KMH)},
                    [hold("Slow", "$SlowSpeed")])


def onramp_merge() -> object:
    """Expressway: Ego in lane -3 of X-1 (road 182) at 80 km/h; a car on the acceleration lane
    -4 of X-2 (road 183, after the X3 east merge) at $MergerSpeed, $EgoLag ahead, merges into
    lane -3 at $MergeTime (lane change $LaneChangeDuration)."""
    params = [("EgoSpeed", 80 * KMH), ("EgoLag", 60.0), ("MergerSpeed", 60 * KMH),
              ("MergeTime", 2.0), ("LaneChangeDuration", 3.0), ("SimulationEnd", 20.0)]
    merge = event("MergeEvent", [("MergeLaneChange", lane_change(-3, "$LaneChangeDuration"))],
                  at_time("MergeStart", "$MergeTime"))
    return scenario("OnRampMerge", "Wuhan test zone: vehicle merging from an on-ramp ahead",
                    params, {EGO: ego_vehicle(), "Merger": target_vehicle("Merger")},
                    {EGO: place("182", -3, "${805.0 - $EgoLag}", "$EgoSpeed"),
                     "Merger": place("183", -4, 5.0, "$MergerSpeed")},
                    [act("Merger", "Merger", [merge])])


def emergency_vehicle() -> object:
    """An ambulance (role ambulance, special-purpose lights on: its BSM carries the emergency
    extension with siren in use) comes up behind Ego in lane -3 at $AmbulanceSpeed and passes
    in lane -2 once within $PassDistance (OpenSCENARIO 1.2)."""
    # AmbulanceLag 80 m: at 60 km/h the ambulance never came within 20 m in 20 s
    params = [("EgoSpeed", 50 * KMH), ("EgoS", 120.0), ("AmbulanceLag", 50.0),
              ("AmbulanceSpeed", 80 * KMH), ("PassDistance", 30.0), ("SimulationEnd", 20.0)]
    swerve = event("PassEvent", [("AmbulancePass", lane_change(-2, 2.0))],
                   near("PassStart", "Ambulance", EGO, "$PassDistance"))
    return scenario("EmergencyVehicleApproach",
                    "Wuhan test zone: emergency vehicle approaching from behind",
                    params, {EGO: ego_vehicle(), "Ambulance": with_obu(ambulance("Ambulance"))},
                    {EGO: place("30", -3, "$EgoS", "$EgoSpeed"),
                     "Ambulance": place("30", -3, "${$EgoS - $AmbulanceLag}",
                                        "$AmbulanceSpeed") + [special_lights_on()]},
                    [act("Ambulance", "Ambulance", [swerve])], GREEN_1035, osc_minor_version=2)


def blind_spot() -> object:
    """A car rides in lane -2 beside and behind Ego (lane -3), $Lag behind, at Ego's speed
    plus $SpeedDelta."""
    params = [("EgoSpeed", 50 * KMH), ("EgoS", 60.0), ("Lag", 6.0), ("SpeedDelta", 0.5),
              ("SimulationEnd", 20.0)]
    return scenario("BlindSpotVehicle", "Wuhan test zone: vehicle in Ego's blind spot",
                    params, {EGO: ego_vehicle(), "Beside": with_obu(target_vehicle("Beside"))},
                    {EGO: place("30", -3, "$EgoS", "$EgoSpeed"),
                     "Beside": place("30", -2, "${$EgoS - $Lag}", "$EgoSpeed")},
                    [hold("Beside", "${$EgoSpeed + $SpeedDelta}")], GREEN_1035)


def hidden_hard_braking() -> object:
    """Ego follows a truck $TruckGap ahead; a car $CarGap ahead of the truck brakes hard at
    $BrakeTime ($BrakeDecel); the truck reacts 1 s later at 4 m/s^2."""
    params = [("EgoSpeed", 50 * KMH), ("EgoS", 30.0), ("TruckGap", 30.0), ("CarGap", 25.0),
              ("BrakeTime", 5.0), ("BrakeDecel", 7.0), ("SimulationEnd", 20.0)]
    car = event("CarBrakeEvent", [("CarBrake", speed_rate(0.0, "$BrakeDecel"))],
                at_time("CarBrakeStart", "$BrakeTime"))
    trk = event("TruckBrakeEvent", [("TruckBrake", speed_rate(0.0, 4.0))],
                at_time("TruckBrakeStart", "${$BrakeTime + 1.0}"))
    return scenario("HiddenHardBraking",
                    "Wuhan test zone: vehicle ahead of the lead truck brakes hard (EBW)",
                    params, {EGO: ego_vehicle(), "Truck": truck("Truck"),
                             "Car": with_obu(target_vehicle("Car"))},
                    {EGO: place("30", -3, "$EgoS", "$EgoSpeed"),
                     "Truck": place("30", -3, "${$EgoS + $TruckGap}", "$EgoSpeed"),
                     "Car": place("30", -3, "${$EgoS + $TruckGap + $CarGap + 10.0}",
                                  "$EgoSpeed")},
                    [act("Car", "Car", [car]), act("Truck", "Truck", [trk])], GREEN_1035)


def control_loss() -> object:
    """A car ahead in lane -2 loses control at $LossTime: it slides into Ego's lane -3 (1 s)
    and stops there at 8 m/s^2."""
    params = [("EgoSpeed", 50 * KMH), ("EgoS", 30.0), ("Lead", 45.0), ("LossTime", 3.0),
              ("SimulationEnd", 20.0)]
    slide = event("SlideEvent", [("Slide", lane_change(-3, 1.0)),
                                 ("SkidStop", speed_rate(0.0, 8.0))],
                  at_time("SlideStart", "$LossTime"))
    return scenario("ControlLoss", "Wuhan test zone: vehicle ahead loses control (CLW)",
                    params, {EGO: ego_vehicle(), "Skid": with_obu(target_vehicle("Skid"))},
                    {EGO: place("30", -3, "$EgoS", "$EgoSpeed"),
                     "Skid": place("30", -2, "${$EgoS + $Lead}", "$EgoSpeed")},
                    [act("Skid", "Skid", [slide])], GREEN_1035)


def speed_limit_change() -> object:
    """Column 3 southbound (road 112 ``C3-01``, lane 2, 60 km/h) straight through junction 1003
    (N-S green) onto the interchange road X3-link (50 km/h)."""
    params = [("EgoSpeed", 60 * KMH), ("EgoS", 250.0), ("SimulationEnd", 25.0)]
    return scenario("SpeedLimitChange", "Wuhan test zone: speed limit drops from 60 to 50 km/h",
                    params, {EGO: ego_vehicle()}, {EGO: place("112", 2, "$EgoS", "$EgoSpeed")},
                    [hold(EGO, "$EgoSpeed")], {"1003": "P2-green"})


def lane_keeping() -> object:
    """Ring road corner RING-SW (road 173): lane -2 through the 90 deg bend (radius 60 m)."""
    params = [("EgoSpeed", 40 * KMH), ("EgoS", 300.0), ("SimulationEnd", 30.0)]
    return scenario("LaneKeepingBend", "Wuhan test zone: lane keeping through a ring-road bend",
                    params, {EGO: ego_vehicle()}, {EGO: place("173", -2, "$EgoS", "$EgoSpeed")},
                    [hold(EGO, "$EgoSpeed")])


_LEAD_TTC = ttc(1.5, "vehicle ahead")
LOGICALS: tuple[Logical, ...] = (
    Logical("wuhan-tz-vehicle-ahead-stopped", "tz_vehicle_ahead_stopped",
            "Stopped vehicle ahead in Ego's lane (arterial, 60 km/h)", "vehicle-ahead",
            lambda: _lead("stopped"), ("vehicle ahead stopped",), ("AVW",), RSM_BSM,
            (Vary("Gap", "m", (80.0, 150.0)), Vary("EgoSpeed", "m/s", (40 * KMH, 60 * KMH))),
            (NO_COLLISION, gap(1.0, "vehicle ahead stopped"), _LEAD_TTC, SMOOTH),
            ("AVW keys on the stopped vehicle's hazard lights (flashing from the start): "
             + BASIC_BSM,)),
    Logical("wuhan-tz-vehicle-ahead-slow", "tz_vehicle_ahead_slow",
            "Slow vehicle ahead in Ego's lane", "vehicle-ahead", lambda: _lead("slow"),
            ("vehicle ahead slow",), (), (),
            (Vary("LeadSpeed", "m/s", (10 * KMH, 20 * KMH, 30 * KMH)),),
            (NO_COLLISION, gap(1.0, "vehicle ahead slow"), _LEAD_TTC,
             crit("thw_min", "thw_min_s", ">=", 1.0, "s", f"{GBT} following")), ()),
    Logical("wuhan-tz-vehicle-ahead-braking", "tz_vehicle_ahead_braking",
            "Vehicle ahead brakes hard (emergency braking, forward collision)",
            "vehicle-ahead", lambda: _lead("braking"),
            ("vehicle ahead braking", "emergency braking"), ("FCW",), RSM_BSM,
            (Vary("Gap", "m", (25.0, 40.0)), Vary("BrakeDecel", "m/s^2", (4.0, 6.0, 8.0))),
            (NO_COLLISION, AEB_DECEL, crit("ttc_min", "ttc_min_s", ">=", 1.0, "s",
                                           f"{GBT} emergency braking")),
            ("FCW: " + BASIC_BSM,)),
    Logical("wuhan-tz-stop-and-go", "tz_stop_and_go",
            "Following a vehicle that stops and pulls away twice", "following",
            stop_and_go, ("following stop-and-go",), (), (),
            (Vary("StopDecel", "m/s^2", uniform=(2.0, 3.5)),
             Vary("StandTime", "s", uniform=(2.0, 6.0))),
            (NO_COLLISION, gap(1.0, "following stop-and-go"),
             crit("progress", "progress_distance_m", ">=", 100.0, "m",
                  f"{GBT} following (Ego pulls away again)")), (), runs=4, seed=41798),
    Logical("wuhan-tz-obstacle", "tz_obstacle_in_lane",
            "Road-works barrier in Ego's lane", "obstacle", obstacle, ("obstacle",), (), (),
            (Vary("ObstacleS", "m", (150.0, 250.0)),
             Vary("ObstacleOffset", "m", (-0.75, 0.0, 0.75))),
            (NO_COLLISION, gap(1.0, "obstacle"), SMOOTH),
            ("idm and idm-v2x pass the barrier by a MOBIL lane change when the next lane "
             "has room (else they stop before it); the report counts each change as a lane "
             "departure",)),
    Logical("wuhan-tz-bus-stop", "tz_bus_stop_dwell",
            "Bus stopping at a kerbside bus stop ahead of Ego", "bus-stop", bus_stop,
            ("pulling over at bus stop",), (), (),
            (Vary("DwellTime", "s", (5.0, 10.0)), Vary("BusGap", "m", (40.0, 80.0))),
            (NO_COLLISION, gap(1.0, "pulling over at bus stop")),
            ("Ego pulling over at a stop itself is not exercised: the agents follow their "
             "lane and have no stop-request goal; the case tests following a bus that "
             "stops and pulls away",)),
    Logical("wuhan-tz-overtaking", "tz_overtaking_slow_vehicle",
            "Slow truck ahead on a two-lane road with oncoming traffic", "overtaking",
            overtaking, ("overtaking",), ("DNPW",), RSM_BSM,
            (Vary("SlowSpeed", "m/s", (10 * KMH, 15 * KMH, 20 * KMH)),),
            (NO_COLLISION, gap(1.0, "overtaking"), ttc(1.5, "overtaking")),
            ("the reference agents never overtake, so neither overtaking nor the DNPW "
             "warning is exercised: the case checks the following fallback only (the "
             "oncoming car does broadcast its BSM)",)),
    Logical("wuhan-tz-onramp-merge", "tz_onramp_merge",
            "Vehicle merging from the X3 on-ramp acceleration lane ahead of Ego",
            "merging", onramp_merge, ("merging",), (), (),
            (Vary("EgoLag", "m", (40.0, 60.0, 80.0)), Vary("MergeTime", "s", (1.0, 3.0))),
            (NO_COLLISION, ttc(1.0, "merging"), AEB_DECEL),
            ("Ego merging from the ramp itself is not exercised: Ego is on the main "
             "carriageway (idm may move a lane over by MOBIL as the merging car arrives)",)),
    Logical("wuhan-tz-emergency-vehicle", "tz_emergency_vehicle",
            "Ambulance approaching from behind and passing", "emergency-vehicle",
            emergency_vehicle, ("emergency vehicle",), ("EVW",), RSM_BSM,
            (Vary("AmbulanceSpeed", "m/s", (70 * KMH, 80 * KMH)),   # 60: never caught up
             Vary("PassDistance", "m", (20.0, 40.0))),
            (NO_COLLISION,),
            ("EVW keys on the BSM's emergency extension (VehEmgExt: responseType emergency, "
             "siren and light bar in use): " + BASIC_BSM,
             "yielding on purpose is not exercised: EVW is not read by the agents; idm's "
             "MOBIL may change lane (its politeness term weighs the vehicle behind), and "
             "the ambulance passes either way",)),
    Logical("wuhan-tz-blind-spot", "tz_blind_spot", "Vehicle riding in Ego's blind spot",
            "blind-spot", blind_spot, (), ("BSW/LCW",), RSM_BSM,
            (Vary("Lag", "m", (3.0, 6.0, 9.0)),), (NO_COLLISION, ON_ROAD),
            ("BSW/LCW is not read: idm's MOBIL safety criterion sees the car beside "
             "(sensed) before any lane change; the car beside does broadcast its BSM",)),
    Logical("wuhan-tz-ebw-hidden-braking", "tz_ebw_hidden_braking",
            "Car ahead of the lead truck brakes hard", "vehicle-ahead",
            hidden_hard_braking, ("emergency braking",), ("EBW",), RSM_BSM,
            (Vary("BrakeDecel", "m/s^2", (5.0, 7.0)), Vary("TruckGap", "m", (20.0, 30.0))),
            (NO_COLLISION, gap(1.0, "emergency braking"), AEB_DECEL),
            ("EBW keys on the BSM's hard-braking event flag (set while the braking vehicle "
             "decelerates by 0.4 g or more): " + BASIC_BSM,)),
    Logical("wuhan-tz-clw-control-loss", "tz_clw_control_loss",
            "Vehicle ahead loses control and stops across Ego's lane", "vehicle-ahead",
            control_loss, ("emergency braking",), ("CLW",), RSM_BSM,
            (Vary("Lead", "m", (35.0, 45.0, 60.0)),), (NO_COLLISION, AEB_DECEL),
            ("CLW keys on the BSM's event flags (ABS/ESC/traction): " + BASIC_BSM,
             "the skid is a fast lane change plus braking (no vehicle-dynamics model)")),
    Logical("wuhan-tz-speed-limit", "tz_speed_limit_change",
            "Speed limit drops from 60 to 50 km/h past a junction", "traffic-signs",
            speed_limit_change, ("speed-limit sign",), ("SLW",), ("SPAT", "MAP"),
            (Vary("EgoSpeed", "m/s", (50 * KMH, 60 * KMH)),),
            (NO_COLLISION, NO_RED,
             crit("speeding_time", "speeding_duration_s", "<=", 3.0, "s",
                  f"{GBT} speed-limit sign (3 s to slow down: this project's tolerance)")),
            ("the limit is the map's speed record (no sign object before the change) and "
             "SLW has no message: MAP carries speedLimits but the idm-v2x agent does not "
             "read them, and RSI traffic signs (RTS) are not built by the bridge",)),
    Logical("wuhan-tz-lane-keeping", "tz_lane_keeping_bend",
            "Lane keeping through a ring-road bend (radius 60 m)", "lane-markings",
            lane_keeping, ("lane markings",), (), (),
            (Vary("EgoS", "m", (300.0, 400.0)),),
            (ON_ROAD, crit("lat_accel", "lat_accel_peak_mps2", "<=", 4.89, "m/s^2",
                           "nuPlan ego_is_comfortable lateral bound")),
            ("lane markings are read from the map (no perception of painted lines)",)),
)


def logicals() -> list[Logical]:
    """The road family's logical scenarios with their catalogue data."""
    return list(LOGICALS)
