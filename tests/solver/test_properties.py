"""Property tests on random small weeks: every plan is valid, checked twice (the verifier and
a brute-force slot-by-slot oracle written here)."""

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver.cpsat import solve
from solver.greedy import greedy
from solver.problem import Problem, Room, Solution, Task, Window
from solver.verify import verify

from .builders import PARAMS, at, citizen, consultant, world


@st.composite
def small_problems(draw: st.DrawFn) -> Problem:
    staff = ["social", "job", "health"]
    consultants = []
    for k in range(1, draw(st.integers(1, 3)) + 1):
        avail_days = draw(st.lists(st.integers(0, 4), min_size=0, max_size=5, unique=True))
        h0 = draw(st.integers(8, 12))
        consultants.append(
            consultant(
                k,
                f"K{k}",
                draw(st.sampled_from(staff)),
                available=tuple(Window(at(d, h0), at(d, h0 + draw(st.integers(1, 4)))) for d in sorted(avail_days)),
                contracted_minutes_per_week=draw(st.sampled_from([60, 240, 2220])),
            )
        )
    citizens = []
    for z in range(1, draw(st.integers(1, 4)) + 1):
        d = sorted(draw(st.lists(st.integers(0, 4), min_size=1, max_size=5, unique=True)))
        citizens.append(
            citizen(
                z,
                available=tuple(Window(at(x, 8), at(x, 16)) for x in d),
                internship=tuple(Window(at(x, 8), at(x, 12)) for x in range(5) if x not in d),
                max_minutes_per_day=draw(st.sampled_from([None, 60, 120])),
                busy_days=frozenset(draw(st.lists(st.integers(0, 4), max_size=2, unique=True))),
            )
        )
    tasks = []
    for i in range(draw(st.integers(1, 6))):
        place = draw(st.sampled_from(["site", "site", "phone", "company", "home"]))
        members = draw(st.lists(st.sampled_from([c.id for c in citizens]), min_size=1, max_size=2, unique=True))
        day0 = draw(st.integers(0, 4))
        day1 = draw(st.integers(day0, 4))
        needs = draw(st.lists(st.sampled_from(staff), min_size=1, max_size=2))
        tasks.append(
            Task(
                id=f"t{i}",
                kind="talk",
                citizen_ids=tuple(members) if place in ("site", "phone") else tuple(members[:1]),
                staff_requirements=tuple(frozenset({s}) for s in needs),
                duration_slots=draw(st.integers(1, 6)),
                place=place,
                site_ids=frozenset({1}),
                window=Window(at(day0, 7), at(day1, 18) if day1 < 4 else at(4, 18)),
                location_id=f"{place}:{i}" if place in ("company", "home") else None,
                preferred_consultant_ids=(consultants[0].id,) if draw(st.booleans()) else (),
                penalty_unplaced=draw(st.integers(1, 20)),
                reason_rule="Test",
            )
        )
    travel = {("site:1", f"{t.place}:{i}"): draw(st.sampled_from([0, 15, 25])) for i, t in enumerate(tasks)}
    rooms = [Room(11, 1, 4)] + ([Room(12, 1, 4)] if draw(st.booleans()) else [])
    return world(
        tasks,
        consultants=consultants,
        citizens=citizens,
        rooms=rooms,
        travel=travel,
        start_step_slots=draw(st.sampled_from([1, 2])),
        max_time_seconds=5.0,
    )


def oracle(problem: Problem, solution: Solution) -> None:
    """Slot sets per person/room; intervals recomputed from scratch."""
    tasks = {t.id: t for t in problem.tasks}
    homes = {c.id: c for c in problem.consultants}
    taken: dict[tuple[str, int], set[int]] = {}
    for p in solution.placements:
        t = tasks[p.task_id]
        travel = 0
        if t.place in ("company", "home"):
            travel = -(-problem.travel("site:1", t.location_id) // 15)
        spans = [
            (("c", k), range(p.start_slot - travel, p.start_slot + t.duration_slots + travel)) for k in p.consultant_ids
        ]
        spans += [(("z", z), range(p.start_slot, p.start_slot + t.duration_slots)) for z in t.citizen_ids]
        if p.room_id is not None:
            spans.append((("r", p.room_id), range(p.start_slot, p.start_slot + t.duration_slots)))
        for key, slots in spans:
            used = taken.setdefault(key, set())
            assert not used & set(slots), f"{key} double-booked by {p.task_id}"
            used |= set(slots)
            if key[0] == "c":
                avail = set().union(*(range(w.start, w.end) for w in homes[key[1]].available))
                assert set(slots) <= avail


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_every_plan_is_valid(problem: Problem) -> None:
    sol = solve(problem)
    assert verify(problem, sol) == []
    oracle(problem, sol)
    g = greedy(problem)
    assert verify(problem, g) == []
    oracle(problem, g)
    assert sol.objective <= g.objective
    # Bounds are never negative and never above a plan (combinatorial and CP-SAT alike).
    assert sol.best_bound is not None and 0 <= sol.best_bound <= sol.objective
    assert 0 <= int(sol.stats["combinatorial_bound"]) <= sol.objective  # type: ignore[call-overload]
    if sol.status == "OPTIMAL":
        assert sol.best_bound == sol.objective
    assert {p.task_id for p in sol.placements} | {u.task_id for u in sol.unplaced} == {t.id for t in problem.tasks}


def test_params_are_explicit() -> None:
    assert PARAMS.num_workers == 1
    assert replace(PARAMS, num_workers=2).num_workers == 2
