"""A service never imports another service; Kafka and MongoDB stay in the shared library and repositories."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = sorted(p.name for p in (ROOT / "services").iterdir() if (p / "__init__.py").exists())


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_imports_no_other_service(service: str) -> None:
    others = {f"services.{s}" for s in SERVICES if s != service}
    for path in (ROOT / "services" / service).rglob("*.py"):
        bad = {m for m in imported_modules(path) if any(m == o or m.startswith(o + ".") for o in others)}
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"


@pytest.mark.parametrize("service", SERVICES)
def test_only_the_repository_module_talks_to_mongodb(service: str) -> None:
    for path in (ROOT / "services" / service).rglob("*.py"):
        if path.name == "repository.py":
            continue
        mongo = {m for m in imported_modules(path) if m.split(".")[0] in {"pymongo", "motor", "aiokafka"}}
        assert not mongo, f"{path.relative_to(ROOT)} imports {sorted(mongo)}: keep that in repository.py"


def test_the_shared_library_imports_no_service() -> None:
    for path in (ROOT / "lotsen").rglob("*.py"):
        bad = {m for m in imported_modules(path) if m.startswith("services")}
        assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"
