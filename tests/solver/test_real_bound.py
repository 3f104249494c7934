"""The bound for the real problem (solver.relaxed): no consultant cap, every 15-minute start,
every room. It must never be above the objective of any plan the verifier accepts — also plans
outside the solver's candidate set — which is checked on random plans, on the solver's and
greedy's plans, and against a brute-force optimum over every valid plan of tiny weeks."""

from __future__ import annotations

import itertools
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver.bounds import combinatorial_bound
from solver.candidates import build
from solver.cpsat import solve
from solver.greedy import greedy
from solver.objective import evaluate
from solver.problem import (
    Lunch,
    Place,
    Placement,
    Problem,
    Solution,
    SolveStatus,
    Task,
    Unplaced,
    Window,
)
from solver.relaxed import real_bound
from solver.verify import Code, verify

from .builders import at, citizen, consultant, talk, world
from .test_day_rules_properties import day_problems, random_plans
from .test_properties import small_problems

# Violations that another placement of the same plan can never cure: a placement with one of
# these is invalid in every plan.
_STATIC = {
    Code.OUTSIDE_WINDOW, Code.NOT_WITHIN_ONE_DAY, Code.FIXED_START_MOVED, Code.PINNED_MOVED, Code.EXTERNAL_ABSENT,
    Code.CONSULTANT_STAFF_TYPE, Code.CONSULTANT_NOT_ALLOWED, Code.CONSULTANT_NO_TASK_SITE,
    Code.CONSULTANT_NOT_AT_SITE, Code.CONSULTANT_UNAVAILABLE, Code.CITIZEN_UNAVAILABLE, Code.SITE_NOT_ALLOWED,
    Code.SITE_CLOSED, Code.NO_ROOM, Code.ROOM_WRONG_SITE, Code.ROOM_TOO_SMALL, Code.ROOM_LACKS_FEATURES,
    Code.ROOM_OFF_SITE, Code.CONSULTANT_TWICE, Code.CONSULTANT_COUNT,
}


def _plan(problem: Problem, placements: tuple[Placement, ...]) -> Solution:
    placed = {p.task_id for p in placements}
    unplaced = tuple(Unplaced(t.id, "ikke planlagt") for t in problem.tasks if t.id not in placed)
    return Solution(placements, unplaced, SolveStatus.GREEDY, 0, None, None, 0)


def _placements(problem: Problem, task: Task) -> list[Placement]:
    """Every placement of one task (every start, consultants, site and room) that is not invalid
    in every plan."""
    out = []
    rooms = [(r.site_id, r.id) for r in problem.rooms if r.site_id in task.site_ids]
    where = rooms if task.place == Place.SITE else [(None, None)]
    people = [c.id for c in problem.consultants]
    for start in range(task.window.start, task.window.end - task.duration_slots + 1):
        for combo in itertools.permutations(people, len(task.staff_requirements)):
            for site_id, room_id in where:
                p = Placement(task.id, start, combo, room_id, site_id)
                if not {v.code for v in verify(problem, _plan(problem, (p,)))} & _STATIC:
                    out.append(p)
    return out


def brute_force_optimum(problem: Problem) -> int:
    """The least objective over every plan the verifier accepts (each task placed or not)."""
    options = [[None, *_placements(problem, t)] for t in problem.tasks]
    best = None
    for choice in itertools.product(*options):
        placements = tuple(p for p in choice if p is not None)
        if verify(problem, _plan(problem, placements)):
            continue
        value = evaluate(problem, placements).total
        best = value if best is None else min(best, value)
    assert best is not None  # the empty plan is always valid
    return best


@st.composite
def tiny_problems(draw: st.DrawFn) -> Problem:
    """One morning, two sites, one or two consultants and two tasks: small enough to try every plan."""
    problem = draw(day_problems())
    day = 0
    tasks = []
    for t in problem.tasks[:2]:
        dur = draw(st.integers(1, 3))
        tasks.append(replace(t, duration_slots=dur, window=Window(at(day, 8), at(day, 11)),
                             preferred_consultant_ids=(1,) if draw(st.booleans()) else ()))
    consultants = []
    for c in problem.consultants[:2]:
        h0 = draw(st.integers(8, 9))
        avail = (Window(at(day, h0), at(day, draw(st.integers(h0 + 1, 12)))),)
        bookings = tuple(b for b in c.bookings if b.start >= avail[0].start and b.end <= avail[0].end)
        pref = (Window(at(day, 9), at(day, 10)),) if draw(st.booleans()) else ()
        consultants.append(replace(c, available=avail, bookings=bookings, preferred=pref))
    citizens = tuple(
        replace(z, busy_days=frozenset(draw(st.lists(st.integers(0, 1), max_size=1)))) for z in problem.citizens
    )
    step = draw(st.sampled_from([1, 2]))
    lunch = draw(st.sampled_from([None, Lunch(9 * 60, 10 * 60, 30)]))
    rules = replace(problem.rules, lunch=lunch)
    return replace(problem, tasks=tuple(tasks), consultants=tuple(consultants), citizens=citizens, rules=rules,
                   params=replace(problem.params, start_step_slots=step, max_consultants_per_requirement=1))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_problems())
def test_the_real_bound_is_never_above_the_brute_force_optimum(problem: Problem) -> None:
    best = brute_force_optimum(problem)
    real = real_bound(problem)
    assert real.unavoidable <= real.bound <= best
    sol = solve(problem)
    assert verify(problem, sol) == []
    assert best <= sol.objective  # the brute force really saw every plan


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_plans())
def test_the_real_bound_is_never_above_a_random_valid_plan(case: tuple[Problem, Solution]) -> None:
    problem, plan = case
    placed = []
    for p in plan.placements:  # keep the placements that fit with the ones kept so far
        trial = (*placed, p)
        if not verify(problem, _plan(problem, trial)):
            placed.append(p)
    assert not verify(problem, _plan(problem, tuple(placed)))
    assert real_bound(problem).bound <= evaluate(problem, placed).total


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(small_problems(), day_problems()))
def test_the_real_bound_is_never_above_the_solvers_plans(problem: Problem) -> None:
    real = real_bound(problem)
    for plan in (solve(problem), greedy(problem)):
        assert verify(problem, plan) == []
        assert 0 <= real.unavoidable <= real.bound <= plan.objective
        gap = real.gap(plan.objective)
        assert gap is None or 0.0 <= gap <= 1.0


def test_a_start_off_the_grid_is_seen_by_the_real_bound_and_by_edge_starts() -> None:
    """A talk that only fits at 15:15 (citizen free from 15:15, consultant until 16:00): the plain
    30-minute candidate grid cannot place it, the real bound knows it can be placed, and the
    default candidates (starts where free time begins or ends) place it."""
    task = talk("t1", 1, duration_slots=3)
    problem = world(
        [task],
        consultants=[consultant(1, "Mette Hansen", "social")],
        citizens=[citizen(1, available=(Window(at(2, 15, 15), at(2, 16)),))],
        start_step_slots=2,
        edge_starts=False,
    )
    cs = build(problem)
    assert cs.by_task[0] == []  # nothing on the 30-minute grid
    real = real_bound(problem)
    assert real.unavoidable == 0 and real.bound < combinatorial_bound(cs)
    default = replace(problem, params=replace(problem.params, edge_starts=True))
    assert [c.start for c in build(default).candidates] == [at(2, 15, 15)]
    sol = solve(default)
    assert sol.placements[0].start_slot == at(2, 15, 15)
    assert real.bound <= sol.objective < combinatorial_bound(cs)


def test_edge_starts_follow_the_consultants_hours_too() -> None:
    """Consultant from 8:15: a talk at 8:15 is a candidate, 8:45 (off grid, no edge) is not."""
    problem = world(
        [talk("t1", 1, duration_slots=2)],
        consultants=[consultant(1, "Mette Hansen", "social", available=(Window(at(0, 8, 15), at(0, 10)),))],
    )
    starts = {c.start for c in build(problem).candidates}
    assert at(0, 8, 15) in starts and at(0, 9, 30) in starts  # begins / ends with the hours
    assert at(0, 8, 45) not in starts and at(0, 9) in starts  # the grid as before


def test_sites_and_rooms_are_relaxed_only_where_real() -> None:
    """A group session needs the group room: the real bound sees it can be placed; with no room big
    enough anywhere, it is unavoidable for the real bound too."""
    group = talk("g1", 1, citizen_ids=(1, 2, 3, 4, 5), room_features=frozenset({"group"}), duration_slots=8)
    problem = world([group])
    assert real_bound(problem).unavoidable == 0
    small = replace(problem, rooms=tuple(r for r in problem.rooms if "group" not in r.features))
    real = real_bound(small)
    assert real.unavoidable == real.bound > 0



def test_solve_reports_the_real_bound_and_its_gap() -> None:
    problem = world([talk("t1", 1), talk("t2", 2, "job"), talk("t3", 3, preferred_consultant_ids=(1,))])
    sol = solve(problem)
    real = real_bound(problem)
    assert sol.stats["real_bound"] == real.bound <= sol.objective
    assert sol.stats["real_unavoidable"] == real.unavoidable == 0
    assert sol.stats["real_gap"] == real.gap(sol.objective)
    assert 0.0 <= float(sol.stats["real_gap"]) <= 1.0  # type: ignore[arg-type]


def test_an_appointment_longer_than_a_run_limit_is_unavoidable_for_the_real_bound_too() -> None:
    from solver.lookup import Index
    from solver.objective import unplaced_cost
    from solver.problem import Booking, DayRules

    long_talk = talk("long", 1, duration_slots=16)
    problem = replace(world([long_talk, talk("short", 2)]), rules=DayRules(max_run_minutes=180))
    real = real_bound(problem, Index(problem))
    assert real is not None and real.unavoidable == unplaced_cost(Index(problem), long_talk)
    assert real.bound <= solve(problem).objective
    # On a day whose bookings elsewhere already break the limit it stays possible.
    mette = consultant(1, "Mette Hansen", "social", bookings=(Booking(at(2, 8), at(2, 12)),))
    booked = replace(problem, consultants=(mette,))
    assert real_bound(booked, Index(booked)).unavoidable == 0
    # A citizen's own run limit rules it out on every day.
    strict = replace(problem, citizens=(citizen(1, max_run_minutes=120), *problem.citizens[1:]))
    assert real_bound(strict, Index(strict)).unavoidable == unplaced_cost(Index(strict), long_talk)
