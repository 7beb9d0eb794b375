"""The project's packages form layers that only point down (docs/architecture.md):
no import cycles between top-level packages, the Rasa server's code never
imports the action server's, staff tools and channels never import each
other, the shared base imports nothing of Rasa or the project, and nothing
outside tests/ reads tests/."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, Iterator, Set, Tuple

import pytest

from base.paths import PROJECT_ROOT

# What each top-level package may import, lowest layer first.
ALLOWED: Dict[str, Set[str]] = {
    "base": set(),
    "rasa_ext": {"base"},
    "components": {"base"},
    "inbox": {"base"},
    "actions": {"base", "inbox"},
    "chat": {"base"},
    "channels": {"base", "rasa_ext", "chat"},
    "ops": {"base", "inbox"},
    "staff": {"base", "rasa_ext", "chat", "ops", "inbox"},
    "authoring": {"base", "actions"},
    "security": {"base"},
    "widget": {"base", "ops"},
    "bench": {"base", "rasa_ext", "ops", "staff"},
}
RASA_SERVER = ("rasa_ext", "components", "channels", "chat")  # loaded by `rasa run`
PACKAGES = tuple(ALLOWED)


def python_files(package: str) -> Iterator[Path]:
    yield from (path for path in (PROJECT_ROOT / package).rglob("*.py") if "node_modules" not in path.parts)


def imports(path: Path) -> Iterator[Tuple[str, int]]:
    """(top-level package, line) of every project import in a file."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            top = name.split(".")[0]
            if top in PACKAGES or top == "tests":
                yield top, node.lineno


def edges() -> Dict[str, Set[Tuple[str, str]]]:
    found: Dict[str, Set[Tuple[str, str]]] = {package: set() for package in PACKAGES}
    for package in PACKAGES:
        for path in python_files(package):
            for top, line in imports(path):
                if top != package:
                    found[package].add((top, f"{path.relative_to(PROJECT_ROOT)}:{line}"))
    return found


@pytest.fixture(scope="module")
def graph() -> Dict[str, Set[Tuple[str, str]]]:
    return edges()


def test_every_package_imports_only_layers_below_it(graph) -> None:
    wrong = [
        (package, target, where)
        for package, found in graph.items()
        for target, where in found
        if target not in ALLOWED[package]
    ]
    assert wrong == [], "imports against the layers (tests/test_layers.py ALLOWED): " + str(sorted(wrong))


def test_no_cycle_between_packages(graph) -> None:
    depends = {package: {target for target, _ in found} for package, found in graph.items()}
    state: Dict[str, int] = {}

    def visit(package: str, trail: Tuple[str, ...]) -> None:
        if state.get(package) == 1:
            raise AssertionError("import cycle: " + " -> ".join(trail + (package,)))
        if state.get(package) == 2:
            return
        state[package] = 1
        for target in sorted(depends.get(package, ())):
            visit(target, trail + (package,))
        state[package] = 2

    for package in PACKAGES:
        visit(package, ())


def test_the_rasa_server_never_imports_the_action_server(graph) -> None:
    for package in RASA_SERVER:
        assert not any(target == "actions" for target, _ in graph[package]), package


def test_nothing_outside_tests_imports_or_reads_tests(graph) -> None:
    assert not any(target == "tests" for found in graph.values() for target, _ in found)
    readers = []
    for package in PACKAGES + ("scripts",):
        for path in python_files(package):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            docstrings = {
                id(node.body[0].value)
                for node in ast.walk(tree)
                if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                and node.body
                and isinstance(node.body[0], ast.Expr)
            }
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and id(node) not in docstrings
                    and (node.value == "tests" or node.value.startswith("tests/"))
                ):
                    readers.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}")
    assert readers == []


def test_the_base_needs_neither_rasa_nor_the_project() -> None:
    for path in python_files("base"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                assert not any(n.split(".")[0] in {"rasa", "rasa_sdk", "sanic"} for n in names), path
