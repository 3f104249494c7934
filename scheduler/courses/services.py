"""Accepting a proposal for a new holdforløb: the course, its weekly sessions and the members' places are
created exactly as shown (or as the coordinator edited them first), in one transaction.

    course = course_proposal_accept(scope=scope, accepted=AcceptedCourse(...))
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from django.db import transaction

from activities.models import CourseMembership, CourseSession, GroupCourse, StaffType, Theme
from rooms.models import RoomFeature, Site
from scheduler.access import Scope
from scheduler.courses.proposals import CourseProposal
from scheduler.data_epoch import data_changed
from scheduler.errors import DomainError
from scheduler.models import Citizen, Consultant


@dataclass(frozen=True, slots=True)
class AcceptedCourse:
    site_id: int
    theme: str
    name: str
    weekdays: tuple[int, ...]
    start_time: time
    duration_minutes: int
    start_date: date
    end_date: date
    staff_type: str
    facilitator_id: int | None
    min_participants: int
    max_participants: int
    members: tuple[tuple[int, date], ...]  # (citizen id, joined)
    room_features: tuple[str, ...] = ()


def _check(accepted: AcceptedCourse) -> None:
    if accepted.theme not in Theme.values:
        raise DomainError("Ukendt holdtema.", code="invalid", field="theme")
    if not accepted.name.strip():
        raise DomainError("Giv holdet et navn.", code="invalid", field="name")
    days = accepted.weekdays
    if not days or len(set(days)) != len(days) or any(not 0 <= d <= 4 for d in days):
        raise DomainError("Vælg mindst én ugedag fra mandag til fredag, hver højst én gang.", code="invalid",
                          field="weekdays")
    if not 30 <= accepted.duration_minutes <= 240:
        raise DomainError("En holdgang varer 30 til 240 minutter.", code="invalid", field="duration_minutes")
    if accepted.end_date < accepted.start_date:
        raise DomainError("Slutdato skal ligge efter startdato.", code="invalid", field="end_date")
    if not 1 <= accepted.min_participants <= accepted.max_participants:
        raise DomainError("Største antal skal være mindst lige så stort som mindste antal (mindst 1).",
                          code="invalid", field="max_participants")
    if len(accepted.members) > accepted.max_participants:
        raise DomainError("Flere deltagere end holdets største antal.", code="invalid", field="members")
    if len({c for c, _joined in accepted.members}) != len(accepted.members):
        raise DomainError("En borger står der to gange.", code="invalid", field="members")


def accepted_from(proposal: CourseProposal) -> AcceptedCourse:
    """The proposal as shown, to accept without changes."""
    return AcceptedCourse(
        site_id=proposal.site_id, theme=proposal.theme, name=proposal.name, weekdays=proposal.weekdays,
        start_time=proposal.start_time, duration_minutes=proposal.duration_minutes,
        start_date=proposal.start_date, end_date=proposal.end_date, staff_type=proposal.staff_type,
        facilitator_id=proposal.facilitator_id, min_participants=proposal.min_participants,
        max_participants=proposal.max_participants,
        members=tuple((seat.citizen_id, seat.joined) for seat in proposal.seats),
        room_features=proposal.room_features,
    )


@transaction.atomic
def course_proposal_accept(*, scope: Scope, accepted: AcceptedCourse) -> GroupCourse:
    """Create the course, its sessions (one a week per weekday) and the memberships. The site, the
    citizens and the facilitator must be in the caller's sites (else DomainError "not_found")."""
    _check(accepted)
    site = Site.objects.filter(pk=accepted.site_id).first()
    if site is None or not scope.is_planner or not scope.sees_site(site.pk):
        raise DomainError("Centret findes ikke.", code="not_found", field="site")
    staff_type = StaffType.objects.filter(code=accepted.staff_type).first()
    if staff_type is None:
        raise DomainError("Ukendt faggruppe.", code="invalid", field="staff_type")
    facilitator = None
    if accepted.facilitator_id is not None:
        facilitator = Consultant.objects.filter(pk=accepted.facilitator_id, active=True).first()
        if facilitator is None or not facilitator.serves(site.pk):
            raise DomainError("Facilitatoren arbejder ikke på holdets center.", code="invalid", field="facilitator")
        if not facilitator.staff_types.filter(pk=staff_type.pk).exists():
            raise DomainError("Facilitatoren hører ikke til faggruppen.", code="invalid", field="facilitator")
    citizen_ids = [c for c, _joined in accepted.members]
    found = set(Citizen.objects.filter(pk__in=citizen_ids, site=site).values_list("pk", flat=True))
    if found != set(citizen_ids):
        raise DomainError("En af borgerne hører ikke til centret.", code="invalid", field="members")
    course = GroupCourse.objects.create(
        name=accepted.name.strip()[:120], theme=accepted.theme, site=site, facilitator_staff_type=staff_type,
        facilitator=facilitator, min_participants=accepted.min_participants,
        max_participants=accepted.max_participants, start_date=accepted.start_date, end_date=accepted.end_date,
    )
    course.room_features.set(RoomFeature.objects.filter(code__in=accepted.room_features))
    CourseSession.objects.bulk_create([
        CourseSession(course=course, weekday=d, start_time=accepted.start_time,
                      duration_minutes=accepted.duration_minutes)
        for d in sorted(accepted.weekdays)
    ])
    CourseMembership.objects.bulk_create([
        CourseMembership(course=course, citizen_id=c, joined=max(joined, accepted.start_date))
        for c, joined in accepted.members
    ])
    data_changed()
    return course
