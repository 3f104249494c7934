"""The shape of the code, kept by tests: which package may import which, no import cycles, and interfaces
(views, API routers, management commands, django-q2 tasks) that change data only through services.

Imports are read from the source (every import, at any depth, function bodies too), so a cycle hidden in a
function body counts as much as one at the top of a module.
"""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("config", "scheduler", "activities", "rooms", "audit", "api", "solver", "bench")
DOMAIN = ("scheduler", "activities", "rooms", "audit")
ORM_WRITES = {"create", "update", "delete", "bulk_create", "bulk_update", "get_or_create", "update_or_create"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(path): path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    }


MODULES = _modules()


def _imported(path: Path) -> set[str]:
    """Every dotted name `path` imports (for `from a import b` both `a` and `a.b`)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def _ours(name: str) -> str | None:
    """The module of ours a dotted name refers to (the longest known prefix), or None."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        graph[module] = {target for name in _imported(path) if (target := _ours(name)) and target != module}
    return graph


GRAPH = _graph()


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


def _edges(source: tuple[str, ...], target: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{module} -> {dep}"
        for module, deps in GRAPH.items()
        if module.split(".")[0] in source
        for dep in deps
        if dep.split(".")[0] in target
    )


def test_the_graph_is_really_read() -> None:
    assert "scheduler.planning.services" in GRAPH["scheduler.planning.runs"]
    assert "scheduler.demand.rules" in GRAPH["scheduler.overview"]
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_no_module_of_ours_imports_itself_around_a_cycle() -> None:
    cycle = _cycle(GRAPH)
    assert cycle is None, " -> ".join(cycle or [])


def test_the_solver_imports_nothing_of_ours() -> None:
    # solver/bench.py is the one exception: a shim so `python -m solver.bench` keeps working (bench/solver.py),
    # and that benchmark imports only the solver.
    outside = [edge for edge in _edges(("solver",), PACKAGES) if not edge.split(" -> ")[1].startswith("solver")]
    assert outside == ["solver.bench -> bench.solver"]
    assert {dep.split(".")[0] for dep in GRAPH["bench.solver"]} == {"solver"}


def test_the_domain_never_imports_the_api() -> None:
    assert _edges(DOMAIN, ("api",)) == []


def test_the_audit_log_never_imports_the_domain() -> None:
    assert _edges(("audit",), ("scheduler", "activities", "rooms", "api")) == []


def test_the_project_package_imports_nothing_of_the_domain() -> None:
    # Settings and the URLconf name the apps by string; the domain may use config's middleware helpers.
    assert _edges(("config",), ("scheduler", "activities", "rooms", "audit", "api", "solver")) == []


def test_nothing_but_the_benchmarks_imports_a_benchmark() -> None:
    assert _edges(("config", "scheduler", "activities", "rooms", "audit", "api"), ("bench",)) == []


# -- interfaces change data through services ------------------------------------------------------

INTERFACES = [
    *sorted((ROOT / "scheduler" / "web").glob("*views.py")),
    ROOT / "scheduler" / "public" / "views.py",
    *sorted((ROOT / "api" / "routers").glob("*.py")),
    ROOT / "api" / "crud.py",
    *sorted(ROOT.glob("*/management/commands/*.py")),
    ROOT / "scheduler" / "tasks.py",
]
# Where an interface writes itself, and why that is the service:
ALLOWED_WRITES = {
    # Everyday data (citizens, enrolments, absences, internships, requests): a ModelForm runs the model's
    # own full_clean and scoped choices (ScopedModelForm); the form is the service.
    ("scheduler/web/data_views.py", "save"),
    ("scheduler/web/plan_views.py", "save"),
    # The API's generic create/update/delete of plain data, after the scope check and the model's full_clean
    # (the same rules as the admin and the forms); planning, editing and publishing go through services.
    ("api/crud.py", "save"),
    ("api/crud.py", "delete"),
}


def _chain(node: ast.AST) -> list[str]:
    """Attribute names along a call chain, innermost first: `a.objects.filter(x).update()` ->
    [a, objects, filter, update]."""
    names: list[str] = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            names.append(node.id)
            return names[::-1]
        else:
            return names[::-1]


def _writes(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        chain = _chain(node)
        method = node.func.attr
        if method in ("save", "delete") and not node.args:
            found.add(method)
        elif method in ORM_WRITES and "objects" in chain:
            found.add(method)
    return found


def test_the_write_finder_finds_writes() -> None:
    source = ROOT / "scheduler" / "web" / "data_views.py"
    assert "save" in _writes(source)
    assert not _writes(ROOT / "scheduler" / "tasks.py")


def test_views_routers_commands_and_tasks_write_only_through_services() -> None:
    offending = sorted(
        f"{path.relative_to(ROOT)}: .{method}()"
        for path in INTERFACES
        for method in _writes(path)
        if (str(path.relative_to(ROOT)), method) not in ALLOWED_WRITES
    )
    assert offending == []
