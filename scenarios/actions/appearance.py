"""``AppearanceAction`` (ASAM OpenSCENARIO 1.2+ PrivateAction): ``LightStateAction`` and
``AnimationAction``.

The kinematic simulator draws nothing, so these actions only validate their attributes (the
XSD enumerations and the model's ranges) and record what they ask for as
``Event(t, "appearance", {"entity", "action", ...the action's fields})``; they hold no control
domain and move nothing. Their durations follow the standard's action table (Annex A):

* LightStateAction: ends after ``transitionTime`` [s] (default 0: at once);
* AnimationAction: with ``loop="true"``, or a PedestrianAnimation (a gesture or motion
  performed continuously), it has no regular ending (it runs until stopped); otherwise it
  ends after ``animationDuration`` [s] (at once when omitted).

Like other private actions, aimed at an externally driven entity (the vehicle under test)
they become ``ego_request`` events.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from types import MappingProxyType
from typing import Any

from lxml import etree

from scenarios.registry import ParseContext
from scenarios.runtime import Runtime
from scenarios.xmlsource import child, children, non_negative, unit_interval

LIGHT_MODES = ("on", "off", "flashing")
"""XSD LightMode."""
VEHICLE_LIGHTS = ("daytimeRunningLights", "lowBeam", "highBeam", "fogLights",
                  "fogLightsFront", "fogLightsRear", "brakeLights", "warningLights",
                  "indicatorLeft", "indicatorRight", "reversingLights",
                  "licensePlateIllumination", "specialPurposeLights")
"""XSD VehicleLightType."""
COLOR_TYPES = ("other", "red", "yellow", "green", "blue", "violet", "orange", "brown",
               "black", "grey", "white")
"""XSD ColorType."""
VEHICLE_COMPONENTS = ("hood", "trunk", "doorFrontRight", "doorFrontLeft", "doorRearRight",
                      "doorRearLeft", "windowFrontRight", "windowFrontLeft", "windowRearRight",
                      "windowRearLeft", "sideMirrors", "sideMirrorRight", "sideMirrorLeft")
"""XSD VehicleComponentType."""
PEDESTRIAN_MOTIONS = ("standing", "sitting", "lying", "squatting", "walking", "running",
                      "reeling", "crawling", "cycling", "jumping", "ducking", "bendingDown")
"""XSD PedestrianMotionType."""
PEDESTRIAN_GESTURES = ("phoneCallRightHand", "phoneCallLeftHand", "phoneTextRightHand",
                       "phoneTextLeftHand", "wavingRightArm", "wavingLeftArm",
                       "umbrellaRightHand", "umbrellaLeftHand", "crossArms", "coffeeRightHand",
                       "coffeeLeftHand", "sandwichRightHand", "sandwichLeftHand")
"""XSD PedestrianGestureType."""


class Lasting:
    """The run of an action that lasts ``duration`` [s] (complete in the step where the time
    stepped since its start reaches it; at once for 0), or forever (None)."""

    def __init__(self, duration: float | None) -> None:
        self.duration = duration
        self.elapsed = 0.0

    def step(self, rt: Runtime, dt: float) -> bool:
        """Advance by ``dt`` [s]; True when the duration is over."""
        self.elapsed += dt
        return self.duration is not None and self.elapsed >= self.duration - 1e-9


def _record(rt: Runtime, actor: str | None, spec: Any) -> None:
    """Emit the ``appearance`` event of ``spec`` on ``actor`` (its fields, None left out)."""
    data = {k: v for k, v in asdict(spec).items() if v is not None}
    rt.emit("appearance", {"entity": actor, "action": spec.ELEMENT, **data})


def _color(el: etree._Element | None, ctx: ParseContext
           ) -> tuple[str | None, str | None, tuple[float, ...]]:
    """(colorType, model ``rgb``/``cmyk`` or None, components in [0, 1]) of a ``Color``."""
    if el is None:
        return None, None, ()
    a = ctx.src.attr
    kind = ctx.src.choice(el, "colorType", COLOR_TYPES)
    rgb, cmyk = child(el, "ColorRgb"), child(el, "ColorCmyk")
    if rgb is not None:
        return kind, "rgb", tuple(a(rgb, c, unit_interval) for c in ("red", "green", "blue"))
    if cmyk is not None:
        return kind, "cmyk", tuple(a(cmyk, c, unit_interval)
                                   for c in ("cyan", "magenta", "yellow", "key"))
    return kind, None, ()


@dataclass(frozen=True)
class LightStateAction:
    """``AppearanceAction/LightStateAction`` (OpenSCENARIO 1.2+): switch a light.

    Attributes:
        light: the ``vehicleLightType`` (VehicleLight) or ``userDefinedLightType``
            (UserDefinedLight). user_defined: True for a UserDefinedLight.
        mode: ``on``, ``off`` or ``flashing``. luminous_intensity: [cd] >= 0, or None.
        flashing_on, flashing_off: [s] >= 0, or None. color_type: XSD ColorType or None.
        color_model: ``rgb``, ``cmyk`` or None. color: its components in [0, 1].
        transition_time: [s] >= 0, how long the change takes (the action's duration).
    """

    ELEMENT = "LightStateAction"
    PRIVATE = True
    DOMAINS = ()
    light: str
    mode: str
    user_defined: bool = False
    luminous_intensity: float | None = None
    flashing_on: float | None = None
    flashing_off: float | None = None
    color_type: str | None = None
    color_model: str | None = None
    color: tuple[float, ...] = ()
    transition_time: float = 0.0

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> LightStateAction:
        """Read this element (``ELEMENT``).

        Raises:
            ScenarioError: LightType or LightState missing, a value outside its enumeration or
                range (file, line, element).
        """
        src, a = ctx.src, ctx.src.attr
        ltype, state = child(el, "LightType"), child(el, "LightState")
        kind = next(children(ltype), None) if ltype is not None else None
        if kind is None or state is None:
            raise src.error(el, "expected LightType (VehicleLight or UserDefinedLight) and "
                                "LightState")
        if kind.tag == "VehicleLight":
            light, user = src.choice(kind, "vehicleLightType", VEHICLE_LIGHTS), False
        elif kind.tag == "UserDefinedLight":
            light, user = a(kind, "userDefinedLightType", str), True
        else:
            raise src.error(kind, "expected VehicleLight or UserDefinedLight")
        color_type, model, values = _color(child(state, "Color"), ctx)
        return cls(light, src.choice(state, "mode", LIGHT_MODES), user,
                   a(state, "luminousIntensity", non_negative, None),
                   a(state, "flashingOnDuration", non_negative, None),
                   a(state, "flashingOffDuration", non_negative, None),
                   color_type, model, values, a(el, "transitionTime", non_negative, 0.0))

    def start(self, rt: Runtime, actor: str | None) -> Lasting:
        """Record the light change on ``actor`` and, for a VehicleLight of a scenario-driven
        entity, set it in the entity's state (:attr:`testzone.world.EntityState.lights`, which
        its BSM reports); the run lasts ``transition_time``."""
        _record(rt, actor, self)
        if actor is not None and not self.user_defined:
            mover = rt.mover(actor)
            if not mover.external:
                mover.lights[self.light] = self.mode
        return Lasting(self.transition_time)


@dataclass(frozen=True)
class AnimationAction:
    """``AppearanceAction/AnimationAction`` (OpenSCENARIO 1.2+): animate a component, a
    pedestrian, or play an animation file.

    Attributes:
        kind: ``component`` (ComponentAnimation), ``pedestrian`` (PedestrianAnimation),
            ``file`` (AnimationFile) or ``user`` (UserDefinedAnimation).
        name: the vehicleComponentType / userDefinedComponentType, the pedestrian ``motion``
            (or ``userDefinedPedestrianAnimation``, or ""), the file path, or the
            userDefinedAnimationType.
        user_defined: True for UserDefinedComponent / userDefinedPedestrianAnimation.
        gestures: PedestrianGesture values. time_offset: AnimationFile ``timeOffset`` [s]
            >= 0, or None. state: AnimationState ``state`` in [0, 1], or None.
        loop: ``loop`` (default false). duration: ``animationDuration`` [s] >= 0, or None.
    """

    ELEMENT = "AnimationAction"
    PRIVATE = True
    DOMAINS = ()
    kind: str
    name: str
    user_defined: bool = False
    gestures: tuple[str, ...] = ()
    time_offset: float | None = None
    state: float | None = None
    loop: bool = False
    duration: float | None = None

    @classmethod
    def parse(cls, el: etree._Element, ctx: ParseContext) -> AnimationAction:
        """Read this element (``ELEMENT``).

        Raises:
            ScenarioError: AnimationType missing or empty, a value outside its enumeration or
                range (file, line, element).
        """
        a = ctx.src.attr
        atype = child(el, "AnimationType")
        inner = next(children(atype), None) if atype is not None else None
        reader = _ANIMATION_TYPES.get(str(inner.tag)) if inner is not None else None
        if reader is None:
            raise ctx.src.error(inner if inner is not None else el,
                                f"expected {', '.join(_ANIMATION_TYPES)} in AnimationType")
        state = child(el, "AnimationState")
        return cls(*reader(inner, ctx),
                   state=a(state, "state", unit_interval) if state is not None else None,
                   loop=a(el, "loop", bool, False),
                   duration=a(el, "animationDuration", non_negative, None))

    def start(self, rt: Runtime, actor: str | None) -> Lasting:
        """Record the animation on ``actor``; the run lasts ``duration`` (forever when
        looping or for a pedestrian animation: Annex A, no regular ending)."""
        _record(rt, actor, self)
        forever = self.loop or self.kind == "pedestrian"
        return Lasting(None if forever else (self.duration or 0.0))


def _component(el: etree._Element, ctx: ParseContext) -> tuple:
    """(kind, name, user_defined) of a ComponentAnimation."""
    comp = next(children(el), None)
    if comp is not None and comp.tag == "VehicleComponent":
        return ("component", ctx.src.choice(comp, "vehicleComponentType", VEHICLE_COMPONENTS),
                False)
    if comp is not None and comp.tag == "UserDefinedComponent":
        return "component", ctx.src.attr(comp, "userDefinedComponentType", str), True
    raise ctx.src.error(el, "expected VehicleComponent or UserDefinedComponent")


def _pedestrian(el: etree._Element, ctx: ParseContext) -> tuple:
    """(kind, name, user_defined, gestures) of a PedestrianAnimation: name is the ``motion``,
    else ``userDefinedPedestrianAnimation``, else ""."""
    gestures = tuple(ctx.src.choice(g, "gesture", PEDESTRIAN_GESTURES)
                     for g in children(el, "PedestrianGesture"))
    motion = ctx.src.choice(el, "motion", PEDESTRIAN_MOTIONS, None)
    user = ctx.src.attr(el, "userDefinedPedestrianAnimation", str, None)
    return "pedestrian", motion or user or "", motion is None and user is not None, gestures


def _file(el: etree._Element, ctx: ParseContext) -> tuple:
    """(kind, file path, user_defined, gestures, timeOffset [s]) of an AnimationFile."""
    file = child(el, "File")
    if file is None:
        raise ctx.src.error(el, "expected File")
    return ("file", ctx.src.attr(file, "filepath", str), False, (),
            ctx.src.attr(el, "timeOffset", non_negative, None))


def _user(el: etree._Element, ctx: ParseContext) -> tuple:
    """(kind, type, user_defined) of a UserDefinedAnimation."""
    return "user", ctx.src.attr(el, "userDefinedAnimationType", str), True


_ANIMATION_TYPES = MappingProxyType({
    "ComponentAnimation": _component, "PedestrianAnimation": _pedestrian,
    "AnimationFile": _file, "UserDefinedAnimation": _user})
"""AnimationType child element -> reader of the leading AnimationAction fields."""

APPEARANCE_ACTIONS = (LightStateAction, AnimationAction)
"""The AppearanceAction family (the loader walks through the AppearanceAction wrapper)."""

__all__ = ["APPEARANCE_ACTIONS", "LightStateAction", "AnimationAction", "Lasting"]
