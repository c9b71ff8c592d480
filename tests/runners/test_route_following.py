"""The ego under an agent drives the route the scenario assigns it (AssignRouteAction).

esmini's routing-test assigns Ego a route across multi_intersections.xodr. The ``scenario``
agent drives it as esmini does; the ``idm`` agent gets the same route through its Observation
and must take the same roads, in the same order, through every junction it reaches.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from reference_data import ESMINI
from runners.case import RunOptions, TestCase, run_case
from testzone.recording import read_recording

ROUTING = ESMINI / "resources" / "xosc" / "routing-test.xosc"


def roads_driven(run_dir: Path) -> list[str]:
    """The ego's road ids in the order it drove them (repeats collapsed)."""
    rec = read_recording(run_dir / "recording.jsonl")
    lanes = (f.entities["Ego"].lane for f in rec.frames)
    return [k for k, _ in itertools.groupby(ln.road_id for ln in lanes if ln is not None)]


def test_idm_follows_the_assigned_route_through_the_junctions(tmp_path: Path) -> None:
    case = TestCase("routing", str(ROUTING))
    run_case(case, RunOptions(agent="scenario"), tmp_path / "ref")
    run_case(case, RunOptions(agent="idm", max_sim_time=30.0), tmp_path / "idm")
    from maps import load_opendrive
    net = load_opendrive(read_recording(tmp_path / "ref" / "recording.jsonl").header.map_file)
    plain = {rid for rid, r in net.roads.items() if str(r.junction) in ("-1", "", "None")}
    ref = [r for r in roads_driven(tmp_path / "ref") if r in plain]
    ours = [r for r in roads_driven(tmp_path / "idm") if r in plain]
    # in 30 s the idm ego covers several junctions: at least four roads, all in esmini's order
    assert len(ours) >= 4, ours
    assert ours == ref[:len(ours)], (ours, ref)
    # the route's destination is recorded, so the evaluator can score route completion
    goals = read_recording(tmp_path / "idm" / "recording.jsonl").events_of("goal")
    assert goals and goals[0].t == 0.0 and goals[0].data["entity"] == "Ego"


def test_route_waypoints_name_each_road_at_its_midpoint() -> None:
    from maps import load_opendrive
    from runners.observation import route_waypoints
    net = load_opendrive(ESMINI / "resources" / "xodr" / "straight_500m.xodr")
    (wp,) = route_waypoints(net, ("1",))
    # straight_500m: one 500 m road along +x from the origin
    assert (wp.road_id, wp.s) == ("1", 250.0)
    assert (round(wp.x, 6), round(wp.y, 6)) == (250.0, 0.0)
    assert route_waypoints(net, None) == () and route_waypoints(None, ("1",)) == ()


def test_the_route_is_kept_through_the_junction_and_judged(tmp_path: Path) -> None:
    """New-section pass 12: a car entering a junction is placed on the straightest
    connecting road (maps' world_to_lane); idm rebuilt its path from there and went straight
    where its route turned left, and nothing judged it. On the Wuhan section, road 1's lane -1
    leads to the straight road 100 and the left turn 103: 2 m into the junction the map says
    100, the agent's path starts on the route's 103. The routing-test run keeps its route."""
    from maps import load_opendrive
    from runners.agents.idm import IdmAgent
    from testzone.world import BoundingBox, EntityKind, EntityState, LaneCoord, Pose
    net = load_opendrive(Path(__file__).resolve().parents[2] / "maps" / "wuhan" /
                         "wuhan_section1.xodr")
    p = net.lane_to_world("100", -1, 2.0)
    lane = net.world_to_lane(p.x, p.y, p.h, prefer=LaneCoord("1", -1, 979.0, -1.75))
    assert lane.road_id == "100"
    agent = IdmAgent()
    agent.net = net
    ego = EntityState("Ego", EntityKind.VEHICLE, p, 8.0, box=BoundingBox(length=4.5, width=1.8),
                      lane=lane)
    assert agent._on_route(ego, ("1", "103", "4")).road_id == "103"
    assert agent._on_route(ego, ("1", "100", "2")) == lane
    assert agent._on_route(ego, ()) == lane
    case = TestCase("routing", str(ROUTING))
    res = run_case(case, RunOptions(agent="idm", max_sim_time=30.0), tmp_path / "idm")
    assert {c["id"]: c["status"] for c in res["criteria"]}["follows_route"] == "pass"
    goal = read_recording(tmp_path / "idm" / "recording.jsonl").events_of("goal")[0]
    assert goal.data["roads"][0] == roads_driven(tmp_path / "idm")[0]


LOOP_XOSC = """<?xml version="1.0" encoding="UTF-8"?>
<OpenSCENARIO><FileHeader description="loop" author="t" revMajor="1" revMinor="2"
 date="2026-12-01T00:00:00"/><ParameterDeclarations/><CatalogLocations/>
<RoadNetwork><LogicFile filepath="{xodr}"/></RoadNetwork>
<Entities><ScenarioObject name="Ego"><Vehicle name="Ego" vehicleCategory="car">
<BoundingBox><Center x="1.4" y="0" z="0.75"/><Dimensions width="1.9" length="4.6" height="1.5"/>
</BoundingBox><Performance maxSpeed="40" maxDeceleration="9" maxAcceleration="4"/>
<Axles><FrontAxle maxSteering="0.5" wheelDiameter="0.6" trackWidth="1.6" positionX="2.8"
 positionZ="0.3"/><RearAxle maxSteering="0" wheelDiameter="0.6" trackWidth="1.6" positionX="0"
 positionZ="0.3"/></Axles><Properties/></Vehicle></ScenarioObject></Entities>
<Storyboard><Init><Actions><Private entityRef="Ego">
<PrivateAction><TeleportAction><Position><LanePosition roadId="30" laneId="-3" s="400"/>
</Position></TeleportAction></PrivateAction>
<PrivateAction><LongitudinalAction><SpeedAction><SpeedActionDynamics dynamicsShape="step"
 value="0" dynamicsDimension="time"/><SpeedActionTarget><AbsoluteTargetSpeed value="8"/>
</SpeedActionTarget></SpeedAction></LongitudinalAction></PrivateAction>
<PrivateAction><RoutingAction>{routing}</RoutingAction></PrivateAction>
<PrivateAction><RoutingAction><FollowTrajectoryAction><TrajectoryRef><Trajectory name="t"
 closed="false"><Shape><Polyline><Vertex><Position><WorldPosition x="140" y="-863.75"/>
</Position></Vertex><Vertex><Position><WorldPosition x="700" y="-863.75"/></Position></Vertex>
</Polyline></Shape></Trajectory></TrajectoryRef><TimeReference><None/></TimeReference>
<TrajectoryFollowingMode followingMode="position"/></FollowTrajectoryAction></RoutingAction>
</PrivateAction></Private></Actions></Init><StopTrigger><ConditionGroup><Condition name="c"
 delay="0" conditionEdge="none"><ByValueCondition><SimulationTimeCondition value="25"
 rule="greaterThan"/></ByValueCondition></Condition></ConditionGroup></StopTrigger>
</Storyboard></OpenSCENARIO>"""
WAYPOINT = ('<Waypoint routeStrategy="shortest"><Position><LanePosition roadId="{}" laneId="{}" '
            's="{}"/></Position></Waypoint>')


def test_a_route_that_returns_to_its_first_road_is_kept_to_in_order(tmp_path: Path) -> None:
    """Hostile pass 13: a goal behind the ego on its own road is planned round the block
    (30, ..., 30), and a route 30 -> 21 -> 31 passes road 30 twice; the ego driving straight
    on from road 30 onto 31 passed with 100, the metric taking the first frame on road 30 (or
    the shortcut onto 31) for the route's end. Driving east it leaves road 30 for 31 at
    21.3 s: off the loop, and a loop cut short."""
    xodr = Path(__file__).resolve().parents[2] / "maps" / "wuhan" / "wuhan_testzone.xodr"
    acquire = ('<AcquirePositionAction><Position><LanePosition roadId="30" laneId="-3" '
               's="100"/></Position></AcquirePositionAction>')
    assign = ('<AssignRouteAction><Route name="r" closed="false">'
              + "".join(WAYPOINT.format(*w) for w in (("30", -3, 400), ("21", 2, 270),
                                                      ("31", -3, 100)))
              + '</Route></AssignRouteAction>')
    for name, routing in (("loop", acquire), ("skip", assign)):
        path = tmp_path / f"{name}.xosc"
        path.write_text(LOOP_XOSC.format(xodr=xodr, routing=routing))
        res = run_case(TestCase(name, str(path)), RunOptions(agent="scenario"), tmp_path / name)
        route = res["findings"]["route"]
        assert [(d["road_id"], d["t"]) for d in route] == [("31", 21.3)], name
        assert res["verdict"] == "fail" and "follows_route" in [
            c["id"] for c in res["criteria"] if c["status"] == "fail"], name


ROUTE_LANE_XOSC = """<?xml version="1.0" encoding="UTF-8"?>
<OpenSCENARIO><FileHeader description="h13" author="h13" revMajor="1" revMinor="2" date="2026-12-01T00:00:00"/>
<ParameterDeclarations></ParameterDeclarations><CatalogLocations/>
<RoadNetwork><LogicFile filepath="{xodr}"/><TrafficSignals><TrafficSignalController name="all"><Phase name="g" duration="10000"><TrafficSignalState trafficSignalId="1001" state="green"/><TrafficSignalState trafficSignalId="1002" state="green"/><TrafficSignalState trafficSignalId="1003" state="green"/><TrafficSignalState trafficSignalId="1004" state="green"/><TrafficSignalState trafficSignalId="2001" state="red"/><TrafficSignalState trafficSignalId="2002" state="red"/><TrafficSignalState trafficSignalId="2003" state="red"/><TrafficSignalState trafficSignalId="2004" state="red"/></Phase></TrafficSignalController></TrafficSignals></RoadNetwork>
<Entities><ScenarioObject name="Ego"><Vehicle name="Ego" vehicleCategory="car">
<BoundingBox><Center x="1.4" y="0" z="0.75"/><Dimensions width="1.9" length="4.6" height="1.5"/></BoundingBox>
<Performance maxSpeed="40" maxDeceleration="9" maxAcceleration="4"/>
<Axles><FrontAxle maxSteering="0.5" wheelDiameter="0.6" trackWidth="1.6" positionX="2.8" positionZ="0.3"/><RearAxle maxSteering="0" wheelDiameter="0.6" trackWidth="1.6" positionX="0" positionZ="0.3"/></Axles>
<Properties/></Vehicle></ScenarioObject></Entities>
<Storyboard><Init><Actions><Private entityRef="Ego"><PrivateAction><TeleportAction><Position><LanePosition roadId="1" laneId="-1" s="700" offset="0.0"/></Position></TeleportAction></PrivateAction><PrivateAction><LongitudinalAction><SpeedAction><SpeedActionDynamics dynamicsShape="step" value="0" dynamicsDimension="time"/><SpeedActionTarget><AbsoluteTargetSpeed value="12"/></SpeedActionTarget></SpeedAction></LongitudinalAction></PrivateAction><PrivateAction><RoutingAction><AcquirePositionAction><Position><LanePosition roadId="3" laneId="1" s="150" offset="0.0"/></Position></AcquirePositionAction></RoutingAction></PrivateAction></Private></Actions></Init><StopTrigger><ConditionGroup><Condition name="c" delay="0" conditionEdge="none"><ByValueCondition><SimulationTimeCondition value="30" rule="greaterThan"/></ByValueCondition></Condition></ConditionGroup></StopTrigger></Storyboard></OpenSCENARIO>
"""


def test_idm_changes_into_the_lane_its_route_needs(tmp_path: Path) -> None:
    """Hostile pass 13: on section 1 the ego starts on road 1 in lane -1, which goes straight
    on through junction 100; its route (AcquirePositionAction to road 3) turns left there
    by connecting road 102, which starts from lane -2 only. idm never left lane -1, went
    straight onto road 2 and failed follows_route. It now changes to lane -2 (a mandatory
    change, MOBIL's safety criterion kept) and takes road 102 onto road 3."""
    xodr = Path(__file__).resolve().parents[2] / "maps" / "wuhan" / "wuhan_section1.xodr"
    path = tmp_path / "route_lane.xosc"
    path.write_text(ROUTE_LANE_XOSC.format(xodr=xodr))
    res = run_case(TestCase("route_lane", str(path)), RunOptions(agent="idm"),
                   tmp_path / "run")
    driven = roads_driven(tmp_path / "run")   # connecting roads overlap in the junction:
    assert "102" in driven and [r for r in driven if r in ("1", "2", "3")] == ["1", "3"], \
        driven                                   # the lookup may name 101 on the way in
    assert res["metrics"]["route_departure_count"]["value"] == 0.0


def test_idm_keeps_to_a_route_that_passes_its_first_road_again(tmp_path: Path) -> None:
    """Verify pass 13: idm's route lane choice took a route that ends on the road it starts
    on (waypoints 30 -> 21 -> 31 pass road 30 twice) as ending there, went straight on from
    30 to 31 and failed follows_route. It now walks the route as it drives: round the block
    first (30, 103503, 132, ...)."""
    xodr = Path(__file__).resolve().parents[2] / "maps" / "wuhan" / "wuhan_testzone.xodr"
    start = LOOP_XOSC.index("<PrivateAction><RoutingAction><FollowTrajectoryAction>")
    end = LOOP_XOSC.index("</PrivateAction>", start) + len("</PrivateAction>")
    template = (LOOP_XOSC[:start] + LOOP_XOSC[end:]).replace('value="25"', 'value="45"')
    assign = ('<AssignRouteAction><Route name="r" closed="false">'
              + "".join(WAYPOINT.format(*w) for w in (("30", -3, 400), ("21", 2, 270),
                                                      ("31", -3, 100)))
              + '</Route></AssignRouteAction>')
    path = tmp_path / "wp.xosc"
    path.write_text(template.format(xodr=xodr, routing=assign))
    res = run_case(TestCase("wp", str(path)), RunOptions(agent="idm"), tmp_path / "wp")
    driven = roads_driven(tmp_path / "wp")
    assert "132" in driven and "31" not in driven, driven
    assert res["metrics"]["route_departure_count"]["value"] == 0.0


BAY_XOSC = """<?xml version="1.0" encoding="UTF-8"?>
<OpenSCENARIO><FileHeader description="h13" author="h13" revMajor="1" revMinor="2" date="2026-12-01T00:00:00"/>
<ParameterDeclarations></ParameterDeclarations><CatalogLocations/>
<RoadNetwork><LogicFile filepath="{xodr}"/></RoadNetwork>
<Entities><ScenarioObject name="Ego"><Vehicle name="Ego" vehicleCategory="car">
<BoundingBox><Center x="1.4" y="0" z="0.75"/><Dimensions width="1.9" length="4.6" height="1.5"/></BoundingBox>
<Performance maxSpeed="40" maxDeceleration="9" maxAcceleration="4"/>
<Axles><FrontAxle maxSteering="0.5" wheelDiameter="0.6" trackWidth="1.6" positionX="2.8" positionZ="0.3"/><RearAxle maxSteering="0" wheelDiameter="0.6" trackWidth="1.6" positionX="0" positionZ="0.3"/></Axles>
<Properties/></Vehicle></ScenarioObject></Entities>
<Storyboard><Init><Actions><Private entityRef="Ego"><PrivateAction><TeleportAction><Position><LanePosition roadId="30" laneId="-2" s="150" offset="0.0"/></Position></TeleportAction></PrivateAction><PrivateAction><LongitudinalAction><SpeedAction><SpeedActionDynamics dynamicsShape="step" value="0" dynamicsDimension="time"/><SpeedActionTarget><AbsoluteTargetSpeed value="12"/></SpeedActionTarget></SpeedAction></LongitudinalAction></PrivateAction><PrivateAction><RoutingAction><AcquirePositionAction><Position><LanePosition roadId="133" laneId="-1" s="40" offset="0.0"/></Position></AcquirePositionAction></RoutingAction></PrivateAction></Private></Actions></Init><StopTrigger><ConditionGroup><Condition name="c" delay="0" conditionEdge="none"><ByValueCondition><SimulationTimeCondition value="60" rule="greaterThan"/></ByValueCondition></Condition></ConditionGroup></StopTrigger></Storyboard></OpenSCENARIO>
"""


def test_idm_moves_towards_a_turn_bay_that_opens_later(tmp_path: Path) -> None:
    """Hostile pass 13b: on road 30 the left-turn bay for junction 1035 opens at s = 430;
    from lane -2 at s = 150 with a route turning left (30, 103504, 133) no lane could follow
    the route yet, so idm kept right (MOBIL), was three lanes away when the bay opened and
    went straight on. It now keeps towards the side where the route's lane will be."""
    xodr = Path(__file__).resolve().parents[2] / "maps" / "wuhan" / "wuhan_testzone.xodr"
    path = tmp_path / "bay.xosc"
    path.write_text(BAY_XOSC.format(xodr=xodr))
    res = run_case(TestCase("bay", str(path)), RunOptions(agent="idm", max_sim_time=30.0),
                   tmp_path / "bay")
    driven = roads_driven(tmp_path / "bay")
    assert "133" in driven and "31" not in driven, driven
    assert res["metrics"]["route_departure_count"]["value"] == 0.0


UTURN_BACK_XOSC = """<?xml version="1.0" encoding="UTF-8"?>
<OpenSCENARIO><FileHeader description="h13" author="h13" revMajor="1" revMinor="2" date="2026-12-01T00:00:00"/>
<ParameterDeclarations></ParameterDeclarations><CatalogLocations/>
<RoadNetwork><LogicFile filepath="{xodr}"/><TrafficSignals><TrafficSignalController name="all"><Phase name="g" duration="10000"><TrafficSignalState trafficSignalId="1001" state="green"/><TrafficSignalState trafficSignalId="1002" state="green"/><TrafficSignalState trafficSignalId="1003" state="green"/><TrafficSignalState trafficSignalId="1004" state="green"/><TrafficSignalState trafficSignalId="2001" state="red"/><TrafficSignalState trafficSignalId="2002" state="red"/><TrafficSignalState trafficSignalId="2003" state="red"/><TrafficSignalState trafficSignalId="2004" state="red"/></Phase></TrafficSignalController></TrafficSignals></RoadNetwork>
<Entities><ScenarioObject name="Ego"><Vehicle name="Ego" vehicleCategory="car">
<BoundingBox><Center x="1.4" y="0" z="0.75"/><Dimensions width="1.9" length="4.6" height="1.5"/></BoundingBox>
<Performance maxSpeed="40" maxDeceleration="9" maxAcceleration="4"/>
<Axles><FrontAxle maxSteering="0.5" wheelDiameter="0.6" trackWidth="1.6" positionX="2.8" positionZ="0.3"/><RearAxle maxSteering="0" wheelDiameter="0.6" trackWidth="1.6" positionX="0" positionZ="0.3"/></Axles>
<Properties/></Vehicle></ScenarioObject></Entities>
<Storyboard><Init><Actions><Private entityRef="Ego"><PrivateAction><TeleportAction><Position><WorldPosition x="-100" y="-1.75" z="0" h="0"/></Position></TeleportAction></PrivateAction><PrivateAction><LongitudinalAction><SpeedAction><SpeedActionDynamics dynamicsShape="step" value="0" dynamicsDimension="time"/><SpeedActionTarget><AbsoluteTargetSpeed value="10"/></SpeedActionTarget></SpeedAction></LongitudinalAction></PrivateAction><PrivateAction><RoutingAction><AcquirePositionAction><Position><LanePosition roadId="2" laneId="-1" s="500" offset="0.0"/></Position></AcquirePositionAction></RoutingAction></PrivateAction><PrivateAction><RoutingAction><FollowTrajectoryAction><TrajectoryRef><Trajectory name="t" closed="false"><Shape><Polyline><Vertex><Position><WorldPosition x="-100" y="-1.75" z="0" h="0"/></Position></Vertex><Vertex><Position><WorldPosition x="60" y="-1.75" z="0" h="0"/></Position></Vertex><Vertex><Position><WorldPosition x="68" y="-1.0" z="0" h="0.8"/></Position></Vertex><Vertex><Position><WorldPosition x="70" y="0" z="0" h="1.5707963267948966"/></Position></Vertex><Vertex><Position><WorldPosition x="68" y="1.0" z="0" h="2.3"/></Position></Vertex><Vertex><Position><WorldPosition x="60" y="1.75" z="0" h="3.141592653589793"/></Position></Vertex><Vertex><Position><WorldPosition x="-400" y="1.75" z="0" h="3.141592653589793"/></Position></Vertex></Polyline></Shape></Trajectory></TrajectoryRef><TimeReference><None/></TimeReference><TrajectoryFollowingMode followingMode="position"/></FollowTrajectoryAction></RoutingAction></PrivateAction></Private></Actions></Init><StopTrigger><ConditionGroup><Condition name="c" delay="0" conditionEdge="none"><ByValueCondition><SimulationTimeCondition value="55" rule="greaterThan"/></ByValueCondition></Condition></ConditionGroup></StopTrigger></Storyboard></OpenSCENARIO>
"""


def test_turning_back_along_the_route_is_a_departure(tmp_path: Path) -> None:
    """Hostile pass 13b: with the route 1 -> 100 -> 2, the ego reached road 2, turned round
    and drove 29 s back west on road 1: the route was taken as done on reaching its last
    road, and the road before counted as on the route for ever. Back on the road before for
    more than a lookup's slack (10 m) is a departure."""
    xodr = Path(__file__).resolve().parents[2] / "maps" / "wuhan" / "wuhan_section1.xodr"
    path = tmp_path / "back.xosc"
    path.write_text(UTURN_BACK_XOSC.format(xodr=xodr))
    res = run_case(TestCase("back", str(path)), RunOptions(agent="scenario"), tmp_path / "b")
    assert [d["road_id"] for d in res["findings"]["route"]] == ["1"]
    assert "follows_route" in [c["id"] for c in res["criteria"] if c["status"] == "fail"]
