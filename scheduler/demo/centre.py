"""A realistic, deterministic demo organisation at the sizes of DOMAIN.md.

Everything is drawn from one random.Random(seed) in a fixed order and dated relative to the demo week,
so the same size, seed and week always give the same data. Rows are bulk-created: XL has ~3,000
citizens.
"""
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction

from activities.models import (
    ActivityKind,
    ActivityRule,
    Company,
    CourseMembership,
    CourseSession,
    EmployerAvailability,
    GroupCourse,
    Internship,
    InternshipKind,
    InternshipStep,
    InterventionModel,
    Phase,
    StaffType,
    TargetGroup,
    Theme,
)
from rooms.models import ClosedDay, OpeningHours, Room, RoomFeature, Site
from scheduler.demo import names
from scheduler.models import (
    INDICATORS,
    Absence,
    ActivityRequest,
    Appointment,
    Attendance,
    AttendanceStatus,
    Citizen,
    CitizenUnavailability,
    Consultant,
    Coordinator,
    Enrolment,
    EnrolmentStatus,
    Plan,
    PlanStatus,
    ProgressMeasurement,
    ProgressScore,
    WorkingHours,
)

TZ = ZoneInfo("Europe/Copenhagen")


@dataclass(frozen=True)
class Size:
    sites: int
    consultants: int
    citizens: int


SIZES = {
    "S": Size(1, 8, 50),
    "M": Size(3, 30, 250),
    "L": Size(8, 100, 1000),
    "XL": Size(25, 300, 3000),
}

# 50 % social, 30 % job, 20 % health, spread so every site gets a mix.
STAFF_PATTERN = ["social", "job", "health", "social", "social", "job", "health", "social", "job", "social"]

DEMO_PASSWORDS = {"admin": "demo-admin", "koordinator": "demo-koordinator", "konsulent": "demo-konsulent"}

SICKNESS_MODEL = "Tværfaglig fuldindsats – sygedagpenge"
JOB_MODEL = "Flere skal med II"
LONG_MODEL = "Kom godt tilbage i job"


def coming_monday(today: date | None = None) -> date:
    today = today or date.today()
    return today + timedelta(days=7 - today.weekday())


def demo_exists() -> bool:
    return Site.objects.exists()


@transaction.atomic
def demo_clear() -> None:
    """Remove the domain data (keeps reference data: staff types, target groups, built-in models)."""
    Appointment.objects.all().delete()
    Plan.objects.all().delete()
    ActivityRequest.objects.all().delete()
    Internship.objects.all().delete()
    CourseMembership.objects.all().delete()
    GroupCourse.objects.all().delete()
    Enrolment.objects.all().delete()
    Citizen.objects.all().delete()
    Company.objects.all().delete()
    Coordinator.objects.all().delete()
    Consultant.objects.all().delete()
    Room.objects.all().delete()
    ClosedDay.objects.all().delete()
    Site.objects.all().delete()
    InterventionModel.objects.filter(builtin=False).delete()
    get_user_model().objects.filter(username__in=DEMO_PASSWORDS).delete()


class DemoBuilder:
    def __init__(self, size: str, seed: int, week_start: date) -> None:
        self.size = SIZES[size]
        self.rng = random.Random(seed)
        # Months of talks, group sessions and attendance for the statistics; not for S (`make run` stays
        # fast). Its own random stream: the rest of the demo (and the planning benchmarks) stays the same.
        self.attendance_rng = random.Random(seed + 7919) if size != "S" else None
        self.week = week_start
        self.staff = {t.code: t for t in StaffType.objects.all()}
        self.features = {f.code: f for f in RoomFeature.objects.all()}
        self.groups = {g.code: g for g in TargetGroup.objects.all()}
        self.models = {m.name: m for m in InterventionModel.objects.filter(builtin=True)}
        self.phases = {
            m.name: list(Phase.objects.filter(model=m).order_by("order")) for m in self.models.values()
        }
        self.group_themes = self._themes_by_phase()

    # -- helpers ---------------------------------------------------------------------

    def _themes_by_phase(self) -> dict[int, set[str]]:
        themes: dict[int, set[str]] = {}
        for rule in ActivityRule.objects.filter(kind=ActivityKind.GROUP_SESSION):
            themes.setdefault(rule.phase_id, set()).add(rule.theme)
        return themes

    def _near(self, lat: float, lon: float, spread_km: float) -> tuple[float, float]:
        dlat = self.rng.uniform(-1, 1) * spread_km / 111.0
        dlon = self.rng.uniform(-1, 1) * spread_km / 63.0
        return round(lat + dlat, 5), round(lon + dlon, 5)

    def _person_name(self, international_share: float = 0.0) -> tuple[str, str]:
        if self.rng.random() < international_share:
            return self.rng.choice(names.INTERNATIONAL_NAMES)
        return self.rng.choice(names.FIRST_NAMES), self.rng.choice(names.LAST_NAMES)

    # -- build -------------------------------------------------------------------------

    def build(self) -> dict[str, int]:
        towns = [(region_no, town) for region_no, region in enumerate(names.REGIONS) for town in region]
        chosen = towns[: self.size.sites]
        self.sites = self._sites(chosen)
        self.region_of = {site.pk: region for site, (region, _town) in zip(self.sites, chosen, strict=True)}
        self.town_of = {site.pk: town for site, (_region, town) in zip(self.sites, chosen, strict=True)}
        self._rooms()
        self.consultants = self._consultants()
        self.companies = self._companies()
        self.citizens, self.enrolments = self._citizens_and_enrolments()
        self.internships = self._internships()
        self._courses()
        self._requests()
        self.ended = self._ended_enrolments()
        self._history()
        self._ended_attendance()
        self._progress()
        self._users()
        return self.counts()

    def _sites(self, chosen: list) -> list[Site]:
        sites = []
        for _region, (town, postcode, lat, lon, streets) in chosen:
            sites.append(Site(
                code=f"{town.lower().replace('ø', 'oe').replace('æ', 'ae').replace('å', 'aa')}",
                name=f"Center {town}",
                street=f"{streets[0]} {self.rng.randint(1, 80)}", postcode=postcode, city=town,
                latitude=lat, longitude=lon, phone=f"7{self.rng.randint(1000000, 9999999)}",
            ))
        Site.objects.bulk_create(sites)
        sites = list(Site.objects.order_by("pk"))
        hours = []
        for site in sites:
            friday_close = self.rng.choice([time(14, 0), time(15, 0)])
            for weekday in range(5):
                hours.append(OpeningHours(site=site, weekday=weekday, opens=time(8, 0),
                                          closes=friday_close if weekday == 4 else time(16, 0)))
        OpeningHours.objects.bulk_create(hours)
        # A staff day the week after the demo week, so closed days show up in the calendar.
        ClosedDay.objects.create(site=sites[0], date=self.week + timedelta(days=11), reason="Personaledag")
        return sites

    def _rooms(self) -> None:
        per_site = max(1, self.size.consultants // self.size.sites)
        rooms: list[tuple[Room, list[str]]] = []
        for site in self.sites:
            for n in range(1, per_site // 2 + 2):
                rooms.append((Room(site=site, name=f"Samtalerum {n}", capacity=3), []))
            for n in range(1, max(2, per_site // 5) + 1):
                rooms.append((Room(site=site, name=f"Mødelokale {n}", capacity=8), ["meeting_room"]))
            for n in range(1, max(2, per_site // 5) + 1):
                rooms.append((Room(site=site, name=f"Grupperum {n}", capacity=16), ["group_room"]))
            rooms.append((Room(site=site, name="Træningssal", capacity=16), ["training_hall"]))
            # As big as the group rooms: the planner pools identical rooms and gives a group session
            # the smallest adequate kind, so a smaller kitchen would be the only room for every session.
            rooms.append((Room(site=site, name="Køkken", capacity=16), ["kitchen", "group_room"]))
        Room.objects.bulk_create([room for room, _f in rooms])
        through = Room.features.through
        through.objects.bulk_create([
            through(room_id=room.pk, roomfeature_id=self.features[code].pk) for room, codes in rooms for code in codes
        ])

    def _consultants(self) -> list[Consultant]:
        per_site = [self.size.consultants // self.size.sites] * self.size.sites
        for extra in range(self.size.consultants - sum(per_site)):
            per_site[extra] += 1
        consultants: list[Consultant] = []
        types: list[str] = []
        used_names: set[str] = set()
        for site, count in zip(self.sites, per_site, strict=True):
            for n in range(count):
                staff_type = STAFF_PATTERN[n % len(STAFF_PATTERN)]
                first, last = self._person_name()
                while f"{first} {last}" in used_names:
                    first, last = self._person_name()
                used_names.add(f"{first} {last}")
                hours = self.rng.choice([37, 37, 37, 32, 30])
                caseload = {"social": (18, 25), "job": (15, 20), "health": (10, 15)}[staff_type]
                consultants.append(Consultant(
                    reference=f"k{len(consultants) + 1:04d}", name=f"{first} {last}",
                    email=f"{first.lower()}.{last.lower()}@example.dk".replace("ø", "oe").replace("æ", "ae")
                    .replace("å", "aa"),
                    phone=f"2{self.rng.randint(1000000, 9999999)}", home_site=site,
                    hours_per_week=Decimal(hours), max_caseload=self.rng.randint(*caseload),
                ))
                types.append(staff_type)
        Consultant.objects.bulk_create(consultants)
        consultants = list(Consultant.objects.order_by("pk"))
        type_through, site_through = Consultant.staff_types.through, Consultant.sites.through
        type_rows, site_rows, hours_rows, absences = [], [], [], []
        for consultant, staff_type in zip(consultants, types, strict=True):
            type_rows.append(type_through(consultant_id=consultant.pk, stafftype_id=self.staff[staff_type].pk))
            if staff_type == "social" and self.rng.random() < 0.08:
                # Some social workers are also trained health staff (e.g. a nurse).
                type_rows.append(type_through(consultant_id=consultant.pk, stafftype_id=self.staff["health"].pk))
            served = {consultant.home_site_id}
            region_sites = [s for s in self.sites if self.region_of[s.pk] == self.region_of[consultant.home_site_id]]
            if len(region_sites) > 1 and self.rng.random() < 0.25:
                served.add(self.rng.choice(region_sites).pk)
            site_rows += [site_through(consultant_id=consultant.pk, site_id=sid) for sid in sorted(served)]
            hours_rows += self._working_pattern(consultant)
            absence = self._absence(consultant)
            if absence:
                absences.append(absence)
        type_through.objects.bulk_create(type_rows)
        site_through.objects.bulk_create(site_rows)
        WorkingHours.objects.bulk_create(hours_rows)
        Absence.objects.bulk_create(absences)
        return consultants

    def _working_pattern(self, consultant: Consultant) -> list[WorkingHours]:
        hours = int(consultant.hours_per_week)
        if hours == 37:
            days = [(d, time(8, 0), time(16, 0)) for d in range(4)] + [(4, time(8, 0), time(13, 0))]
        elif hours == 32:
            days = [(d, time(8, 0), time(16, 0)) for d in range(4)]
        else:
            days = [(d, time(8, 30), time(14, 30)) for d in range(5)]
        return [WorkingHours(consultant=consultant, weekday=d, start_time=s, end_time=e) for d, s, e in days]

    def _absence(self, consultant: Consultant) -> Absence | None:
        roll = self.rng.random()
        if roll < 0.03:
            return Absence(consultant=consultant, start_date=self.week, end_date=self.week + timedelta(days=4),
                           reason="holiday")
        if roll < 0.10:
            day = self.week + timedelta(days=self.rng.randint(0, 4))
            return Absence(consultant=consultant, start_date=day, end_date=day,
                           reason=self.rng.choice(["sick", "training"]))
        if roll < 0.14:
            day = self.week + timedelta(days=self.rng.randint(0, 4))
            return Absence(consultant=consultant, start_date=day, end_date=day, start_time=time(12, 0),
                           end_time=time(16, 0), reason="other")
        if roll < 0.20:
            start = self.week + timedelta(days=self.rng.randint(7, 30))
            return Absence(consultant=consultant, start_date=start, end_date=start + timedelta(days=4),
                           reason="holiday")
        return None

    def _companies(self) -> dict[int, list[Company]]:
        per_site = max(4, self.size.citizens // self.size.sites // 4)
        companies: list[Company] = []
        for site in self.sites:
            town, postcode, lat, lon, streets = self.town_of[site.pk]
            kinds = self.rng.sample(names.COMPANY_KINDS, k=len(names.COMPANY_KINDS))
            for n in range(per_site):
                kind = kinds[n % len(kinds)]
                owner = self.rng.choice(names.LAST_NAMES)
                name = f"{owner}s {kind}" if n % 3 else f"{kind} {town}"
                clat, clon = self._near(lat, lon, 12)
                first, last = self._person_name()
                companies.append(Company(
                    name=f"{name} {n // len(kinds) + 1}" if n >= len(kinds) else name,
                    cvr=f"{self.rng.randint(10000000, 99999999)}",
                    street=f"{self.rng.choice(streets)} {self.rng.randint(1, 140)}", postcode=postcode, city=town,
                    latitude=clat, longitude=clon, contact_name=f"{first} {last}",
                    contact_phone=f"4{self.rng.randint(1000000, 9999999)}",
                ))
        Company.objects.bulk_create(companies)
        by_site: dict[int, list[Company]] = {}
        all_companies = list(Company.objects.order_by("pk"))
        for index, company in enumerate(all_companies):
            by_site.setdefault(self.sites[index // per_site].pk, []).append(company)
        availability = []
        self.employer_days: dict[int, list[int]] = {}
        for company in all_companies:
            days = range(5) if self.rng.random() < 0.7 else sorted(self.rng.sample(range(5), 2))
            self.employer_days[company.pk] = list(days)
            end = self.rng.choice([time(14, 0), time(15, 0), time(15, 30)])
            availability += [EmployerAvailability(company=company, weekday=d, start_time=time(8, 0), end_time=end)
                             for d in days]
        EmployerAvailability.objects.bulk_create(availability)
        return by_site

    def _pick_model(self) -> tuple[InterventionModel, TargetGroup, int]:
        roll = self.rng.random()
        if roll < 0.6:
            return self.models[SICKNESS_MODEL], self.groups["sygedagpenge"], self.rng.randint(0, 12)
        if roll < 0.85:
            group = self.rng.choice(["kontanthjaelp", "jobafklaring", "ressourceforloeb", "integration"])
            return self.models[JOB_MODEL], self.groups[group], self.rng.randint(0, 40)
        group = self.rng.choice(["sygedagpenge", "jobafklaring", "ressourceforloeb"])
        return self.models[LONG_MODEL], self.groups[group], self.rng.randint(0, 80)

    def _phase_for(self, model: InterventionModel, weeks_in: int) -> tuple[Phase, int]:
        """The phase reached after `weeks_in` weeks, and the week it started."""
        elapsed = 0
        phases = [p for p in self.phases[model.name] if not p.optional]
        for phase in phases:
            if weeks_in < elapsed + (phase.target_weeks or 1):
                return phase, elapsed
            elapsed += phase.target_weeks or 1
        return phases[-1], elapsed - (phases[-1].target_weeks or 1)

    def _citizens_and_enrolments(self) -> tuple[list[Citizen], list[Enrolment]]:
        per_site = [self.size.citizens // self.size.sites] * self.size.sites
        for extra in range(self.size.citizens - sum(per_site)):
            per_site[extra] += 1
        citizens, unavailability = [], []
        for site, count in zip(self.sites, per_site, strict=True):
            town, postcode, lat, lon, streets = self.town_of[site.pk]
            for _n in range(count):
                first, last = self._person_name(international_share=0.12)
                clat, clon = self._near(lat, lon, 15)
                citizen = Citizen(
                    reference=f"b{len(citizens) + 1:05d}", first_name=first, last_name=last,
                    phone=f"6{self.rng.randint(1000000, 9999999)}",
                    street=f"{self.rng.choice(streets)} {self.rng.randint(1, 200)}", postcode=postcode, city=town,
                    latitude=clat, longitude=clon, site=site,
                )
                roll = self.rng.random()
                if roll < 0.20:
                    citizen.max_hours_per_day = Decimal(self.rng.choice([2, 3, 4, 5]))
                if self.rng.random() < 0.15:
                    citizen.not_before = time(10, 0)
                if self.rng.random() < 0.05:
                    citizen.not_after = time(14, 0)
                if self.rng.random() < 0.3:
                    citizen.preferred_weekdays = sorted(self.rng.sample(range(5), 2))
                citizens.append(citizen)
        Citizen.objects.bulk_create(citizens)
        citizens = list(Citizen.objects.order_by("pk"))
        for citizen in citizens:
            if self.rng.random() < 0.10:
                day = self.rng.randint(0, 4)
                unavailability.append(CitizenUnavailability(citizen=citizen, weekday=day, start_time=time(9, 0),
                                                            end_time=time(11, 0)))
        CitizenUnavailability.objects.bulk_create(unavailability)
        self.unavailable: dict[int, list[tuple[int, int, int]]] = {}
        for u in unavailability:
            self.unavailable.setdefault(u.citizen_id, []).append(
                (u.weekday, u.start_time.hour * 60 + u.start_time.minute, u.end_time.hour * 60 + u.end_time.minute))

        contacts = self._contact_pool()
        enrolments = []
        for citizen in citizens:
            model, group, weeks_in = self._pick_model()
            phase, phase_week = self._phase_for(model, weeks_in)
            start = self.week - timedelta(weeks=weeks_in, days=self.rng.randint(0, 4))
            contact = None
            if weeks_in > 0 or self.rng.random() < 0.5:
                contact = self._take_contact(contacts, citizen.site_id, "job" if model.name == JOB_MODEL else "social")
            target = self.rng.randint(group.min_weeks, group.max_weeks) if model.name == SICKNESS_MODEL else \
                self.rng.randint(model.min_weeks, model.max_weeks)
            enrolments.append(Enrolment(
                citizen=citizen, intervention_model=model, target_group=group,
                referring_jobcentre=f"{self.town_of[citizen.site_id][0]} {names.JOBCENTRES_SUFFIX}",
                start_date=start, target_weeks=max(target, weeks_in + 1), current_phase=phase,
                phase_started=start + timedelta(weeks=phase_week), contact_consultant=contact,
            ))
        Enrolment.objects.bulk_create(enrolments)
        return citizens, list(Enrolment.objects.select_related("citizen", "current_phase").order_by("pk"))

    def _contact_pool(self) -> dict[tuple[int, str], list[list]]:
        """Per (site, staff type): [consultant, load, limit] entries, to fill caseloads evenly."""
        pool: dict[tuple[int, str], list[list]] = {}
        rows = Consultant.staff_types.through.objects.select_related("stafftype").order_by("consultant_id")
        type_of: dict[int, set[str]] = {}
        for row in rows:
            type_of.setdefault(row.consultant_id, set()).add(row.stafftype.code)
        for consultant in self.consultants:
            for code in type_of[consultant.pk]:
                pool.setdefault((consultant.home_site_id, code), []).append(
                    [consultant, 0, consultant.max_caseload])
        return pool

    def _take_contact(self, pool: dict, site_id: int, staff_type: str) -> Consultant | None:
        candidates = [entry for entry in pool.get((site_id, staff_type), []) if entry[1] < entry[2]]
        if not candidates:
            return None  # the planner assigns one, or tells the coordinator that caseloads are full
        entry = min(candidates, key=lambda e: (e[1] / e[2], e[0].pk))
        entry[1] += 1
        return entry[0]

    def _internships(self) -> list[Internship]:
        internships, steps_spec = [], []
        for enrolment in self.enrolments:
            phase_name = enrolment.current_phase.name
            kind = None
            if phase_name in ("Praktik og job", "Trin 3: Virksomhedsforløb"):
                kind = InternshipKind.INTERNSHIP if self.rng.random() < 0.85 else None
            elif enrolment.target_group.code == "sygedagpenge" and self.rng.random() < 0.15:
                kind = InternshipKind.PARTIAL_RETURN
            elif phase_name == "Trin 2: På vej mod job" and self.rng.random() < 0.15:
                kind = InternshipKind.INTERNSHIP
            if kind is None:
                continue
            company = self.rng.choice(self.companies[enrolment.citizen.site_id])
            start = max(enrolment.start_date, self.week - timedelta(weeks=self.rng.randint(0, 6)))
            hours = self.rng.choice([10, 12, 15, 15, 20, 25, 30, 37]) if kind == InternshipKind.INTERNSHIP \
                else self.rng.choice([10, 12, 15, 20])
            internships.append(Internship(
                enrolment=enrolment, company=company, kind=kind, start_date=start,
                end_date=start + timedelta(weeks=self.rng.randint(8, 13)),
                contact_name=company.contact_name, contact_phone=company.contact_phone,
            ))
            steps_spec.append(hours)
        Internship.objects.bulk_create(internships)
        internships = list(Internship.objects.order_by("pk"))
        steps = []
        for internship, hours in zip(internships, steps_spec, strict=True):
            daily_start = self.rng.choice([time(7, 0), time(8, 0), time(8, 0), time(9, 0)])
            for step_no, step_hours in enumerate([hours, min(37, hours + 5)]):
                day_count = 3 if step_hours <= 15 else 4 if step_hours <= 25 else 5
                steps.append(InternshipStep(
                    internship=internship, start_date=internship.start_date + timedelta(weeks=2 * step_no),
                    hours_per_week=Decimal(step_hours),
                    weekdays=self._meeting_employer(sorted(self.rng.sample(range(5), day_count)),
                                                    self.employer_days[internship.company_id]),
                    daily_start=daily_start,
                ))
        InternshipStep.objects.bulk_create(steps)
        return list(Internship.objects.prefetch_related("steps").select_related("enrolment").order_by("pk"))

    @staticmethod
    def _meeting_employer(days: list[int], employer_days: list[int]) -> list[int]:
        """Internship days that share at least two days with the employer's contact person, so the
        follow-up visits and round tables the rules ask for have a day when both are there (a real
        placement is agreed on days the employer is in)."""
        days = list(days)
        for day in employer_days:
            if len(set(days) & set(employer_days)) >= min(2, len(employer_days)):
                break
            if day not in days:
                days[next(i for i, d in enumerate(days) if d not in employer_days)] = day
        return sorted(days)

    # Per theme: facilitator staff type and alternative weekly patterns (weekday, start, minutes); a
    # site with more participants than one course holds runs parallel courses at the other times.
    # Every pattern ends by 14:00 so it fits even a short Friday.
    COURSE_PATTERNS: dict[str, tuple[str, list[list[tuple[int, time, int]]]]] = {
        # Coping and health run in the same phase, so no coping time overlaps a health time.
        Theme.COPING: ("social", [[(1, time(10, 0), 60), (3, time(10, 0), 60)],
                                  [(1, time(12, 30), 60), (3, time(12, 30), 60)],
                                  [(0, time(13, 0), 60), (2, time(13, 0), 60)]]),
        Theme.HEALTH: ("health", [[(2, time(9, 0), 90)], [(3, time(13, 30), 90)], [(0, time(9, 0), 90)]]),
        Theme.GROUP_DYNAMICS: ("social", [[(0, time(12, 0), 120)], [(3, time(12, 0), 120)],
                                          [(1, time(8, 30), 120)]]),
        # Three hours, the consultants' longest run without a break (PLANNER_MAX_RUN_MINUTES): a longer
        # session could never be planned.
        Theme.WELLBEING: ("social", [[(4, time(9, 0), 180)], [(3, time(9, 0), 180)], [(2, time(9, 0), 180)]]),
    }
    COURSE_SIZE = 12
    COURSE_MIN = 4

    def _courses(self) -> None:
        titles = {Theme.COPING: "Mestring", Theme.HEALTH: "Sundhed og trivsel",
                  Theme.GROUP_DYNAMICS: "Min plan – sparringsgruppe", Theme.WELLBEING: "Trivselsdag"}
        busy = self._internship_blocks()
        members: list[CourseMembership] = []
        self.course_minutes: dict[tuple[int, int], int] = defaultdict(int)  # (citizen, weekday) -> minutes
        feature_of = {Theme.HEALTH: "training_hall"}
        for site in self.sites:
            site_enrolments = [e for e in self.enrolments if e.citizen.site_id == site.pk]
            for theme, (staff_type, patterns) in self.COURSE_PATTERNS.items():
                wanting = [e for e in site_enrolments if theme in self.group_themes.get(e.current_phase_id, set())]
                if len(wanting) < self.COURSE_MIN:
                    if wanting:
                        # Too few for a course now: the next one starts in three weeks, and the planner
                        # names it for those waiting (as a centre would plan it).
                        self._course(site, theme, staff_type, patterns[0], f"{titles[theme]} {site.city}",
                                     feature_of, start=self.week + timedelta(weeks=3))
                    continue
                course_count = min(len(patterns), -(-len(wanting) // self.COURSE_SIZE))
                for n in range(course_count):
                    pattern = patterns[n]
                    name = f"{titles[theme]} {site.city}" + (f" {n + 1}" if course_count > 1 else "")
                    course = self._course(site, theme, staff_type, pattern, name, feature_of,
                                          start=self.week - timedelta(weeks=4))
                    # Even shares; those whose internship clashes and about one in ten others wait for
                    # the planner to find them a place.
                    share = wanting[n::course_count][: self.COURSE_SIZE]
                    for e in share:
                        if (not self._clashes(busy.get(e.pk, []), pattern) and self._can_attend(e.citizen, pattern)
                                and self.rng.random() > 0.1):
                            members.append(CourseMembership(course=course, citizen_id=e.citizen_id,
                                                            joined=e.phase_started))
                            for day, _at, minutes in pattern:
                                self.course_minutes[(e.citizen_id, day)] += minutes
        CourseMembership.objects.bulk_create(members)

    def _course(self, site: Site, theme: str, staff_type: str, pattern: list[tuple[int, time, int]], name: str,
                feature_of: dict[str, str], *, start: date) -> GroupCourse:
        course = GroupCourse.objects.create(
            name=name, theme=theme, site=site, facilitator_staff_type=self.staff[staff_type],
            min_participants=self.COURSE_MIN, max_participants=14,
            start_date=start, end_date=start + timedelta(weeks=12),
        )
        course.room_features.set([self.features[feature_of.get(theme, "group_room")]])
        CourseSession.objects.bulk_create([
            CourseSession(course=course, weekday=d, start_time=t, duration_minutes=m) for d, t, m in pattern
        ])
        return course

    def _can_attend(self, citizen: Citizen, pattern: list[tuple[int, time, int]]) -> bool:
        """The citizen's accommodations allow every session (not before / not after, most hours a
        day, fixed unavailability): a centre does not sign someone up for sessions they cannot attend."""
        blocked = self.unavailable.get(citizen.pk, [])
        for day, at, minutes in pattern:
            start = at.hour * 60 + at.minute
            end = start + minutes
            if citizen.not_before and start < citizen.not_before.hour * 60 + citizen.not_before.minute:
                return False
            if citizen.not_after and end > citizen.not_after.hour * 60 + citizen.not_after.minute:
                return False
            that_day = self.course_minutes[(citizen.pk, day)]  # the citizen's other courses that day
            if citizen.max_hours_per_day is not None and that_day + minutes > citizen.max_hours_per_day * 60:
                return False
            if any(d == day and s < end and start < e for d, s, e in blocked):
                return False
        return True

    def _internship_blocks(self) -> dict[int, list[tuple[int, int, int]]]:
        blocks: dict[int, list[tuple[int, int, int]]] = {}
        for internship in self.internships:
            step = internship.step_on(self.week) or internship.steps.all()[0]
            start = step.daily_start.hour * 60 + step.daily_start.minute
            for day in step.weekdays:
                blocks.setdefault(internship.enrolment_id, []).append((day, start, start + step.minutes_per_day()))
        return blocks

    @staticmethod
    def _clashes(blocks: list[tuple[int, int, int]], pattern: list[tuple[int, time, int]]) -> bool:
        for day, at, minutes in pattern:
            start = at.hour * 60 + at.minute
            # Two hours' margin after the session and one before it: the trip between centre and workplace.
            if any(d == day and s < start + minutes + 120 and start - 60 < e for d, s, e in blocks):
                return True
        return False

    def _requests(self) -> None:
        requests = []
        by_enrolment = {i.enrolment_id: i for i in self.internships}
        for enrolment in self.enrolments:
            internship = by_enrolment.get(enrolment.pk)
            roll = self.rng.random()
            if internship and internship.kind == InternshipKind.PARTIAL_RETURN and roll < 0.4:
                requests.append(ActivityRequest(
                    enrolment=enrolment, kind=ActivityKind.ROUNDTABLE, earliest=self.week,
                    due_by=self.week + timedelta(days=self.rng.choice([4, 11])), duration_minutes=60,
                    company=internship.company, note="Trappemodel: drøft næste trin og fastholdelsesplan",
                ))
            elif enrolment.target_group.code == "sygedagpenge" and roll < 0.1:
                requests.append(ActivityRequest(
                    enrolment=enrolment, kind=ActivityKind.S7A, earliest=self.week,
                    due_by=self.week + timedelta(days=4), duration_minutes=45, note="Med jobcentrets repræsentant",
                ))
            elif enrolment.intervention_model.name == JOB_MODEL and roll < 0.05:
                requests.append(ActivityRequest(
                    enrolment=enrolment, kind=ActivityKind.STEPUP, earliest=self.week,
                    due_by=self.week + timedelta(days=11), duration_minutes=90,
                    note="Helbred forsinker jobmatch",
                ))
        ActivityRequest.objects.bulk_create(requests)
        through = ActivityRequest.staff_types.through
        rows = []
        for request in ActivityRequest.objects.order_by("pk"):
            codes = {"roundtable": ["social", "job"], "s7a": ["social"], "stepup": ["job", "social", "health"]}
            rows += [through(activityrequest_id=request.pk, stafftype_id=self.staff[c].pk)
                     for c in codes[request.kind]]
        through.objects.bulk_create(rows)

    def _staff_by_site(self, staff_type: str) -> dict[int, list[Consultant]]:
        by_pk = {c.pk: c for c in self.consultants}
        out: dict[int, list[Consultant]] = {}
        rows = Consultant.staff_types.through.objects.filter(stafftype__code=staff_type).order_by("consultant_id")
        for row in rows:
            consultant = by_pk[row.consultant_id]
            out.setdefault(consultant.home_site_id, []).append(consultant)
        return out

    def _history(self) -> None:
        """Past talks, visits and start talks, published in history plans, so rules have something to
        count from. Each consultant's past appointments sit in distinct slots: history has no clashes."""
        visits = {i.enrolment_id: i for i in self.internships if i.kind == InternshipKind.INTERNSHIP}
        job_consultants, health_consultants = self._staff_by_site("job"), self._staff_by_site("health")
        assessed_in = set(ActivityRule.objects.filter(kind=ActivityKind.ASSESSMENT).values_list("phase_id", flat=True))
        cursor: dict[tuple[int, date], int] = {}
        entries: list[tuple[date, Appointment, list[int], list[int]]] = []

        def book(day: date, consultant: Consultant, citizen: Citizen | list[Citizen], kind: str, minutes: int,
                 **extra: object) -> None:
            group = citizen if isinstance(citizen, list) else [citizen]
            citizen_ids, citizen_ref = [z.pk for z in group], group[0].reference
            while day.weekday() > 4 or (consultant.pk, day) in reserved:
                day -= timedelta(days=1)
            used = cursor.get((consultant.pk, day), 0)
            if used >= 6:
                return
            cursor[(consultant.pk, day)] = used + 1
            start = datetime.combine(day, time(9, 0), tzinfo=TZ) + timedelta(minutes=75 * used)
            appointment = Appointment(task_key=f"history:{kind}:{citizen_ref}:{day.isoformat()}", kind=kind,
                                      start=start, end=start + timedelta(minutes=minutes), rule="Historik", **extra)
            entries.append((day - timedelta(days=day.weekday()), appointment, [consultant.pk], citizen_ids))

        # The marking day first, and kept for itself: the demo consultant's attendance page shows exactly
        # its two talks and one group session, whatever other history the dates would put on that day.
        reserved: set[tuple[int, date]] = set()
        reserved |= self._marking_day(book)
        for index, enrolment in enumerate(self.enrolments):
            contact = enrolment.contact_consultant
            if contact is None or enrolment.start_date >= self.week:
                continue
            book(enrolment.start_date, contact, enrolment.citizen, ActivityKind.START_TALK, 60,
                 site_id=enrolment.citizen.site_id)
            last_talk = self.week - timedelta(days=self.rng.randint(3, 30))
            if last_talk > enrolment.start_date + timedelta(days=6):
                book(last_talk, contact, enrolment.citizen, ActivityKind.TALK, 60, site_id=enrolment.citizen.site_id)
            health = health_consultants.get(enrolment.citizen.site_id)
            if enrolment.current_phase_id in assessed_in and health and \
                    enrolment.phase_started < self.week - timedelta(days=7):
                # Most have had their function assessment in the first week of the phase.
                book(enrolment.phase_started + timedelta(days=self.rng.randint(1, 5)), health[index % len(health)],
                     enrolment.citizen, ActivityKind.ASSESSMENT, 90, place="home")
            internship = visits.get(enrolment.pk)
            pool = job_consultants.get(enrolment.citizen.site_id)
            if internship and pool and internship.start_date < self.week - timedelta(days=7):
                last_visit = self._visit_day(internship, self.week - timedelta(days=self.rng.randint(3, 18)))
                if last_visit >= internship.start_date:
                    book(last_visit, pool[index % len(pool)], enrolment.citizen,
                         ActivityKind.FOLLOWUP_VISIT, 45, company_id=internship.company_id, place="company")

        first = len(entries)
        last = first + (self._attendance_history(book, entries) if self.attendance_rng else 0)
        for enrolment in self.ended:  # talks about every 3–4 weeks, the last one at the end
            day = enrolment.start_date
            while day <= enrolment.end_date:
                kind = ActivityKind.START_TALK if day == enrolment.start_date else ActivityKind.TALK
                book(day, enrolment.contact_consultant, enrolment.citizen, kind, 60, site_id=enrolment.citizen.site_id)
                day += timedelta(days=self.rng.randint(18, 28))
        weeks = sorted({week for week, *_rest in entries})
        plans = {}
        for week in weeks:
            plan = Plan.objects.create(week_start=week, status=PlanStatus.PUBLISHED, version=1,
                                       published_at=datetime.combine(week, time(8, 0), tzinfo=TZ),
                                       solver_status="HISTORY")
            plan.sites.set(self.sites)
            plans[week] = plan
        for week, appointment, _c, _z in entries:
            appointment.plan = plans[week]
        Appointment.objects.bulk_create([a for _w, a, _c, _z in entries])
        c_through, z_through = Appointment.consultants.through, Appointment.citizens.through
        c_through.objects.bulk_create([c_through(appointment_id=a.pk, consultant_id=c)
                                       for _w, a, cs, _z in entries for c in cs])
        z_through.objects.bulk_create([z_through(appointment_id=a.pk, citizen_id=z)
                                       for _w, a, _c, zs in entries for z in zs])
        if self.attendance_rng:
            self._attendance_marks([(a, zs) for _w, a, _c, zs in entries[first:last]])

    def _attendance_history(self, book: object, entries: list) -> int:
        """Earlier talks every 4 weeks back to the start of each course, and every past session of the group
        courses, appended to `entries` after the demo's last talks (those stay the last held ones, so what is
        due in the demo week does not change). Returns how many entries were added: attendance is marked on
        these only (a missed last talk would make it due again)."""
        rng = self.attendance_rng
        before = len(entries)
        today = date.today()
        for enrolment in self.enrolments:
            contact = enrolment.contact_consultant
            if contact is None or enrolment.start_date >= self.week:
                continue
            day = self.week - timedelta(days=35 + rng.randint(0, 6))
            while day > enrolment.start_date + timedelta(days=6):
                book(day, contact, enrolment.citizen, ActivityKind.TALK, 60, site_id=enrolment.citizen.site_id)
                day -= timedelta(days=28 - rng.randint(0, 7))
        pools: dict[str, dict[int, list[Consultant]]] = {}
        courses = GroupCourse.objects.filter(site__in=self.sites).select_related("facilitator_staff_type")
        courses = courses.prefetch_related("sessions", "coursemembership_set__citizen").order_by("pk")
        for n, course in enumerate(courses):
            code = course.facilitator_staff_type.code
            pool = pools.setdefault(code, self._staff_by_site(code)).get(course.site_id)
            if not pool:
                continue
            facilitator = course.facilitator or pool[n % len(pool)]
            monday = course.start_date - timedelta(days=course.start_date.weekday())
            while monday < min(self.week, today):
                for session in course.sessions.all():
                    day = monday + timedelta(days=session.weekday)
                    members = [m.citizen for m in course.coursemembership_set.all()
                               if m.joined <= day and (m.left is None or m.left >= day)]
                    if members and course.start_date <= day < today - timedelta(days=1):
                        book(day, facilitator, members, ActivityKind.GROUP_SESSION, session.duration_minutes,
                             site_id=course.site_id, group_course=course)
                monday += timedelta(days=7)
        return len(entries) - before

    def _attendance_marks(self, rows: list[tuple[Appointment, list[int]]]) -> None:
        """About 8 % no-shows, 6 % afbud, 2 % cancelled by the centre; most of the rest marked held, some
        left unmarked (held after the grace period)."""
        rng = self.attendance_rng
        now = datetime.now(TZ)
        marks = []
        for appointment, citizen_ids in rows:
            if appointment.end > now - timedelta(days=3):
                continue
            for citizen_id in citizen_ids:
                r = rng.random()
                status = (AttendanceStatus.NO_SHOW if r < 0.08 else AttendanceStatus.CITIZEN_CANCELLED if r < 0.14
                          else AttendanceStatus.CENTRE_CANCELLED if r < 0.16 else AttendanceStatus.HELD if r < 0.8
                          else None)
                if status:
                    marks.append(Attendance(appointment_uid=appointment.uid, citizen_id=citizen_id, status=status,
                                            kind=appointment.kind, start=appointment.start))
        Attendance.objects.bulk_create(marks)

    def _ended_enrolments(self) -> list[Enrolment]:
        """Courses that ended in the last year with one of their model's outcomes (about three in four
        successful), for citizens who are no longer active: the outcome statistics have something to show."""
        today = min(date.today(), self.week - timedelta(days=1))
        contacts = self._contact_pool()
        ended: list[Enrolment] = []
        for n in range(max(6, self.size.citizens // 5)):
            site = self.sites[n % len(self.sites)]
            first, last = self._person_name(international_share=0.12)
            citizen = Citizen.objects.create(
                reference=f"a{n + 1:05d}", first_name=first, last_name=last, site=site,
                postcode=self.town_of[site.pk][1], city=self.town_of[site.pk][0])
            model, group, _weeks = self._pick_model()
            model = model if model.name != LONG_MODEL else self.models[SICKNESS_MODEL]
            group = group if model.name != SICKNESS_MODEL else self.groups["sygedagpenge"]
            end = today - timedelta(days=self.rng.randint(7, 330))
            span = self.rng.randint(group.min_weeks, group.max_weeks) + self.rng.choice([-2, -1, 0, 0, 1, 3])
            outcomes = list(model.outcome_choices.order_by("order"))
            good, other = [o for o in outcomes if o.successful], [o for o in outcomes if not o.successful]
            outcome = self.rng.choice(good if (self.rng.random() < 0.74 or not other) else other)
            contact = self._take_contact(contacts, site.pk, "job" if model.name == JOB_MODEL else "social") or \
                self.consultants[n % len(self.consultants)]
            ended.append(Enrolment.objects.create(
                citizen=citizen, intervention_model=model, target_group=group,
                referring_jobcentre=f"{self.town_of[site.pk][0]} {names.JOBCENTRES_SUFFIX}",
                start_date=end - timedelta(weeks=max(4, span)), target_weeks=max(4, span), end_date=end,
                status=EnrolmentStatus.ENDED, outcome=outcome, contact_consultant=contact,
            ))
        return ended

    def _ended_attendance(self) -> None:
        """Attendance of the ended courses' talks: most held, some no-shows and afbud."""
        rows = Appointment.objects.filter(citizens__in=[e.citizen_id for e in self.ended]).values_list(
            "uid", "kind", "start", "citizens")
        marks = []
        for uid, kind, start, citizen_id in rows:
            roll = self.rng.random()
            status = AttendanceStatus.NO_SHOW if roll < 0.1 else \
                AttendanceStatus.CITIZEN_CANCELLED if roll < 0.16 else AttendanceStatus.HELD
            marks.append(Attendance(appointment_uid=uid, citizen_id=citizen_id, status=status, kind=kind, start=start))
        Attendance.objects.bulk_create(marks)

    def _progress(self) -> None:
        """Progress measurements for citizens in the full model past its start: every ~4 weeks from the
        second week, mostly small steps up, sometimes a dip (a difficult period, flagged now and then)."""
        today = min(date.today(), self.week - timedelta(days=1))
        measurements: list[tuple[ProgressMeasurement, dict[str, int]]] = []
        for enrolment in [*self.enrolments, *self.ended]:
            if enrolment.intervention_model.name != SICKNESS_MODEL or enrolment.contact_consultant_id is None:
                continue
            day = enrolment.start_date + timedelta(days=self.rng.randint(7, 12))
            scores = {ind.code: self.rng.randint(2, 6) for ind in INDICATORS}
            while day <= min(today, enrolment.end_date or today):
                dip = self.rng.random() < 0.15
                if measurements and measurements[-1][0].enrolment_id == enrolment.pk:
                    for ind in INDICATORS:
                        step = -self.rng.randint(1, 3) if dip and ind.group != "udvikling" else self.rng.randint(0, 2)
                        scores[ind.code] = max(1, min(10, scores[ind.code] + step))
                flagged = dip and self.rng.random() < 0.5
                measurements.append((ProgressMeasurement(
                    enrolment_id=enrolment.pk, measured_on=day, difficult_period=flagged,
                    note="Svær periode drøftet ved samtalen" if flagged else ""), dict(scores)))
                day += timedelta(days=self.rng.randint(24, 30))
        ProgressMeasurement.objects.bulk_create([m for m, _s in measurements])
        ProgressScore.objects.bulk_create([
            ProgressScore(measurement_id=m.pk, indicator=code, score=value)
            for m, values in measurements for code, value in values.items()
        ])

    def _visit_day(self, internship: Internship, day: date) -> date:
        """`day`, or the weekday before it, on which the citizen works and the employer is there in the demo
        week: the last visit was on such a day, so the next one (due 14 days on) falls on one too."""
        steps = sorted((s for s in internship.steps.all() if s.start_date <= self.week), key=lambda s: s.start_date)
        works = set(steps[-1].weekdays) if steps else set(range(5))
        both = works & set(self.employer_days.get(internship.company_id, range(5)))
        days = both or works
        for _ in range(7):
            if day.weekday() in days:
                return day
            day -= timedelta(days=1)
        return day

    def _marking_day(self, book: object) -> set[tuple[int, date]]:
        """The demo consultant's last working day before today: talks with their citizens and a group session,
        nobody has marked attendance for yet (the consultant's attendance page has something to show)."""
        day = date.today() - timedelta(days=1)
        while day.weekday() > 4:
            day -= timedelta(days=1)
        consultant = self.consultants[0]
        if day >= self.week:
            return set()
        own = [e.citizen for e in self.enrolments if e.contact_consultant_id == consultant.pk and e.start_date < day]
        for citizen in own[:2]:
            book(day, consultant, citizen, ActivityKind.TALK, 60, site_id=citizen.site_id)
        courses = GroupCourse.objects.filter(site_id=consultant.home_site_id, members__isnull=False)
        course = courses.order_by("pk").first()
        if course is not None:
            members = list(course.members.order_by("pk")[:6])
            book(day, consultant, members, ActivityKind.GROUP_SESSION, 90, site_id=course.site_id, group_course=course)
        return {(consultant.pk, day)}  # (consultant, day) kept for these: other history goes to another day

    def _users(self) -> None:
        users = get_user_model()
        admin = users.objects.create_superuser("admin", "admin@example.dk", DEMO_PASSWORDS["admin"])
        admin.first_name, admin.last_name = "Demo", "Administrator"
        admin.save()
        coordinator_user = users.objects.create_user(
            "koordinator", "koordinator@example.dk", DEMO_PASSWORDS["koordinator"],
            first_name="Karen", last_name="Koordinator", is_staff=True,
        )
        coordinator = Coordinator.objects.create(user=coordinator_user)
        coordinator.sites.set(self.sites)
        consultant_user = users.objects.create_user("konsulent", "konsulent@example.dk", DEMO_PASSWORDS["konsulent"])
        first = self.consultants[0]
        first.user = consultant_user
        first.save(update_fields=["user"])

    def counts(self) -> dict[str, int]:
        return {
            "centre": Site.objects.count(),
            "lokaler": Room.objects.count(),
            "konsulenter": Consultant.objects.count(),
            "fravær": Absence.objects.count(),
            # Citizens in a course now; those of the ended courses (outcome statistics) are counted apart.
            "borgere": Citizen.objects.exclude(enrolments__status=EnrolmentStatus.ENDED).count(),
            "forløb": Enrolment.objects.count(),
            "uden kontaktperson": Enrolment.objects.filter(contact_consultant__isnull=True).count(),
            "virksomheder": Company.objects.count(),
            "praktikker": Internship.objects.filter(kind=InternshipKind.INTERNSHIP).count(),
            "delvise raskmeldinger": Internship.objects.filter(kind=InternshipKind.PARTIAL_RETURN).count(),
            "skånehensyn": Citizen.objects.exclude(max_hours_per_day=None, not_before=None, not_after=None).count(),
            "hold": GroupCourse.objects.count(),
            "holddeltagere": CourseMembership.objects.count(),
            "bestilte aktiviteter": ActivityRequest.objects.count(),
            "historiske aftaler": Appointment.objects.count(),
            "fremmøde markeret": Attendance.objects.count(),
            "progressionsmålinger": ProgressMeasurement.objects.count(),
            "afsluttede forløb": Enrolment.objects.filter(status=EnrolmentStatus.ENDED).count(),
        }


@transaction.atomic
def demo_build(*, size: str, seed: int, week_start: date) -> dict[str, int]:
    return DemoBuilder(size, seed, week_start).build()
