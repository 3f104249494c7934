"""Lookups built once per Problem (dictionaries and bit masks) and the time and load arithmetic
shared by candidates, greedy, CP-SAT, the bounds and the objective (`solver.objective` prices it)."""

from __future__ import annotations

from collections.abc import Iterable

from solver.components import consultant_groups
from solver.problem import VISIT_PLACES, Booking, Citizen, Consultant, Place, Problem, Task, Window

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
        self.travel_on = problem.rules.travel
        # Free working time: working hours minus bookings in other plans (both modes).
        self.consultant_avail = {
            c.id: mask_of(c.available) & ~mask_of(Window(b.start, b.end) for b in c.bookings)
            for c in problem.consultants
        }
        # Where the trip from and back to the home site must fit. With travel in the day, bookings
        # are stops of the day like any other (checked with their travel by `clear_of_bookings`).
        self.consultant_shift = (
            {c.id: mask_of(c.available) for c in problem.consultants} if self.travel_on else self.consultant_avail
        )
        self.bookings_on: dict[tuple[int, int], list[Booking]] = {}
        for c in problem.consultants:
            for b in c.bookings:
                self.bookings_on.setdefault((c.id, problem.day_of(b.start)), []).append(b)
        self._presence: dict[tuple[int, Place, str | None], int] = {}
        self._trips: dict[tuple[str | None, str | None], int] = {}
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

    def location(self, consultant: Consultant, task: Task, site_id: int | None) -> str | None:
        """Where the consultant is during the task: the site held at, the company/home visited, or
        (phone and video) their home site."""
        if task.place == Place.SITE:
            site = self.sites.get(site_id) if site_id is not None else None
            return site.location_id if site is not None else None
        if task.place in VISIT_PLACES:
            return task.location_id
        return self.sites[consultant.home_site_id].location_id

    def home_trip_slots(self, consultant: Consultant, task: Task, site_id: int | None) -> int:
        """Travel between the home site and the task's place that must fit around it in the
        consultant's working time (without travel in the day: visits only)."""
        if not self.travel_on:
            return self.travel_slots(consultant, task)
        home = self.sites[consultant.home_site_id].location_id
        return self.problem.travel_slots(home, self.location(consultant, task, site_id))

    def busy_interval(self, consultant: Consultant, task: Task, start: int) -> tuple[int, int]:
        """Slots the consultant is occupied: travel there, the appointment, travel back. With
        travel in the day only the appointment: travel depends on the neighbours (model, greedy)."""
        if self.travel_on:
            return start, start + task.duration_slots
        t = self.travel_slots(consultant, task)
        return start - t, start + task.duration_slots + t

    def trip(self, a: str | None, b: str | None) -> int:
        """Travel slots between two places (cached; 0 for the same or an unknown place)."""
        found = self._trips.get((a, b))
        if found is None:
            found = self._trips[(a, b)] = self.problem.travel_slots(a, b) if a != b else 0
        return found

    def clear_of_bookings(self, consultant_id: int, location: str | None, start: int, end: int) -> bool:
        """With travel in the day: the appointment keeps clear of the consultant's bookings in other
        plans, including the trip between their places."""
        for b in self.bookings_on.get((consultant_id, self.problem.day_of(start)), ()):
            if b.end <= start:
                if start - b.end < self.trip(b.location_id, location):
                    return False
            elif end <= b.start:
                if b.start - end < self.trip(location, b.location_id):
                    return False
            else:
                return False
        return True

    def load_minutes(self, consultant: Consultant, task: Task) -> int:
        return (task.duration_slots + 2 * self.travel_slots(consultant, task)) * self.problem.slot_minutes

    @staticmethod
    def rel_permille(consultant: Consultant, minutes: int) -> int:
        """Load relative to contracted hours, integer permille (CP-SAT needs integers)."""
        return (minutes * 1000 + consultant.contracted_minutes_per_week // 2) // max(
            1, consultant.contracted_minutes_per_week
        )

    def citizen_presence(self, citizen_id: int, place: Place, location: str | None = None) -> int:
        """Slots (bit mask) in which the citizen can attend a task at `place` (`location`: the
        site's, company's or home's location id). Without `Citizen.free`: `available`, and for a
        company visit the internship hours (when there are any). With it, presence per place:
        phone = free; company = their hours at that company, else free minus the trip from work;
        site or home = free minus the trip from each workplace."""
        key = (citizen_id, place, location)
        found = self._presence.get(key)
        if found is None:
            found = self._presence[key] = self._citizen_presence(self.citizens[citizen_id], place, location)
        return found

    def _citizen_presence(self, z: Citizen, place: Place, location: str | None) -> int:
        if z.free is None:
            if place == Place.COMPANY and self.citizen_internship[z.id]:
                return self.citizen_internship[z.id]  # a company visit: while they are at work
            return self.citizen_avail[z.id]
        free = mask_of(z.free)
        if place == Place.PHONE:
            return free
        if place == Place.COMPANY:
            there = [w for wp in z.workplaces if wp.location_id == location for w in wp.windows]
            if there:
                return mask_of(there)
        spd = self.problem.slots_per_day
        for wp in z.workplaces:
            trip = self.problem.travel_slots(wp.location_id, location)
            for w in wp.windows:
                day0 = w.start // spd * spd
                free &= ~span_bits(max(day0, w.start - trip), min(day0 + spd, w.end + trip))
        return free

    def citizen_task_presence(self, citizen_id: int, task: Task) -> int:
        """Slots one citizen can attend `task` (a site task: at any of its sites)."""
        if task.place != Place.SITE:
            return self.citizen_presence(citizen_id, task.place, task.location_id)
        out = 0
        for sid in task.site_ids:
            out |= self.citizen_presence(citizen_id, Place.SITE, self.sites[sid].location_id)
        return out

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
