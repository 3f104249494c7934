"""Property tests for the rules of issue 12 (presence per place, travel in the day, lunch, runs):
on random small weeks the verifier's new checks agree with a brute-force slot-by-slot oracle
written here, on random plans and on every plan the solver and greedy make."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver.cpsat import solve
from solver.greedy import greedy
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
    SolveStatus,
    Task,
    Window,
    Workplace,
)
from solver.verify import Code, verify

from .builders import at, citizen, consultant, days, world

SITES = [Site(1, "Vejle", days(8, 16), "site:1"), Site(2, "Fredericia", days(8, 16), "site:2")]
ROOMS = [Room(11, 1, 4), Room(12, 1, 4), Room(21, 2, 4)]
COMPANIES = ["company:1", "company:2"]
PLACES = ["site:1", "site:2", *COMPANIES, "home:1", "home:2", "home:3"]
# The codes of the new checks, compared with the oracle.
NEW_CODES = (Code.CITIZEN_UNAVAILABLE, Code.CONSULTANT_TRAVEL, Code.CONSULTANT_LUNCH, Code.CONSULTANT_RUN,
             Code.CITIZEN_RUN, Code.CONSULTANT_UNAVAILABLE)


@st.composite
def day_problems(draw: st.DrawFn) -> Problem:
    """Two sites, companies and homes with random travel; consultants with bookings elsewhere;
    citizens with presence per place or the legacy fields; random day rules."""
    travel = {}
    for i, a in enumerate(PLACES):
        for b in PLACES[i + 1:]:
            travel[(a, b)] = draw(st.sampled_from([0, 10, 20, 25, 40]))
    consultants = [_consultant(draw, k) for k in range(1, draw(st.integers(1, 3)) + 1)]
    citizens = [_citizen(draw, z) for z in range(1, 4)]
    tasks = [_task(draw, i) for i in range(draw(st.integers(1, 6)))]
    lunch = draw(st.sampled_from([None, Lunch(), Lunch(11 * 60, 12 * 60 + 30, 45)]))
    rules = DayRules(
        travel=draw(st.booleans()),
        lunch=lunch,
        max_run_minutes=draw(st.sampled_from([None, 60, 90, 180])),
    )
    sites = list(SITES)
    if draw(st.booleans()):
        sites[1] = replace(sites[1], lunch=Lunch(12 * 60, 13 * 60, 30))
    problem = world(tasks, consultants=consultants, citizens=citizens, rooms=ROOMS, sites=sites, travel=travel,
                    start_step_slots=draw(st.sampled_from([1, 2])), max_time_seconds=5.0)
    return replace(problem, rules=rules)


def _consultant(draw: st.DrawFn, k: int) -> Consultant:
    day = st.integers(0, 1)
    shifts = []
    for d in sorted(set(draw(st.lists(day, min_size=1, max_size=2)))):
        h0 = draw(st.integers(8, 10))
        shifts.append(Window(at(d, h0), at(d, h0 + draw(st.integers(2, 6)))))
    bookings = tuple(
        Booking(at(d, h), at(d, h) + draw(st.integers(1, 4)), draw(st.sampled_from([None, *PLACES[:4]])))
        for d, h in draw(st.lists(st.tuples(day, st.integers(9, 14)), max_size=2, unique=True))
    )
    return consultant(k, f"K{k}", draw(st.sampled_from(["social", "job"])), site_ids=frozenset({1, 2}),
                      home_site_id=draw(st.sampled_from([1, 2])), available=tuple(shifts), bookings=bookings)


def _citizen(draw: st.DrawFn, z: int) -> Citizen:
    work_day = draw(st.integers(0, 1))
    work = (Window(at(work_day, 8), at(work_day, draw(st.integers(9, 13)))),)
    run = draw(st.sampled_from([None, 60, 120]))
    if draw(st.booleans()):  # legacy fields
        return citizen(z, available=days(8, 16, [1 - work_day]), internship=work, max_run_minutes=run)
    company = draw(st.sampled_from(COMPANIES))
    return citizen(z, available=(), free=days(8, 16, [1 - work_day]) + (Window(work[0].end, at(work_day, 16)),),
                   workplaces=(Workplace(company, work),), max_run_minutes=run)


def _task(draw: st.DrawFn, i: int) -> Task:
    place = draw(st.sampled_from(list(Place)))
    location = None
    if place == Place.COMPANY:
        location = draw(st.sampled_from(COMPANIES))
    elif place == Place.HOME:
        location = draw(st.sampled_from(PLACES[-3:]))
    return Task(
        id=f"t{i}",
        kind="talk",
        citizen_ids=(draw(st.integers(1, 3)),),
        staff_requirements=(frozenset({draw(st.sampled_from(["social", "job"]))}),),
        duration_slots=draw(st.integers(1, 8)),
        place=place,
        site_ids=frozenset(draw(st.sampled_from([[1], [2], [1, 2]]))),
        window=Window(at(0, 7), at(1, 18)),
        location_id=location,
        penalty_unplaced=draw(st.integers(1, 20)),
        reason_rule="Test",
    )


# -- the oracle: slot sets, no interval arithmetic shared with the verifier -----------------------------


def _slots(windows: tuple[Window, ...]) -> set[int]:
    return {t for w in windows for t in range(w.start, w.end)}


def _trip(problem: Problem, a: str | None, b: str | None) -> int:
    return 0 if a is None or b is None else problem.travel_slots(a, b)


def _present(problem: Problem, z: Citizen, task: Task, where: str | None) -> set[int]:
    if z.free is None:
        return _slots(z.internship if task.place == Place.COMPANY and z.internship else z.available)
    if task.place == Place.PHONE:
        return _slots(z.free)
    if task.place == Place.COMPANY:
        there = {t for wp in z.workplaces if wp.location_id == where for t in _slots(wp.windows)}
        if there:
            return there
    ok = set()
    spd = problem.slots_per_day
    for t in _slots(z.free):
        blocked = False
        for wp in z.workplaces:
            trip = _trip(problem, wp.location_id, where)
            for w in wp.windows:
                same_day = t // spd == w.start // spd
                blocked |= same_day and w.start - trip <= t < w.end + trip
        if not blocked:
            ok.add(t)
    return ok


def _place(problem: Problem, task: Task, p: Placement, c: Consultant) -> str | None:
    sites = {s.id: s for s in problem.sites}
    if task.place == Place.SITE:
        return sites[p.site_id].location_id if p.site_id in sites else None
    if task.place in (Place.COMPANY, Place.HOME):
        return task.location_id
    return sites[c.home_site_id].location_id


def oracle(problem: Problem, solution: Solution) -> set[Code]:
    """Which of NEW_CODES the plan breaks, found slot by slot."""
    found: set[Code] = set()
    tasks = {t.id: t for t in problem.tasks}
    people = {c.id: c for c in problem.consultants}
    citizens = {z.id: z for z in problem.citizens}
    stops: dict[tuple[int, int], list[tuple[int, int, str | None, bool]]] = {}
    citizen_slots: dict[int, list[range]] = {}
    for p in solution.placements:
        task = tasks[p.task_id]
        span = range(p.start_slot, p.start_slot + task.duration_slots)
        sites = {s.id: s for s in problem.sites}
        where = task.location_id
        if task.place == Place.SITE:
            where = sites[p.site_id].location_id
        for zid in task.citizen_ids:
            if not set(span) <= _present(problem, citizens[zid], task, where):
                found.add(Code.CITIZEN_UNAVAILABLE)
            citizen_slots.setdefault(zid, []).append(span)
        for kid in p.consultant_ids:
            c = people[kid]
            stops.setdefault((kid, problem.day_of(p.start_slot)), []).append(
                (span.start, span.stop, _place(problem, task, p, c), True))
            if not problem.rules.travel:
                trip = _trip(problem, _place(problem, task, p, c), problem.sites[c.home_site_id - 1].location_id)
                trip = trip if task.place in (Place.COMPANY, Place.HOME) else 0
                booked = {t for b in c.bookings for t in range(b.start, b.end)}
                busy = set(range(span.start - trip, span.stop + trip))
                if not busy <= _slots(c.available) - booked or span.start - trip < 0:
                    found.add(Code.CONSULTANT_UNAVAILABLE)
            elif not set(span) <= _slots(c.available):
                found.add(Code.CONSULTANT_UNAVAILABLE)
    for (kid, day), planned in stops.items():
        found |= _oracle_day(problem, people[kid], day, planned)
    for zid, spans in citizen_slots.items():
        limit = citizens[zid].max_run_minutes
        if limit is not None and _longest_run([set(s) for s in spans], problem) > problem.run_slots(limit):
            found.add(Code.CITIZEN_RUN)
    return found


def _oracle_day(problem: Problem, c: Consultant, day: int, planned: list) -> set[Code]:
    found: set[Code] = set()
    spd = problem.slots_per_day
    home = problem.sites[c.home_site_id - 1].location_id
    booked = sorted(((b.start, b.end, b.location_id, False) for b in c.bookings if b.start // spd == day),
                    key=lambda s: (s[0], s[1]))
    seq = sorted(planned + booked, key=lambda s: (s[0], s[1]))
    travel = problem.rules.travel
    work = _slots(c.available)
    # what the consultant does in each slot: appointment, or travel placed right after the previous stop
    if travel:
        for a, b in zip(seq, seq[1:], strict=False):
            free = [t for t in range(a[1], b[0])]
            clash = set(range(a[0], a[1])) & set(range(b[0], b[1])) or len(free) < _trip(problem, a[2], b[2])
            if clash and (a[3] or b[3]):
                found.add(Code.CONSULTANT_TRAVEL)
        for k, (s, e, loc, mine) in enumerate(seq):
            if not mine or not set(range(s, e)) <= work:
                continue
            lo, hi = s, e  # the working stretch around the stop
            while lo - 1 in work:
                lo -= 1
            while hi in work:
                hi += 1
            before = k > 0 and seq[k - 1][1] > lo
            after = k + 1 < len(seq) and seq[k + 1][0] < hi
            late_start = not before and s - _trip(problem, home, loc) < lo
            if late_start or (not after and e + _trip(problem, loc, home) > hi):
                found.add(Code.CONSULTANT_UNAVAILABLE)
    lunch = problem.lunch_of(c)
    if lunch is not None and planned and not _lunch_ok(problem, lunch, day, seq, home, travel):
        if _lunch_ok(problem, lunch, day, booked, home, travel):
            found.add(Code.CONSULTANT_LUNCH)
    limit = problem.rules.max_run_minutes
    if limit is not None and planned and _consultant_run(problem, booked, home, travel) <= problem.run_slots(limit):
        if _consultant_run(problem, seq, home, travel) > problem.run_slots(limit):
            found.add(Code.CONSULTANT_RUN)
    return found


def _occupied(problem: Problem, seq: list, home: str, travel: bool) -> set[int]:
    """Slots taken by appointments, and without travel in the day the visits' trips from and to the home site."""
    taken: set[int] = set()
    for s, e, loc, mine in seq:
        trip = 0 if travel or not mine or loc is None or loc.startswith("site:") else _trip(problem, home, loc)
        taken |= set(range(s - trip, e + trip))
    return taken


def _lunch_ok(problem: Problem, lunch: Lunch, day: int, seq: list, home: str, travel: bool) -> bool:
    first, end, length = problem.lunch_slots(lunch, day)
    taken = _occupied(problem, seq, home, travel)
    for p in range(first, end - length + 1):
        if set(range(p, p + length)) & taken:
            continue
        if not travel:
            return True
        # the lunch sits in one gap; that gap still needs its trip besides the lunch
        before = [x for x in seq if x[1] <= p]
        after = [x for x in seq if x[0] >= p + length]
        if not before or not after:
            return True
        a, b = max(before, key=lambda x: x[1]), min(after, key=lambda x: x[0])
        if b[0] - a[1] - length >= _trip(problem, a[2], b[2]):
            return True
    return False


def _consultant_run(problem: Problem, seq: list, home: str, travel: bool) -> int:
    if not travel:
        return _longest_run([_occupied(problem, [x], home, False) for x in seq], problem)
    longest, run_start, run_end, prev = 0, None, None, None
    for s, e, loc, _ in seq:
        if prev is not None and s - prev[1] - _trip(problem, prev[2], loc) < 1:
            run_end = max(run_end, e)
        else:
            run_start, run_end = s, e
        longest = max(longest, run_end - run_start)
        prev = (s, e, loc)
    return longest


def _longest_run(spans: list[set[int]], problem: Problem) -> int:
    taken = set().union(*spans) if spans else set()
    longest = 0
    for t in taken:
        if t - 1 in taken and t % problem.slots_per_day:
            continue
        n = 0
        while t + n in taken and (t + n) // problem.slots_per_day == t // problem.slots_per_day:
            n += 1
        longest = max(longest, n)
    return longest


@st.composite
def random_plans(draw: st.DrawFn) -> tuple[Problem, Solution]:
    problem = draw(day_problems())
    placements = []
    for task in problem.tasks:
        if not draw(st.booleans()):
            continue
        kid = draw(st.sampled_from([c.id for c in problem.consultants]))
        day = draw(st.integers(0, 1))
        start = draw(st.integers(at(day, 8), at(day, 16) - task.duration_slots))  # inside one day
        site = draw(st.sampled_from([1, 2])) if task.place == Place.SITE else None
        room = {1: 11, 2: 21}[site] if site is not None else None
        placements.append(Placement(task.id, start, (kid,), room, site))
    return problem, Solution(tuple(placements), (), SolveStatus.GREEDY, 0, None, None, 0)


def _new_codes(problem: Problem, solution: Solution) -> set[Code]:
    return {v.code for v in verify(problem, solution) if v.code in NEW_CODES}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_plans())
def test_the_verifier_agrees_with_the_oracle_on_random_plans(case: tuple[Problem, Solution]) -> None:
    problem, solution = case
    assert _new_codes(problem, solution) == oracle(problem, solution)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(day_problems())
def test_every_plan_keeps_the_day_rules(problem: Problem) -> None:
    for plan in (solve(problem), greedy(problem)):
        assert verify(problem, plan) == []
        assert oracle(problem, plan) == set()
    sol = solve(problem)
    assert sol.objective <= greedy(problem).objective
