"""Catalogs (ASAM OpenSCENARIO 1.x clause "Catalogs"): CatalogLocations and CatalogReference.

``CatalogLocations`` name one directory per catalog type (VehicleCatalog, ...); every ``.xosc``
file there holding a ``Catalog`` element is indexed by the catalog's ``name``. A
``CatalogReference`` (catalogName, entryName) yields the entry element and a Source whose scope
holds the entry's ParameterDeclarations overridden by the reference's ParameterAssignments.
Catalog files are parsed with the same safe parser as scenarios, and only on first use.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from scenarios.check import file_revision
from scenarios.enumerations import refuse_bad_enumerations
from scenarios.parameters import read_assignments, read_declarations
from scenarios.xmlsource import Source, child, children, parse_xml

CATALOG_TYPES = ("VehicleCatalog", "ControllerCatalog", "PedestrianCatalog", "MiscObjectCatalog",
                 "EnvironmentCatalog", "ManeuverCatalog", "TrajectoryCatalog", "RouteCatalog")


class Catalogs:
    """The catalogs a scenario may reference.

    Args:
        src: the scenario source (paths resolve relative to its directory).
        locations: the ``CatalogLocations`` element, or None.

    A location without a ``Directory``, or whose directory does not exist, is noted in
    :attr:`unusable`, not refused: esmini runs such files (its examples name catalog folders
    they never use), and ``scenario check`` warns of them.
    """

    def __init__(self, src: Source, locations: etree._Element | None) -> None:
        self._src = src
        self._dirs: list[Path] = []
        self._index: dict[str, dict[str, tuple[etree._Element, str]]] | None = None
        self.used_files: set[str] = set()
        """Files of the entries :meth:`resolve` returned."""
        self.unusable: list[str] = []
        """Locations that name no directory, or one that does not exist (with their line):
        ignored, as esmini ignores them, until a reference needs a catalog no other location
        holds; then its error lists them."""
        base = Path(src.file).parent
        if locations is not None:
            for cat in children(locations):
                d = child(cat, "Directory")
                if d is None:
                    self.unusable.append(f"{cat.tag} (line {cat.sourceline}) names no Directory")
                    continue
                path = (base / src.attr(d, "path", str)).resolve()
                if not path.is_dir():
                    self.unusable.append(f"{cat.tag} directory not found: {path} (line "
                                         f"{d.sourceline})")
                    continue
                self._dirs.append(path)

    def _load(self) -> dict[str, dict[str, tuple[etree._Element, str]]]:
        if self._index is None:
            self._index = {}
            for d in self._dirs:
                for f in sorted(d.glob("*.xosc")):
                    root = parse_xml(f)
                    cat = child(root, "Catalog")
                    if cat is None:
                        continue
                    rev = file_revision(root)
                    if rev is not None:
                        refuse_bad_enumerations(str(f), root, rev)
                    entries = self._index.setdefault(cat.get("name", ""), {})
                    for entry in children(cat):
                        entries.setdefault(entry.get("name", ""), (entry, str(f)))
        return self._index

    def resolve(self, src: Source, ref: etree._Element) -> tuple[etree._Element, Source]:
        """Return (entry element, Source with the entry's parameters) for a CatalogReference.

        Raises:
            ScenarioError: unknown catalog or entry (naming the reference's file and line).
        """
        catalog = src.attr(ref, "catalogName", str)
        entry = src.attr(ref, "entryName", str)
        index = self._load()
        if catalog not in index:
            unusable = f"; {'; '.join(self.unusable)}" if self.unusable else ""
            raise src.error(ref, f"catalog '{catalog}' not found in CatalogLocations "
                                 f"({', '.join(map(str, self._dirs)) or 'none given'}"
                                 f"{unusable})")
        if entry not in index[catalog]:
            raise src.error(ref, f"entry '{entry}' not found in catalog '{catalog}'")
        el, file = index[catalog][entry]
        self.used_files.add(str(Path(file).resolve()))
        assignments = read_assignments(src, ref)
        entry_src = Source(file, self._src.scope)
        scope = read_declarations(entry_src, el,
                                  overrides={k: v for k, (v, _) in assignments.items()},
                                  assigned_by={k: (src, a) for k, (_, a) in assignments.items()})
        return el, entry_src.with_scope(scope)
