"""esmini's ``FollowRouteController``: drive an assigned route lane by lane.

An engine-provided controller (``scenarios.controllers``, both domains) modelled on esmini
v3.6.0's ``ControllerFollowRoute`` ("a lane independent pathfinder and the lane changes
necessary for following the path"). Its documented behaviour, which this class follows:

* **Properties**: ``laneChangeTime`` [s] (default 5), ``minDistForCollision`` [m] (default 10;
  <= 0 disables the width and traffic checks), ``testMode`` (``true``: the entity stops when
  the controller deactivates itself). The mode is always additive (storyboard actions apply),
  except while the controller's own lane change runs (then actions on the entity's domains are
  ignored, as esmini switches to override mode).
* **Path**: with a route assigned (AssignRouteAction / AcquirePositionAction), the controller
  plans esmini's lane-level path from the entity to the route's next waypoint
  (:func:`scenarios.lane_routes.plan_lane_path`, that waypoint's ``routeStrategy``; a waypoint
  on the entity's own road is skipped) and turns it into one waypoint per road
  (:func:`scenarios.lane_routes.path_waypoints`). At junctions the entity takes the path's
  next road. Without a route the default controller drives on unchanged.
* **Lane changes**: on the road of the next waypoint, in another lane than the waypoint's
  (lane links between lane sections followed), within ``max(laneChangeTime * speed, 25 m)``
  of it along s, the controller changes to the waypoint's lane with an absolute
  LaneChangeAction, sinusoidal over ``laneChangeTime`` seconds - when the lane exists in the
  current lane section, is at least 0.5 m wide, no lane change is running and no other entity
  on the same road and side in another lane is within ``minDistForCollision`` (straight
  distance). The lane change is started in one step (no lateral motion yet) and stepped from
  the next one on, moving the entity itself (``scenarios.actions.lateral``).
* **Waypoints**: a waypoint is *passed* once the entity is beyond its s on its road in its
  lane, or has come onto the next road from the waypoint's lane; beyond it in another lane it
  is *missed* and the path is planned again from where the entity is. After the last waypoint
  of a path the next route waypoint is planned for; after the route's last one the controller
  deactivates itself in its next step (``controller`` event with no domains; with
  ``testMode`` the speed is set to 0). No path: deactivated at once.

Timing (esmini's ScenarioPlayer steps controllers after the default controller moved the
entity): the controller plans after this step's motion (:meth:`after_move`); while its lane
change runs, it plans and steps the lane change before the motion instead (:meth:`step`),
with the position of the step before. One difference remains: a path planned again during a
lane change starts from that position, where esmini already moved the entity by the lane
change's step (its first waypoint lies one step's travel earlier; it only shifts when the
waypoint counts as passed, not the motion).

Facts from esmini's documentation and source (``ControllerFollowRoute.cpp``,
``LaneIndependentRouter.cpp``); the code is ours.
"""

from __future__ import annotations

import math
from typing import Any

from testzone.world import LaneCoord

from scenarios.errors import ScenarioError
from scenarios.lane_routes import (PathNode, Waypoint, connected_lane_at, connecting_lane,
                                   path_waypoints, plan_lane_path)
from scenarios.motion import driving_sign, s_direction
from scenarios.routes import join_legs

PASSED, MISSED, NOT_REACHED = "passed", "missed", "not_reached"
"""Waypoint states (esmini ``WaypointStatus``)."""

MIN_LANE_WIDTH = 0.5
"""Narrowest lane [m] the controller changes into (esmini ``minLaneWidth_``)."""

MIN_LANE_CHANGE_REACH = 25.0
"""Shortest distance [m] along s from a waypoint at which its lane change may begin."""


def _strategy(route: Any, i: int) -> str:
    """The routeStrategy of waypoint ``i`` of ``route`` (a ``RouteFollower``; ``shortest``
    for a route without strategies)."""
    strategy = getattr(route, "strategy", None)
    return strategy(i) if strategy is not None else "shortest"


class FollowRouteController:
    """esmini's ``ControllerFollowRoute`` (module docstring), both domains.

    Args:
        cdef: the ``scenarios.controllers.ControllerDef`` (properties ``laneChangeTime`` [s],
            ``minDistForCollision`` [m], ``testMode``).

    Raises:
        ScenarioError: a numeric property is not a number.
    """

    DOMAINS = frozenset({"longitudinal", "lateral"})

    def __init__(self, cdef: Any) -> None:
        self.cdef = cdef
        self.lane_change_time = cdef.number("laneChangeTime", 5.0)
        self.min_dist = cdef.number("minDistForCollision", 10.0)
        self.test_mode = str(cdef.properties.get("testMode", "false")).lower() == "true"
        self.pending: int | None = None  # target lane of the lane change created
        self.started = False           # ... and started (moves from the next step on)
        self.lane_change: Any = None   # ... and running: its scenarios.actions.lateral.LateralRun
        self.changing = False          # esmini changingLane_: from creation to completion
        self.override = False          # True while the lane change runs (scenarios.controllers)
        self.cycled = False            # this step's cycle already ran before the move
        self._forget_path(None)
        self._roads_for: Any = None     # the route planned_roads planned for, and its roads
        self._roads: list[str] | None = None

    def _forget_path(self, route: Any) -> None:
        """Drop the planned path; plan for ``route`` (the entity's RouteFollower or None)."""
        self.route = route
        self.planned = False
        self.path: list[PathNode] = []
        self.waypoints: list[Waypoint] = []
        self.index = 0                 # next waypoint of the path
        self.scenario_index = 0        # route waypoint the path leads to
        self.on_path = 0               # index in ``path`` of the road the entity is on

    def _end_lane_change(self) -> None:
        """No lane change pending or running; actions apply again (additive mode)."""
        self.pending, self.started, self.lane_change = None, False, None
        self.changing = self.override = False

    # ------------------------------------------------------------------ controller contract
    def activate(self, rt: Any, name: str) -> None:
        """Start controlling entity ``name`` of run-time ``rt`` (esmini ``Activate``): no path
        yet (planned in the next step when the entity has a route), no lane change."""
        self._end_lane_change()
        self._forget_path(rt.mover(name).route)

    def step(self, rt: Any, name: str, dt: float) -> None:
        """Before entity ``name`` moves in a step of ``dt`` [s]: with a lane change running,
        plan and step it (it sets the offset and the speed of this step's motion)."""
        self.cycled = self.started
        if self.cycled:
            self._cycle(rt, name, dt)

    def after_move(self, rt: Any, name: str, dt: float) -> None:
        """After entity ``name`` moved in a step of ``dt`` [s]: plan from where it is now,
        start a lane change, follow the waypoints (unless :meth:`step` did so this step)."""
        if not self.cycled:
            self._cycle(rt, name, dt)
        self.cycled = False

    def choose(self, options: list[LaneCoord]) -> LaneCoord:
        """``net.advance``'s junction choice among the entry positions ``options`` (non-empty):
        the entry onto the path's next road (its lane preferred), else what the route would
        choose, else the first option. Returns one of ``options``."""
        best: tuple[tuple[int, bool], LaneCoord] | None = None
        for o in options:
            for i in range(self.on_path + 1, len(self.path)):
                node = self.path[i]
                if node.road_id == o.road_id:
                    rank = (i, o.lane_id != node.lane_id)
                    if best is None or rank < best[0]:
                        best = (rank, o)
                    break
        if best is not None:
            self.on_path = best[0][0]
            return best[1]
        if self.route is not None:
            return self.route.choose(options)
        return options[0]

    def planned_roads(self, rt: Any, name: str) -> list[str] | None:
        """The road ids this controller will drive entity ``name`` along: its lane-level path
        (:func:`plan_lane_path`) from where the entity is through every waypoint of its
        route, each leg with its waypoint's strategy, planned once per route; None when a
        leg cannot be planned.
        The road-level plan of the route (``RouteFollower.plan``) may take other roads (it
        ignores the goal lane's direction, as esmini's road router does): the roads this
        controller drives are the ones a route check must hold it to."""
        m = rt.mover(name)
        route = m.route
        if route is None or m.coord is None or not getattr(route, "waypoints", None):
            return None
        if self._roads_for is route:        # planned once per route, from where it was
            return self._roads
        self._roads_for, self._roads = route, self._plan_roads(rt, m, route)
        return self._roads

    def _plan_roads(self, rt: Any, m: Any, route: Any) -> list[str] | None:
        """:meth:`planned_roads` for mover ``m`` on ``route``, planned now."""
        roads: list[str] = []
        start, forward = m.coord, s_direction(rt.net, m) > 0
        for i, wp in enumerate(route.waypoints):
            target = wp.coord
            if target is None:
                return None
            if target.road_id != start.road_id:
                path = plan_lane_path(rt.net, start, forward, target, _strategy(route, i))
                if not path:
                    return None
                leg = [n.road_id for n in path]
            else:
                leg = [start.road_id]
            join_legs(roads, leg)
            start = target
            forward = driving_sign(rt.net, target.road_id, target.lane_id) > 0
        return roads

    # ------------------------------------------------------------------------- one cycle
    def _cycle(self, rt: Any, name: str, dt: float) -> None:
        """One esmini ``ControllerFollowRoute::Step``."""
        m = rt.mover(name)
        if m.route is None or m.coord is None or not hasattr(rt.net, "junctions") \
                or not m.route.waypoints:  # a RandomRoute: nothing to plan towards
            return
        if m.route is not self.route:          # a new route: plan for it (our choice)
            self._forget_path(m.route)
        if not self.planned:
            self._calculate(rt, name)
            if not m.control_domains:
                return
        if self.index >= len(self.waypoints):
            self._deactivate(rt, name)
            return
        pos = m.coord
        wp = self.waypoints[self.index]
        if wp.road_id == pos.road_id:
            road = rt.net.roads[pos.road_id]
            same_lane = wp.lane_id == pos.lane_id or \
                connected_lane_at(road, pos.lane_id, pos.s, wp.s) == wp.lane_id
            reach = max(self.lane_change_time * m.speed, MIN_LANE_CHANGE_REACH)
            if not same_lane and abs(pos.s - wp.s) < reach and \
                    self._can_change(rt, name, wp.lane_id):
                self.pending, self.changing = wp.lane_id, True
        self._change_lane(rt, name, dt)
        self._update(rt, name, pos, wp)

    def _calculate(self, rt: Any, name: str) -> None:
        """Plan the path to the current route waypoint (esmini ``CalculateWaypoints``)."""
        m = rt.mover(name)
        targets = m.route.waypoints
        start = m.coord
        target = targets[self.scenario_index].coord
        if target is not None and target.road_id == start.road_id:
            self.scenario_index += 1
            if self.scenario_index >= len(targets):
                self._deactivate(rt, name)
                return
            target = targets[self.scenario_index].coord
        strategy = _strategy(m.route, self.scenario_index)
        path = plan_lane_path(rt.net, start, s_direction(rt.net, m) > 0, target, strategy) \
            if target is not None else None
        if not path:
            self._deactivate(rt, name)
            return
        self.path, self.on_path = path, 0
        self.waypoints = path_waypoints(rt.net, path, start, target)
        self.planned = True

    def _can_change(self, rt: Any, name: str, lane: int) -> bool:
        """esmini ``CanChangeLane``: see the module docstring."""
        if self.changing:
            return False
        m = rt.mover(name)
        pos = m.coord
        road = rt.net.roads[pos.road_id]
        if lane not in road.section_at(pos.s).by_id:
            return False
        if self.min_dist <= 0:
            return True
        if rt.net.lane_width(pos.road_id, lane, pos.s) < MIN_LANE_WIDTH:
            return False
        for other in rt.movers.values():
            c = other.coord
            if other is m or not other.present or c is None or c.road_id != pos.road_id:
                continue
            if c.lane_id == pos.lane_id:
                continue
            near = math.hypot(other.pose.x - m.pose.x, other.pose.y - m.pose.y) < self.min_dist
            if near and (c.lane_id > 0) == (pos.lane_id > 0):
                return False
        return True

    def _change_lane(self, rt: Any, name: str, dt: float) -> None:
        """Start a created lane change, or step the started one (esmini ``ChangeLane``).

        Starting moves nothing (the entity's reference lane stays, as esmini reports it); the
        first step (the next engine step, before the motion, from the same position) switches
        the reference lane to the target and moves the offset by one step of the shape.
        """
        if self.pending is None:
            return
        if not self.started:
            self.started = self.override = True
            return
        if self.lane_change is None:
            # imported here: the actions package imports scenarios.controllers, which imports us
            from scenarios.actions.dynamics import Dynamics
            from scenarios.actions.lateral import LaneChangeAction
            action = LaneChangeAction(Dynamics("sinusoidal", "time", self.lane_change_time),
                                      self.pending)
            try:
                self.lane_change = action.start(rt, name)
            except ScenarioError:              # no way across to that lane here
                self._end_lane_change()
                return
        if self.lane_change.step(rt, dt):
            self._end_lane_change()

    def _update(self, rt: Any, name: str, pos: LaneCoord, wp: Waypoint) -> None:
        """Act on the waypoint's state (esmini ``UpdateWaypoints``)."""
        status = self._status(rt, name, pos, wp)
        if status == PASSED:
            self.index += 1
            last = self.waypoints[-1]
            if wp.road_id == last.road_id and \
                    self.scenario_index < len(rt.mover(name).route.waypoints) - 1:
                self.scenario_index += 1
                self._calculate(rt, name)
                self.index = 0
        elif status == MISSED:
            self._calculate(rt, name)
            self.index = 0

    def _status(self, rt: Any, name: str, pos: LaneCoord, wp: Waypoint) -> str:
        """esmini ``GetWaypointStatus`` of ``wp`` for an entity at ``pos``."""
        net = rt.net
        forward = s_direction(net, rt.mover(name)) > 0
        same_lane = wp.lane_id == pos.lane_id
        if wp.road_id == pos.road_id:
            beyond = pos.s > wp.s if forward else pos.s < wp.s
            if beyond:
                return PASSED if same_lane else MISSED
            return NOT_REACHED
        road = net.roads[pos.road_id]
        behind = "start" if forward else "end"
        link = road.predecessor if forward else road.successor
        if link is None:
            return NOT_REACHED
        if link.element_type == "road":
            previous = [link.element_id]
        else:
            junction = net.junctions.get(link.element_id)
            previous = [c.connecting_road for c in getattr(junction, "connections", ())
                        if c.incoming_road == road.id]
        if wp.road_id in previous:
            lane = connecting_lane(net, road, behind, pos.lane_id, wp.road_id)
            return PASSED if lane == wp.lane_id else MISSED
        return NOT_REACHED

    def _deactivate(self, rt: Any, name: str) -> None:
        """Hand the entity back to the default controller (esmini ``Deactivate``)."""
        m = rt.mover(name)
        if self.test_mode:
            m.speed = 0.0
        if self.lane_change is not None:
            m.lat_rate = 0.0                   # an interrupted lane change stops turning it
        self._end_lane_change()
        self.path = []
        m.control_domains = frozenset()
        rt.emit("controller", {"entity": name, "controller": self.cdef.name,
                               "kind": self.cdef.kind, "domains": []})
