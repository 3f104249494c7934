"""A small centre built straight in the database for planning tests (own intervention model, so a test
states exactly which rules apply)."""

from datetime import date, datetime, time
from decimal import Decimal
from itertools import count

from activities.models import (
    ActivityRule,
    Company,
    Internship,
    InternshipStep,
    InterventionModel,
    Phase,
    StaffType,
    TargetGroup,
)
from rooms.models import OpeningHours, Room, RoomFeature, Site
from scheduler.availability import TZ
from scheduler.models import (
    Appointment,
    Citizen,
    Consultant,
    Enrolment,
    Plan,
    PlanStatus,
    WorkingHours,
)

_seq = count(1)

WEEK = date(2026, 11, 30)  # ISO week 2026-W49, Monday


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute)).replace(tzinfo=TZ)


def site(code: str = "vejle", name: str = "Vejle", opens: time = time(8), closes: time = time(16)) -> Site:
    s = Site.objects.create(
        code=code, name=name, street="Dæmningen 1", postcode="7100", city="Vejle", latitude=55.709, longitude=9.536
    )
    for d in range(5):
        OpeningHours.objects.create(site=s, weekday=d, opens=opens, closes=closes)
    Room.objects.create(site=s, name="Samtalerum 1", capacity=4)
    Room.objects.create(site=s, name="Samtalerum 2", capacity=4)
    group = Room.objects.create(site=s, name="Grupperum", capacity=16)
    group.features.add(RoomFeature.objects.get(code="group_room"))
    return s


def consultant(
    s: Site, name: str = "Mette Hansen", staff: str = "social", *, max_caseload: int = 20, hours: int = 37
) -> Consultant:
    c = Consultant.objects.create(
        reference=f"k{next(_seq)}", name=name, home_site=s, hours_per_week=Decimal(hours), max_caseload=max_caseload
    )
    c.sites.add(s)
    c.staff_types.add(StaffType.objects.get(code=staff))
    for d in range(5):
        WorkingHours.objects.create(consultant=c, weekday=d, start_time=time(8), end_time=time(16))
    return c


def model_with_rules(*rules: dict) -> Phase:
    """An intervention model with one phase holding the given rules (keyword dicts for ActivityRule)."""
    n = next(_seq)
    model = InterventionModel.objects.create(name=f"Testmodel {n}", min_weeks=6, max_weeks=13)
    phase = Phase.objects.create(model=model, order=1, name="Fase 1")
    for spec in rules:
        spec = dict(spec)
        staff = spec.pop("staff", ["social"])
        features = spec.pop("features", [])
        rule = ActivityRule.objects.create(phase=phase, **spec)
        rule.staff_types.set(StaffType.objects.filter(code__in=staff))
        rule.room_features.set(RoomFeature.objects.filter(code__in=features))
    return phase


def talk_rule(days: int = 28, **extra: object) -> dict:
    return {"kind": "talk", "duration_minutes": 60, "frequency_type": "every_n_days", "frequency_value": days, **extra}


def citizen(
    s: Site, phase: Phase, *, contact: Consultant | None = None, start: date = date(2026, 9, 1), **fields: object
) -> Enrolment:
    n = next(_seq)
    z = Citizen.objects.create(
        reference=f"b{n:05d}",
        first_name="Anne",
        last_name=f"Jensen{n}",
        site=s,
        latitude=55.71,
        longitude=9.54,
        **fields,
    )
    return Enrolment.objects.create(
        citizen=z,
        intervention_model=phase.model,
        target_group=TargetGroup.objects.get(code="sygedagpenge"),
        referring_jobcentre="Jobcenter Vejle",
        start_date=start,
        target_weeks=13,
        current_phase=phase,
        phase_started=start,
        contact_consultant=contact,
    )


def company(name: str = "Vejle Tømrer ApS") -> Company:
    return Company.objects.create(
        name=name, street="Havnevej 2", postcode="7100", city="Vejle", latitude=55.70, longitude=9.56
    )


def internship(
    e: Enrolment,
    *,
    kind: str = "internship",
    start: date = date(2026, 11, 20),
    weekdays: tuple = (0, 1, 2),
    hours: int = 12,
    daily_start: time = time(8),
    firm: Company | None = None,
) -> Internship:
    i = Internship.objects.create(enrolment=e, company=firm or company(), kind=kind, start_date=start)
    InternshipStep.objects.create(
        internship=i, start_date=start, hours_per_week=Decimal(hours), weekdays=list(weekdays), daily_start=daily_start
    )
    return i


def published_plan(s: Site, week_start: date, version: int = 1) -> Plan:
    plan = Plan.objects.create(week_start=week_start, status=PlanStatus.PUBLISHED, version=version)
    plan.sites.add(s)
    return plan


def held(plan: Plan, e: Enrolment, kind: str, when: datetime, who: Consultant, minutes: int = 60) -> Appointment:
    """An appointment in a published plan: history the demand rules read."""
    from datetime import timedelta

    a = Appointment.objects.create(
        plan=plan,
        task_key=f"hist:{next(_seq)}",
        kind=kind,
        start=when,
        end=when + timedelta(minutes=minutes),
        site=e.citizen.site,
        enrolment=e,
    )
    a.consultants.add(who)
    a.citizens.add(e.citizen)
    return a
