"""Course places: which waiting citizen joins which existing group course of their theme. Pure Python +
CP-SAT, no Django.

The caller (scheduler.planning.services.course_places_assign) gives the courses with the seats they have
left and how many members they still lack to reach their minimum, and one request per citizen and theme
with the courses whose every session the citizen can attend (their free time after internship, partial
return, fixed unavailability and the trip from work, their accommodations, their other courses) — the
same check the greedy pass makes. Two courses a citizen could take for two themes but not both (they
overlap, or together pass the citizen's most hours a day) are given as a clash.

Objective (maximised), in this order of weight:

* seats: `SEAT + priority` for every request seated (priority: days waited, so with seats short the
  longest-waiting are seated first, as in the greedy pass);
* `MINIMUM` for every course that reaches its minimum participants through the new places (a course
  below its minimum does not run, and then its members' sessions are not placed either);
* minus `TRIP` for every day a citizen must come in only for a new course (days they already come in
  for another course cost nothing).

Solved on one worker (deterministic for a given `random_seed`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

SEAT = 100_000
MAX_PRIORITY = 9_999
MINIMUM = 500
TRIP = 50


@dataclass(frozen=True, slots=True)
class PlaceCourse:
    id: int
    seats: int  # max participants minus the current members
    short: int = 0  # members still missing to reach the minimum (0: it runs already)
    days: tuple[int, ...] = ()  # weekdays of its sessions


@dataclass(frozen=True, slots=True)
class PlaceRequest:
    id: int  # the caller's index of (citizen, theme)
    citizen_id: int
    options: tuple[int, ...]  # courses the citizen can attend
    priority: int = 0  # days waited
    days_in: tuple[int, ...] = ()  # weekdays the citizen comes in already


@dataclass(frozen=True, slots=True)
class PlacesRequest:
    courses: tuple[PlaceCourse, ...]
    requests: tuple[PlaceRequest, ...]
    clashes: tuple[tuple[int, int, int], ...] = ()  # (citizen, course, course): not both
    time_limit: float = 5.0
    random_seed: int = 0


@dataclass(slots=True)
class PlacesResult:
    chosen: dict[int, int] = field(default_factory=dict)  # request id -> course id
    status: str = ""
    objective: float | None = None
    seconds: float = 0.0
    variables: int = 0

    @property
    def solved(self) -> bool:
        return self.status in ("optimal", "feasible")


def assign_places(request: PlacesRequest) -> PlacesResult:
    t0 = time.perf_counter()
    result = PlacesResult()
    courses = {c.id: c for c in request.courses}
    m = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    for r in request.requests:
        for k in r.options:
            if k in courses and courses[k].seats > 0:
                x[r.id, k] = m.new_bool_var(f"x{r.id}_{k}")
    if not x:
        result.status = "optimal"
        result.seconds = time.perf_counter() - t0
        return result
    by_request: dict[int, list[cp_model.IntVar]] = {}
    by_course: dict[int, list[cp_model.IntVar]] = {}
    by_citizen_course: dict[tuple[int, int], list[cp_model.IntVar]] = {}
    citizen_of = {r.id: r.citizen_id for r in request.requests}
    for (rid, k), var in x.items():
        by_request.setdefault(rid, []).append(var)
        by_course.setdefault(k, []).append(var)
        by_citizen_course.setdefault((citizen_of[rid], k), []).append(var)
    for vars_ in by_request.values():
        m.add_at_most_one(vars_)
    for vars_ in by_citizen_course.values():
        m.add_at_most_one(vars_)  # one place on a course, whatever theme asked for it
    for k, vars_ in by_course.items():
        m.add(sum(vars_) <= courses[k].seats)
    for z, a, b in request.clashes:
        m.add(sum(by_citizen_course.get((z, a), [])) + sum(by_citizen_course.get((z, b), [])) <= 1)
    reached = _minimum_terms(m, courses, by_course)
    trips = _trip_terms(m, request, courses, x, citizen_of)
    priority = {r.id: min(MAX_PRIORITY, max(0, r.priority)) for r in request.requests}
    m.maximize(
        sum((SEAT + priority[rid]) * var for (rid, _k), var in x.items()) + MINIMUM * sum(reached) - TRIP * sum(trips)
    )
    result.variables = len(x) + len(reached) + len(trips)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = request.time_limit
    # One worker with the full linear relaxation proves the optimum of an L demo week (213 requests,
    # 71 courses) in about 0.1 s; the default portfolio on one or two workers did not within 30 s.
    solver.parameters.num_workers = 1
    solver.parameters.linearization_level = 2
    solver.parameters.random_seed = request.random_seed
    status = solver.solve(m)
    result.status = solver.status_name(status).lower()
    result.seconds = time.perf_counter() - t0
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return result
    result.objective = solver.objective_value
    result.chosen = {rid: k for (rid, k), var in x.items() if solver.value(var)}
    return result


def _minimum_terms(m: cp_model.CpModel, courses: dict[int, PlaceCourse],
                   by_course: dict[int, list[cp_model.IntVar]]) -> list[cp_model.IntVar]:
    """One Boolean per course below its minimum that the new places could bring up to it."""
    reached = []
    for k, vars_ in by_course.items():
        short = courses[k].short
        if 0 < short <= len(vars_):
            ok = m.new_bool_var(f"min{k}")
            m.add(sum(vars_) >= short).only_enforce_if(ok)
            reached.append(ok)
    return reached


def _trip_terms(m: cp_model.CpModel, request: PlacesRequest, courses: dict[int, PlaceCourse],
                x: dict[tuple[int, int], cp_model.IntVar], citizen_of: dict[int, int]) -> list[cp_model.IntVar]:
    """One Boolean per citizen and weekday they would come in only for a new course."""
    days_in: dict[int, set[int]] = {}
    for r in request.requests:
        days_in.setdefault(r.citizen_id, set()).update(r.days_in)
    new_day: dict[tuple[int, int], cp_model.IntVar] = {}
    for (rid, k), var in x.items():
        z = citizen_of[rid]
        for d in courses[k].days:
            if d in days_in[z]:
                continue
            if (z, d) not in new_day:
                new_day[z, d] = m.new_bool_var(f"trip{z}_{d}")
            m.add_implication(var, new_day[z, d])
    return list(new_day.values())
