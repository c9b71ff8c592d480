"""Small OpenSCENARIO documents for the unit tests, written to a temporary folder."""

from __future__ import annotations

from pathlib import Path

from fake_net import StraightNet

from scenarios import ScenarioEngine, load_scenario

VEHICLE = """<ScenarioObject name="{name}">
  <Vehicle name="{name}" vehicleCategory="car">
    <BoundingBox><Center x="1.5" y="0" z="0.75"/><Dimensions width="2" length="5" height="1.5"/></BoundingBox>
    <Performance maxSpeed="70" maxAcceleration="5" maxDeceleration="10"/>
    <Axles><FrontAxle maxSteering="0.5" wheelDiameter="0.8" trackWidth="1.7" positionX="3" positionZ="0.4"/>
    <RearAxle maxSteering="0" wheelDiameter="0.8" trackWidth="1.7" positionX="0" positionZ="0.4"/></Axles>
    <Properties>{props}</Properties>
  </Vehicle>
</ScenarioObject>"""


def lane_pos(lane: int, s: float, offset: float = 0.0) -> str:
    return (f'<Position><LanePosition roadId="R" laneId="{lane}" s="{s}" offset="{offset}"/>'
            f'</Position>')


def teleport(entity: str, lane: int, s: float, speed: float | None = None) -> str:
    out = (f'<Private entityRef="{entity}"><PrivateAction><TeleportAction>{lane_pos(lane, s)}'
           f'</TeleportAction></PrivateAction>')
    if speed is not None:
        out += ('<PrivateAction><LongitudinalAction><SpeedAction>'
                '<SpeedActionDynamics dynamicsShape="step" dynamicsDimension="time" value="0"/>'
                f'<SpeedActionTarget><AbsoluteTargetSpeed value="{speed}"/></SpeedActionTarget>'
                '</SpeedAction></LongitudinalAction></PrivateAction>')
    return out + "</Private>"


def sim_time(value: float, name: str = "c", rule: str = "greaterThan", edge: str = "rising",
             delay: float = 0.0) -> str:
    return (f'<Condition name="{name}" delay="{delay}" conditionEdge="{edge}"><ByValueCondition>'
            f'<SimulationTimeCondition value="{value}" rule="{rule}"/></ByValueCondition>'
            f'</Condition>')


def trigger(*conditions: str, kind: str = "StartTrigger") -> str:
    return f"<{kind}><ConditionGroup>{''.join(conditions)}</ConditionGroup></{kind}>"


def speed_action(target: float, shape: str = "step", dim: str = "time", value: float = 0.0,
                 name: str = "a") -> str:
    return (f'<Action name="{name}"><PrivateAction><LongitudinalAction><SpeedAction>'
            f'<SpeedActionDynamics dynamicsShape="{shape}" dynamicsDimension="{dim}" '
            f'value="{value}"/><SpeedActionTarget><AbsoluteTargetSpeed value="{target}"/>'
            f'</SpeedActionTarget></SpeedAction></LongitudinalAction></PrivateAction></Action>')


def relative_speed_action(entity: str, value: float, kind: str = "delta",
                          continuous: bool = True, shape: str = "step", dim: str = "time",
                          dyn_value: float = 0.0, name: str = "a") -> str:
    return (f'<Action name="{name}"><PrivateAction><LongitudinalAction><SpeedAction>'
            f'<SpeedActionDynamics dynamicsShape="{shape}" dynamicsDimension="{dim}" '
            f'value="{dyn_value}"/><SpeedActionTarget><RelativeTargetSpeed entityRef="{entity}" '
            f'value="{value}" speedTargetValueType="{kind}" '
            f'continuous="{str(continuous).lower()}"/></SpeedActionTarget></SpeedAction>'
            f'</LongitudinalAction></PrivateAction></Action>')


def event(name: str, action: str, start: str, priority: str = "overwrite",
          count: int = 1) -> str:
    return (f'<Event name="{name}" priority="{priority}" maximumExecutionCount="{count}">'
            f'{action}{start}</Event>')


def story(events: str, actor: str = "Car", act_start: str | None = None,
          group_count: int = 1) -> str:
    act_start = act_start or trigger(sim_time(-1, edge="none"))
    return (f'<Story name="S"><Act name="A"><ManeuverGroup maximumExecutionCount="{group_count}"'
            f' name="G"><Actors selectTriggeringEntities="false"><EntityRef entityRef="{actor}"/>'
            f'</Actors><Maneuver name="M">{events}</Maneuver></ManeuverGroup>{act_start}</Act>'
            f'</Story>')


def document(init: str, stories: str, stop: str, entities: tuple[str, ...] = ("Car",),
             parameters: str = "", rev: int = 2, road: str = "", props: dict | None = None,
             extra: str = "") -> str:
    ents = "".join(VEHICLE.format(name=e, props="".join(
        f'<Property name="{k}" value="{v}"/>' for k, v in (props or {}).get(e, {}).items()))
        for e in entities)
    return (f'<?xml version="1.0"?>\n<OpenSCENARIO>\n<FileHeader revMajor="1" revMinor="{rev}" '
            f'date="2024-01-01T00:00:00" description="test" author="tests"/>\n'
            f'<ParameterDeclarations>{parameters}</ParameterDeclarations>\n'
            f'<CatalogLocations/>\n<RoadNetwork>{road}{extra}</RoadNetwork>\n'
            f'<Entities>{ents}</Entities>\n'
            f'<Storyboard><Init><Actions>{init}</Actions></Init>{stories}'
            f'{stop}</Storyboard>\n</OpenSCENARIO>\n')


def write(tmp_path: Path, text: str, name: str = "t.xosc") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def run(path: Path, until: float = 30.0, external=frozenset(), states=None, dt: float = 0.05,
        seed: int = 0):
    """Run a scenario on the straight fake road; return (worlds, events, engine)."""
    sc = load_scenario(path)
    events: list = []
    eng = ScenarioEngine(sc, StraightNet(), dt=dt, external=frozenset(external),
                         on_event=events.append, seed=seed)
    worlds = [eng.initialize()]
    while not eng.done and eng.time < until - 1e-9:
        w = eng.step(dt, states(eng.time + dt) if states else {})
        if not eng.done:
            worlds.append(w)
    return worlds, events, eng


def starts(events, name: str) -> list[float]:
    """Times at which storyboard element ``name`` started."""
    return [e.t for e in events if e.kind == "storyboard" and
            e.data["element"].split("::")[-1] == name and e.data["transition"] == "startTransition"]


def at(worlds, t: float):
    """The world at time t."""
    return next(w for w in worlds if abs(w.time - t) < 1e-9)


def ego_on_map(xodr: Path | str, position: str, speed: float, actions: str = "",
               stop_s: float = 30.0, signals: str = "") -> str:
    """A document with one vehicle, Ego, on the map ``xodr``: placed at ``position`` (a
    ``<Position>`` element), at ``speed`` [m/s] from the start, with more Init ``actions``
    (``<PrivateAction>`` elements), ended by a SimulationTime StopTrigger at ``stop_s`` [s];
    ``signals``: the RoadNetwork's ``<TrafficSignals>``."""
    init = (f'<Private entityRef="Ego"><PrivateAction><TeleportAction>{position}'
            f'</TeleportAction></PrivateAction><PrivateAction><LongitudinalAction>'
            f'<SpeedAction><SpeedActionDynamics dynamicsShape="step" value="0" '
            f'dynamicsDimension="time"/><SpeedActionTarget><AbsoluteTargetSpeed '
            f'value="{speed}"/></SpeedActionTarget></SpeedAction></LongitudinalAction>'
            f'</PrivateAction>{actions}</Private>')
    return document(init, "", trigger(sim_time(stop_s), kind="StopTrigger"),
                    entities=("Ego",), road=f'<LogicFile filepath="{xodr}"/>', extra=signals)


def on_lane(road: str, lane: int, s: float) -> str:
    """A ``<Position>`` on a lane of a real map (road id, lane id, s [m])."""
    return f'<Position><LanePosition roadId="{road}" laneId="{lane}" s="{s}"/></Position>'


def signal_plan(states: dict[str, str], duration: float = 10000.0) -> str:
    """``<TrafficSignals>`` with one controller of one phase holding ``states`` (id -> state)."""
    held = "".join(f'<TrafficSignalState trafficSignalId="{i}" state="{s}"/>'
                   for i, s in states.items())
    return (f'<TrafficSignals><TrafficSignalController name="plan"><Phase name="p" '
            f'duration="{duration}">{held}</Phase></TrafficSignalController></TrafficSignals>')
