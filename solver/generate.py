"""Deterministic, realistic instance generator for tests and benchmarks.

Sizes: S = 1 site / ~8 consultants / ~50 citizens, M = 3 / ~30 / ~250, L = 8 / ~100 / ~1,000,
XL = 25 / ~300 / ~3,000. Sites come in clusters of neighbouring sites (up to 3) that share
some consultants; clusters share nobody, which is what makes L and XL decomposable.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from solver.problem import (
    Citizen,
    Consultant,
    Problem,
    Room,
    Site,
    SolverParams,
    Task,
    Window,
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


def generate(size: str, seed: int, params: SolverParams | None = None) -> Problem:
    if size not in SIZES:
        raise ValueError(f"size must be one of {sorted(SIZES)}")
    rng = random.Random(f"{size}:{seed}")
    clusters, n_consultants, n_citizens = SIZES[size]
    probe = Problem(WEEK_START, (), (), (), (), (), SolverParams(num_workers=1))

    def win(day: int, h0: float, h1: float) -> Window:
        return Window(
            probe.slot_of(day, int(h0), int(round(h0 % 1 * 60))),
            probe.slot_of(day, int(h1), int(round(h1 % 1 * 60))),
        )

    def office_hours(day: int) -> Window:
        return win(day, 8, 15 if day == 4 else 16)

    # Sites and rooms.
    sites: list[Site] = []
    cluster_of: dict[int, int] = {}
    sid = 0
    for ci, n in enumerate(clusters):
        for _ in range(n):
            sid += 1
            sites.append(Site(sid, TOWNS[sid - 1], tuple(office_hours(d) for d in range(5)), f"site:{sid}"))
            cluster_of[sid] = ci
    n_sites = len(sites)
    per_site_consultants = [
        n_consultants // n_sites + (1 if i < n_consultants % n_sites else 0) for i in range(n_sites)
    ]
    rooms: list[Room] = []
    for s, nc in zip(sites, per_site_consultants, strict=True):
        for i in range(max(2, nc // 2)):  # ids: site * 1000 + 1..99 meeting rooms, 100+ special rooms
            rooms.append(Room(s.id * 1000 + i + 1, s.id, 4, frozenset(), f"Mødelokale {i + 1}"))
        rooms.append(Room(s.id * 1000 + 100, s.id, 4, frozenset({"accessible"}), "Handicapvenligt mødelokale"))
        rooms.append(Room(s.id * 1000 + 200, s.id, 8, frozenset(), "Stort mødelokale"))
        for i in range(1 + nc // 20):
            rooms.append(Room(s.id * 1000 + 300 + i, s.id, 16, frozenset({"group"}), f"Kursuslokale {i + 1}"))

    # Consultants: 50 % social, 30 % job, 20 % health at every site.
    consultants: list[Consultant] = []
    kid = 0
    for s, nc in zip(sites, per_site_consultants, strict=True):
        n_job = round(nc * 0.3)
        n_health = max(1, round(nc * 0.2))
        types = ["job"] * n_job + ["health"] * n_health
        types = ["social"] * (nc - len(types)) + types
        neighbours = [o.id for o in sites if cluster_of[o.id] == cluster_of[s.id] and o.id != s.id]
        for st in types:
            kid += 1
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
            preferred = tuple(win(d, 8, 12) for d in range(5)) if rng.random() < 0.2 else ()
            consultants.append(
                Consultant(
                    id=kid,
                    name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    staff_types=frozenset({st}),
                    site_ids=frozenset(served),
                    home_site_id=s.id,
                    contracted_minutes_per_week=contracted,
                    available=tuple(office_hours(d) for d in days),
                    preferred=preferred,
                    max_caseload=25,
                    caseload=0,
                )
            )

    social_at: dict[int, list[Consultant]] = {s.id: [] for s in sites}
    job_at: dict[int, list[Consultant]] = {s.id: [] for s in sites}
    for c in consultants:
        for site_id in c.site_ids:
            if "social" in c.staff_types:
                social_at[site_id].append(c)
            if "job" in c.staff_types:
                job_at[site_id].append(c)

    # Citizens (drafts first: group sessions add busy days before they are frozen).
    people: list[_Person] = []
    caseload: dict[int, int] = {c.id: 0 for c in consultants}
    travel: dict[tuple[str, str], int] = {}
    company_seq = 0
    companies_by_site: dict[int, list[str]] = {s.id: [] for s in sites}
    for z in range(1, n_citizens + 1):
        site_id = sites[(z - 1) % n_sites].id
        start_hour = 10 if rng.random() < 0.2 else 8  # accommodation: not before 10:00
        available = [win(d, start_hour, 15 if d == 4 else 16) for d in range(5)]
        person = _Person(z, site_id, available)
        if rng.random() < 1 / 3:
            hours_target = rng.randint(10, 37)
            n_days = min(5, max(2, round(hours_target / 7)))
            per_day = min(7.0, max(4.0, hours_target / n_days))
            days = sorted(rng.sample(range(5), n_days))
            person.internship = [win(d, 8, 8 + per_day) for d in days]
            person.available = _subtract(person.available, person.internship)
            if companies_by_site[site_id] and rng.random() < 0.5:
                person.company = rng.choice(companies_by_site[site_id])
            else:
                company_seq += 1
                person.company = f"company:{company_seq}"
                companies_by_site[site_id].append(person.company)
                for other in sites:
                    if cluster_of[other.id] == cluster_of[site_id]:
                        travel[(other.location_id, person.company)] = rng.choice((15, 20, 25, 30, 40))
        if rng.random() < 0.1:
            person.max_minutes = 120
        if rng.random() < 0.15:
            person.preferred_days = frozenset(rng.sample(range(5), 2))
        if rng.random() < 0.95 and social_at[site_id]:
            pool = sorted(social_at[site_id], key=lambda c: (caseload[c.id], rng.random()))
            person.contact = pool[0].id
            caseload[pool[0].id] += 1
        if not person.internship and rng.random() < 0.25:
            person.busy_days |= set(rng.sample(range(5), 2))  # workshop days at the site
        people.append(person)
    for s in sites:
        for o in sites:
            if s.id < o.id and cluster_of[s.id] == cluster_of[o.id]:
                travel[(s.location_id, o.location_id)] = rng.choice((25, 35, 45))

    tasks: list[Task] = []
    week = Window(0, probe.num_slots)
    deadlines = [week, week, Window(0, probe.slot_of(2, 16)), Window(0, probe.slot_of(3, 16))]

    # Group sessions at a fixed time; participants must be free then.
    course_seq = 0
    course_slots: dict[int, list[Window]] = {s.id: [] for s in sites}
    for s in sites:
        locals_ = [p for p in people if p.site_id == s.id]
        for _course in range(1 + len(locals_) // 60):
            course_seq += 1
            n_sessions = rng.randint(1, 3)
            group_rooms = sum(1 for r in rooms if r.site_id == s.id and "group" in r.features)
            for _attempt in range(20):
                # Courses are timetabled around each other: never more at once than rooms.
                days = sorted(rng.sample(range(5), n_sessions))
                hours = rng.choice((1, 2, 3))
                begin = rng.choice((9, 10, 12)) if hours < 3 else 9
                slots = [win(d, begin, begin + hours) for d in days]
                clash = any(
                    sum(1 for o in course_slots[s.id] if o.start < w.end and w.start < o.end) >= group_rooms
                    for w in slots
                )
                if not clash:
                    break
            else:
                continue
            fits = [
                p
                for p in locals_
                if all(_inside(p.available, w) for w in slots)
                and (p.max_minutes is None or p.max_minutes >= hours * 60)
            ]
            rng.shuffle(fits)
            group = sorted(fits[: rng.randint(6, 14)], key=lambda p: p.id)
            if len(group) < 6:
                continue
            staff = (frozenset({"health"}),) if rng.random() < 0.5 else (frozenset({"social"}), frozenset({"health"}))
            for p in group:
                p.busy_days |= set(days)
            course_slots[s.id].extend(slots)
            for k, w in enumerate(slots):
                tasks.append(
                    Task(
                        id=f"group:{course_seq}:{k + 1}",
                        kind="group_session",
                        citizen_ids=tuple(p.id for p in group),
                        staff_requirements=staff,
                        duration_slots=w.end - w.start,
                        place="site",
                        site_ids=frozenset({s.id}),
                        window=Window(
                            w.start - w.start % probe.slots_per_day,
                            w.end - w.end % probe.slots_per_day + probe.slots_per_day,
                        ),
                        fixed_start=w.start,
                        room_features=frozenset({"group"}),
                        penalty_unplaced=20,
                        min_participants=6,
                        max_participants=14,
                        reason_rule="Gruppeforløb: fast ugentlig session",
                    )
                )

    for p in people:
        contact = (p.contact,) if p.contact is not None else ()
        site = frozenset({p.site_id})
        if p.contact is None:
            tasks.append(
                Task(
                    id=f"stepup:{p.id}",
                    kind="stepup",
                    citizen_ids=(p.id,),
                    staff_requirements=(frozenset({"social"}),),
                    duration_slots=4,
                    place="site",
                    site_ids=site,
                    window=rng.choice(deadlines),
                    penalty_unplaced=12,
                    reason_rule="Opstartssamtale senest 5 dage efter visitation",
                )
            )
        elif rng.random() < 0.3:
            phone = rng.random() < 0.15
            tasks.append(
                Task(
                    id=f"talk:{p.id}",
                    kind="talk",
                    citizen_ids=(p.id,),
                    staff_requirements=(frozenset({"social"}),),
                    duration_slots=rng.choice((3, 4)),
                    place="phone" if phone else "site",
                    site_ids=site,
                    room_features=frozenset({"accessible"}) if rng.random() < 0.05 else frozenset(),
                    window=rng.choice(deadlines),
                    preferred_consultant_ids=contact,
                    penalty_unplaced=10,
                    reason_rule="Individuel samtale mindst hver 28. dag",
                )
            )
        if p.internship and p.company and rng.random() < 0.5:
            keeper = (
                job_at[p.site_id][int(p.company.split(":")[1]) % len(job_at[p.site_id])] if job_at[p.site_id] else None
            )
            tasks.append(
                Task(
                    id=f"visit:{p.id}",
                    kind="followup_visit",
                    citizen_ids=(p.id,),
                    staff_requirements=(frozenset({"job"}),),
                    duration_slots=rng.choice((2, 3)),
                    place="company",
                    site_ids=site,
                    location_id=p.company,
                    window=week,
                    preferred_consultant_ids=(keeper.id,) if keeper else (),
                    penalty_unplaced=8,
                    reason_rule="Virksomhedsopfølgning mindst hver 14. dag",
                )
            )
        if rng.random() < 0.05:
            staff = [frozenset({"social"}), frozenset({"job"})]
            if rng.random() < 0.3:
                staff.append(frozenset({"health"}))
            present_days = rng.sample(range(5), 3)
            tasks.append(
                Task(
                    id=f"roundtable:{p.id}",
                    kind="roundtable",
                    citizen_ids=(p.id,),
                    staff_requirements=tuple(staff),
                    duration_slots=rng.choice((4, 6)),
                    place="site",
                    site_ids=site,
                    room_min_capacity=6,
                    window=week,
                    external_windows=tuple(
                        win(d, 8, 12) if rng.random() < 0.5 else win(d, 12, 16) for d in sorted(present_days)
                    ),
                    preferred_consultant_ids=contact,
                    penalty_unplaced=15,
                    reason_rule="Rundbordssamtale aftalt med arbejdsgiver",
                )
            )
        if rng.random() < 0.1:
            tasks.append(
                Task(
                    id=f"health:{p.id}",
                    kind="health_talk",
                    citizen_ids=(p.id,),
                    staff_requirements=(frozenset({"health"}),),
                    duration_slots=rng.choice((3, 4)),
                    place="phone" if rng.random() < 0.3 else "site",
                    site_ids=site,
                    window=week,
                    penalty_unplaced=8,
                    reason_rule="Sundhedsfaglig samtale om skånehensyn",
                )
            )
        if rng.random() < 0.1:
            tasks.append(
                Task(
                    id=f"contact:{p.id}",
                    kind="weekly_contact",
                    citizen_ids=(p.id,),
                    staff_requirements=(frozenset({"social"}),),
                    duration_slots=rng.choice((1, 2)),
                    place="phone",
                    site_ids=site,
                    window=week,
                    preferred_consultant_ids=contact,
                    penalty_unplaced=5,
                    reason_rule="Ugentlig kontakt (sygedagpenge)",
                )
            )
        if rng.random() < 0.03:
            home = f"home:{p.id}"
            for other in sites:
                if cluster_of[other.id] == cluster_of[p.site_id]:
                    travel[(other.location_id, home)] = rng.choice((10, 20, 30))
            tasks.append(
                Task(
                    id=f"home:{p.id}",
                    kind="home_visit",
                    citizen_ids=(p.id,),
                    staff_requirements=(frozenset({"social"}),),
                    duration_slots=4,
                    place="home",
                    site_ids=site,
                    location_id=home,
                    window=week,
                    preferred_consultant_ids=contact,
                    penalty_unplaced=10,
                    reason_rule="Hjemmebesøg (borger kan ikke møde op)",
                )
            )

    consultants = [
        Consultant(**{**{f: getattr(c, f) for f in c.__slots__}, "caseload": caseload[c.id] + rng.randint(0, 8)})
        for c in consultants
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
        for p in people
    )
    problem = Problem(
        week_start=WEEK_START,
        sites=tuple(sites),
        rooms=tuple(rooms),
        consultants=tuple(consultants),
        citizens=citizens,
        tasks=tuple(tasks),
        params=params or _params(size, seed),
        travel_minutes=travel,
    )
    problem.validate()
    return problem


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
