"""Pins, and re-planning a published week after a consultant reports sick."""

from dataclasses import replace

from solver.cpsat import solve
from solver.generate import generate
from solver.problem import Placement, Window
from solver.verify import verify

from .builders import MEETING, at, consultant, placement_map, talk, world


def test_pinned_task_stays_exactly_where_pinned() -> None:
    pin = Placement("a", at(2, 13), (1,), 11, 1)
    problem = world([talk("a", 1, pinned=pin), talk("b", 2)])
    sol = solve(problem)
    assert verify(problem, sol) == []
    assert placement_map(sol)["a"] == pin


def test_pin_that_cannot_be_held_is_reported_in_danish() -> None:
    pin = Placement("a", at(2, 13), (1,), 11, 1)
    problem = world([talk("a", 1, pinned=pin)])
    problem = replace(
        problem,
        consultants=(
            replace(problem.consultants[0], available=(Window(at(0, 8), at(0, 16)),)),
            *problem.consultants[1:],
        ),
    )
    sol = solve(problem)
    # Not working then (no absence recorded): the hours are named, not an absence.
    assert sol.unplaced[0].reason.startswith(
        "Fastlåst tid onsdag 13:00 kan ikke holdes: Mette Hansen arbejder ikke på det tidspunkt"
    )
    assert sol.unplaced[0].cause.code == "pin_broken"
    assert sol.unplaced[0].cause.params == {"blocker": "consultant_hours"}


def test_sick_from_wednesday_moves_few_appointments() -> None:
    base = generate("S", 3)
    base = replace(base, params=replace(base.params, num_workers=2, max_time_seconds=10))
    first = solve(base)
    assert verify(base, first) == []
    published = placement_map(first)
    busiest = max(
        (c for c in base.consultants),
        key=lambda c: sum(1 for p in first.placements if c.id in p.consultant_ids and base.day_of(p.start_slot) >= 2),
    )
    affected = {
        p.task_id for p in first.placements if busiest.id in p.consultant_ids and base.day_of(p.start_slot) >= 2
    }
    assert affected
    sick = replace(busiest, available=tuple(w for w in busiest.available if w.end <= at(2, 0)))
    replanned_problem = replace(
        base,
        consultants=tuple(sick if c.id == busiest.id else c for c in base.consultants),
        tasks=tuple(replace(t, previous=published.get(t.id)) for t in base.tasks),
    )
    second = solve(replanned_problem)
    assert verify(replanned_problem, second) == []
    moved = set(second.moved_task_ids)
    assert affected <= moved  # what the sick consultant held from Wednesday had to move
    assert len(moved) <= len(affected) + 3  # and hardly anything else
    kept = placement_map(second)
    for tid, p in published.items():
        if tid not in moved:
            assert kept[tid].start_slot == p.start_slot and kept[tid].consultant_ids == p.consultant_ids


def test_an_appointment_that_stays_keeps_its_room_when_a_moved_one_starts_earlier() -> None:
    # Lars's talk stays Monday 09:00 in room 11. Mette's Wednesday talk (also room 11) must move to
    # Monday 08:30, overlapping it: handing rooms out by start time would give Mette's talk room 11
    # (its own previous room) and move Lars's untouched talk to room 13 — a new LOCATION for nothing.
    other = replace(MEETING, id=13, name="Mødelokale 2")
    stays = talk("y", 1, previous=Placement("y", at(0, 9), (2,), 11, 1))
    moves = talk("x", 2, previous=Placement("x", at(2, 9), (1,), 11, 1))
    problem = world(
        [stays, moves],
        consultants=[
            consultant(1, "Mette Hansen", "social", available=(Window(at(0, 8, 30), at(0, 9, 30)),)),
            consultant(2, "Lars Jensen", "social"),
        ],
        rooms=[MEETING, other],
    )
    sol = solve(problem)
    assert verify(problem, sol) == []
    placed = placement_map(sol)
    assert placed["x"].start_slot == at(0, 8, 30) and placed["x"].room_id == 13
    assert placed["y"] == Placement("y", at(0, 9), (2,), 11, 1)
