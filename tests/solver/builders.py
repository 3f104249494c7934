"""Small hand-built worlds for solver tests (no Django)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from solver.problem import (
    Citizen,
    Consultant,
    Placement,
    Problem,
    Room,
    Site,
    SolverParams,
    Task,
    Window,
)

WEEK = date(2025, 3, 3)
PARAMS = SolverParams(num_workers=1, random_seed=7, max_time_seconds=10.0)
GRID = Problem(WEEK, (), (), (), (), (), PARAMS)
WEEK_WINDOW = Window(0, GRID.num_slots)


def at(day: int, hh: int, mm: int = 0) -> int:
    return GRID.slot_of(day, hh, mm)


def days(h0: int, h1: int, which: range | list[int] = range(5)) -> tuple[Window, ...]:
    return tuple(Window(at(d, h0), at(d, h1)) for d in which)


VEJLE = Site(1, "Vejle", days(8, 16), "site:1")
MEETING = Room(11, 1, 4, frozenset(), "Mødelokale 1")
GROUPROOM = Room(12, 1, 16, frozenset({"group"}), "Kursuslokale")


def consultant(kid: int, name: str, staff: str, **kw: object) -> Consultant:
    base = dict(
        id=kid,
        name=name,
        staff_types=frozenset({staff}),
        site_ids=frozenset({1}),
        home_site_id=1,
        contracted_minutes_per_week=37 * 60,
        available=days(8, 16),
    )
    base.update(kw)
    return Consultant(**base)  # type: ignore[arg-type]


def citizen(zid: int, **kw: object) -> Citizen:
    base = dict(id=zid, label=f"B{zid}", site_id=1, available=days(8, 16))
    base.update(kw)
    return Citizen(**base)  # type: ignore[arg-type]


def talk(tid: str, zid: int, staff: str = "social", **kw: object) -> Task:
    base = dict(
        id=tid,
        kind="talk",
        citizen_ids=(zid,),
        staff_requirements=(frozenset({staff}),),
        duration_slots=4,
        place="site",
        site_ids=frozenset({1}),
        window=WEEK_WINDOW,
        reason_rule="Individuel samtale mindst hver 28. dag",
    )
    base.update(kw)
    return Task(**base)  # type: ignore[arg-type]


def world(
    tasks: list[Task],
    consultants: list[Consultant] | None = None,
    citizens: list[Citizen] | None = None,
    rooms: list[Room] | None = None,
    sites: list[Site] | None = None,
    travel: dict[tuple[str, str], int] | None = None,
    **params: object,
) -> Problem:
    return Problem(
        week_start=WEEK,
        sites=tuple(sites or [VEJLE]),
        rooms=tuple(rooms if rooms is not None else [MEETING, GROUPROOM]),
        consultants=tuple(
            consultants or [consultant(1, "Mette Hansen", "social"), consultant(2, "Lars Jensen", "job")]
        ),
        citizens=tuple(citizens or [citizen(z) for z in range(1, 6)]),
        tasks=tuple(tasks),
        params=replace(PARAMS, **params),  # type: ignore[arg-type]
        travel_minutes=travel or {},
    )


def placement_map(solution: object) -> dict[str, Placement]:
    return {p.task_id: p for p in solution.placements}  # type: ignore[attr-defined]
