"""Logical scenarios at junctions and crossings of the Wuhan test zone: signalised approach
(traffic light, RLVW, GLOSA), pedestrians and cyclists crossing, a pedestrian stepping out
from behind a parked truck (VRUCW), oncoming left turn across Ego's path (LTA), a crossing
red-light runner (ICW) and the roundabout.

Junction 1035 ``J5-3`` (x = 285, y = -855): Ego approaches from the west on road 30 (stop line
s = 512 m, signal 10351; crosswalk ``crosswalk-1035-W`` at x = 256 m across the eastbound
carriageway y = -855 .. -869 m). Plan ``J5-3``: P1-green 68 s (E-W), P1-yellow 3, P1-all-red 2,
P2-green 22 (N-S), P2-yellow 3, P2-all-red 2; RSU-J5-3 at (265, -835), radio 300 m, sensing
150 m.
"""

from __future__ import annotations

import math

from scenarios.wuhan.catalogue_model import (CSAE, GBT, NO_COLLISION, NO_RED, ON_ROAD, SMOOTH,
                                             Logical, Vary, crit, ttc, v2x_response)
from scenarios.wuhan.generate_section1_cases import (ego_vehicle, pedestrian, speed_step,
                                                     target_vehicle)
from scenarios.wuhan.parts import (EGO, act, cyclist, event, hold, near, place,
                                   route, scenario, walk, with_obu)
from scenarios.wuhan.v2x_cases import truck

KMH = 1.0 / 3.6
STOP_LINE_S = 512.0
"""s [m] of the stop line (signal 10351) on road 30."""
PED_CLEAR = crit("pedestrian_clearance", "pedestrian_distance_min_m", ">=", 1.0, "m",
                 f"{GBT} pedestrian crossing; PRC RTSL art. 47 (yield)")


def signal_approach(name: str, distance_m: float, start_interval: str, speed: float,
                    description: str) -> object:
    """Ego alone in lane -3 of road 30, $StopLineDistance before the stop line at $EgoSpeed;
    junction 1035's cycle starts at ``start_interval``."""
    params = [("EgoSpeed", speed), ("StopLineDistance", distance_m), ("SimulationEnd", 30.0)]
    return scenario(name, description, params, {EGO: ego_vehicle()},
                    {EGO: place("30", -3, f"${{{STOP_LINE_S!r} - $StopLineDistance}}",
                                "$EgoSpeed")},
                    [hold(EGO, "$EgoSpeed")], {"1035": start_interval})


def crosswalk_pedestrian() -> object:
    """A pedestrian crosses road 30's eastbound carriageway on crosswalk-1035-W (x = 256 m,
    from the south sidewalk y = -870 to the median y = -855) at $PedestrianSpeed once Ego is
    within $TriggerDistance; Ego's light is green (P1-green)."""
    params = [("EgoSpeed", 50 * KMH), ("EgoS", 360.0), ("PedestrianSpeed", 1.4),
              ("TriggerDistance", 80.0), ("SimulationEnd", 30.0)]
    start, go = _crossing("Pedestrian", 256.0, (-870.0, -855.0), "$PedestrianSpeed")
    return scenario("CrosswalkPedestrian", "Wuhan test zone: pedestrian on a zebra crossing",
                    params, {EGO: ego_vehicle(), "Pedestrian": pedestrian("Pedestrian")},
                    {EGO: place("30", -3, "$EgoS", "$EgoSpeed"),
                     "Pedestrian": start}, [go], {"1035": "P1-green"})


def _crossing(actor: str, x: float, ys: tuple[float, float], speed: str) -> tuple[list, object]:
    """Init actions and Act of ``actor`` crossing northwards at ``x`` [m] from ``ys[0]`` to
    ``ys[1]`` [m] at ``speed`` once Ego is within $TriggerDistance of it."""
    from scenariogeneration import xosc
    start = [xosc.TeleportAction(xosc.WorldPosition(x, ys[0], 0.0, math.pi / 2, 0.0, 0.0)),
             speed_step(0.0)]
    go = event(f"{actor}CrossEvent",
               [(f"{actor}Speed", speed_step(speed)),
                (f"{actor}Across", walk(f"{actor}Path", [(x, ys[0]), (x, ys[1])], math.pi / 2))],
               near(f"{actor}CrossStart", EGO, actor, "$TriggerDistance"))
    return start, act(actor, actor, [go])


def cyclist_crossing() -> object:
    """Collector road 39 ``R4-45`` (y = -285 m): a cyclist crosses mid-block at x = 29.5 m
    (s = 300) from south to north at $CyclistSpeed once Ego is within $TriggerDistance."""
    params = [("EgoSpeed", 40 * KMH), ("EgoS", 150.0), ("CyclistSpeed", 4.0),
              ("TriggerDistance", 60.0), ("SimulationEnd", 25.0)]
    start, go = _crossing("Cyclist", 29.5, (-292.0, -278.0), "$CyclistSpeed")
    return scenario("CyclistCrossing", "Wuhan test zone: cyclist crossing mid-block",
                    params, {EGO: ego_vehicle(), "Cyclist": cyclist("Cyclist")},
                    {EGO: place("39", -1, "$EgoS", "$EgoSpeed"),
                     "Cyclist": start}, [go])


def pedestrian_dart_out() -> object:
    """A truck stands in the kerb lane -4 of road 30 at s = 420 m (x = 160); a pedestrian
    hidden in front of it steps into Ego's lane -3 at $PedestrianSpeed once Ego is within
    $TriggerDistance. RSU-J5-3 (110 m away) senses the pedestrian (RSM)."""
    params = [("EgoSpeed", 50 * KMH), ("EgoS", 250.0), ("PedestrianSpeed", 2.0),
              ("TriggerDistance", 40.0), ("SimulationEnd", 20.0)]
    start, go = _crossing("Pedestrian", 170.0, (-867.5, -852.0), "$PedestrianSpeed")
    return scenario("PedestrianDartOut",
                    "Wuhan test zone: pedestrian stepping out from behind a parked truck",
                    params, {EGO: ego_vehicle(), "Parked": truck("Parked"),
                             "Pedestrian": pedestrian("Pedestrian")},
                    {EGO: place("30", -3, "$EgoS", "$EgoSpeed"),
                     "Parked": place("30", -4, 420.0, 0.0),
                     "Pedestrian": start},
                    [go, hold("Parked")],
                    {"1035": "P1-green"})


def oncoming_left_turn() -> object:
    """A westbound car waits in the left-turn lane 1 of road 31 (s = 40 m) and turns left
    (south, road 132) at $TurnSpeed when Ego, going straight east in lane -3, is within
    $TriggerDistance of it; both on green (P1-green)."""
    params = [("EgoSpeed", 50 * KMH), ("EgoS", 400.0), ("TurnSpeed", 25 * KMH),
              ("TriggerDistance", 90.0), ("SimulationEnd", 25.0)]
    go = event("TurnEvent", [("TurnRoute", route("LeftTurn", [("31", 1, 40.0),
                                                              ("132", 1, 450.0)])),
                             ("TurnSpeedUp", speed_step("$TurnSpeed"))],
               near("TurnStart", EGO, "Turner", "$TriggerDistance"))
    return scenario("OncomingLeftTurn",
                    "Wuhan test zone: oncoming vehicle turns left across Ego's path",
                    params, {EGO: ego_vehicle(), "Turner": with_obu(target_vehicle("Turner"))},
                    {EGO: place("30", -3, "$EgoS", "$EgoSpeed"),
                     "Turner": place("31", 1, 40.0, 0.0)},
                    [act("Turner", "Turner", [go])], {"1035": "P1-green"})


def crossing_red_runner() -> object:
    """A car on road 132 (``C5-23``, northbound lane -1, 40 km/h) runs its red through junction
    1035 while Ego (lane -3 of road 30) has green; a bus waiting in lane -4 at the stop line
    hides it from Ego until late."""
    params = [("EgoSpeed", 50 * KMH), ("EgoS", 355.0), ("CrossSpeed", 40 * KMH),
              ("CrossS", 405.0), ("SimulationEnd", 20.0)]
    return scenario("CrossingRedRunner",
                    "Wuhan test zone: crossing vehicle runs a red light (ICW)",
                    params, {EGO: ego_vehicle(), "Runner": with_obu(target_vehicle("Runner")),
                             "Waiting": truck("Waiting")},
                    {EGO: place("30", -3, "$EgoS", "$EgoSpeed"),
                     "Runner": place("132", -1, "$CrossS", "$CrossSpeed"),
                     "Waiting": place("30", -4, 500.0, 0.0)},
                    [hold("Runner", "$CrossSpeed"), hold("Waiting")], {"1035": "P1-green"})


def roundabout() -> object:
    """Ego enters the roundabout at node (5, 5) from the west (road 48 ``R5-45``, lane -1,
    40 km/h); a car circulating on arc RB-NW (road 178) moves off when Ego is within
    $TriggerDistance, reaching the west entry about when Ego does."""
    params = [("EgoSpeed", 30 * KMH), ("EgoS", 420.0), ("CirculatingSpeed", 20 * KMH),
              ("TriggerDistance", 80.0), ("SimulationEnd", 25.0)]
    go = event("CirculateEvent", [("Circulate", speed_step("$CirculatingSpeed"))],
               near("CirculateStart", EGO, "Circulating", "$TriggerDistance"))
    return scenario("RoundaboutEntry", "Wuhan test zone: entering the roundabout",
                    params, {EGO: ego_vehicle(), "Circulating": target_vehicle("Circulating")},
                    {EGO: place("48", -1, "$EgoS", "$EgoSpeed"),
                     "Circulating": place("178", -1, 2.0, 0.0)},
                    [act("Circulating", "Circulating", [go])])


_SIG = ("SPAT", "MAP")


def _red(distance_m: float, interval: str, name: str, description: str):
    """A builder of :func:`signal_approach` at 60 km/h with these arguments."""
    return lambda: signal_approach(name, distance_m, interval, 60 * KMH, description)


LOGICALS: tuple[Logical, ...] = (
    Logical("wuhan-tz-traffic-light-red", "tz_traffic_light_red",
            "Light turns yellow then red as Ego approaches (within camera range soon)",
            "traffic-lights", _red(120.0, "P1-yellow", "TrafficLightRed",
                                  "Wuhan test zone: red light at junction J5-3"),
            ("traffic lights",), ("RLVW",), _SIG,
            (Vary("StopLineDistance", "m", (90.0, 120.0, 150.0)),),
            (NO_COLLISION, NO_RED, crit("smooth_stop", "decel_peak_mps2", "<=", 4.0,
                                        "m/s^2", f"{GBT} traffic lights")), ()),
    Logical("wuhan-tz-rlvw", "tz_rlvw_red_far",
            "Red light beyond camera range, known early only from SPAT (RLVW)",
            "traffic-lights", _red(240.0, "P1-yellow", "RedLightViolationWarningTZ",
                                  "Wuhan test zone: red light announced by SPAT"),
            ("traffic lights",), ("RLVW",), _SIG,
            (Vary("StopLineDistance", "m", (200.0, 240.0)),
             Vary("EgoSpeed", "m/s", (50 * KMH, 60 * KMH))),
            (NO_COLLISION, NO_RED, SMOOTH, v2x_response("RLVW")), ()),
    Logical("wuhan-tz-glosa", "tz_glosa_green_arrival",
            "Red now, green in 27 s: arrive on green without stopping (GLOSA)",
            "traffic-lights", _red(240.0, "P2-green", "GreenLightOptimalSpeedAdvisoryTZ",
                                  "Wuhan test zone: red turning green, timed by SPAT"),
            ("traffic lights",), ("GLOSA",), _SIG,
            (Vary("StopLineDistance", "m", (200.0, 240.0)),),
            (NO_COLLISION, NO_RED, SMOOTH,
             crit("no_stop", "speed_min_mps", ">=", 2.0, "m/s",
                  f"{CSAE} GLOSA (pass without stopping; a stop is a speed under 2 m/s, "
                  f"this project's bound)")),
            ("SPAT carries only the current state and its end time: GLOSA works within "
             "one change",)),
    Logical("wuhan-tz-crosswalk-pedestrian", "tz_crosswalk_pedestrian",
            "Pedestrian on the zebra crossing at a green light", "vru",
            crosswalk_pedestrian, ("pedestrian crossing",), ("VRUCW",), ("RSM",),
            (Vary("PedestrianSpeed", "m/s", (1.0, 1.4, 2.0)),
             Vary("TriggerDistance", "m", (60.0, 100.0))),
            (NO_COLLISION, PED_CLEAR, NO_RED), ()),
    Logical("wuhan-tz-cyclist-crossing", "tz_cyclist_crossing",
            "Cyclist crossing a collector mid-block", "vru", cyclist_crossing,
            ("non-motor vehicle crossing",), (), (),
            (Vary("CyclistSpeed", "m/s", uniform=(3.0, 5.0)),
             Vary("TriggerDistance", "m", uniform=(40.0, 60.0))),
            (NO_COLLISION, crit("clearance", "distance_min_m", ">=", 1.0, "m",
                                f"{GBT} non-motor vehicle crossing")),
            ("no RSU covers this block (RSUs sit at junctions 570 m apart): no V2X",),
            runs=3, seed=3709),
    Logical("wuhan-tz-pedestrian-dart-out", "tz_pedestrian_dart_out",
            "Pedestrian stepping out from behind a parked truck (sensed by the RSU)",
            "vru", pedestrian_dart_out, ("pedestrian crossing", "emergency braking"),
            ("VRUCW",), ("RSM",),
            (Vary("TriggerDistance", "m", uniform=(30.0, 50.0)),
             Vary("PedestrianSpeed", "m/s", uniform=(1.5, 2.5))),
            (NO_COLLISION, PED_CLEAR, crit("decel_peak", "decel_peak_mps2", "<=", 9.0,
                                           "m/s^2", "vehicle Performance maxDeceleration"),
             crit("ttc_min", "ttc_min_s", ">=", 1.0, "s",
                  f"{GBT} emergency braking: the pedestrian steps onto a collision course "
                  f"under 1.5 s by design (TriggerDistance 30-50 m); 1.0 s, this project's "
                  f"bound for an emergency stop, as at intersection turns")),
            (), runs=4, seed=5302),
    Logical("wuhan-tz-oncoming-left-turn", "tz_oncoming_left_turn",
            "Oncoming vehicle turns left across Ego's path on green", "intersection",
            oncoming_left_turn, ("intersection turn with oncoming traffic",),
            ("LTA", "ICW"), ("SPAT", "MAP", "RSM", "BSM"),
            (Vary("TriggerDistance", "m", (70.0, 90.0, 110.0)),
             Vary("TurnSpeed", "m/s", (15 * KMH, 25 * KMH))),
            (NO_COLLISION, ttc(1.0, "intersection turn"),
             crit("pet", "pet_min_s", ">=", 1.0, "s", f"{GBT} intersection (PET)")),
            ("Ego never turns (the agents take the straightest continuation): Ego is the "
             "straight-going party of the left-turn conflict; LTA proper warns the "
             "turning vehicle (from Ego's BSM): the turner is a scenario entity and does "
             "not listen. The turner broadcasts its BSM, which idm-v2x receives",)),
    Logical("wuhan-tz-icw-red-runner", "tz_icw_red_runner",
            "Crossing vehicle runs a red light, hidden by a waiting truck", "intersection",
            crossing_red_runner, ("intersection turn with oncoming traffic",), ("ICW",),
            ("RSM", "BSM", "SPAT", "MAP"),
            (Vary("EgoS", "m", (350.0, 355.0, 360.0)),),
            (NO_COLLISION, crit("pet", "pet_min_s", ">=", 1.0, "s",
                                f"{CSAE} ICW (post-encroachment time)")),
            ("the crossing vehicle broadcasts its BSM (Property v2x:obu) and the RSU "
             "senses it (RSM); idm-v2x's ICW predicts its course at constant speed and "
             "yields at the junction entry until it has left the junction",)),
    Logical("wuhan-tz-roundabout", "tz_roundabout_entry",
            "Entering the roundabout with a circulating vehicle", "roundabout", roundabout,
            ("roundabout",), (), ("RSM",),
            (Vary("TriggerDistance", "m", (60.0, 80.0, 100.0)),),
            (NO_COLLISION, ON_ROAD, ttc(1.0, "roundabout")),
            ("the agents have no yield-at-entry rule: they react to the circulating car "
             "only once it is on their lane path; the roundabout has no signals",)),
)


def logicals() -> list[Logical]:
    """The junction family's logical scenarios with their catalogue data."""
    return list(LOGICALS)
