"""Why a task with candidates stayed unplaced: every candidate was taken by the rest of the plan. The
kind of resource that blocks every candidate is named, in priority order (the citizen's own course
first), with a structured `Cause` (docs/plan-format.md); solver.explain does the tasks without any
candidate."""

from __future__ import annotations

from collections import Counter

from solver.candidates import Candidate, CandidateSet
from solver.explain import Reason, deadline_slot, deadline_text, mark_deadline, names_of, weekday_list
from solver.lookup import staff_label
from solver.occupancy import Occupancy
from solver.problem import Cause, Ref, Task

Booked = dict[int, list[tuple[int, int, int]]]  # citizen -> placed (start, end, task index)


def blocked(cs: CandidateSet, task_index: int, occ: Occupancy, booked: Booked) -> Reason:
    """Why a task with candidates stayed unplaced (see `_blocked`)."""
    return mark_deadline(cs.index, cs.problem.tasks[task_index], _blocked(cs, task_index, occ, booked))



def _blocked(cs: CandidateSet, task_index: int, occ: Occupancy, booked: Booked) -> Reason:
    """Why a task with candidates stayed unplaced: the kind of resource that blocks every candidate,
    in priority order (the citizen's own course first). `booked`: per citizen, the placed
    (start, end, task index) spans of the plan."""
    problem, idx = cs.problem, cs.index
    task = problem.tasks[task_index]
    deadline = deadline_text(cs.index, task)
    due = deadline_slot(cs.index, task)
    sites = " / ".join(idx.sites[s].name for s in sorted(task.site_ids))
    cands = [cs.candidates[ci] for ci in cs.by_task[task_index]]
    found = [occ.blockers(c) for c in cands]
    days = {problem.day_of(c.start) for c in cands}
    day_text = weekday_list(days)
    if not cands or any(not f for f in found):
        return (
            "Ikke placeret: det kostede mere at placere end at udelade; kør planlægningen igen eller juster vægtene",
            Cause("other", None, None, None, {"blocker": "objective"}),
        )

    def every(kind: str) -> bool:
        return all(any(k == kind for k, _ in f) for f in found)

    def ids(kind: str) -> list[int]:
        counted: Counter[int] = Counter(i for f in found for k, i in f if k == kind)
        return [i for i, _ in counted.most_common()]

    if every("citizen"):
        return _citizen_booked(cs, task, cands, found, booked, deadline, due)
    if every("citizen_day"):
        z = idx.citizens[ids("citizen_day")[0]]
        return (
            f"{z.label} har nået sit daglige maksimum på {z.max_minutes_per_day} min {day_text} (aftalt hensyn)",
            Cause("citizen_accommodation", Ref("citizen", z.id, z.label), None, None,
                  {"max_minutes_per_day": z.max_minutes_per_day}),
        )
    if every("citizen_run"):
        return _break_reason(cs, "citizen_run", ids("citizen_run")[0], day_text, due)
    if every("consultant") or every("contract"):
        kind = "consultant" if every("consultant") else "contract"
        kids = ids(kind)
        if kind == "contract" or (len(kids) == 1 and every("contract")):
            c = idx.consultants[kids[0]]
            return (
                f"{c.name} har ikke flere kontraktlige timer denne uge",
                Cause("consultant_full", Ref("consultant", c.id, c.name), None, None, {"contract": True}),
            )
        names = names_of([idx.consultants[i].name for i in kids[:3]])
        staff = " og ".join(staff_label(r) for r in task.staff_requirements)
        verb = "er" if len(kids) == 1 else "er alle"
        person = Ref("consultant", kids[0], idx.consultants[kids[0]].name) if len(kids) == 1 else None
        return (
            f"Ingen {staff} med ledig tid i {sites} {day_text} før fristen {deadline} ({names} {verb} fuldt booket)",
            Cause("consultant_full", person, due, None, {"consultant_ids": kids}),
        )
    for kind in ("lunch", "run"):
        if every(kind):
            return _break_reason(cs, kind, ids(kind)[0], day_text, due)
    if every("room"):
        rc = cs.room_classes[ids("room")[0]]
        site = idx.sites[rc.site_id]
        return (
            f"Ingen ledige lokaler til {task.needed_capacity()} personer i {site.name} {day_text}",
            Cause("room_full", None, due, Ref("site", site.id, site.name), {"capacity": task.needed_capacity()}),
        )
    # No single kind blocks every candidate. A break rule that alone blocks the times left free by
    # the rest is the actionable one ("without the break it would fit").
    alone = {next(iter(kinds)) for f in found if len(kinds := {k for k, _ in f}) == 1}
    for kind in ("citizen_run", "lunch", "run"):
        if kind in alone:
            return _break_reason(cs, kind, ids(kind)[0], day_text, due)
    # Otherwise name what blocks most of them.
    kinds: Counter[str] = Counter(k for f in found for k, _ in set(f))
    kind = kinds.most_common(1)[0][0]
    names = {
        "citizen": "borgerens andre aftaler",
        "citizen_day": "borgerens daglige maksimum",
        "consultant": "medarbejdernes andre aftaler",
        "contract": "medarbejdernes kontraktlige timer",
        "room": "lokalerne",
        "lunch": "medarbejdernes frokostpauser",
        "run": "medarbejdernes pauser mellem aftaler",
        "citizen_run": "borgerens pauser mellem aftaler",
    }
    mix = names_of([names[k] for k, _ in kinds.most_common()])
    return (
        f"Ingen fælles ledig tid i {sites} {day_text} før fristen {deadline}: hver mulig tid er optaget af {mix}",
        Cause("other", None, due, None, {"blockers": [k for k, _ in kinds.most_common()]}),
    )


def _break_reason(cs: CandidateSet, kind: str, who: int, day_text: str, due: int) -> Reason:
    """A break rule of the day rules (lunch, longest run; a citizen's run limit) rules out the times."""
    idx = cs.index
    if kind == "citizen_run":
        z = idx.citizens[who]
        return (
            f"{z.label} skal have pause efter højst {z.max_run_minutes} min aftaler i træk {day_text} (aftalt hensyn)",
            Cause("citizen_accommodation", Ref("citizen", z.id, z.label), None, None,
                  {"max_run_minutes": z.max_run_minutes}),
        )
    c = idx.consultants[who]
    if kind == "lunch":
        return (
            f"{c.name} skal have frokostpause {day_text}, og resten af tiden er booket",
            Cause("lunch", Ref("consultant", c.id, c.name), due, None, {}),
        )
    limit = cs.problem.rules.max_run_minutes
    return (
        f"{c.name} ville få mere end {limit} min aftaler i træk uden pause {day_text}",
        Cause("run", Ref("consultant", c.id, c.name), due, None, {"max_run_minutes": limit}),
    )


def _citizen_booked(
    cs: CandidateSet,
    task: Task,
    cands: list[Candidate],
    found: list[list[tuple[str, int]]],
    booked: dict[int, list[tuple[int, int, int]]],
    deadline: str,
    due: int,
) -> Reason:
    """Every candidate clashes with the citizen's other appointments: name the course when it is one."""
    problem, idx = cs.problem, cs.index
    zid = Counter(i for f in found for k, i in f if k == "citizen").most_common(1)[0][0]
    z = idx.citizens[zid]
    person = Ref("citizen", zid, idx.citizens[zid].label)
    courses: Counter[tuple[str, int, str]] = Counter()
    first: dict[tuple[str, int, str], int] = {}
    only_courses = True
    for cand in cands:
        end = cand.start + task.duration_slots
        clashing = [ti for s0, s1, ti in booked.get(zid, []) if s0 < end and cand.start < s1]
        if not clashing:
            continue  # another citizen of the task is the one booked here
        for ti in clashing:
            ref = problem.tasks[ti].course
            if ref is None:
                only_courses = False
                continue
            key = (ref.kind, ref.id, ref.name)
            courses[key] += 1
            start = problem.tasks[ti].fixed_start
            first[key] = min(first.get(key, start or 0), start or 0)
    if courses and only_courses:
        key = courses.most_common(1)[0][0]
        course = Ref(*key)
        sessions = sorted({problem.format_slot(s0) for s0, _s1, ti in booked.get(zid, [])
                           if problem.tasks[ti].course == course})
        when = f" ({names_of(sessions)})" if sessions else ""
        return (
            f"{z.label} er på sit hold »{course.name}«{when} i alle mulige tider før fristen {deadline}",
            Cause("citizen_course", person, first.get(key), course),
        )
    return (
        f"{z.label} har allerede andre aftaler i alle mulige tider før fristen {deadline}",
        Cause("other", person, due, None, {"blocker": "citizen_booked"}),
    )
