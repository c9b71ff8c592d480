"""Registries of OpenSCENARIO element classes, keyed by element name.

The parser never switches on tag names: it asks a :class:`Registry` for the class registered
under an element's tag, and the class parses itself (``cls.parse(el, ctx)``). Each family
(actions, conditions, positions) also lists the OpenSCENARIO 1.x elements it knows but does not
implement, so that they raise :class:`UnsupportedElementError` with file, line and element
(the same policy for every family, STYLE.md section 5).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from lxml import etree

from scenarios.errors import ScenarioError, UnsupportedElementError
from scenarios.xmlsource import Source, children


class Registry:
    """An immutable map from OpenSCENARIO element name to the class implementing it.

    Args:
        family: what the elements are (``action``, ``condition``, ``position``), for messages.
        classes: classes with a class attribute ``ELEMENT`` (the element name) and a classmethod
            ``parse(el, ctx)``.
        unsupported: element names of the family that are valid OpenSCENARIO but not implemented.
    """

    def __init__(self, family: str, classes: Iterable[type], unsupported: Iterable[str] = ()):
        by_name: dict[str, type] = {}
        for cls in classes:
            name = getattr(cls, "ELEMENT")
            if name in by_name:
                raise ValueError(f"{family} element {name} registered twice")
            by_name[name] = cls
        self.family = family
        self._classes = MappingProxyType(by_name)
        self.unsupported = tuple(sorted(set(unsupported) - set(by_name)))

    def names(self) -> tuple[str, ...]:
        """Return the supported element names, sorted."""
        return tuple(sorted(self._classes))

    def get(self, name: str) -> type | None:
        """Return the class registered for element ``name``, or None."""
        return self._classes.get(name)

    def parse(self, el: etree._Element, ctx: ParseContext) -> Any:
        """Parse ``el`` with the class registered under its tag.

        Raises:
            UnsupportedElementError: no class is registered for the tag (file, line, element).
        """
        cls = self._classes.get(str(el.tag))
        if cls is None:
            known = "a known" if el.tag in self.unsupported else "an unknown"
            err = ctx.src.error(el, f"{known} {self.family} this player does not support "
                                    f"(see docs/scenarios.md)", UnsupportedElementError)
            if ctx.warnings is None:
                raise err
            ctx.warnings.append(err.format())
            return Unsupported(str(el.tag), self.family, err.format())
        return cls.parse(el, ctx)


@dataclass(frozen=True)
class Unsupported:
    """Stand-in for an unsupported element in lenient mode (``load_scenario(lenient=True)``).

    As an action it completes at once and emits ``Event(t, "unsupported", {...})``; as a
    condition it is never true; as a position it cannot be resolved (ScenarioError).

    Attributes:
        ELEMENT: the element name. family: action, condition or position. message: the
            error it replaces (file, line, element).
    """

    ELEMENT: str
    family: str
    message: str
    PRIVATE = False

    def start(self, rt: Any, actor: str | None) -> Any:
        """Emit an ``unsupported`` event and complete (a run that is done at once)."""
        rt.emit("unsupported", {"element": self.ELEMENT, "message": self.message})
        return _Done()

    def check(self, rt: Any, cr: Any) -> bool:
        """Never true."""
        return False

    def resolve(self, rt: Any) -> Any:
        """Raise: an unsupported position has no place."""
        raise ScenarioError(self.message, element=self.ELEMENT)


class _Done:
    """A run complete at its first step."""

    def step(self, rt: Any, dt: float) -> bool:
        """Complete."""
        return True


@dataclass(frozen=True)
class ParseContext:
    """What a class needs to parse its element: the source and the nested registries.

    Attributes:
        src: the file and parameter scope.
        positions: the position registry (for elements holding a ``Position``).
        catalogs: the scenario's ``scenarios.catalogs.Catalogs`` (route and trajectory
            references inside actions), or None.
        warnings: None (strict: unsupported elements raise), or the list collecting the
            messages of the unsupported elements replaced by :class:`Unsupported` (lenient).
        variables: the global VariableDeclarations (name -> typed initial value), or None
            where they are not known (then a ``variableRef`` is not checked).
    """

    src: Source
    positions: Registry
    catalogs: Any = None
    warnings: list[str] | None = None
    variables: Mapping[str, Any] | None = None

    def parameter_ref(self, el: etree._Element, attr: str = "parameterRef") -> str:
        """The parameter named by ``el``'s ``attr``, which must be declared in scope (a typo
        in a ParameterCondition would otherwise never be true, and a test pass unnoticed),
        and declared globally: the run holds one value per name, the file's global
        ParameterDeclarations' (the Story's or a catalog entry's own are resolved at load).

        Raises:
            ScenarioError: the attribute is missing, names no declared parameter, or names one
                a Story, Act, catalog entry ... declares."""
        name = self.src.name_ref(el, attr)
        try:
            self.src.scope.lookup(name)
        except KeyError:
            raise self.src.error(el, f"{attr} '{name}' names no declared parameter (declare "
                                     f"it in ParameterDeclarations)") from None
        from scenarios.parameters import declaration_of
        found = declaration_of(el, name, "parameters")
        owner = found[0].getparent().getparent() if found is not None else None
        if owner is not None and owner is not found[0].getroottree().getroot():
            # the run keeps one value per name, the global one's: a Story's own parameter
            # was read as unset (a condition never true) and written over the global one
            raise self.src.error(el, f"{attr} '{name}' names the parameter a <{owner.tag}> "
                                     f"declares: parameters read or set while the scenario "
                                     f"runs are the global ParameterDeclarations' (declare it "
                                     f"there, or use a VariableDeclaration)")
        return name

    def variable_ref(self, el: etree._Element) -> str:
        """The variable named by ``el``'s ``variableRef``, which must be declared in the
        VariableDeclarations when they are known (as :meth:`parameter_ref` for parameters).

        Raises:
            ScenarioError: the attribute is missing, or names no declared variable."""
        name = self.src.name_ref(el, "variableRef")
        if self.variables is not None and name not in self.variables:
            raise self.src.error(el, f"variableRef '{name}' names no declared variable (declare "
                                     f"it in VariableDeclarations)")
        return name

    def position(self, holder: etree._Element) -> Any:
        """Parse the one position inside ``holder``: a ``Position`` element, an element with a
        ``Position`` child, or an element of XSD type Position (``PositionStart`` of a
        ClothoidSplineSegment, OpenSCENARIO 1.3: the position element directly inside, as
        esmini's lane-change_clothoid_spline_based_trajectory.xosc writes it).

        Raises:
            ScenarioError: no position inside. UnsupportedElementError: unknown position type.
        """
        pos = holder if holder.tag == "Position" else next(children(holder, "Position"), None)
        if pos is None:
            first = next(children(holder), None)
            if first is not None and self.positions.get(str(first.tag)) is not None:
                pos = holder  # typed Position itself
        inner = next(children(pos), None) if pos is not None else None
        if inner is None:
            raise self.src.error(holder, "expected a Position with one position element")
        return self.positions.parse(inner, self)

    def inline_or_catalog(self, holder: etree._Element, element: str
                          ) -> tuple[etree._Element, ParseContext]:
        """The ``element`` (e.g. ``Route``, ``Trajectory``) written inside ``holder``, or the
        catalog entry its ``CatalogReference`` names, with the context reading the file it is
        in (OpenSCENARIO: a route or trajectory is given inline or by catalog reference).

        Raises:
            ScenarioError: neither is present, no catalogs here, or the catalog entry is not an
                ``element`` (file, line, element).
        """
        el = next((c for c in children(holder) if c.tag in (element, "CatalogReference")), None)
        if el is None:
            raise self.src.error(holder, f"expected a {element} or a CatalogReference")
        if el.tag != "CatalogReference":
            return el, self
        if self.catalogs is None:
            raise self.src.error(el, "no catalogs available here")
        entry, src = self.catalogs.resolve(self.src, el)
        ctx = self.with_source(src)
        if entry.tag != element:
            raise ctx.src.error(entry, f"catalog entry is not a {element}")
        return entry, ctx

    def with_source(self, src: Source) -> ParseContext:
        """Return the same context reading ``src``."""
        return ParseContext(src, self.positions, self.catalogs, self.warnings, self.variables)
