"""The verifier names every broken rule as a Violation: a stable code, the task, the part of the
placement to change and the numbers involved, with a readable English sentence.

`SCENARIOS` holds one small broken plan per code; tests/api/test_violation_wording.py words each
of them in Danish."""

from collections.abc import Callable
from dataclasses import replace

import pytest

from solver.problem import (
    DayRules,
    Lunch,
    Place,
    Placement,
    Problem,
    Room,
    Site,
    Solution,
    SolveStatus,
    Unplaced,
    Window,
)
from solver.verify import Code, Field, Violation, verify

from .builders import VEJLE, at, citizen, consultant, days, talk, world

FREDERICIA = Site(2, "Fredericia", days(8, 16), "site:2")
FREDERICIA_ROOM = Room(21, 2, 4, frozenset(), "Mødelokale F")
MONDAY_9 = at(0, 9)


def _plan(*placements: Placement, unplaced: tuple[Unplaced, ...] = ()) -> Solution:
    return Solution(tuple(placements), unplaced, SolveStatus.FEASIBLE, 0, None, None, 0)


def at_vejle(
    task_id: str, start: int = MONDAY_9, consultants: tuple[int, ...] = (1,), room: int | None = 11
) -> Placement:
    return Placement(task_id, start, consultants, room, 1)


def _one_talk(**task: object) -> Problem:
    return world([talk("t1", 1, **task)])


def _two_sites(*tasks: object, consultants: list | None = None) -> Problem:
    return world(list(tasks), sites=[VEJLE, FREDERICIA], consultants=consultants,  # type: ignore[arg-type]
                 rooms=[*world([]).rooms, FREDERICIA_ROOM])


def _two_site_day() -> Problem:
    """Mette serves Vejle and Fredericia, 25 minutes apart, with travel in the day."""
    both = frozenset({1, 2})
    mette = consultant(1, "Mette Hansen", "social", site_ids=both)
    problem = _two_sites(talk("t1", 1), talk("t2", 2, site_ids=both), consultants=[mette])
    return replace(problem, travel_minutes={("site:1", "site:2"): 25}, rules=DayRules(travel=True))


Scenario = Callable[[], tuple[Problem, Solution]]
# code -> (broken plan, the task and the field the violation must name)
SCENARIOS: dict[Code, tuple[Scenario, str | None, Field | None]] = {
    Code.UNKNOWN_TASK: (lambda: (_one_talk(), _plan(at_vejle("t1"), at_vejle("zz", at(1, 9)))), "zz", None),
    Code.PLACED_TWICE: (lambda: (_one_talk(), _plan(at_vejle("t1"), at_vejle("t1", at(1, 9)))), "t1", None),
    Code.OUTSIDE_WINDOW: (
        lambda: (_one_talk(window=Window(at(1, 8), at(1, 16))), _plan(at_vejle("t1"))), "t1", Field.START),
    Code.NOT_WITHIN_ONE_DAY: (lambda: (_one_talk(), _plan(at_vejle("t1", at(0, 17, 30)))), "t1", Field.START),
    Code.FIXED_START_MOVED: (
        lambda: (_one_talk(fixed_start=at(0, 10)), _plan(at_vejle("t1"))), "t1", Field.START),
    Code.PINNED_MOVED: (
        lambda: (_one_talk(pinned=at_vejle("t1", at(0, 10))), _plan(at_vejle("t1"))), "t1", Field.START),
    Code.EXTERNAL_ABSENT: (
        lambda: (_one_talk(external_windows=(Window(at(1, 8), at(1, 12)),)), _plan(at_vejle("t1"))),
        "t1", Field.START),
    Code.GROUP_SIZE: (
        lambda: (world([talk("t1", 1, citizen_ids=(1, 2), min_participants=3)]), _plan(at_vejle("t1"))), "t1", None),
    Code.CONSULTANT_COUNT: (lambda: (_one_talk(), _plan(at_vejle("t1", consultants=(1, 2)))), "t1", Field.CONSULTANTS),
    Code.CONSULTANT_TWICE: (
        lambda: (_one_talk(staff_requirements=(frozenset({"social"}), frozenset({"social", "job"}))),
                 _plan(at_vejle("t1", consultants=(1, 1)))),
        "t1", Field.CONSULTANTS),
    Code.UNKNOWN_CONSULTANT: (lambda: (_one_talk(), _plan(at_vejle("t1", consultants=(99,)))), "t1", Field.CONSULTANTS),
    Code.CONSULTANT_STAFF_TYPE: (
        lambda: (_one_talk(), _plan(at_vejle("t1", consultants=(2,)))), "t1", Field.CONSULTANTS),
    Code.CONSULTANT_NOT_ALLOWED: (
        lambda: (_one_talk(allowed_consultant_ids=frozenset({2})), _plan(at_vejle("t1"))), "t1", Field.CONSULTANTS),
    Code.CONSULTANT_NO_TASK_SITE: (
        lambda: (_two_sites(talk("t1", 1), consultants=[
            consultant(1, "Mette Hansen", "social", site_ids=frozenset({2}), home_site_id=2)]),
            _plan(at_vejle("t1"))),
        "t1", Field.CONSULTANTS),
    Code.CONSULTANT_NOT_AT_SITE: (
        lambda: (_two_sites(talk("t1", 1, site_ids=frozenset({1, 2}))), _plan(Placement("t1", MONDAY_9, (1,), 21, 2))),
        "t1", Field.CONSULTANTS),
    Code.CONSULTANT_UNAVAILABLE: (
        lambda: (world([talk("t1", 1)],
                       consultants=[consultant(1, "Mette Hansen", "social", available=days(8, 16, [1]))]),
                 _plan(at_vejle("t1"))),
        "t1", Field.START),
    Code.CITIZEN_UNAVAILABLE: (
        lambda: (world([talk("t1", 1)], citizens=[citizen(1, available=days(8, 16, [1]))]), _plan(at_vejle("t1"))),
        "t1", Field.START),
    Code.SITE_NOT_ALLOWED: (
        lambda: (_two_sites(talk("t1", 1)), _plan(Placement("t1", MONDAY_9, (1,), 21, 2))), "t1", Field.ROOM),
    Code.SITE_CLOSED: (
        lambda: (world([talk("t1", 1)], sites=[replace(VEJLE, open_windows=days(8, 16, [1]))]), _plan(at_vejle("t1"))),
        "t1", Field.START),
    Code.NO_ROOM: (lambda: (_one_talk(), _plan(at_vejle("t1", room=None))), "t1", Field.ROOM),
    Code.ROOM_WRONG_SITE: (lambda: (_two_sites(talk("t1", 1)), _plan(at_vejle("t1", room=21))), "t1", Field.ROOM),
    Code.ROOM_TOO_SMALL: (lambda: (_one_talk(room_min_capacity=10), _plan(at_vejle("t1"))), "t1", Field.ROOM),
    Code.ROOM_LACKS_FEATURES: (
        lambda: (_one_talk(room_features=frozenset({"group"})), _plan(at_vejle("t1"))), "t1", Field.ROOM),
    Code.ROOM_OFF_SITE: (lambda: (_one_talk(place=Place.PHONE), _plan(at_vejle("t1"))), "t1", Field.ROOM),
    Code.CONSULTANT_DOUBLE_BOOKED: (
        lambda: (world([talk("t1", 1), talk("t2", 2)]), _plan(at_vejle("t1"), at_vejle("t2", room=12))),
        "t2", Field.START),
    Code.CITIZEN_DOUBLE_BOOKED: (
        lambda: (world([talk("t1", 1), talk("t2", 1, staff="job")]),
                 _plan(at_vejle("t1"), at_vejle("t2", consultants=(2,), room=12))),
        "t2", Field.START),
    Code.ROOM_DOUBLE_BOOKED: (
        lambda: (world([talk("t1", 1), talk("t2", 2, staff="job")]),
                 _plan(at_vejle("t1"), at_vejle("t2", consultants=(2,)))),
        "t2", Field.ROOM),
    Code.CITIZEN_DAY_LIMIT: (
        lambda: (world([talk("t1", 1), talk("t2", 1, staff="job")], citizens=[citizen(1, max_minutes_per_day=60)]),
                 _plan(at_vejle("t1"), at_vejle("t2", at(0, 11), consultants=(2,)))),
        None, Field.START),
    Code.CONSULTANT_CONTRACT: (
        lambda: (world([talk("t1", 1)], consultants=[consultant(1, "Mette Hansen", "social",
                                                                contracted_minutes_per_week=30)]),
                 _plan(at_vejle("t1"))),
        None, Field.CONSULTANTS),
    Code.CONSULTANT_TRAVEL: (
        lambda: (_two_site_day(), _plan(at_vejle("t1"), Placement("t2", at(0, 10), (1,), 21, 2))),
        "t2", Field.START),
    Code.CONSULTANT_LUNCH: (
        lambda: (replace(world([talk("t1", 1, duration_slots=12)]), rules=DayRules(lunch=Lunch())),
                 _plan(at_vejle("t1", at(0, 10, 30)))),
        "t1", Field.START),
    Code.CONSULTANT_RUN: (
        lambda: (replace(world([talk("t1", 1, duration_slots=8), talk("t2", 2, duration_slots=8)]),
                         rules=DayRules(max_run_minutes=180)),
                 _plan(at_vejle("t1", at(0, 8)), at_vejle("t2", at(0, 10)))),
        "t2", Field.START),
    Code.CITIZEN_RUN: (
        lambda: (world([talk("t1", 1), talk("t2", 1, staff="job")], citizens=[citizen(1, max_run_minutes=60)]),
                 _plan(at_vejle("t1"), at_vejle("t2", at(0, 10), consultants=(2,), room=12))),
        "t2", Field.START),
    Code.UNPLACED_TWICE: (
        lambda: (world([talk("t1", 1), talk("t2", 2)]),
                 _plan(at_vejle("t1"), unplaced=(Unplaced("t2", "a"), Unplaced("t2", "b")))),
        "t2", None),
    Code.PLACED_AND_UNPLACED: (
        lambda: (_one_talk(), _plan(at_vejle("t1"), unplaced=(Unplaced("t1", "a"),))), "t1", None),
    Code.UNPLACED_WITHOUT_REASON: (lambda: (_one_talk(), _plan(unplaced=(Unplaced("t1", "  "),))), "t1", None),
    Code.TASK_MISSING: (lambda: (world([talk("t1", 1), talk("t2", 2)]), _plan(at_vejle("t1"))), "t2", None),
}


def scenario_violation(code: Code) -> Violation:
    """The violation of `code` in its scenario's broken plan."""
    make, _task, _field = SCENARIOS[code]
    problem, solution = make()
    return next(v for v in verify(problem, solution) if v.code == code)


def test_every_code_has_a_scenario() -> None:
    assert set(SCENARIOS) == set(Code)


def test_the_unbroken_plans_are_valid() -> None:
    assert verify(_one_talk(), _plan(at_vejle("t1"))) == []
    two = world([talk("t1", 1), talk("t2", 2, staff="job")])
    assert verify(two, _plan(at_vejle("t1"), at_vejle("t2", at(0, 10), consultants=(2,)))) == []


@pytest.mark.parametrize("code", list(Code), ids=str)
def test_each_broken_rule_is_named_with_its_task_and_field(code: Code) -> None:
    make, task_id, fld = SCENARIOS[code]
    problem, solution = make()
    found = [v for v in verify(problem, solution) if v.code == code]
    assert len(found) == 1, verify(problem, solution)
    (violation,) = found
    assert (violation.task_id, violation.field) == (task_id, fld)
    sentence = str(violation)
    assert sentence and "{" not in sentence
    if task_id is not None and code not in (Code.CITIZEN_DAY_LIMIT, Code.CONSULTANT_CONTRACT, Code.UNPLACED_TWICE):
        assert task_id in sentence
    assert all(isinstance(v, int | str | tuple | type(None)) for v in violation.params.values())


def test_sentences_read_as_before() -> None:
    # Stable English for logs and stats (runs store the first violations as text).
    assert str(scenario_violation(Code.CONSULTANT_UNAVAILABLE)) == (
        f"task t1 at slot {MONDAY_9}: consultant Mette Hansen not available {MONDAY_9}..{MONDAY_9 + 4} (incl. travel)"
    )
    assert str(scenario_violation(Code.CONSULTANT_DOUBLE_BOOKED)) == (
        f"consultant 1 double-booked: t1 and t2 (slot {MONDAY_9})"
    )
    assert str(scenario_violation(Code.ROOM_LACKS_FEATURES)) == f"task t1 at slot {MONDAY_9}: room 11 lacks ['group']"
    assert str(scenario_violation(Code.UNPLACED_TWICE)) == "a task is listed as unplaced twice"


def test_violations_compare_and_hash_by_value() -> None:
    a, b = scenario_violation(Code.ROOM_TOO_SMALL), scenario_violation(Code.ROOM_TOO_SMALL)
    assert a == b and len({a, b}) == 1
    assert a.params == {"slot": MONDAY_9, "room_id": 11, "capacity": 4, "needed": 10}
