from dataclasses import replace

from solver.cpsat import solve, solve_part
from solver.decompose import decompose, merge
from solver.diagnose import diagnose
from solver.objective import evaluate
from solver.problem import Problem, Room, Site, Window
from solver.verify import verify

from .builders import at, citizen, consultant, days, talk, world


def two_regions() -> Problem:
    kolding = Site(2, "Kolding", days(8, 16), "site:2")
    consultants = [
        consultant(1, "Mette Hansen", "social", available=days(8, 12, [0, 1])),
        consultant(2, "Lars Jensen", "job", available=days(9, 11)),
        consultant(3, "Pia Madsen", "social", site_ids=frozenset({2}), home_site_id=2, available=days(8, 10)),
        consultant(4, "Jens Larsen", "social", site_ids=frozenset({2}), home_site_id=2, available=days(12, 14)),
    ]
    citizens = [citizen(z) for z in range(1, 5)] + [citizen(z, site_id=2) for z in range(5, 9)]
    tasks = [talk(f"v{z}", z, preferred_consultant_ids=(1,)) for z in range(1, 5)]
    tasks += [talk(f"k{z}", z, site_ids=frozenset({2}), preferred_consultant_ids=(3,)) for z in range(5, 9)]
    tasks += [talk("j1", 1, staff="job"), talk("j2", 2, staff="job")]
    rooms = [Room(11, 1, 4), Room(21, 2, 4)]
    return world(tasks, consultants=consultants, citizens=citizens, rooms=rooms, sites=[world([]).sites[0], kolding])


def test_decomposition_equals_monolithic() -> None:
    problem = two_regions()
    parts = decompose(problem)
    assert [sorted(s.id for s in p.sites) for p in parts] == [[1], [2]] or len(parts) == 2
    mono = solve_part(problem)
    merged = merge(problem, [solve_part(p) for p in parts])
    assert mono.status == "OPTIMAL" and merged.status == "OPTIMAL"
    assert merged.objective == mono.objective
    assert evaluate(problem, merged.placements).total == merged.objective
    assert merged.best_bound == mono.best_bound
    assert verify(problem, merged) == []
    via_solve = solve(problem)
    assert via_solve.objective == mono.objective and via_solve.stats["num_parts"] == 2


def test_diagnose_names_the_clashing_tasks() -> None:
    one_hour = (Window(at(1, 9), at(1, 10)),)
    problem = world(
        [talk("a", 1), talk("b", 2), talk("c", 3, staff="job")],
        consultants=[
            consultant(1, "Mette Hansen", "social", available=one_hour),
            consultant(2, "Lars Jensen", "job"),
        ],
    )
    d = diagnose(problem)
    assert d.feasible is False
    assert d.clashing_task_ids == ("a", "b")
    assert "Mette Hansen" in d.report and d.report.startswith("Disse 2 opgaver kan ikke alle placeres")


def test_diagnose_feasible_and_impossible() -> None:
    problem = world([talk("a", 1), talk("h", 2, staff="health")])
    d = diagnose(problem)
    assert d.feasible is True and d.impossible_task_ids == ("h",)


def test_merge_of_nothing_is_empty() -> None:
    problem = replace(two_regions(), tasks=())
    assert merge(problem, []).status == "EMPTY"
    assert solve(problem).status == "EMPTY"
