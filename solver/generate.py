"""Deterministic, realistic instance generator for tests and benchmarks.

Sizes: S = 1 site / ~8 consultants / ~50 citizens, M = 3 / ~30 / ~250, L = 8 / ~100 / ~1,000,
XL = 25 / ~300 / ~3,000. Sites come in clusters of neighbouring sites (up to 3) that share
some consultants; clusters share nobody, which is what makes L and XL decomposable.

`day_rules=True` turns on the rules of issue 12 on the same instance: travel in the day (with
travel between the companies and homes of a cluster, so visits can chain), a 30-minute lunch between
11:00 and 13:30, at most 180 minutes of appointments in a row, and presence per place for every
citizen (their internship company and hours as a workplace). Its extra random draws come from a
separate stream, so the instance without the rules is exactly the one generated before.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date

from solver.problem import (
    Citizen,
    Consultant,
    DayRules,
    Lunch,
    Place,
    Problem,
    Room,
    Site,
    SolverParams,
    Task,
    Window,
    Workplace,
)

SIZES: dict[str, tuple[list[int], int, int]] = {
    # clusters (sites per cluster), consultants, citizens
    "S": ([1], 8, 50),
    "M": ([3], 30, 250),
    "L": ([3, 3, 2], 100, 1000),
    "XL": ([3] * 7 + [2, 2], 300, 3000),
}

TOWNS = (
    "Vejle Fredericia Kolding Horsens Herning Silkeborg Viborg Randers Aarhus Esbjerg Odense Svendborg "
    "Holstebro Skive Ikast Middelfart Haderslev Aabenraa Sønderborg Varde Grindsted Billund Hedensted "
    "Skanderborg Struer"
).split()
FIRST = "Mette Anne Lars Peter Hanne Jens Susanne Søren Louise Mads Camilla Henrik Maria Rasmus Pia".split()
LAST = "Hansen Nielsen Jensen Pedersen Andersen Christensen Larsen Sørensen Rasmussen Madsen Kristensen".split()

WEEK_START = date(2025, 3, 3)  # an ordinary Monday (no Danish holiday that week)


@dataclass
class _Person:
    """Mutable draft of a citizen while tasks are being generated."""

    id: int
    site_id: int
    available: list[Window]
    internship: list[Window] = field(default_factory=list)
    max_minutes: int | None = None
    preferred_days: frozenset[int] = frozenset()
    contact: int | None = None
    busy_days: set[int] = field(default_factory=set)
    company: str | None = None


def _params(size: str, seed: int) -> SolverParams:
    limits = {"S": 10.0, "M": 60.0, "L": 180.0, "XL": 600.0}
    return SolverParams(num_workers=2, random_seed=seed, max_time_seconds=limits[size])


def generate(size: str, seed: int, params: SolverParams | None = None, day_rules: bool = False) -> Problem:
    if size not in SIZES:
        raise ValueError(f"size must be one of {sorted(SIZES)}")
    # One random stream drawn from in a fixed order (the steps below): the same size and seed
    # always give the same Problem, which benchmarks and exact-result tests rely on.
    g = _Generator(size, seed)
    g.add_sites_and_rooms()
    g.add_consultants()
    g.add_citizens()
    g.add_site_travel()
    g.add_group_sessions()
    for person in g.people:
        g.add_tasks_of(person)
    problem = g.problem(params or _params(size, seed))
    if day_rules:
        problem = _with_day_rules(problem, g, random.Random(f"{size}:{seed}:day-rules"))
    problem.validate()
    return problem


def _with_day_rules(problem: Problem, g: _Generator, rng: random.Random) -> Problem:
    """The same instance with travel in the day, lunch, run limits and presence per place."""
    travel = dict(problem.travel_minutes)
    places: dict[int, set[str]] = {}
    for t in problem.tasks:
        if t.location_id is not None:
            places.setdefault(g.cluster_of[min(t.site_ids)], set()).add(t.location_id)
    for p in g.people:
        if p.company is not None:
            places.setdefault(g.cluster_of[p.site_id], set()).add(p.company)
    for cluster in sorted(places):
        spots = sorted(places[cluster])
        for i, a in enumerate(spots):
            for b in spots[i + 1 :]:
                travel[(a, b)] = rng.choice((5, 10, 15, 20, 30, 40))
    citizens = tuple(
        replace(
            z,
            free=z.available,
            workplaces=(Workplace(p.company, z.internship),) if p.company and z.internship else (),
        )
        for z, p in zip(problem.citizens, g.people, strict=True)
    )
    return replace(
        problem,
        citizens=citizens,
        travel_minutes=travel,
        rules=DayRules(travel=True, lunch=Lunch(), max_run_minutes=180),
    )


class _Generator:
    """The state of one instance while it is drawn."""

    def __init__(self, size: str, seed: int) -> None:
        self.rng = random.Random(f"{size}:{seed}")
        self.clusters, self.n_consultants, self.n_citizens = SIZES[size]
        self.probe = Problem(WEEK_START, (), (), (), (), (), SolverParams(num_workers=1))
        self.sites: list[Site] = []
        self.cluster_of: dict[int, int] = {}
        self.per_site_consultants: list[int] = []
        self.rooms: list[Room] = []
        self.consultants: list[Consultant] = []
        self.social_at: dict[int, list[Consultant]] = {}
        self.job_at: dict[int, list[Consultant]] = {}
        self.people: list[_Person] = []
        self.caseload: dict[int, int] = {}
        self.travel: dict[tuple[str, str], int] = {}
        self.company_seq = 0
        self.course_seq = 0
        self.tasks: list[Task] = []
        self.week = Window(0, self.probe.num_slots)
        self.deadlines = [
            self.week,
            self.week,
            Window(0, self.probe.slot_of(2, 16)),
            Window(0, self.probe.slot_of(3, 16)),
        ]

    def win(self, day: int, h0: float, h1: float) -> Window:
        probe = self.probe
        return Window(
            probe.slot_of(day, int(h0), int(round(h0 % 1 * 60))),
            probe.slot_of(day, int(h1), int(round(h1 % 1 * 60))),
        )

    def office_hours(self, day: int) -> Window:
        return self.win(day, 8, 15 if day == 4 else 16)

    def cluster(self, site_id: int) -> list[Site]:
        """The sites of `site_id`'s cluster, itself included."""
        return [o for o in self.sites if self.cluster_of[o.id] == self.cluster_of[site_id]]

    # -- places and people ------------------------------------------------------------------------

    def add_sites_and_rooms(self) -> None:
        sid = 0
        for ci, n in enumerate(self.clusters):
            for _ in range(n):
                sid += 1
                hours = tuple(self.office_hours(d) for d in range(5))
                self.sites.append(Site(sid, TOWNS[sid - 1], hours, f"site:{sid}"))
                self.cluster_of[sid] = ci
        n_sites = len(self.sites)
        self.per_site_consultants = [
            self.n_consultants // n_sites + (1 if i < self.n_consultants % n_sites else 0) for i in range(n_sites)
        ]
        for s, nc in zip(self.sites, self.per_site_consultants, strict=True):
            for i in range(max(2, nc // 2)):  # ids: site * 1000 + 1..99 meeting rooms, 100+ special rooms
                self.rooms.append(Room(s.id * 1000 + i + 1, s.id, 4, frozenset(), f"Mødelokale {i + 1}"))
            self.rooms.append(Room(s.id * 1000 + 100, s.id, 4, frozenset({"accessible"}), "Handicapvenligt mødelokale"))
            self.rooms.append(Room(s.id * 1000 + 200, s.id, 8, frozenset(), "Stort mødelokale"))
            for i in range(1 + nc // 20):
                self.rooms.append(Room(s.id * 1000 + 300 + i, s.id, 16, frozenset({"group"}), f"Kursuslokale {i + 1}"))

    def add_consultants(self) -> None:
        """50 % social, 30 % job, 20 % health at every site."""
        kid = 0
        for s, nc in zip(self.sites, self.per_site_consultants, strict=True):
            n_job = round(nc * 0.3)
            n_health = max(1, round(nc * 0.2))
            types = ["job"] * n_job + ["health"] * n_health
            types = ["social"] * (nc - len(types)) + types
            neighbours = [o.id for o in self.cluster(s.id) if o.id != s.id]
            for st in types:
                kid += 1
                self.consultants.append(self._consultant(kid, st, s, neighbours))
        self.social_at = {s.id: [] for s in self.sites}
        self.job_at = {s.id: [] for s in self.sites}
        for c in self.consultants:
            for site_id in c.site_ids:
                if "social" in c.staff_types:
                    self.social_at[site_id].append(c)
                if "job" in c.staff_types:
                    self.job_at[site_id].append(c)

    def _consultant(self, kid: int, staff_type: str, s: Site, neighbours: list[int]) -> Consultant:
        rng = self.rng
        served = {s.id}
        if neighbours and rng.random() < 0.3:
            served.add(rng.choice(neighbours))
        roll = rng.random()
        contracted, days_off = (37 * 60, 0) if roll < 0.7 else ((30 * 60, 1) if roll < 0.9 else (25 * 60, 2))
        days = sorted(rng.sample(range(5), 5 - days_off))
        absence = rng.random()
        if absence < 0.03:
            days = []  # sick or on holiday all week
        elif absence < 0.11:
            gone = set(rng.sample(days, min(len(days), rng.randint(1, 2))))
            days = [d for d in days if d not in gone]
        preferred = tuple(self.win(d, 8, 12) for d in range(5)) if rng.random() < 0.2 else ()
        return Consultant(
            id=kid,
            name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            staff_types=frozenset({staff_type}),
            site_ids=frozenset(served),
            home_site_id=s.id,
            contracted_minutes_per_week=contracted,
            available=tuple(self.office_hours(d) for d in days),
            preferred=preferred,
            max_caseload=25,
            caseload=0,
        )

    def add_citizens(self) -> None:
        """Citizens as drafts: group sessions add busy days before they are frozen (`problem`)."""
        rng = self.rng
        self.caseload = {c.id: 0 for c in self.consultants}
        companies_by_site: dict[int, list[str]] = {s.id: [] for s in self.sites}
        for z in range(1, self.n_citizens + 1):
            site_id = self.sites[(z - 1) % len(self.sites)].id
            start_hour = 10 if rng.random() < 0.2 else 8  # accommodation: not before 10:00
            available = [self.win(d, start_hour, 15 if d == 4 else 16) for d in range(5)]
            person = _Person(z, site_id, available)
            if rng.random() < 1 / 3:
                self._internship(person, companies_by_site[site_id])
            if rng.random() < 0.1:
                person.max_minutes = 120
            if rng.random() < 0.15:
                person.preferred_days = frozenset(rng.sample(range(5), 2))
            if rng.random() < 0.95 and self.social_at[site_id]:
                pool = sorted(self.social_at[site_id], key=lambda c: (self.caseload[c.id], rng.random()))
                person.contact = pool[0].id
                self.caseload[pool[0].id] += 1
            if not person.internship and rng.random() < 0.25:
                person.busy_days |= set(rng.sample(range(5), 2))  # workshop days at the site
            self.people.append(person)

    def _internship(self, person: _Person, companies: list[str]) -> None:
        """Internship days at a company of the citizen's site: an existing one half of the time."""
        rng = self.rng
        hours_target = rng.randint(10, 37)
        n_days = min(5, max(2, round(hours_target / 7)))
        per_day = min(7.0, max(4.0, hours_target / n_days))
        days = sorted(rng.sample(range(5), n_days))
        person.internship = [self.win(d, 8, 8 + per_day) for d in days]
        person.available = _subtract(person.available, person.internship)
        if companies and rng.random() < 0.5:
            person.company = rng.choice(companies)
            return
        self.company_seq += 1
        person.company = f"company:{self.company_seq}"
        companies.append(person.company)
        for other in self.cluster(person.site_id):
            self.travel[(other.location_id, person.company)] = rng.choice((15, 20, 25, 30, 40))

    def add_site_travel(self) -> None:
        for s in self.sites:
            for o in self.sites:
                if s.id < o.id and self.cluster_of[s.id] == self.cluster_of[o.id]:
                    self.travel[(s.location_id, o.location_id)] = self.rng.choice((25, 35, 45))

    # -- group sessions ---------------------------------------------------------------------------

    def add_group_sessions(self) -> None:
        """Courses at a fixed time; participants must be free then."""
        course_slots: dict[int, list[Window]] = {s.id: [] for s in self.sites}
        for s in self.sites:
            locals_ = [p for p in self.people if p.site_id == s.id]
            for _course in range(1 + len(locals_) // 60):
                self._add_course(s, locals_, course_slots[s.id])

    def _course_times(self, s: Site, taken: list[Window]) -> tuple[list[int], int, list[Window]] | None:
        """(days, hours, session windows) of a new course, or None when no attempt fits the rooms."""
        rng = self.rng
        n_sessions = rng.randint(1, 3)
        group_rooms = sum(1 for r in self.rooms if r.site_id == s.id and "group" in r.features)
        for _attempt in range(20):
            # Courses are timetabled around each other: never more at once than rooms.
            days = sorted(rng.sample(range(5), n_sessions))
            hours = rng.choice((1, 2, 3))
            begin = rng.choice((9, 10, 12)) if hours < 3 else 9
            slots = [self.win(d, begin, begin + hours) for d in days]
            clash = any(sum(1 for o in taken if o.start < w.end and w.start < o.end) >= group_rooms for w in slots)
            if not clash:
                return days, hours, slots
        return None

    def _add_course(self, s: Site, locals_: list[_Person], taken: list[Window]) -> None:
        rng = self.rng
        self.course_seq += 1
        times = self._course_times(s, taken)
        if times is None:
            return
        days, hours, slots = times
        fits = [
            p
            for p in locals_
            if all(_inside(p.available, w) for w in slots) and (p.max_minutes is None or p.max_minutes >= hours * 60)
        ]
        rng.shuffle(fits)
        group = sorted(fits[: rng.randint(6, 14)], key=lambda p: p.id)
        if len(group) < 6:
            return
        staff = (frozenset({"health"}),) if rng.random() < 0.5 else (frozenset({"social"}), frozenset({"health"}))
        for p in group:
            p.busy_days |= set(days)
        taken.extend(slots)
        spd = self.probe.slots_per_day
        for k, w in enumerate(slots):
            self.tasks.append(
                Task(
                    id=f"group:{self.course_seq}:{k + 1}",
                    kind="group_session",
                    citizen_ids=tuple(p.id for p in group),
                    staff_requirements=staff,
                    duration_slots=w.end - w.start,
                    place=Place.SITE,
                    site_ids=frozenset({s.id}),
                    window=Window(w.start - w.start % spd, w.end - w.end % spd + spd),
                    fixed_start=w.start,
                    room_features=frozenset({"group"}),
                    penalty_unplaced=20,
                    min_participants=6,
                    max_participants=14,
                    reason_rule="Gruppeforløb: fast ugentlig session",
                )
            )

    # -- each citizen's tasks (drawn in this order) -----------------------------------------------

    def add_tasks_of(self, p: _Person) -> None:
        rng = self.rng
        if p.contact is None:
            self._stepup(p)
        elif rng.random() < 0.3:
            self._talk(p)
        if p.internship and p.company and rng.random() < 0.5:
            self._visit(p)
        if rng.random() < 0.05:
            self._roundtable(p)
        if rng.random() < 0.1:
            self._health_talk(p)
        if rng.random() < 0.1:
            self._weekly_contact(p)
        if rng.random() < 0.03:
            self._home_visit(p)

    def _stepup(self, p: _Person) -> None:
        self.tasks.append(
            Task(
                id=f"stepup:{p.id}",
                kind="stepup",
                citizen_ids=(p.id,),
                staff_requirements=(frozenset({"social"}),),
                duration_slots=4,
                place=Place.SITE,
                site_ids=frozenset({p.site_id}),
                window=self.rng.choice(self.deadlines),
                penalty_unplaced=12,
                reason_rule="Opstartssamtale senest 5 dage efter visitation",
            )
        )

    def _talk(self, p: _Person) -> None:
        rng = self.rng
        phone = rng.random() < 0.15
        self.tasks.append(
            Task(
                id=f"talk:{p.id}",
                kind="talk",
                citizen_ids=(p.id,),
                staff_requirements=(frozenset({"social"}),),
                duration_slots=rng.choice((3, 4)),
                place=Place.PHONE if phone else Place.SITE,
                site_ids=frozenset({p.site_id}),
                room_features=frozenset({"accessible"}) if rng.random() < 0.05 else frozenset(),
                window=rng.choice(self.deadlines),
                preferred_consultant_ids=_contact(p),
                penalty_unplaced=10,
                reason_rule="Individuel samtale mindst hver 28. dag",
            )
        )

    def _visit(self, p: _Person) -> None:
        assert p.company is not None
        job = self.job_at[p.site_id]
        keeper = job[int(p.company.split(":")[1]) % len(job)] if job else None
        self.tasks.append(
            Task(
                id=f"visit:{p.id}",
                kind="followup_visit",
                citizen_ids=(p.id,),
                staff_requirements=(frozenset({"job"}),),
                duration_slots=self.rng.choice((2, 3)),
                place=Place.COMPANY,
                site_ids=frozenset({p.site_id}),
                location_id=p.company,
                window=self.week,
                preferred_consultant_ids=(keeper.id,) if keeper else (),
                penalty_unplaced=8,
                reason_rule="Virksomhedsopfølgning mindst hver 14. dag",
            )
        )

    def _roundtable(self, p: _Person) -> None:
        rng = self.rng
        staff = [frozenset({"social"}), frozenset({"job"})]
        if rng.random() < 0.3:
            staff.append(frozenset({"health"}))
        present_days = rng.sample(range(5), 3)
        self.tasks.append(
            Task(
                id=f"roundtable:{p.id}",
                kind="roundtable",
                citizen_ids=(p.id,),
                staff_requirements=tuple(staff),
                duration_slots=rng.choice((4, 6)),
                place=Place.SITE,
                site_ids=frozenset({p.site_id}),
                room_min_capacity=6,
                window=self.week,
                external_windows=tuple(
                    self.win(d, 8, 12) if rng.random() < 0.5 else self.win(d, 12, 16) for d in sorted(present_days)
                ),
                preferred_consultant_ids=_contact(p),
                penalty_unplaced=15,
                reason_rule="Rundbordssamtale aftalt med arbejdsgiver",
            )
        )

    def _health_talk(self, p: _Person) -> None:
        rng = self.rng
        self.tasks.append(
            Task(
                id=f"health:{p.id}",
                kind="health_talk",
                citizen_ids=(p.id,),
                staff_requirements=(frozenset({"health"}),),
                duration_slots=rng.choice((3, 4)),
                place=Place.PHONE if rng.random() < 0.3 else Place.SITE,
                site_ids=frozenset({p.site_id}),
                window=self.week,
                penalty_unplaced=8,
                reason_rule="Sundhedsfaglig samtale om skånehensyn",
            )
        )

    def _weekly_contact(self, p: _Person) -> None:
        self.tasks.append(
            Task(
                id=f"contact:{p.id}",
                kind="weekly_contact",
                citizen_ids=(p.id,),
                staff_requirements=(frozenset({"social"}),),
                duration_slots=self.rng.choice((1, 2)),
                place=Place.PHONE,
                site_ids=frozenset({p.site_id}),
                window=self.week,
                preferred_consultant_ids=_contact(p),
                penalty_unplaced=5,
                reason_rule="Ugentlig kontakt (sygedagpenge)",
            )
        )

    def _home_visit(self, p: _Person) -> None:
        home = f"home:{p.id}"
        for other in self.cluster(p.site_id):
            self.travel[(other.location_id, home)] = self.rng.choice((10, 20, 30))
        self.tasks.append(
            Task(
                id=f"home:{p.id}",
                kind="home_visit",
                citizen_ids=(p.id,),
                staff_requirements=(frozenset({"social"}),),
                duration_slots=4,
                place=Place.HOME,
                site_ids=frozenset({p.site_id}),
                location_id=home,
                window=self.week,
                preferred_consultant_ids=_contact(p),
                penalty_unplaced=10,
                reason_rule="Hjemmebesøg (borger kan ikke møde op)",
            )
        )

    # -- the frozen Problem -----------------------------------------------------------------------

    def problem(self, params: SolverParams) -> Problem:
        rng = self.rng
        consultants = [
            replace(c, caseload=self.caseload[c.id] + rng.randint(0, 8)) for c in self.consultants
        ]
        citizens = tuple(
            Citizen(
                id=p.id,
                label=f"B{p.id:04d}",
                site_id=p.site_id,
                available=tuple(p.available),
                max_minutes_per_day=p.max_minutes,
                preferred_days=p.preferred_days,
                contact_consultant_id=p.contact,
                busy_days=frozenset(p.busy_days),
                internship=tuple(p.internship),
            )
            for p in self.people
        )
        return Problem(
            week_start=WEEK_START,
            sites=tuple(self.sites),
            rooms=tuple(self.rooms),
            consultants=tuple(consultants),
            citizens=citizens,
            tasks=tuple(self.tasks),
            params=params,
            travel_minutes=self.travel,
        )


def _contact(p: _Person) -> tuple[int, ...]:
    return (p.contact,) if p.contact is not None else ()


def _inside(windows: list[Window], w: Window) -> bool:
    return any(a.contains(w.start, w.end) for a in windows)


def _subtract(windows: list[Window], minus: list[Window]) -> list[Window]:
    out: list[Window] = []
    for w in windows:
        pieces = [w]
        for m in minus:
            nxt = []
            for p in pieces:
                if m.end <= p.start or p.end <= m.start:
                    nxt.append(p)
                    continue
                if p.start < m.start:
                    nxt.append(Window(p.start, m.start))
                if m.end < p.end:
                    nxt.append(Window(m.end, p.end))
            pieces = nxt
        out.extend(pieces)
    return out
