"""Turn chosen candidates into a Solution: assign actual rooms, explain unplaced tasks in
Danish, score with the shared objective and list moved published appointments."""

from __future__ import annotations

from collections import Counter

from solver.candidates import CandidateSet, placement_of
from solver.lookup import staff_label
from solver.objective import evaluate
from solver.occupancy import Occupancy
from solver.problem import DANISH_DAYS, Placement, Solution, SolveStatus, Unplaced


def assign_rooms(cs: CandidateSet, chosen: list[int]) -> dict[int, int | None]:
    """Rooms for chosen site candidates: pins keep theirs, then what stays at its published time keeps
    its published room (an untouched appointment must not lose its room to a moved one), then the rest
    by start time, each preferring its published room.

    Pool counts never exceed the class size at any slot, so assigning by start time (interval
    colouring) always finds a room; if keeping published rooms first leaves one without, that room
    class falls back to plain colouring by start time."""
    result: dict[int, int | None] = {}
    per_class: dict[int, list[int]] = {}
    for ci in chosen:
        cand = cs.candidates[ci]
        if cand.room_class is not None:
            per_class.setdefault(cand.room_class, []).append(ci)
    for rc_index, items in per_class.items():
        rooms = _class_rooms(cs, rc_index, items, keep_published=True)
        if any(rid is None for rid in rooms.values()):
            rooms = _class_rooms(cs, rc_index, items, keep_published=False)
        result.update(rooms)
    return result


def _class_rooms(cs: CandidateSet, rc_index: int, items: list[int], *, keep_published: bool) -> dict[int, int | None]:
    problem = cs.problem
    rc = cs.room_classes[rc_index]
    booked: dict[int, list[tuple[int, int]]] = {rid: [] for rid in rc.room_ids}
    result: dict[int, int | None] = {}

    def span(ci: int) -> tuple[int, int]:
        c = cs.candidates[ci]
        return c.start, c.start + problem.tasks[c.task_index].duration_slots

    def free(rid: int, s0: int, s1: int) -> bool:
        return all(e <= s0 or s1 <= s for s, e in booked[rid])

    def previous_room(ci: int) -> int | None:
        prev = problem.tasks[cs.candidates[ci].task_index].previous
        return prev.room_id if prev is not None else None

    for ci in items:  # pins first: their room is not negotiable
        rid = cs.candidates[ci].room_id
        if rid is not None:
            booked[rid].append(span(ci))
            result[ci] = rid
    if keep_published:
        for ci in sorted((ci for ci in items if ci not in result), key=lambda ci: (span(ci), ci)):
            prev = problem.tasks[cs.candidates[ci].task_index].previous
            rid = previous_room(ci)
            if prev is None or prev.start_slot != cs.candidates[ci].start or rid not in booked:
                continue
            if free(rid, *span(ci)):
                booked[rid].append(span(ci))
                result[ci] = rid
    for ci in sorted((ci for ci in items if ci not in result), key=lambda ci: (span(ci), ci)):
        s0, s1 = span(ci)
        prev_rid = previous_room(ci)
        order = sorted(rc.room_ids, key=lambda rid: (rid != prev_rid, rid))
        rid = next((r for r in order if free(r, s0, s1)), None)
        if rid is not None:
            booked[rid].append((s0, s1))
        result[ci] = rid
    return result


def explain_blocked(cs: CandidateSet, task_index: int, occ: Occupancy) -> str:
    """Danish reason for a task that had candidates but none fitted next to the rest."""
    problem, idx = cs.problem, cs.index
    task = problem.tasks[task_index]
    deadline = problem.format_end(task.window.end)
    # A resource that alone blocks a candidate is the actionable one ("free it and it fits");
    # fall back to counting every blocker when no candidate has a single one.
    single: Counter[tuple[str, int]] = Counter()
    every: Counter[tuple[str, int]] = Counter()
    days: set[int] = set()
    for ci in cs.by_task[task_index]:
        cand = cs.candidates[ci]
        days.add(problem.day_of(cand.start))
        found = occ.blockers(cand)
        every.update(found)
        if len(found) == 1:
            single.update(found)
    blockers = single or every
    day_text = _days(days)
    sites = " / ".join(idx.sites[s].name for s in sorted(task.site_ids))
    if not blockers:
        return "Ikke placeret: det kostede mere at placere end at udelade; kør planlægningen igen eller juster vægtene"
    kinds: Counter[str] = Counter()
    for (kind, _), n in blockers.items():
        kinds[kind] += n
    kind = kinds.most_common(1)[0][0]
    ids = [i for (k, i), _ in blockers.most_common() if k == kind]
    if kind == "consultant":
        names = ", ".join(idx.consultants[i].name for i in ids[:3])
        staff = " og ".join(staff_label(r) for r in task.staff_requirements)
        return f"Ingen {staff} med ledig tid i {sites} {day_text} før fristen {deadline} ({names} er fuldt booket)"
    if kind == "citizen":
        label = idx.citizens[ids[0]].label
        return f"Borger {label} er allerede booket i alle mulige tider før fristen {deadline}"
    if kind == "citizen_day":
        z = idx.citizens[ids[0]]
        return f"Borger {z.label} har nået sit daglige maksimum på {z.max_minutes_per_day} min {day_text}"
    if kind == "contract":
        return f"{idx.consultants[ids[0]].name} har ikke flere kontraktlige timer denne uge"
    if kind == "lunch":
        return f"{idx.consultants[ids[0]].name} skal have frokostpause {day_text}, og resten af tiden er booket"
    if kind == "run":
        limit = problem.rules.max_run_minutes
        return f"{idx.consultants[ids[0]].name} ville få mere end {limit} min aftaler i træk uden pause {day_text}"
    if kind == "citizen_run":
        z = idx.citizens[ids[0]]
        return f"Borger {z.label} skal have pause efter højst {z.max_run_minutes} min aftaler i træk {day_text}"
    rc = cs.room_classes[ids[0]]
    site_name = idx.sites[rc.site_id].name
    return f"Ingen ledige lokaler til {task.needed_capacity()} personer i {site_name} {day_text}"


def _days(days: set[int]) -> str:
    names = [DANISH_DAYS[d] for d in sorted(days)]
    if len(names) == 5:
        return "mandag–fredag"
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " og " + names[-1]


def moved_task_ids(cs: CandidateSet, placements: dict[str, Placement]) -> tuple[str, ...]:
    moved = []
    for task in cs.problem.tasks:
        prev = task.previous
        if prev is None:
            continue
        now = placements.get(task.id)
        if now is None or now.start_slot != prev.start_slot or tuple(now.consultant_ids) != tuple(prev.consultant_ids):
            moved.append(task.id)
    return tuple(moved)


def build_solution(
    cs: CandidateSet,
    chosen: list[int],
    status: SolveStatus,
    bound: int | None,
    stats: dict[str, object],
    cancelled: bool = False,
) -> Solution:
    problem = cs.problem
    rooms = assign_rooms(cs, chosen)
    placements = [placement_of(cs, cs.candidates[ci], rooms.get(ci)) for ci in chosen]
    by_task = {p.task_id: p for p in placements}
    occ = Occupancy(cs)
    for ci in chosen:
        occ.add(cs.candidates[ci])
    unplaced = []
    for ti, task in enumerate(problem.tasks):
        if task.id in by_task:
            continue
        reason = cs.reasons.get(task.id) or explain_blocked(cs, ti, occ)
        unplaced.append(Unplaced(task.id, f"{reason}. Krav: {task.reason_rule}" if task.reason_rule else reason))
    score = evaluate(problem, placements, cs.no_candidate_task_ids(), cs.index)
    unavoidable = score.total - score.avoidable
    gap = None
    if bound is not None:
        gap = max(0.0, (score.avoidable - (bound - unavoidable)) / max(1, score.avoidable))
    return Solution(
        placements=tuple(sorted(placements, key=lambda p: (p.start_slot, p.task_id))),
        unplaced=tuple(unplaced),
        status=status if problem.tasks else SolveStatus.EMPTY,
        objective=score.total,
        best_bound=bound,
        gap=gap,
        avoidable_objective=score.avoidable,
        stats=stats,
        moved_task_ids=moved_task_ids(cs, by_task),
        cancelled=cancelled,
    )
