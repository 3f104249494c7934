"""One true reason per unplaced task: the blocker that holds for every candidate, in Danish and as a
structured `Cause` (codes and their priority: docs/plan-format.md).

Two situations: a task without any candidate (`no_candidates` here: something about the task itself
rules out every time) and a task whose candidates were all taken by the rest of the plan
(`solver.blocked`). Both check the causes in one fixed priority order and name the first that holds
for every candidate, so a coordinator is sent to the one fix that helps, not to a list of things that might.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from solver.lookup import Index, covers, eligible_consultants, mask_of, staff_label, staff_label_plural
from solver.problem import DANISH_DAYS, VISIT_PLACES, Cause, Consultant, Place, Problem, Ref, Task

Reason = tuple[str, Cause]


# -- small helpers ------------------------------------------------------------------------------------


def has_run(mask: int, length: int) -> bool:
    """Whether `mask` has `length` consecutive set bits."""
    m = mask
    for _ in range(length - 1):
        m &= m >> 1
        if not m:
            return False
    return m != 0


def _day_bits(problem: Problem, day: int) -> int:
    spd = problem.slots_per_day
    return ((1 << spd) - 1) << (day * spd)


def _days_of(problem: Problem, mask: int) -> list[int]:
    return [d for d in range(5) if _day_bits(problem, d) & mask]


def weekday_list(days: Iterable[int]) -> str:
    names = [DANISH_DAYS[d] for d in sorted(set(days))]
    if len(names) == 5:
        return "mandag–fredag"
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " og " + names[-1]


def names_of(names: Sequence[str]) -> str:
    names = list(dict.fromkeys(names))
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " og " + names[-1]


def deadline_slot(idx: Index, task: Task) -> int:
    """The deadline as an exclusive end slot at the closing time of the task's sites (not the grid's
    end): the end of the last open slot before the window ends. The grid's end when nothing is open."""
    open_mask = 0
    for s in task.site_ids:
        open_mask |= idx.site_open.get(s, 0)
    below = open_mask & ((1 << task.window.end) - 1) & ~((1 << task.window.start) - 1)
    return below.bit_length() if below else task.window.end


def deadline_text(idx: Index, task: Task) -> str:
    return idx.problem.format_end(deadline_slot(idx, task))


def mark_deadline(idx: Index, task: Task, found: Reason) -> Reason:
    """A cause whose moment is the task's deadline says so: it is an exclusive end slot."""
    text, cause = found
    if cause.at_slot is not None and cause.at_slot == deadline_slot(idx, task) and task.fixed_start is None:
        cause = replace(cause, at_is_end=True)
    return text, cause


def _citizen_ref(idx: Index, zid: int) -> Ref:
    return Ref("citizen", zid, idx.citizens[zid].label)


def _consultant_ref(idx: Index, kid: int) -> Ref:
    return Ref("consultant", kid, idx.consultants[kid].name)


def _company_ref(task: Task) -> Ref | None:
    loc = task.location_id or ""
    if loc.startswith("company:") and loc[8:].isdigit():
        return Ref("company", int(loc[8:]), "")
    return None


def _sites(idx: Index, task: Task) -> str:
    return " / ".join(idx.sites[s].name for s in sorted(task.site_ids))


# -- tasks without any candidate ------------------------------------------------------------------------


FitsLater = Callable[[Task], bool]  # whether a task would have a candidate (used with a later deadline)


def no_candidates(idx: Index, task: Task, consultants: list[Consultant], fits: FitsLater | None = None) -> Reason:
    """Why a task has no feasible placement at all: the first cause of docs/plan-format.md's priority
    order that holds for every time. `fits` (from solver.candidates) tells a deadline that comes too
    early from everything else."""
    found = (
        _structural(idx, task)
        or _too_long(idx, task)
        or next((r for z in task.citizen_ids if (r := _citizen_never(idx, task, z)) is not None), None)
        or _together(idx, task, consultants)
        or _last_resort(idx, task, fits)
    )
    return mark_deadline(idx, task, found)


def _window(task: Task) -> int:
    if task.fixed_start is not None:
        return ((1 << task.duration_slots) - 1) << task.fixed_start
    return mask_of((task.window,))


def _room_fits(idx: Index, task: Task) -> bool:
    need = task.needed_capacity()
    return any(
        r.site_id in task.site_ids and r.capacity >= need and task.room_features <= r.features
        for r in idx.rooms.values()
    )


def _structural(idx: Index, task: Task) -> Reason | None:
    """Without a room or an open day the rest does not matter."""
    if task.place != Place.SITE:
        return None
    sites = _sites(idx, task)
    if not _room_fits(idx, task):
        feats = f" med {', '.join(sorted(task.room_features))}" if task.room_features else ""
        return (
            f"Intet lokale i {sites} med plads til {task.needed_capacity()} personer{feats}",
            Cause("room_none", params={"capacity": task.needed_capacity(), "features": sorted(task.room_features)}),
        )
    open_any = 0
    for s in task.site_ids:
        open_any |= idx.site_open[s]
    if has_run(open_any & _window(task), task.duration_slots):
        return None
    site = Ref("site", min(task.site_ids), sites)
    if task.fixed_start is not None:
        when = idx.problem.format_slot(task.fixed_start)
        return f"{sites} har lukket {when} (den faste tid)", Cause("site_closed", None, task.fixed_start, site)
    return (
        f"{sites} er lukket i hele perioden frem til {deadline_text(idx, task)} (helligdag/lukkedag)",
        Cause("site_closed", None, deadline_slot(idx, task), site),
    )


def _too_long(idx: Index, task: Task) -> Reason | None:
    """The appointment alone is longer than a run limit: no time can hold it (solver.candidates
    leaves such candidates out)."""
    problem = idx.problem
    dur = task.duration_slots
    minutes = dur * problem.slot_minutes
    for zid in task.citizen_ids:
        z = idx.citizens[zid]
        if z.max_run_minutes is not None and dur > problem.run_slots(z.max_run_minutes):
            return (
                f"{z.label} skal have pause efter højst {z.max_run_minutes} min aftaler i træk (aftalt hensyn), "
                f"og aftalen varer {minutes} min",
                Cause("citizen_accommodation", _citizen_ref(idx, zid), None, None,
                      {"max_run_minutes": z.max_run_minutes, "minutes": minutes}),
            )
    limit = problem.rules.max_run_minutes
    if task.staff_requirements and limit is not None and dur > problem.run_slots(limit):
        return (
            f"Aftalen varer {minutes} min, men medarbejderne skal have pause efter højst {limit} min aftaler i træk",
            Cause("run", None, None, task.course, {"max_run_minutes": limit, "minutes": minutes}),
        )
    return None


def _together(idx: Index, task: Task, consultants: list[Consultant]) -> Reason | None:
    """Each citizen has time on their own: the employer, the group together, then the staff."""
    dur, window = task.duration_slots, _window(task)
    deadline, due = deadline_text(idx, task), deadline_slot(idx, task)
    combined = window
    for zid in task.citizen_ids:
        combined &= idx.citizen_task_presence(zid, task)
    if task.external_windows is not None:
        employer = mask_of(task.external_windows)
        if not has_run(employer & window, dur) or not has_run(employer & combined, dur):
            return _employer(idx, task, employer, window)
        combined &= employer
    if not has_run(combined, dur):
        return (
            f"Borgerne i gruppen har ingen fælles ledig tid før fristen {deadline}",
            Cause("citizen_accommodation", None, due, None, {"group": True}),
        )
    pools = [(req, eligible_consultants(idx.problem, task, req, consultants)) for req in task.staff_requirements]
    for req, pool in pools:
        if not pool:
            text = f"Ingen {staff_label(req)} dækker {_sites(idx, task)}"
            return text, Cause("no_staff", params={"staff": sorted(req)})
    return next((r for req, pool in pools if (r := _staff_never(idx, task, req, pool, combined)) is not None), None)


def _last_resort(idx: Index, task: Task, fits: FitsLater | None) -> Reason:
    problem, sites = idx.problem, _sites(idx, task)
    deadline, due = deadline_text(idx, task), deadline_slot(idx, task)
    staffs = " og ".join(staff_label(r) for r in task.staff_requirements)
    if task.fixed_start is not None:
        when = problem.format_slot(task.fixed_start)
        return (
            f"Den faste tid {when} passer ikke for {staffs} og et ledigt lokale i {sites} på samme tid",
            Cause("fixed_time", None, task.fixed_start),
        )
    if fits is not None and task.window.end < problem.num_slots:
        later = replace(task, window=replace(task.window, end=problem.num_slots), previous=None)
        if fits(later):
            return (
                f"Fristen {deadline} kommer før den første tid, hvor borger, medarbejdere og lokale kan",
                Cause("deadline", None, due),
            )
    if len(task.staff_requirements) > 1:
        return (
            f"{staffs.capitalize()} har ingen fælles ledig tid i {sites}, hvor borgeren kan (frist {deadline})",
            Cause("consultant_hours", None, due),
        )
    return (
        f"Ingen fælles ledig tid for borger, {staffs} og lokale i {sites} før fristen {deadline}",
        Cause("other", None, due),
    )


def _citizen_never(idx: Index, task: Task, zid: int) -> Reason | None:
    """The citizen alone rules out every time: say which of their own commitments does."""
    problem, window = idx.problem, _window(task)
    deadline, due = deadline_text(idx, task), deadline_slot(idx, task)
    dur = task.duration_slots
    presence = idx.citizen_task_presence(zid, task) & window
    if has_run(presence, dur):
        return None
    z = idx.citizens[zid]
    person = _citizen_ref(idx, zid)
    internship = idx.citizen_internship[zid]
    if task.place == Place.COMPANY and not has_run(internship & window, dur):
        days = _days_of(problem, internship)
        when = f" (praktik {weekday_list(days)})" if days else ""
        return (
            f"{z.label} er ikke på virksomheden før fristen {deadline}{when}",
            Cause("citizen_not_at_company", person, due, _company_ref(task), {"internship_days": days}),
        )
    if z.max_minutes_per_day is not None and dur * problem.slot_minutes > z.max_minutes_per_day:
        return (
            f"{z.label} kan højst {z.max_minutes_per_day} min om dagen (aftalt hensyn), aftalen varer "
            f"{dur * problem.slot_minutes} min",
            Cause("citizen_accommodation", person, None, None, {"max_minutes_per_day": z.max_minutes_per_day}),
        )
    site_open = idx.site_open.get(z.site_id, 0)
    avail = idx.citizen_avail[zid]
    unavailable = mask_of(z.unavailable)
    outside = mask_of(z.outside_hours)
    other = site_open & window & ~avail & ~unavailable & ~outside  # internship hours and the trip there
    candidates = (
        ("citizen_internship", other | internship),
        ("citizen_absent", unavailable),
        ("citizen_accommodation", outside),
    )
    # The one commitment that, lifted alone, frees a time; else the one that takes most of the window.
    code = next((c for c, m in candidates if has_run((avail | m) & window & site_open, dur)), None)
    if code is None:
        share = {c: bin(m & window & site_open).count("1") for c, m in candidates}
        code = max(share, key=lambda c: share[c])
        if share[code] == 0:
            site = idx.sites.get(z.site_id)
            name = site.name if site else ""
            return (
                f"{name} er lukket i hele perioden frem til {deadline}",
                Cause("site_closed", person, due, Ref("site", z.site_id, name)),
            )
    text = {
        "citizen_internship": f"{z.label} er i praktik i alle mulige tider før fristen {deadline}",
        "citizen_absent": f"{z.label}s faste fravær dækker alle mulige tider før fristen {deadline}",
        "citizen_accommodation": f"{z.label}s aftalte mødetider udelukker alle mulige tider før fristen {deadline}",
    }[code]
    return text, Cause(code, person, due)


def _employer(idx: Index, task: Task, employer: int, window: int) -> Reason:
    problem = idx.problem
    deadline, due = deadline_text(idx, task), deadline_slot(idx, task)
    dur = task.duration_slots
    company = _company_ref(task)
    if not has_run(employer & window, dur):
        later = employer & ~((1 << task.window.end) - 1)
        first = (later & -later).bit_length() - 1 if later else None
        text = f"Arbejdsgiveren er ikke til stede før fristen {deadline}"
        if first is not None:
            text += f" (først {problem.format_slot(first)})"
        params = {"employer_days": _days_of(problem, employer)}
        return text, Cause("employer_window", None, due, company, params)
    days = _days_of(problem, employer & window)
    return (
        f"Arbejdsgiveren er kun til stede {weekday_list(days)}, og der kan borgeren ikke (frist {deadline})",
        Cause("employer_window", None, due, company, {"employer_days": days}),
    )


def _staff_never(idx: Index, task: Task, req: frozenset[str], pool: list[Consultant], combined: int) -> Reason | None:
    problem, dur, window, sites = idx.problem, task.duration_slots, _window(task), _sites(idx, task)
    deadline, due = deadline_text(idx, task), deadline_slot(idx, task)
    staff = staff_label(req)
    fixed = task.fixed_start is not None
    when = problem.format_slot(task.fixed_start) if fixed else ""

    def fits(c: Consultant, extra: int = 0, travel: bool = True) -> bool:
        avail = idx.consultant_avail[c.id] | extra
        t = idx.travel_slots(c, task) if travel else 0
        return any(
            s - t >= 0 and covers(avail, s - t, s + dur + t)
            for s in _starts(combined, dur, task)
        )

    if any(fits(c) for c in pool):
        return None
    if any(fits(c, travel=False) for c in pool) and task.place in VISIT_PLACES:
        return (
            f"Køretiden til og fra gør, at ingen {staff} kan nå det før fristen {deadline}",
            Cause("travel", None, due, _company_ref(task)),
        )
    absent = [c for c in pool if fits(c, mask_of(c.absent))]
    if absent:
        person = _consultant_ref(idx, absent[0].id) if len(absent) == 1 else None
        names = names_of([c.name for c in absent])
        if fixed:
            text = f"{names} er fraværende {when} (den faste tid); ingen anden {staff} dækker {sites}"
        elif not any(idx.consultant_avail[c.id] & window for c in pool):
            whole_week = task.window.start <= 0 and task.window.end >= problem.num_slots
            verb = "er" if len(absent) == 1 else "er alle"
            period = "man–fre" if whole_week else f"frem til fristen {deadline}"
            text = f"{names} {verb} fraværende {period}; ingen anden {staff} dækker {sites}"
        else:
            text = f"{names} er fraværende, når borgeren kan (frist {deadline}); ingen anden {staff} dækker {sites}"
        return text, Cause("consultant_absent", person, task.fixed_start if fixed else due, None,
                           {"staff": sorted(req), "consultant_ids": [c.id for c in absent]})
    person = _consultant_ref(idx, pool[0].id) if len(pool) == 1 else None
    if fixed:
        who = pool[0].name if len(pool) == 1 else f"alle {staff_label_plural(req)} i {sites}"
        text = f"Den faste tid {when} ligger uden for arbejdstiden for {who}"
        return text, Cause("consultant_hours", person, task.fixed_start, None, {"staff": sorted(req)})
    days = _days_of(problem, combined)
    on = f" {weekday_list(days)}" if days else ""
    if len(pool) == 1:
        text = f"{pool[0].name} arbejder ikke på de tider, hvor borgeren kan{on}; ingen anden {staff} dækker {sites}"
    else:
        text = f"Ingen {staff} i {sites} arbejder på de tider, hvor borgeren kan{on} (frist {deadline})"
    return text, Cause("consultant_hours", person, due, None, {"staff": sorted(req)})


def _starts(mask: int, dur: int, task: Task) -> Iterable[int]:
    if task.fixed_start is not None:
        if covers(mask, task.fixed_start, task.fixed_start + dur):
            yield task.fixed_start
        return
    m = mask
    while m:
        low = m & -m
        s = low.bit_length() - 1
        if covers(mask, s, s + dur):
            yield s
        m &= m - 1
