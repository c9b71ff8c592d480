"""Reference-line geometries of OpenDRIVE ``planView`` (ASAM OpenDRIVE 1.8, clause 7.4).

One module per geometry under :class:`~maps.geometry.base.Geometry`, which gives the pose
``(x, y, heading)`` and the curvature at a distance ``ds`` [m] along the segment.
"""

from maps.geometry.arc import Arc
from maps.geometry.base import Geometry
from maps.geometry.line import Line
from maps.geometry.param_poly3 import ParamPoly3
from maps.geometry.poly3 import Poly3
from maps.geometry.spiral import Spiral

__all__ = ["Arc", "Geometry", "Line", "ParamPoly3", "Poly3", "Spiral"]
