"""The solver package keeps its shape: no import cycles between its modules, and small, annotated
functions (ruff's complexity, annotation and unused-noqa rules hold for solver/)."""

import ast
import subprocess
import sys
from pathlib import Path

SOLVER = Path(__file__).resolve().parents[2] / "solver"


def _solver_imports(path: Path) -> set[str]:
    """Modules of the solver package that `path` imports, at any depth (function bodies too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("solver.")}
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "solver":
                found |= {f"solver.{a.name}" for a in node.names}
            elif node.module.startswith("solver."):
                found.add(node.module)
    return found


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for nxt in sorted(graph.get(module, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[module] = 2
        return None

    for module in sorted(graph):
        if module not in state and (found := visit(module)):
            return found
    return None


def test_solver_modules_import_each_other_without_a_cycle() -> None:
    graph = {f"solver.{p.stem}": _solver_imports(p) for p in SOLVER.glob("*.py")}
    assert graph["solver.lookup"] >= {"solver.components"}  # the graph is really read
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_the_cycle_finder_finds_one() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_solver_functions_stay_small_and_annotated() -> None:
    rules = ["--select", "C901,ANN,RUF100", "--config", "lint.mccabe.max-complexity=15"]
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", *rules, str(SOLVER)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
