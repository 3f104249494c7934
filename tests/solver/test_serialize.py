"""Problems and Solutions travel to background workers as plain JSON data and come back equal."""

import json
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver.cpsat import solve_part
from solver.decompose import decompose, merge
from solver.problem import (
    Booking,
    Citizen,
    Consultant,
    DayRules,
    Lunch,
    Place,
    Placement,
    Problem,
    Room,
    Site,
    Solution,
    SolverParams,
    SolveStatus,
    Task,
    Unplaced,
    Weights,
    Window,
    Workplace,
)
from solver.serialize import problem_from_dict, problem_to_dict, solution_from_dict, solution_to_dict
from solver.verify import verify

from .test_decompose_diagnose import two_regions
from .test_properties import small_problems

ids = st.integers(0, 10**6)
text = st.text(max_size=12)  # any Unicode, Danish letters included
loc = st.text(alphabet=st.characters(blacklist_characters="|"), min_size=1, max_size=10)
windows = st.tuples(st.integers(0, 200), st.integers(0, 50)).map(lambda a: Window(a[0], a[0] + a[1]))
window_tuple = st.lists(windows, max_size=3).map(tuple)
int_set = st.frozensets(ids, max_size=3)
str_set = st.frozensets(text, max_size=3)
lunches = st.builds(Lunch, earliest_minute=ids, latest_minute=ids, minutes=ids)
bookings = st.builds(Booking, start=ids, end=ids, location_id=st.none() | loc)
workplaces = st.builds(Workplace, location_id=loc, windows=window_tuple)
placements = st.builds(
    Placement,
    task_id=text,
    start_slot=ids,
    consultant_ids=st.lists(ids, max_size=3).map(tuple),
    room_id=st.none() | ids,
    site_id=st.none() | ids,
)
tasks = st.builds(
    Task,
    id=text,
    kind=text,
    citizen_ids=st.lists(ids, max_size=3).map(tuple),
    staff_requirements=st.lists(str_set, max_size=3).map(tuple),
    duration_slots=ids,
    place=st.sampled_from(Place),
    site_ids=int_set,
    window=windows,
    reason_rule=text,
    room_min_capacity=ids,
    room_features=str_set,
    location_id=st.none() | loc,
    external_windows=st.none() | window_tuple,
    preferred_consultant_ids=st.lists(ids, max_size=3).map(tuple),
    allowed_consultant_ids=st.none() | int_set,
    fixed_start=st.none() | ids,
    penalty_unplaced=ids,
    pinned=st.none() | placements,
    previous=st.none() | placements,
    min_participants=ids,
    max_participants=st.none() | ids,
    rule_id=st.none() | ids,
)
problems = st.builds(
    Problem,
    week_start=st.dates(date(2020, 1, 6), date(2040, 1, 1)).map(lambda d: d - timedelta(days=d.weekday())),
    sites=st.lists(
        st.builds(Site, id=ids, name=text, open_windows=window_tuple, location_id=loc, lunch=st.none() | lunches),
        max_size=3,
    ).map(tuple),
    rooms=st.lists(st.builds(Room, id=ids, site_id=ids, capacity=ids, features=str_set, name=text), max_size=3).map(
        tuple
    ),
    consultants=st.lists(
        st.builds(
            Consultant,
            id=ids,
            name=text,
            staff_types=str_set,
            site_ids=int_set,
            home_site_id=ids,
            contracted_minutes_per_week=ids,
            available=window_tuple,
            preferred=window_tuple,
            max_caseload=ids,
            caseload=ids,
            bookings=st.lists(bookings, max_size=2).map(tuple),
        ),
        max_size=3,
    ).map(tuple),
    citizens=st.lists(
        st.builds(
            Citizen,
            id=ids,
            label=text,
            site_id=ids,
            available=window_tuple,
            max_minutes_per_day=st.none() | ids,
            preferred_days=st.frozensets(st.integers(0, 4)),
            contact_consultant_id=st.none() | ids,
            busy_days=st.frozensets(st.integers(0, 4)),
            internship=window_tuple,
            free=st.none() | window_tuple,
            workplaces=st.lists(workplaces, max_size=2).map(tuple),
            max_run_minutes=st.none() | ids,
        ),
        max_size=3,
    ).map(tuple),
    tasks=st.lists(tasks, max_size=4).map(tuple),
    params=st.builds(
        SolverParams,
        num_workers=st.integers(1, 16),
        random_seed=ids,
        max_time_seconds=st.floats(0.5, 1000, allow_nan=False),
        use_hint=st.booleans(),
        log_search=st.booleans(),
    ),
    weights=st.builds(Weights, unplaced=ids, citizen_trip=ids),
    travel_minutes=st.dictionaries(st.tuples(loc, loc), st.integers(0, 300), max_size=4),
    day_start_minute=st.integers(0, 600),
    slot_minutes=st.sampled_from([5, 15, 30]),
    rules=st.builds(DayRules, travel=st.booleans(), lunch=st.none() | lunches, max_run_minutes=st.none() | ids),
)
json_leaf = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | text
json_values = st.recursive(
    json_leaf, lambda c: st.lists(c, max_size=3) | st.dictionaries(text, c, max_size=3), max_leaves=8
)
solutions = st.builds(
    Solution,
    placements=st.lists(placements, max_size=4).map(tuple),
    unplaced=st.lists(st.builds(Unplaced, task_id=text, reason=text), max_size=3).map(tuple),
    status=st.sampled_from(SolveStatus),
    objective=ids,
    best_bound=st.none() | ids,
    gap=st.none() | st.floats(0, 10, allow_nan=False),
    avoidable_objective=ids,
    stats=st.dictionaries(text, json_values, max_size=4),
    moved_task_ids=st.lists(text, max_size=3).map(tuple),
    cancelled=st.booleans(),
)


def through_json(data: dict[str, object]) -> dict[str, object]:
    return json.loads(json.dumps(data))


@settings(max_examples=60, deadline=None)
@given(problems)
def test_any_problem_survives_a_json_round_trip(problem: Problem) -> None:
    assert problem_from_dict(through_json(problem_to_dict(problem))) == problem


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_problems())
def test_valid_problems_survive_a_json_round_trip(problem: Problem) -> None:
    data = problem_to_dict(problem)
    assert problem_from_dict(through_json(data)) == problem
    assert data["travel_minutes"] and all("|" in k for k in data["travel_minutes"])  # type: ignore[union-attr]


@settings(max_examples=60, deadline=None)
@given(solutions)
def test_any_solution_survives_a_json_round_trip(solution: Solution) -> None:
    assert solution_from_dict(through_json(solution_to_dict(solution))) == solution


def test_enums_travel_as_their_plain_values_and_come_back_typed() -> None:
    problem = two_regions()
    data = through_json(problem_to_dict(problem))
    assert {t["place"] for t in data["tasks"]} <= {"site", "company", "home", "phone"}  # type: ignore[union-attr,index]
    again = problem_from_dict(data)
    assert all(type(t.place) is Place for t in again.tasks)
    solution = solve_part(decompose(problem)[0])
    encoded = through_json(solution_to_dict(solution))
    assert encoded["status"] == "OPTIMAL" and encoded["cancelled"] is False
    assert type(solution_from_dict(encoded).status) is SolveStatus


def test_dicts_written_before_the_typed_fields_still_read() -> None:
    problem = two_regions()
    data = through_json(problem_to_dict(problem))
    for task in data["tasks"]:  # type: ignore[union-attr]
        del task["rule_id"]  # type: ignore[index]
    # Written before presence per place, bookings and day rules (issue 12): all default to off.
    del data["rules"]
    for z in data["citizens"]:  # type: ignore[union-attr]
        for key in ("free", "workplaces", "max_run_minutes"):
            del z[key]  # type: ignore[index]
    for c in data["consultants"]:  # type: ignore[union-attr]
        del c["bookings"]  # type: ignore[index]
    for site in data["sites"]:  # type: ignore[union-attr]
        del site["lunch"]  # type: ignore[index]
    assert problem_from_dict(data) == problem
    solution = solve_part(decompose(problem)[0])
    encoded = through_json(solution_to_dict(solution))
    del encoded["cancelled"]
    assert solution_from_dict(encoded) == solution


def test_parts_solved_as_separate_jobs_merge_into_a_valid_plan() -> None:
    problem = two_regions()
    jobs = [json.dumps(problem_to_dict(p)) for p in decompose(problem)]  # what the queue carries
    answers = [json.dumps(solution_to_dict(solve_part(problem_from_dict(json.loads(j))))) for j in reversed(jobs)]
    merged = merge(problem, [solution_from_dict(json.loads(a)) for a in answers])
    assert verify(problem, merged) == []
    assert merged.status == "OPTIMAL" and merged.best_bound == merged.objective


def test_a_lost_part_is_refused_when_merging() -> None:
    problem = two_regions()
    first = solve_part(decompose(problem)[0])
    with pytest.raises(ValueError, match="missing"):
        merge(problem, [first])


def test_unknown_format_is_refused() -> None:
    data = problem_to_dict(two_regions())
    data["format"] = 99
    with pytest.raises(ValueError, match="format"):
        problem_from_dict(data)
