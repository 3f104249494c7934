import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

import pytest

from solver.problem import Placement, Problem, ProblemError, Window

from .builders import GRID, at, citizen, consultant, talk, world


def test_solver_never_imports_django() -> None:
    code = (
        "import sys\n"
        "import solver, solver.problem, solver.candidates, solver.cpsat, solver.greedy, solver.verify\n"
        "import solver.decompose, solver.diagnose, solver.generate, solver.objective, solver.bench\n"
        "import solver.components, solver.model, solver.bounds, solver.serialize\n"
        "assert 'django' not in sys.modules, sorted(m for m in sys.modules if m.startswith('django'))\n"
    )
    env_free = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=".")
    assert env_free.returncode == 0, env_free.stderr


def test_slot_helpers_round_trip() -> None:
    slot = GRID.slot_of(3, 10, 30)
    assert GRID.slot_to_datetime(slot) == datetime(2025, 3, 6, 10, 30)
    assert GRID.format_slot(slot) == "torsdag 10:30"
    assert GRID.day_of(slot) == 3


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda p: replace(p, tasks=(*p.tasks, talk("t1", 1))), "duplicate task id 't1'"),
        (
            lambda p: replace(p, tasks=(talk("t9", 1, site_ids=frozenset({99})),)),
            "task t9: unknown site id 99",
        ),
        (
            lambda p: replace(p, tasks=(talk("t9", 1, duration_slots=0),)),
            "task t9: duration_slots must be >= 1",
        ),
        (
            lambda p: replace(p, tasks=(talk("t9", 1, window=Window(at(2, 12), at(1, 12))),)),
            "task t9: window end before start",
        ),
        (lambda p: replace(p, tasks=(talk("t9", 77),)), "task t9: unknown citizen id 77"),
        (
            lambda p: replace(p, consultants=(*p.consultants, consultant(1, "Dublet", "job"))),
            "duplicate consultant id 1",
        ),
        (
            lambda p: replace(p, citizens=(citizen(1, contact_consultant_id=42), *p.citizens[1:])),
            "citizen 1: unknown contact consultant id 42",
        ),
        (
            lambda p: replace(p, tasks=(talk("t9", 1, pinned=Placement("t9", 0, (1, 2))),)),
            "task t9: pinned placement needs 1 consultants",
        ),
        (lambda p: replace(p, tasks=(talk("t9", 1, place="moon"),)), "task t9: place 'moon'"),
    ],
)
def test_bad_input_names_the_item(mutate: Callable[[Problem], Problem], message: str) -> None:
    problem = mutate(world([talk("t1", 1)]))
    with pytest.raises(ProblemError, match=message.replace("(", r"\(").replace(")", r"\)")):
        problem.validate()
