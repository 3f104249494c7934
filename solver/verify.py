"""Independent checker of a Solution against a Problem.

Deliberately re-derives every rule from the Problem alone (no candidates, no solver
variables, no shared helpers beyond the data classes), so a bug in candidate generation or
in the model shows up here instead of in a published plan.
"""

from __future__ import annotations

from collections import defaultdict

from solver.problem import VISIT_PLACES, Problem, Solution, Window


def _inside(windows: tuple[Window, ...], start: int, end: int) -> bool:
    """[start, end) covered by the union of windows (windows may touch)."""
    pos = start
    for w in sorted(windows):
        if w.start <= pos < w.end:
            pos = w.end
            if pos >= end:
                return True
    return pos >= end


def verify(problem: Problem, solution: Solution) -> list[str]:
    """Hard-rule violations (English, for developers and tests); empty list = valid plan."""
    out: list[str] = []
    tasks = {t.id: t for t in problem.tasks}
    consultants = {c.id: c for c in problem.consultants}
    citizens = {z.id: z for z in problem.citizens}
    sites = {s.id: s for s in problem.sites}
    rooms = {r.id: r for r in problem.rooms}
    spd = problem.slots_per_day

    seen: set[str] = set()
    consultant_busy: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    citizen_busy: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    room_busy: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    citizen_day: dict[tuple[int, int], int] = defaultdict(int)
    consultant_minutes: dict[int, int] = defaultdict(int)

    for p in solution.placements:
        t = tasks.get(p.task_id)
        if t is None:
            out.append(f"placement of unknown task {p.task_id}")
            continue
        if p.task_id in seen:
            out.append(f"task {t.id} placed twice")
            continue
        seen.add(p.task_id)
        start, end = p.start_slot, p.start_slot + t.duration_slots
        where = f"task {t.id} at slot {start}"
        if not t.window.contains(start, end):
            out.append(f"{where}: outside its window {t.window.start}..{t.window.end}")
        if start < 0 or end > problem.num_slots or start // spd != (end - 1) // spd:
            out.append(f"{where}: not within one day of the week")
        if t.fixed_start is not None and start != t.fixed_start:
            out.append(f"{where}: fixed start {t.fixed_start} not respected")
        if t.pinned is not None and (
            t.pinned.start_slot != start
            or tuple(t.pinned.consultant_ids) != tuple(p.consultant_ids)
            or (t.place == "site" and t.pinned.room_id != p.room_id)
        ):
            out.append(f"{where}: pinned task moved")
        if t.external_windows is not None and not any(w.contains(start, end) for w in t.external_windows):
            out.append(f"{where}: external participant not present")
        n = len(t.citizen_ids)
        if n < t.min_participants or (t.max_participants is not None and n > t.max_participants):
            out.append(f"{where}: group size {n} outside {t.min_participants}..{t.max_participants}")

        # Consultants: count, distinct, type, site, availability incl. travel.
        if len(p.consultant_ids) != len(t.staff_requirements):
            out.append(f"{where}: {len(p.consultant_ids)} consultants for {len(t.staff_requirements)} requirements")
        if len(set(p.consultant_ids)) != len(p.consultant_ids):
            out.append(f"{where}: same consultant used twice")
        for kid, req in zip(p.consultant_ids, t.staff_requirements, strict=False):
            c = consultants.get(kid)
            if c is None:
                out.append(f"{where}: unknown consultant {kid}")
                continue
            if not c.staff_types & req:
                out.append(f"{where}: consultant {c.name} has none of {sorted(req)}")
            if t.allowed_consultant_ids is not None and kid not in t.allowed_consultant_ids:
                out.append(f"{where}: consultant {c.name} not allowed")
            if not c.site_ids & t.site_ids:
                out.append(f"{where}: consultant {c.name} serves none of the task's sites")
            if t.place == "site" and p.site_id not in c.site_ids:
                out.append(f"{where}: consultant {c.name} does not serve site {p.site_id}")
            travel = 0
            if t.place in VISIT_PLACES and t.location_id is not None:
                home = sites[c.home_site_id].location_id
                minutes = problem.travel(home, t.location_id)
                travel = -(-minutes // problem.slot_minutes)
            b0, b1 = start - travel, end + travel
            if b0 < 0 or not _inside(c.available, b0, b1):
                out.append(f"{where}: consultant {c.name} not available {b0}..{b1} (incl. travel)")
            consultant_busy[kid].append((b0, b1, t.id))
            consultant_minutes[kid] += (b1 - b0) * problem.slot_minutes

        # Citizens: availability (internship hours count at company visits) and day limits.
        for zid in t.citizen_ids:
            z = citizens[zid]
            avail = z.available + (z.internship if t.place == "company" else ())
            if not _inside(avail, start, end):
                out.append(f"{where}: citizen {z.label} not available")
            citizen_busy[zid].append((start, end, t.id))
            citizen_day[(zid, start // spd)] += t.duration_slots * problem.slot_minutes

        # Place: site opening hours and a suitable room.
        if t.place == "site":
            if p.site_id not in t.site_ids:
                out.append(f"{where}: site {p.site_id} not allowed")
            elif not _inside(sites[p.site_id].open_windows, start, end):
                out.append(f"{where}: site {sites[p.site_id].name} closed")
            room = rooms.get(p.room_id) if p.room_id is not None else None
            if room is None:
                out.append(f"{where}: no room assigned")
            else:
                if room.site_id != p.site_id:
                    out.append(f"{where}: room {room.id} is not at site {p.site_id}")
                need = max(t.room_min_capacity, n + len(t.staff_requirements))
                if room.capacity < need:
                    out.append(f"{where}: room {room.id} holds {room.capacity} < {need}")
                if not t.room_features <= room.features:
                    out.append(f"{where}: room {room.id} lacks {sorted(t.room_features - room.features)}")
                room_busy[room.id].append((start, end, t.id))
        elif p.room_id is not None:
            out.append(f"{where}: room booked for an off-site task")

    for label, table in (("consultant", consultant_busy), ("citizen", citizen_busy), ("room", room_busy)):
        for key, items in table.items():
            items.sort()
            # Sorted by start, an item overlaps an earlier one iff it starts before the
            # latest end seen so far.
            run_end, run_task = -1, ""
            for s, e, tid in items:
                if s < run_end:
                    out.append(f"{label} {key} double-booked: {run_task} and {tid} (slot {s})")
                if e > run_end:
                    run_end, run_task = e, tid
    for (zid, day), minutes in citizen_day.items():
        cap = citizens[zid].max_minutes_per_day
        if cap is not None and minutes > cap:
            out.append(f"citizen {citizens[zid].label} booked {minutes} min on day {day} > {cap}")
    for kid, minutes in consultant_minutes.items():
        if minutes > consultants[kid].contracted_minutes_per_week:
            out.append(f"consultant {consultants[kid].name} booked {minutes} min > contract")

    unplaced_ids = [u.task_id for u in solution.unplaced]
    if len(set(unplaced_ids)) != len(unplaced_ids):
        out.append("a task is listed as unplaced twice")
    for u in solution.unplaced:
        if u.task_id in seen:
            out.append(f"task {u.task_id} both placed and unplaced")
        if not u.reason.strip():
            out.append(f"task {u.task_id} unplaced without a reason")
    missing = set(tasks) - seen - set(unplaced_ids)
    for tid in sorted(missing):
        out.append(f"task {tid} neither placed nor listed as unplaced")
    return out
