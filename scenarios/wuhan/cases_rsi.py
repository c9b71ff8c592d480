"""Logical scenarios driven by roadside information (RSI, via the ``V2X.RSI`` CustomCommand
hook, docs/v2x.md) on road 30 of the Wuhan test zone: a stopped vehicle hidden by a truck
(AVW), road works (HLW), a queue (TJW), an in-vehicle sign (IVS) and a payment zone (VNFP).

RSI ``eventType`` values are the project's convention (100 stopped vehicle, as the idm-v2x
agent's ``obstacle_event_types``; the others below); the GB/T 29100-2012 code table was not
checked. RSU-J5-3 (265, -835) covers road 30 from x >= -35 m (300 m radio range). Hazards and
queues stand before s = 430 m: from there to 460 m a left-turn lane opens and renumbers the
lanes (the ego's lane -3 is -4 there), so lane -3 at s = 440 m is the lane beside the ego's.
"""

from __future__ import annotations

from scenarios.wuhan.catalogue_model import (NO_COLLISION, SMOOTH, Logical, Vary, gap,
                                             v2x_response)
from scenarios.wuhan.generate_section1_cases import ego_vehicle, target_vehicle
from scenarios.wuhan.parts import (EGO, act, at_time, barrier, event, hold, lane_change, near,
                                   place, rsi, scenario)
from scenarios.wuhan.v2x_cases import truck

KMH = 1.0 / 3.6
EVENT_STOPPED_VEHICLE = 100
EVENT_ROAD_WORKS = 401
EVENT_TRAFFIC_JAM = 707
EVENT_SIGN = 901
EVENT_PAYMENT = 902
RSI_CODES_NOTE = ("RSI eventType codes are this project's convention (100/401/707/901/902); "
                  "the GB/T 29100-2012 table was not checked")


def hidden_hazard(name: str, hazard: str, event_type: int, description: str) -> object:
    """Ego (lane -3, s = $EgoS) follows a truck $TruckGap ahead; a hazard stands in lane -3 at
    $HazardS (``car``: stopped car; ``works``: barrier); the RSU announces it at
    $AnnounceTime; the truck swerves to lane -2 when $CutOutDistance from it."""
    params = [("EgoSpeed", 60 * KMH), ("EgoS", 40.0), ("TruckGap", 30.0), ("HazardS", 400.0),
              ("CutOutDistance", 50.0), ("AnnounceTime", 1.0), ("SimulationEnd", 30.0)]
    obj = target_vehicle("Hazard") if hazard == "car" else barrier("Hazard")
    swerve = event("CutOutEvent", [("CutOut", lane_change(-2, 2.0))],
                   near("CutOutStart", "Truck", "Hazard", "$CutOutDistance"))
    announce = event("AnnounceEvent", [("Announce", rsi(event_type, entity="Hazard",
                                                        description=description))],
                     at_time("AnnounceStart", "$AnnounceTime"))
    return scenario(name, f"Wuhan test zone: {description}, announced by RSI", params,
                    {EGO: ego_vehicle(), "Truck": truck("Truck"), "Hazard": obj},
                    {EGO: place("30", -3, "$EgoS", "$EgoSpeed"),
                     "Truck": place("30", -3, "${$EgoS + $TruckGap}", "$EgoSpeed"),
                     "Hazard": place("30", -3, "$HazardS", 0.0 if hazard == "car" else None)},
                    [act("Truck", "Truck", [swerve]), act("Hazard", "Hazard", [announce])],
                    {"1035": "P1-green"})


QUEUE_LANES = (-3, -2, -4)
"""Lanes of road 30 the queue stands in: all three driving lanes of the ego's direction, so the
ego must stop behind it (with the queue in one lane only, the agents changed lanes and drove
past: the case tested nothing about following; new-user pass 10)."""


def queue() -> object:
    """Cars stand in every driving lane of road 30's direction (lanes -3, -2, -4; four in
    the ego's lane -3, two in each other, 7 m spacing) from $QueueS; the RSU announces a
    traffic jam at the queue's tail at $AnnounceTime."""
    params = [("EgoSpeed", 60 * KMH), ("EgoS", 30.0), ("QueueS", 400.0), ("AnnounceTime", 1.0),
              ("SimulationEnd", 30.0)]
    slots = [(lane, k) for lane in QUEUE_LANES for k in range(4 if lane == -3 else 2)]
    names = [f"Queue{k}" if lane == -3 else f"Queue{k}L{-lane}" for lane, k in slots]
    cars = {name: target_vehicle(name) for name in names}
    init = {EGO: place("30", -3, "$EgoS", "$EgoSpeed")}
    for (lane, k), name in zip(slots, names):
        init[name] = place("30", lane, f"${{$QueueS + {7.0 * k!r}}}", 0.0)
    announce = event("JamEvent", [("AnnounceJam", rsi(EVENT_TRAFFIC_JAM, entity="Queue0",
                                                      radius_m=30.0, rsi_class="event",
                                                      description="traffic jam"))],
                     at_time("JamStart", "$AnnounceTime"))
    return scenario("TrafficJamWarning", "Wuhan test zone: queue ahead announced by RSI (TJW)",
                    params, {EGO: ego_vehicle(), **cars}, init,
                    [act("Queue", "Queue0", [announce])], {"1035": "P1-green"})


def sign_zone(name: str, event_type: int, description: str) -> object:
    """Ego alone on road 30 (lane -3, $EgoS = 220 m: 190 m before the zone) at $EgoSpeed; at
    $AnnounceTime the RSU announces an ``info`` RSI at (150, -863.75) m in Ego's lane (a sign
    or a payment zone)."""
    params = [("EgoSpeed", 60 * KMH), ("EgoS", 220.0), ("AnnounceTime", 1.0),
              ("SimulationEnd", 20.0)]
    return scenario(name, f"Wuhan test zone: {description} announced by RSI", params,
                    {EGO: ego_vehicle()}, {EGO: place("30", -3, "$EgoS", "$EgoSpeed")},
                    [hold(EGO, "$EgoSpeed"), _zone_act(event_type, description)],
                    {"1035": "P1-green"})


def _zone_act(event_type: int, description: str) -> object:
    # the zone position is fixed at x = 150 m (s = 410 m), lane -3 centre (y = -863.75 m)
    announce = event("ZoneEvent", [("AnnounceZone", rsi(event_type, xy=(150.0, -863.75),
                                                        radius_m=50.0, rsi_class="info",
                                                        description=description))],
                     at_time("ZoneStart", "$AnnounceTime"))
    return act("Zone", EGO, [announce])


_MSGS = ("RSI", "RSM")
LOGICALS: tuple[Logical, ...] = (
    Logical("wuhan-tz-avw-hidden-stopped", "tz_avw_hidden_stopped",
            "Stopped vehicle hidden by a truck, announced by RSI (AVW)", "vehicle-ahead",
            lambda: hidden_hazard("AbnormalVehicleWarning", "car", EVENT_STOPPED_VEHICLE,
                                  "stopped vehicle in lane"),
            ("vehicle ahead stopped",), ("AVW",), _MSGS,
            (Vary("CutOutDistance", "m", (40.0, 60.0)),
             Vary("AnnounceTime", "s", (1.0, 4.0))),
            (NO_COLLISION, gap(1.0, "vehicle ahead stopped"), SMOOTH),
            ("AVW is specified on the abnormal vehicle's own BSM; the RSU's RSI stands in "
             "(no remote BSM)", RSI_CODES_NOTE)),
    Logical("wuhan-tz-hlw-road-works", "tz_hlw_road_works",
            "Road works hidden by a truck, announced by RSI (HLW)", "obstacle",
            lambda: hidden_hazard("HazardousLocationWarningTZ", "works", EVENT_ROAD_WORKS,
                                  "road works in lane"),
            ("obstacle",), ("HLW",), _MSGS,
            (Vary("CutOutDistance", "m", (40.0, 60.0)),),
            (NO_COLLISION, gap(1.0, "obstacle"), SMOOTH),
            (RSI_CODES_NOTE,)),
    Logical("wuhan-tz-tjw-queue", "tz_tjw_queue",
            "Standing queue ahead announced as a traffic jam by RSI (TJW)", "vehicle-ahead",
            queue, ("vehicle ahead stopped",), ("TJW",), _MSGS,
            (Vary("QueueS", "m", (360.0, 400.0)), Vary("AnnounceTime", "s", (1.0, 3.0))),
            (NO_COLLISION, gap(1.0, "vehicle ahead stopped"), SMOOTH),
            ("the queue stands still (no traffic flow model); " + RSI_CODES_NOTE,)),
    Logical("wuhan-tz-ivs-sign", "tz_ivs_sign",
            "In-vehicle signage: zone sign announced by RSI (IVS)", "traffic-signs",
            lambda: sign_zone("InVehicleSignage", EVENT_SIGN,
                              "school zone speed limit 30 km/h"),
            ("speed-limit sign",), ("IVS",), ("RSI",),
            (Vary("EgoSpeed", "m/s", (50 * KMH, 60 * KMH)),),
            (NO_COLLISION, v2x_response("IVS")),
            ("the bridge builds no RTS (traffic-sign) entries: the sign is sent as an RSI "
             "event; idm-v2x answers any RSI on its path with its 30 km/h hazard cap, "
             "which here matches the sign's value by construction", RSI_CODES_NOTE)),
    Logical("wuhan-tz-vnfp-payment", "tz_vnfp_payment",
            "Near-field payment zone ahead announced by RSI (VNFP)", "payment",
            lambda: sign_zone("VehicleNearFieldPayment", EVENT_PAYMENT,
                              "payment zone"),
            (), ("VNFP",), ("RSI",),
            (Vary("EgoSpeed", "m/s", (40 * KMH, 60 * KMH)),),
            (NO_COLLISION,),
            ("not meaningfully exercised: the message set has no payment messages and "
             "no agent pays; only the zone announcement and the approach are simulated",
             RSI_CODES_NOTE)),
)


def logicals() -> list[Logical]:
    """The RSI family's logical scenarios with their catalogue data."""
    return list(LOGICALS)
