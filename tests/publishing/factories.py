"""Small builders for publishing tests: plans and appointments written straight to the database."""
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import count

from django.utils import timezone

from activities.models import (
    ActivityKind,
    Company,
    GroupCourse,
    Internship,
    InternshipStep,
    InterventionModel,
    StaffType,
    TargetGroup,
    Theme,
)
from rooms.models import Room, Site
from scheduler.models import Appointment, Citizen, Consultant, Enrolment, Plan, PlanStatus

_seq = count(1)


def next_monday(today: date | None = None) -> date:
    today = today or timezone.localdate()
    return today + timedelta(days=7 - today.weekday())


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def make_site(*, code: str | None = None, name: str = "Center Vejle", feed_privacy: str = "initials") -> Site:
    n = next(_seq)
    return Site.objects.create(
        code=code or f"site-{n}", name=name, street="Dæmningen 1", postcode="7100", city="Vejle",
        latitude=55.7, longitude=9.53, phone="75 00 00 00", feed_privacy=feed_privacy,
    )


def make_room(site: Site, name: str = "Mødelokale 1", capacity: int = 4) -> Room:
    return Room.objects.create(site=site, name=name, capacity=capacity)


def make_consultant(site: Site, name: str = "Karen Holm", *, reference: str | None = None,
                    phone: str = "20 30 40 50", staff: str = "social") -> Consultant:
    consultant = Consultant.objects.create(
        reference=reference or f"k-{next(_seq)}", name=name, phone=phone, home_site=site,
        hours_per_week=Decimal("37"),
    )
    consultant.sites.add(site)
    consultant.staff_types.add(StaffType.objects.get(code=staff))
    return consultant


def make_citizen(site: Site, first: str = "Anne", last: str = "Jensen", *, reference: str | None = None,
                 contact: Consultant | None = None, start: date | None = None,
                 end: date | None = None) -> Citizen:
    citizen = Citizen.objects.create(
        reference=reference or f"b-{next(_seq)}", first_name=first, last_name=last, site=site
    )
    make_enrolment(citizen, contact=contact, start=start, end=end)
    return citizen


def make_enrolment(citizen: Citizen, *, contact: Consultant | None = None, start: date | None = None,
                   end: date | None = None) -> Enrolment:
    return Enrolment.objects.create(
        citizen=citizen,
        intervention_model=InterventionModel.objects.filter(builtin=True).first(),
        target_group=TargetGroup.objects.get(code="sygedagpenge"),
        referring_jobcentre="Jobcenter Vejle",
        start_date=start or date(2026, 1, 5),
        target_weeks=13,
        end_date=end,
        contact_consultant=contact,
    )


def make_company(name: str = "Bageriet ApS") -> Company:
    return Company.objects.create(
        name=name, street="Havnegade 3", postcode="7100", city="Vejle", latitude=55.71, longitude=9.54,
        contact_name="Per Bager", contact_phone="70 70 70 70",
    )


def make_internship(enrolment: Enrolment, company: Company, *, start: date, weekdays: list[int],
                    hours: str = "15", daily_start: str = "08:00") -> Internship:
    internship = Internship.objects.create(enrolment=enrolment, company=company, start_date=start)
    hh, mm = (int(x) for x in daily_start.split(":"))
    InternshipStep.objects.create(
        internship=internship, start_date=start, hours_per_week=Decimal(hours), weekdays=weekdays,
        daily_start=f"{hh:02d}:{mm:02d}",
    )
    return internship


def make_course(site: Site, name: str = "Sundhed og balance", theme: str = Theme.HEALTH) -> GroupCourse:
    return GroupCourse.objects.create(
        name=name, theme=theme, site=site, facilitator_staff_type=StaffType.objects.get(code="health"),
        start_date=date(2026, 1, 5), end_date=date(2027, 12, 31),
    )


def make_plan(week_start: date, sites: list[Site], status: str = PlanStatus.DRAFT) -> Plan:
    plan = Plan.objects.create(week_start=week_start, status=status)
    plan.sites.set(sites)
    return plan


def make_appointment(plan: Plan, *, start: datetime, minutes: int = 60, kind: str = ActivityKind.TALK,
                     consultants: list[Consultant] = (), citizens: list[Citizen] = (),
                     site: Site | None = None, room: Room | None = None, company: Company | None = None,
                     place: str = "site", group_course: GroupCourse | None = None, task_key: str | None = None,
                     uid: object | None = None, status: str = "planned") -> Appointment:
    extra = {"uid": uid} if uid is not None else {}
    appointment = Appointment.objects.create(
        plan=plan, task_key=task_key or f"task-{next(_seq)}", kind=kind, start=start,
        end=start + timedelta(minutes=minutes), site=site, room=room, company=company, place=place,
        group_course=group_course, status=status, **extra,
    )
    appointment.consultants.set(consultants)
    appointment.citizens.set(citizens)
    return appointment


def copy_as_draft(plan: Plan) -> Plan:
    """What a re-plan produces: a new draft with the same tasks (fresh uids, like the planner)."""
    draft = make_plan(plan.week_start, list(plan.sites.all()))
    for a in plan.appointments.filter(status="planned"):
        make_appointment(
            draft, start=a.start, minutes=int((a.end - a.start).total_seconds() // 60), kind=a.kind,
            consultants=list(a.consultants.all()), citizens=list(a.citizens.all()), site=a.site, room=a.room,
            company=a.company, place=a.place, group_course=a.group_course, task_key=a.task_key,
        )
    return draft
