"""The CP-SAT model over the feasible candidates: variables, hard rules and the objective.

One Boolean per candidate ("place <task> ..."), one per task with candidates ("unplaced <task>"):
exactly one of them holds. Hard rules left after candidate filtering are resource sharing: at
most one per (consultant, slot), (citizen, slot), room pool counts per (room class, slot),
citizen minutes per day and consultant contracted minutes (`add_hard_constraints`).

The objective is built term by term, one function per `objective.Term` (`OBJECTIVE_TERMS`),
each the model form of the function of the same term in `solver.objective`, so the model's
objective equals `objective.evaluate()` of the plan it encodes (constant included) and
CP-SAT's bound is a bound on the number the benchmarks report. New terms (travel, breaks) get
a function in both places and an entry in `OBJECTIVE_TERMS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from solver.breaks import Breaks, breaks_of
from solver.candidates import Candidate, CandidateSet
from solver.components import Node
from solver.objective import (
    PLACEMENT_TERMS,
    Term,
    balance_key,
    consultant_loads,
    largest_loads,
    trip_days,
    unplaced_cost,
)

# per (consultant, day) with a lunch rule: lunch start slot -> "lunch starts here" Boolean
LunchVars = dict[tuple[int, int], dict[int, cp_model.IntVar]]
# a run rule's "break" Boolean with the candidates covering its slot and the tight gaps through it
BreakVar = tuple[cp_model.IntVar, list[int], list[tuple[list[int], list[int]]]]
# (first slot, end slot, variable index) of a candidate's use of one resource
Interval = tuple[int, int, int]
# (task index, variable index, minutes) of a candidate's use of a capped resource
Use = tuple[int, int, int]


@dataclass
class PlanningModel:
    """The model with its variables by meaning; `terms` is the objective, term by term."""

    cs: CandidateSet
    model: cp_model.CpModel
    x: list[cp_model.IntVar]  # per candidate: it is the task's placement
    unplaced: dict[int, cp_model.IntVar] = field(default_factory=dict)  # per task index with candidates
    max_load: dict[tuple[Node, str], cp_model.IntVar] = field(default_factory=dict)  # per (group, staff type)
    trips: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)  # per (citizen, day)
    lunch: LunchVars = field(default_factory=dict)  # per (consultant, day): lunch start -> Boolean
    breaks: list[BreakVar] = field(default_factory=list)  # run rules' break slots
    terms: dict[Term, tuple[int, list[tuple[cp_model.IntVar, int]]]] = field(default_factory=dict)

    def term_value(self, term: Term, solver: cp_model.CpSolver) -> int:
        """The value of one objective term in the solver's current solution."""
        constant, items = self.terms[term]
        return constant + sum(coef * solver.value(var) for var, coef in items)


def candidate_name(cs: CandidateSet, cand: Candidate) -> str:
    """E.g. "place talk:12:2025-W10 at 40 by 3+7 in room class 2" (the slot is a week slot)."""
    task = cs.problem.tasks[cand.task_index]
    where = f" in room class {cand.room_class}" if cand.room_class is not None else ""
    return f"place {task.id} at {cand.start} by {'+'.join(map(str, cand.consultant_ids))}{where}"


def build_model(cs: CandidateSet, hint: list[int] | None) -> PlanningModel:
    """The whole model; `hint` (chosen candidate indices, e.g. the greedy plan) becomes a complete hint."""
    model = cp_model.CpModel()
    pm = PlanningModel(cs, model, [model.new_bool_var(candidate_name(cs, c)) for c in cs.candidates])
    _one_choice_per_task(pm)
    pm.lunch = add_hard_constraints(model, cs, pm.x, pm.breaks)
    for term, build_term in OBJECTIVE_TERMS.items():
        pm.terms[term] = build_term(pm)
    constant = sum(c for c, _ in pm.terms.values())
    items = [(var, coef) for _, term_items in pm.terms.values() for var, coef in term_items if coef]
    model.minimize(cp_model.LinearExpr.weighted_sum([v for v, _ in items], [c for _, c in items]) + constant)
    if hint is not None:
        _add_hint(pm, hint)
    return pm


def _one_choice_per_task(pm: PlanningModel) -> None:
    """Exactly one of a task's candidates, or its "unplaced" Boolean.

    An explicit "unplaced" Boolean keeps every objective term non-negative. Rewarding placements
    with negative coefficients instead makes CP-SAT's bound before its LP converges the sum of
    all negative coefficients (one per candidate, ignoring the at-most-one): the large negative
    bounds once seen on L/XL and on the demo centres."""
    model, cs = pm.model, pm.cs
    for ti, task in enumerate(cs.problem.tasks):
        cands = cs.by_task[ti]
        if not cands:
            continue
        u = model.new_bool_var(f"unplaced {task.id}")
        pm.unplaced[ti] = u
        model.add_exactly_one([u, *(pm.x[i] for i in cands)]).with_name(f"one placement of {task.id}")


# -- hard rules ------------------------------------------------------------------------------------


def _starts_cover(intervals: list[Interval]) -> list[tuple[int, list[int]]]:
    """(slot, variables) of groups that pairwise overlap: for every interval start, all intervals
    covering that slot. Two intervals overlap iff one covers the other's start, so one
    at-most-one per distinct start point is exact and much smaller than one per slot."""
    ordered = sorted(intervals)
    groups: list[tuple[int, list[int]]] = []
    active: list[tuple[int, int]] = []  # (end, var)
    k = 0
    while k < len(ordered):
        s = ordered[k][0]
        while k < len(ordered) and ordered[k][0] == s:
            active.append((ordered[k][1], ordered[k][2]))
            k += 1
        active = [(e, v) for e, v in active if e > s]
        if len(active) > 1:
            groups.append((s, [v for _, v in active]))
    return groups


@dataclass
class _Usage:
    """What every candidate would use, per resource (in candidate order)."""

    consultant: dict[int, list[Interval]] = field(default_factory=dict)  # incl. travel
    citizen: dict[int, list[Interval]] = field(default_factory=dict)
    room_class: dict[int, list[Interval]] = field(default_factory=dict)
    citizen_day: dict[tuple[int, int], list[Use]] = field(default_factory=dict)
    contract: dict[int, list[Use]] = field(default_factory=dict)  # consultant -> minutes incl. travel

    @classmethod
    def of(cls, cs: CandidateSet) -> _Usage:
        problem = cs.problem
        usage = cls()
        for i, cand in enumerate(cs.candidates):
            task = problem.tasks[cand.task_index]
            end = cand.start + task.duration_slots
            for kid, s0, s1 in cand.busy:
                usage.consultant.setdefault(kid, []).append((s0, s1, i))
            for zid in task.citizen_ids:
                usage.citizen.setdefault(zid, []).append((cand.start, end, i))
                usage.citizen_day.setdefault((zid, problem.day_of(cand.start)), []).append(
                    (cand.task_index, i, task.duration_slots * problem.slot_minutes)
                )
            if cand.room_class is not None:
                usage.room_class.setdefault(cand.room_class, []).append((cand.start, end, i))
            for kid, minutes in cand.load:
                usage.contract.setdefault(kid, []).append((cand.task_index, i, minutes))
        return usage


def add_hard_constraints(
    model: cp_model.CpModel, cs: CandidateSet, x: list[cp_model.IntVar], breaks: list[BreakVar] | None = None
) -> LunchVars:
    """Resource sharing rules; everything per task is already guaranteed by the candidates.
    Returns the lunch Booleans (empty without a lunch rule)."""
    usage = _Usage.of(cs)
    _add_no_double_booking(model, x, "consultant", usage.consultant)
    _add_no_double_booking(model, x, "citizen", usage.citizen)
    _add_room_pools(model, cs, x, usage.room_class)
    for (zid, day), items in usage.citizen_day.items():
        limit = cs.index.citizens[zid].max_minutes_per_day
        if limit is not None:
            _add_minute_cap(model, x, items, limit, f"citizen {zid} daily maximum on day {day}")
    for kid, items in usage.contract.items():
        limit = cs.index.consultants[kid].contracted_minutes_per_week
        _add_minute_cap(model, x, items, limit, f"consultant {kid} contracted minutes")
    if cs.index.travel_on:
        _add_travel(model, cs, x)
    br = breaks_of(cs)
    if br is None:
        return {}
    _add_runs(model, cs, x, br, breaks if breaks is not None else [])
    return _add_lunch(model, cs, x, br)


def _add_lunch(model: cp_model.CpModel, cs: CandidateSet, x: list[cp_model.IntVar], br: Breaks) -> LunchVars:
    """Per (consultant, day) exactly one lunch start; a chosen candidate whose padded span touches
    some starts excludes them (solver.breaks). Posted as cliques, not one constraint per candidate:

    * core: the candidates whose appointment (busy interval) covers slot t are a clique, and so
      are the lunch starts whose lunch covers t: one at-most-one over both per slot t;
    * tail (travel in the day: the padding after the appointment): candidates of the consultant
      ending at e at place L all cover e - 1 and share the same tail, so one at-most-one over them
      and the lunch starts the tail touches.

    Together exactly "x_i excludes the starts its padded span touches". (Consultant, day) pairs
    with a lunch start no candidate touches are left out: the lunch can always go there. On a day
    whose padded bookings already touch every lunch start (`LunchDay.positions` empty) nothing
    is planned for that consultant: the padding cannot show that any appointment leaves a lunch."""
    core: dict[tuple[int, int], dict[int, list[int]]] = {}
    tails: dict[tuple[int, int], dict[tuple[int, str | None], tuple[frozenset[int], list[int]]]] = {}
    touched: dict[tuple[int, int], set[int]] = {}
    for i, cand in enumerate(cs.candidates):
        day = cs.problem.day_of(cand.start)
        for k, ((kid, a, b), (_, c0, c1)) in enumerate(zip(br.spans(cand), br.cores(cand), strict=True)):
            ld = br.lunch.get((kid, day))
            if ld is not None and not ld.positions:
                model.add(x[i] == 0).with_name(f"no lunch left consultant {kid} day {day}")
                continue
            if ld is None or not br.blocked(ld, a, b):
                continue
            key = (kid, day)
            touched.setdefault(key, set()).update(br.blocked(ld, a, b))
            for t in range(max(c0, ld.positions[0]), min(c1, ld.positions[-1] + ld.length)):
                core.setdefault(key, {}).setdefault(t, []).append(i)
            tail = br.blocked(ld, c1, b) if b > c1 else frozenset()
            if tail:
                place = cand.places[k] if cand.places else None
                tails.setdefault(key, {}).setdefault((c1, place), (tail, []))[1].append(i)
    lunch: LunchVars = {}
    for key, hit in touched.items():
        kid, day = key
        ld = br.lunch[key]
        if len(hit) < len(ld.positions):
            continue  # a lunch start no candidate touches: always free
        by_start = lunch[key] = {p: model.new_bool_var(f"lunch consultant {kid} at {p}") for p in ld.positions}
        model.add_exactly_one(by_start.values()).with_name(f"one lunch consultant {kid} day {day}")
        for t, items in sorted(core.get(key, {}).items()):
            starts = [v for p, v in by_start.items() if p <= t < p + ld.length]
            if starts:
                model.add_at_most_one([*starts, *(x[i] for i in items)]).with_name(
                    f"lunch consultant {kid} day {day} slot {t}"
                )
        for (e, place), (tail, items) in sorted(tails.get(key, {}).items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
            starts = [v for p, v in by_start.items() if p in tail]
            model.add_at_most_one([*starts, *(x[i] for i in items)]).with_name(
                f"lunch consultant {kid} day {day} after {e} at {place}"
            )
    return lunch


# A stop of a consultant's day in the run rule: (first slot, end slot, variable index or -1 for a
# booking, place)
RunItem = tuple[int, int, int, str | None]
# Slots that are no break when the listed candidates are chosen: (slot, candidates ending there,
# candidates starting after the trip; -1 = a booking, always there)
TightGap = tuple[int, list[int], list[int]]


def _add_runs(
    model: cp_model.CpModel, cs: CandidateSet, x: list[cp_model.IntVar], br: Breaks, made: list[BreakVar]
) -> None:
    """Every window of limit + 1 slots (within a day) keeps a break: a slot no chosen appointment
    covers (without travel in the day: no busy time, visits with their trips) and, with travel in
    the day, that is not the trip between two appointments that leave no more than the trip."""
    problem = cs.problem
    consultant: dict[tuple[int, int], list[RunItem]] = {}
    citizen: dict[tuple[int, int], list[RunItem]] = {}
    for i, cand in enumerate(cs.candidates):
        day = problem.day_of(cand.start)
        if br.run_slots is not None:
            for k, (kid, a, b) in enumerate(br.cores(cand)):
                if (kid, day) not in br.run_exempt:
                    place = cand.places[k] if cand.places else None
                    consultant.setdefault((kid, day), []).append((a, b, i, place))
        task = problem.tasks[cand.task_index]
        for zid in task.citizen_ids:
            if zid in br.citizen_runs:
                citizen.setdefault((zid, day), []).append((cand.start, cand.start + task.duration_slots, i, None))
    for (kid, day), items in consultant.items():
        c = cs.index.consultants[kid]
        booked = [(b.start, b.end, -1, b.location_id) for b in c.bookings if problem.day_of(b.start) == day]
        tight = _tight_gaps(cs, items + booked) if cs.index.travel_on else []
        _keep_break(model, x, items + booked, tight, br.run_slots or 0, f"consultant {kid} day {day}", made)
    for (zid, day), items in citizen.items():
        _keep_break(model, x, items, [], br.citizen_runs[zid], f"citizen {zid} day {day}", made)


def _tight_gaps(cs: CandidateSet, items: list[RunItem]) -> list[TightGap]:
    """Slots between an appointment ending at e at place L and one starting at s at place M with
    s - e <= travel(L, M): no break there when both are chosen (the trip fills the gap). Both
    groups are cliques (they cover e - 1 and s), so one constraint per slot and pair of groups."""
    idx = cs.index
    ends: dict[tuple[int, str | None], list[int]] = {}
    starts: dict[int, list[tuple[str | None, int]]] = {}
    places: set[str | None] = set()
    for a, b, i, loc in items:
        ends.setdefault((b, loc), []).append(i)
        starts.setdefault(a, []).append((loc, i))
        places.add(loc)
    longest = max((idx.trip(p, q) for p in places for q in places), default=0)
    out: list[TightGap] = []
    for (e, loc), first in ends.items():
        for s in range(e + 1, e + longest + 1):
            then = [i for there, i in starts.get(s, ()) if idx.trip(loc, there) >= s - e]
            if then:
                out.extend((t, first, then) for t in range(e, s))
    return out


def _keep_break(
    model: cp_model.CpModel, x: list[cp_model.IntVar], items: list[RunItem], tight: list[TightGap], limit: int,
    name: str, made: list[BreakVar],
) -> None:
    """A Boolean "break" per slot that appointments could fill (at most one of it and the
    candidates covering the slot, none where a booking covers it, and not between two chosen
    appointments of a tight gap), and at least one break in every window of limit + 1 slots that
    starts where an appointment starts and that appointments could fill."""
    width = limit + 1
    covering: dict[int, list[int]] = {}
    booked: set[int] = set()
    for a, b, i, _ in items:
        for t in range(a, b):
            if i < 0:
                booked.add(t)
            else:
                covering.setdefault(t, []).append(i)
    gaps: dict[int, list[tuple[list[int], list[int]]]] = {}
    for t, first, then in tight:
        if -1 in first and -1 in then:
            booked.add(t)  # between two bookings
        else:
            gaps.setdefault(t, []).append((first, then))
    free: dict[int, cp_model.IntVar] = {}
    for u in sorted({a for a, _, _, _ in items}):
        window = range(u, u + width)
        if any(t not in covering and t not in booked and t not in gaps for t in window):
            continue  # a slot nothing can fill: this window always keeps a break
        if all(t in booked for t in window):  # the bookings alone fill it: nothing more there
            for i in {i for t in range(u - 1, u + width + 1) for i in covering.get(t, ())}:
                model.add(x[i] == 0).with_name(f"{name} full at {u}")
            continue
        for t in window:
            if t not in free and t not in booked:
                free[t] = _break_slot(model, x, covering.get(t, []), gaps.get(t, []), f"{name} break at {t}")
                made.append((free[t], covering.get(t, []), gaps.get(t, [])))
        model.add_bool_or([free[t] for t in window if t in free]).with_name(f"{name} break in {u}..{u + width}")


def _break_slot(
    model: cp_model.CpModel, x: list[cp_model.IntVar], covering: list[int], gaps: list[tuple[list[int], list[int]]],
    name: str,
) -> cp_model.IntVar:
    var = model.new_bool_var(name)
    model.add_at_most_one([var, *(x[i] for i in covering)]).with_name(name)
    for first, then in gaps:
        if -1 in first:  # after a booking: the break and the next appointment exclude each other
            model.add_at_most_one([var, *(x[i] for i in then)]).with_name(f"{name} after a booking")
        elif -1 in then:
            model.add_at_most_one([var, *(x[i] for i in first)]).with_name(f"{name} before a booking")
        else:
            model.add(var + sum(x[i] for i in first) + sum(x[i] for i in then) <= 2).with_name(f"{name} trip")
    return var


def _add_travel(model: cp_model.CpModel, cs: CandidateSet, x: list[cp_model.IntVar]) -> None:
    """Travel between consecutive appointments of a consultant (DayRules.travel).

    Candidates of one consultant that end at slot e at place L all cover slot e - 1, those that
    start at slot s all cover s: each group is a clique already. Any of the first followed by one
    of the second at place M is impossible when s - e < travel(L, M), so the union of the
    first group and those of the second is a clique too: one at-most-one per (consultant, e, L, s)
    is exact (pairs closer than the longest trip only, never across days)."""
    idx = cs.index
    spd = cs.problem.slots_per_day
    ends: dict[int, dict[tuple[int, str | None], list[int]]] = {}
    starts: dict[int, dict[int, list[tuple[str | None, int]]]] = {}
    places: dict[int, set[str | None]] = {}
    for i, cand in enumerate(cs.candidates):
        for (kid, s0, s1), loc in zip(cand.busy, cand.places, strict=True):
            ends.setdefault(kid, {}).setdefault((s1, loc), []).append(i)
            starts.setdefault(kid, {}).setdefault(s0, []).append((loc, i))
            places.setdefault(kid, set()).add(loc)
    for kid, by_end in ends.items():
        longest = max((idx.trip(a, b) for a in places[kid] for b in places[kid]), default=0)
        if not longest:
            continue
        for (e, loc), first in by_end.items():
            for s in range(e, min(e + longest, (e - 1) // spd * spd + spd)):
                then = [i for there, i in starts[kid].get(s, ()) if idx.trip(loc, there) > s - e]
                if then:
                    model.add_at_most_one(x[i] for i in first + then).with_name(
                        f"consultant {kid} travels from {loc} after {e} before {s}"
                    )


def _add_no_double_booking(
    model: cp_model.CpModel, x: list[cp_model.IntVar], kind: str, table: Mapping[int, list[Interval]]
) -> None:
    for key, intervals in table.items():
        for slot, group in _starts_cover(intervals):
            model.add_at_most_one(x[i] for i in group).with_name(f"{kind} {key} once at {slot}")


def _add_room_pools(
    model: cp_model.CpModel, cs: CandidateSet, x: list[cp_model.IntVar], table: Mapping[int, list[Interval]]
) -> None:
    for rc_index, intervals in table.items():
        size = len(cs.room_classes[rc_index].room_ids)
        for slot, group in _starts_cover(intervals):
            if len(group) > size:
                model.add(sum(x[i] for i in group) <= size).with_name(f"room class {rc_index} count at {slot}")


def _add_minute_cap(
    model: cp_model.CpModel, x: list[cp_model.IntVar], items: list[Use], cap: int, name: str
) -> None:
    most: dict[int, int] = {}
    for ti, _, m in items:
        most[ti] = max(most.get(ti, 0), m)
    if sum(most.values()) > cap:  # only when the cap can actually bind
        model.add(sum(m * x[i] for _, i, m in items) <= cap).with_name(name)


# -- the objective, term by term (mirrors solver.objective) ----------------------------------------

TermItems = tuple[int, list[tuple[cp_model.IntVar, int]]]  # (constant, [(variable, coefficient)])


def unplaced_term(pm: PlanningModel) -> TermItems:
    """objective.unplaced_cost per unplaced task; tasks without candidates are a constant."""
    cs = pm.cs
    constant = 0
    items: list[tuple[cp_model.IntVar, int]] = []
    for ti, task in enumerate(cs.problem.tasks):
        if ti in pm.unplaced:
            items.append((pm.unplaced[ti], unplaced_cost(cs.index, task)))
        else:
            constant += unplaced_cost(cs.index, task)
    return constant, items


def placement_term(k: int) -> Callable[[PlanningModel], TermItems]:
    """The k-th placement term (objective.PLACEMENT_TERMS): its cost on each candidate's Boolean,
    as priced when the candidate was made (Candidate.costs)."""

    def build(pm: PlanningModel) -> TermItems:
        return 0, [(pm.x[i], cand.costs[k]) for i, cand in enumerate(pm.cs.candidates) if cand.costs[k]]

    return build


def load_balance_term(pm: PlanningModel) -> TermItems:
    """objective.load_balance_cost: per (consultant group, staff type) an integer at least every
    member's relative load (permille); minimising makes it the largest."""
    cs, model = pm.cs, pm.model
    idx = cs.index
    weight = cs.problem.weights.load_balance
    if not weight:
        return 0, []
    rel_terms: dict[int, list[tuple[int, int]]] = {}
    for i, cand in enumerate(cs.candidates):
        for kid, minutes in cand.load:
            rel_terms.setdefault(kid, []).append((i, idx.rel_permille(idx.consultants[kid], minutes)))
    for kid, rel in rel_terms.items():
        expr = sum(coef * pm.x[i] for i, coef in rel)
        for st in sorted(idx.consultants[kid].staff_types):
            key = balance_key(idx, kid, st)
            if key not in pm.max_load:
                pm.max_load[key] = model.new_int_var(0, 10**6, f"max load {key[0][0]} {key[0][1]} {st}")
            model.add(pm.max_load[key] >= expr).with_name(f"max load {st} covers consultant {kid}")
    return 0, [(var, weight) for var in pm.max_load.values()]


def citizen_trip_term(pm: PlanningModel) -> TermItems:
    """objective.citizen_trip_cost: a Boolean per (citizen, day), forced by any site appointment
    that day that is not on one of the citizen's busy days."""
    cs, model = pm.cs, pm.model
    problem, idx = cs.problem, cs.index
    weight = problem.weights.citizen_trip
    if not weight:
        return 0, []
    for i, cand in enumerate(cs.candidates):
        task = problem.tasks[cand.task_index]
        if not idx.citizen_trip(task):
            continue
        day = problem.day_of(cand.start)
        for zid in task.citizen_ids:
            if day in idx.citizens[zid].busy_days:
                continue
            key = (zid, day)
            if key not in pm.trips:
                pm.trips[key] = model.new_bool_var(f"trip citizen {zid} day {day}")
            model.add_implication(pm.x[i], pm.trips[key]).with_name(f"trip citizen {zid} day {day} by {task.id}")
    return 0, [(var, weight) for var in pm.trips.values()]


# In the order the terms create their variables (part of the model's identity for fixed seeds).
OBJECTIVE_TERMS: Mapping[Term, Callable[[PlanningModel], TermItems]] = {
    Term.UNPLACED: unplaced_term,
    **{term: placement_term(k) for k, term in enumerate(PLACEMENT_TERMS)},
    Term.LOAD_BALANCE: load_balance_term,
    Term.CITIZEN_TRIP: citizen_trip_term,
}


# -- hint -------------------------------------------------------------------------------------------


def _add_hint(pm: PlanningModel, hint: Iterable[int]) -> None:
    """Hint every variable: the chosen candidates, and the unplaced, trip and load values they imply."""
    cs, model = pm.cs, pm.model
    problem, idx = cs.problem, cs.index
    chosen = set(hint)
    for i, var in enumerate(pm.x):
        model.add_hint(var, i in chosen)
    picked = [cs.candidates[i] for i in hint]
    hinted_tasks = {c.task_index for c in picked}
    for ti, var in pm.unplaced.items():
        model.add_hint(var, ti not in hinted_tasks)
    hinted_trips = trip_days(idx, [(problem.tasks[c.task_index], c.start) for c in picked])
    for key, var in pm.trips.items():
        model.add_hint(var, key in hinted_trips)
    worst = largest_loads(idx, consultant_loads(idx, [(problem.tasks[c.task_index], c.consultant_ids) for c in picked]))
    for key, var in pm.max_load.items():
        model.add_hint(var, worst.get(key, 0))
    _hint_lunch(pm, picked)
    for var, covering, gaps in pm.breaks:  # a break where the hinted plan leaves one
        taken = any(i in chosen for i in covering) or any(
            (-1 in first or any(i in chosen for i in first)) and (-1 in then or any(i in chosen for i in then))
            for first, then in gaps
        )
        model.add_hint(var, not taken)


def _hint_lunch(pm: PlanningModel, picked: list[Candidate]) -> None:
    """The earliest lunch start the hinted plan leaves free, per (consultant, day)."""
    br = breaks_of(pm.cs)
    if br is None or not pm.lunch:
        return
    taken: dict[tuple[int, int], set[int]] = {}
    for cand in picked:
        day = pm.cs.problem.day_of(cand.start)
        for kid, a, b in br.spans(cand):
            ld = br.lunch.get((kid, day))
            if ld is not None:
                taken.setdefault((kid, day), set()).update(br.blocked(ld, a, b))
    for key, by_start in pm.lunch.items():
        free = [p for p in sorted(by_start) if p not in taken.get(key, set())]
        for p, var in by_start.items():
            pm.model.add_hint(var, bool(free) and p == free[0])
