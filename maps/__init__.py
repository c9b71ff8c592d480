"""OpenDRIVE road model: reading (1.4-1.8), validation and road-frame queries.

Public API (contract in docs/architecture.md, details in docs/maps.md)::

    net = load_opendrive(path)            # RoadNetwork; MapsError on bad input
    issues = check_opendrive(path)        # list[Issue], never raises for bad files
    net.lane_to_world(road_id, lane_id, s, offset=0.0) -> Pose
    net.world_to_lane(x, y, heading=None) -> LaneCoord | None
    net.advance(coord, ds, choose=None) -> LaneCoord
    net.route(a, b, strategy="shortest") -> list[str] | None
    net.drivable_area(); net.lane_polygon(road, lane); net.junction_area(j); net.crosswalks()

Imports only :mod:`testzone` among the project's packages.
"""

from maps.errors import Issue, MapsError
from maps.model import (Connection, Junction, Lane, LaneSection, RoadLink, RoadMark, RoadType,
                        Signal)
from maps.network import RoadNetwork, load_opendrive
from maps.objects import RoadObject
from maps.road import DRIVING_TYPES, WALKING_TYPES, Road
from maps.validate import check_opendrive

__all__ = ["DRIVING_TYPES", "WALKING_TYPES", "Connection", "Issue", "Junction", "Lane",
           "LaneSection", "MapsError", "Road", "RoadLink", "RoadMark", "RoadNetwork", "RoadObject",
           "RoadType", "Signal", "check_opendrive", "load_opendrive"]
