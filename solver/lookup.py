"""Lookups built once per Problem (dictionaries and bit masks) and the time and load arithmetic
shared by candidates, greedy, CP-SAT, the bounds and the objective (`solver.objective` prices it)."""

from __future__ import annotations

from collections.abc import Iterable

from solver.components import consultant_groups
from solver.problem import VISIT_PLACES, Consultant, Place, Problem, Task, Window

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

    def citizen_presence(self, citizen_id: int, place: Place) -> int:
        """Slots (bit mask) in which the citizen can attend a task at `place`: at a company visit
        they are at their internship, so those hours count too."""
        avail = self.citizen_avail[citizen_id]
        if place == Place.COMPANY:
            avail |= self.citizen_internship[citizen_id]
        return avail

    def citizen_trip(self, task: Task) -> bool:
        """Whether attending this task makes the citizen travel to the site."""
        return task.place == Place.SITE


def eligible_consultants(
    problem: Problem, task: Task, req: frozenset[str], consultants: list[Consultant]
) -> list[Consultant]:
    return [
        c
        for c in consultants
        if c.staff_types & req
        and c.site_ids & task.site_ids
        and (task.allowed_consultant_ids is None or c.id in task.allowed_consultant_ids)
        and c.contracted_minutes_per_week > 0
    ]
