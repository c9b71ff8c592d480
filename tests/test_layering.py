"""Imports flow one way (docs/architecture.md): a package may import only the layers below it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ALLOWED = {
    "testzone": set(),
    "maps": {"testzone"},
    "scenarios": {"testzone", "maps"},
    "v2x_bridge": {"testzone", "maps"},
    "evaluator": {"testzone", "maps"},
    "runners": {"testzone", "maps", "scenarios", "v2x_bridge", "evaluator"},
}


def imported_packages(path: Path) -> set[str]:
    """Top-level names of every module imported by the file at ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_flow_one_way(package: str) -> None:
    ours = set(ALLOWED)
    bad = []
    for f in sorted((ROOT / package).rglob("*.py")):
        wrong = (imported_packages(f) & ours) - ALLOWED[package] - {package}
        if wrong:
            bad.append(f"{f.relative_to(ROOT)} imports {sorted(wrong)}")
    assert not bad, "\n".join(bad)


def test_checker_sees_a_wrong_import(tmp_path: Path) -> None:
    f = tmp_path / "m.py"
    f.write_text("import os\nfrom runners.case import run_case\nimport maps.road as r\n")
    assert imported_packages(f) == {"os", "runners", "maps"}
