"""Shared lookups and the per-placement cost rules used by candidates, greedy, CP-SAT and the
objective, so every plan is scored by exactly the same arithmetic."""

from __future__ import annotations

from collections.abc import Iterable

from solver.problem import VISIT_PLACES, Consultant, Problem, Task, Window

STAFF_TYPE_DA = {"social": "socialrådgiver", "job": "jobkonsulent", "health": "sundhedskonsulent"}
STAFF_TYPE_DA_PLURAL = {"social": "socialrådgivere", "job": "jobkonsulenter", "health": "sundhedskonsulenter"}


def mask_of(windows: Iterable[Window]) -> int:
    """Bitset over week slots; Python ints make interval containment one AND."""
    m = 0
    for w in windows:
        if w.end > w.start:
            m |= ((1 << (w.end - w.start)) - 1) << w.start
    return m


def span_bits(start: int, end: int) -> int:
    return ((1 << (end - start)) - 1) << start if end > start else 0


def covers(mask: int, start: int, end: int) -> bool:
    bits = span_bits(start, end)
    return mask & bits == bits


def staff_label(req: frozenset[str]) -> str:
    return " eller ".join(STAFF_TYPE_DA[t] for t in sorted(req))


def staff_label_plural(req: frozenset[str]) -> str:
    return " eller ".join(STAFF_TYPE_DA_PLURAL[t] for t in sorted(req))


class Index:
    """Dictionaries and bit masks built once per Problem."""

    def __init__(self, problem: Problem) -> None:
        from solver.decompose import consultant_groups  # local: decompose imports nothing heavy

        self.problem = problem
        self.sites = problem.site_by_id()
        self.rooms = problem.room_by_id()
        self.consultants = problem.consultant_by_id()
        self.citizens = problem.citizen_by_id()
        self.tasks = problem.task_by_id()
        self.consultant_avail = {c.id: mask_of(c.available) for c in problem.consultants}
        self.consultant_pref = {c.id: mask_of(c.preferred) for c in problem.consultants}
        self.citizen_avail = {z.id: mask_of(z.available) for z in problem.citizens}
        self.citizen_internship = {z.id: mask_of(z.internship) for z in problem.citizens}
        self.site_open = {s.id: mask_of(s.open_windows) for s in problem.sites}
        # Load balance is measured per (consultant group, staff type); groups are the
        # independent parts of the problem so decomposed solves score exactly the same.
        self.group_of = consultant_groups(problem)
        # Fixed-time appointments at the site (group sessions) per (citizen, day): what a citizen comes
        # in for anyway, and what a flexible appointment that day should sit next to.
        self.fixed_site: dict[tuple[int, int], list[tuple[str, int, int]]] = {}
        for t in problem.tasks:
            if t.fixed_start is not None and self.citizen_trip(t):
                for zid in t.citizen_ids:
                    self.fixed_site.setdefault((zid, problem.day_of(t.fixed_start)), []).append(
                        (t.id, t.fixed_start, t.fixed_start + t.duration_slots))

    def travel_slots(self, consultant: Consultant, task: Task) -> int:
        """Visits start and end at the consultant's home site (their office)."""
        if task.place not in VISIT_PLACES or task.location_id is None:
            return 0
        site = self.sites[consultant.home_site_id]
        return self.problem.travel_slots(site.location_id, task.location_id)

    def busy_interval(self, consultant: Consultant, task: Task, start: int) -> tuple[int, int]:
        """Slots the consultant is occupied: travel there, the appointment, travel back."""
        t = self.travel_slots(consultant, task)
        return start - t, start + task.duration_slots + t

    def load_minutes(self, consultant: Consultant, task: Task) -> int:
        return (task.duration_slots + 2 * self.travel_slots(consultant, task)) * self.problem.slot_minutes

    @staticmethod
    def rel_permille(consultant: Consultant, minutes: int) -> int:
        """Load relative to contracted hours, integer permille (CP-SAT needs integers)."""
        return (minutes * 1000 + consultant.contracted_minutes_per_week // 2) // max(
            1, consultant.contracted_minutes_per_week
        )

    def citizen_trip(self, task: Task) -> bool:
        """Whether attending this task makes the citizen travel to the site."""
        return task.place == "site"

    def waiting_cost(self, task: Task, start: int) -> int:
        """Citizens waiting at the site between this flexible appointment and their nearest fixed-time
        session that day (weights.citizen_gap per slot; 0 when they sit back to back)."""
        weight = self.problem.weights.citizen_gap
        if not weight or task.fixed_start is not None or not self.citizen_trip(task):
            return 0
        end = start + task.duration_slots
        day = self.problem.day_of(start)
        slots = 0
        for zid in task.citizen_ids:
            sessions = [(a, b) for tid, a, b in self.fixed_site.get((zid, day), ()) if tid != task.id]
            if sessions:
                slots += min(max(0, a - end, start - b) for a, b in sessions)
        return weight * slots

    def linear_cost(self, task: Task, start: int, consultant_ids: tuple[int, ...]) -> int:
        """Soft costs that depend on one placement only (everything but balance and trips)."""
        w = self.problem.weights
        cost = self.waiting_cost(task, start)
        if task.preferred_consultant_ids and not set(consultant_ids) & set(task.preferred_consultant_ids):
            cost += w.not_contact_consultant
        end = start + task.duration_slots
        for kid in consultant_ids:
            pref = self.consultant_pref[kid]
            if pref and not covers(pref, start, end):
                cost += w.preference
        day = self.problem.day_of(start)
        for zid in task.citizen_ids:
            z = self.citizens[zid]
            if z.preferred_days and day not in z.preferred_days:
                cost += w.preference
        if len(task.citizen_ids) == 1 and self.citizens[task.citizen_ids[0]].contact_consultant_id is None:
            # A new citizen's first talk makes the consultant their contact: respect caseloads.
            for kid in consultant_ids:
                c = self.consultants[kid]
                if c.caseload >= c.max_caseload:
                    cost += w.caseload
        if task.previous is not None and (
            task.previous.start_slot != start or tuple(task.previous.consultant_ids) != tuple(consultant_ids)
        ):
            cost += w.moved_from_published
        return cost

    def unplaced_cost(self, task: Task) -> int:
        w = self.problem.weights
        cost = w.unplaced * task.penalty_unplaced
        if task.pinned is not None:
            # Coordinators' pins are almost hard: dropping one costs like a hundred tasks.
            cost *= 100
        if task.previous is not None:
            cost += w.moved_from_published
        return cost
