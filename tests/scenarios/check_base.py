"""A small valid OpenSCENARIO 1.2 scenario for the check tests (XODR: the LogicFile path)."""

BASE = """<?xml version="1.0" encoding="UTF-8"?>
<OpenSCENARIO>
  <FileHeader revMajor="1" revMinor="2" date="2026-01-01T00:00:00" description="check test" author="t"/>
  <ParameterDeclarations>
    <ParameterDeclaration name="Speed" parameterType="double" value="10"/>
  </ParameterDeclarations>
  <CatalogLocations/>
  <RoadNetwork>
    <LogicFile filepath="XODR"/>
  </RoadNetwork>
  <Entities>
    <ScenarioObject name="Car">
      <Vehicle name="car" vehicleCategory="car">
        <BoundingBox><Center x="1.5" y="0" z="0.75"/><Dimensions width="2" length="5" height="1.5"/></BoundingBox>
        <Performance maxSpeed="70" maxAcceleration="5" maxDeceleration="10"/>
        <Axles>
          <FrontAxle maxSteering="0.5" wheelDiameter="0.8" trackWidth="1.7" positionX="3" positionZ="0.4"/>
          <RearAxle maxSteering="0" wheelDiameter="0.8" trackWidth="1.7" positionX="0" positionZ="0.4"/>
        </Axles>
        <Properties><Property name="role" value="ego"/></Properties>
      </Vehicle>
    </ScenarioObject>
    <ScenarioObject name="Box">
      <MiscObject name="box" miscObjectCategory="obstacle" mass="10">
        <BoundingBox><Center x="0" y="0" z="0.5"/><Dimensions width="1" length="1" height="1"/></BoundingBox>
        <Properties/>
      </MiscObject>
    </ScenarioObject>
  </Entities>
  <Storyboard>
    <Init>
      <Actions>
        <Private entityRef="Car">
          <PrivateAction>
            <TeleportAction><Position><LanePosition roadId="1" laneId="-1" s="20" offset="0"/></Position></TeleportAction>
          </PrivateAction>
        </Private>
        <Private entityRef="Box">
          <PrivateAction>
            <TeleportAction><Position><LanePosition roadId="1" laneId="-2" s="200" offset="0"/></Position></TeleportAction>
          </PrivateAction>
        </Private>
      </Actions>
    </Init>
    <Story name="S">
      <Act name="A">
        <ManeuverGroup name="G" maximumExecutionCount="1">
          <Actors selectTriggeringEntities="false">
            <EntityRef entityRef="Car"/>
          </Actors>
          <Maneuver name="M">
            <Event name="E" priority="overwrite">
              <Action name="Go">
                <PrivateAction>
                  <LongitudinalAction>
                    <SpeedAction>
                      <SpeedActionDynamics dynamicsShape="step" dynamicsDimension="time" value="0"/>
                      <SpeedActionTarget><AbsoluteTargetSpeed value="$Speed"/></SpeedActionTarget>
                    </SpeedAction>
                  </LongitudinalAction>
                </PrivateAction>
              </Action>
              <StartTrigger>
                <ConditionGroup>
                  <Condition name="T" delay="0" conditionEdge="none">
                    <ByValueCondition><SimulationTimeCondition value="1" rule="greaterThan"/></ByValueCondition>
                  </Condition>
                </ConditionGroup>
              </StartTrigger>
            </Event>
          </Maneuver>
        </ManeuverGroup>
        <StartTrigger>
          <ConditionGroup>
            <Condition name="AT" delay="0" conditionEdge="none">
              <ByValueCondition><SimulationTimeCondition value="0" rule="greaterThan"/></ByValueCondition>
            </Condition>
          </ConditionGroup>
        </StartTrigger>
      </Act>
    </Story>
    <StopTrigger>
      <ConditionGroup>
        <Condition name="End" delay="0" conditionEdge="none">
          <ByValueCondition>
            <StoryboardElementStateCondition storyboardElementType="event" storyboardElementRef="E" state="completeState"/>
          </ByValueCondition>
        </Condition>
      </ConditionGroup>
    </StopTrigger>
  </Storyboard>
</OpenSCENARIO>
"""
