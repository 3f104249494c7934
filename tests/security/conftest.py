"""The shared personas (tests.personas) and a two-site centre with one object of every kind at each site.

Personas: an administrator, the coordinator of site A, the coordinator of site B, a consultant at site
A (contact person of citizen A), an outsider (a user with no role), anonymous, and citizen A's secret
link. Objects live at site A unless their name says B.
"""
from dataclasses import dataclass, field
from datetime import time, timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from activities.models import (
    ActivityKind,
    ActivityRule,
    CourseMembership,
    CourseSession,
    InterventionModel,
    Phase,
    StaffType,
)
from rooms.models import OpeningHours
from scheduler.models import (
    Absence,
    PlanStatus,
    SolveRun,
    UnplacedTask,
    WorkingHours,
)
from scheduler.publishing.tokens import feed_token_issue
from tests.dates import WEEK, WEEK_CODE
from tests.personas import PERSONAS, citizen_link, personas_create
from tests.publishing.factories import (
    at,
    make_appointment,
    make_citizen,
    make_company,
    make_consultant,
    make_course,
    make_internship,
    make_plan,
    make_room,
    make_site,
)

__all__ = ["PERSONAS", "WEEK", "WEEK_CODE", "World", "build_world", "world"]


@dataclass
class World:
    users: dict[str, Any]
    tokens: dict[str, str]  # API bearer tokens per persona
    objects: dict[str, Any] = field(default_factory=dict)
    links: dict[str, Any] = field(default_factory=dict)

    def web(self, persona: str) -> Client:
        client = Client()
        if persona != "anonymous":
            client.force_login(self.users[persona])
        return client

    def api(self, persona: str) -> Client:
        if persona == "anonymous":
            return Client()
        return Client(HTTP_AUTHORIZATION=f"Bearer {self.tokens[persona]}")


def _site(code: str, name: str) -> Any:
    site = make_site(code=code, name=name)
    for day in range(5):
        OpeningHours.objects.create(site=site, weekday=day, opens=time(8), closes=time(16))
    return site


def build_world() -> World:
    cache.clear()  # the secret-link throttle counts per address in the cache
    site_a, site_b = _site("alfa", "Center Alfa"), _site("beta", "Center Beta")
    consultant = make_consultant(site_a, "Karen Holm", reference="k-alfa")
    personas = personas_create(site_a=site_a, site_b=site_b, consultant_a=consultant)
    consultant_b = make_consultant(site_b, "Bo Berg", reference="k-beta")
    for c in (consultant, consultant_b):
        for day in range(5):
            WorkingHours.objects.create(consultant=c, weekday=day, start_time=time(8), end_time=time(16))
    absence = Absence.objects.create(consultant=consultant, start_date=WEEK + timedelta(days=14),
                                     end_date=WEEK + timedelta(days=15))
    citizen_a = make_citizen(site_a, "Anne", "Jensen", reference="b-alfa", contact=consultant)
    citizen_b = make_citizen(site_b, "Bent", "Hansen", reference="b-beta", contact=consultant_b)
    other_citizen_a = make_citizen(site_a, "Carla", "Dahl", reference="b-alfa-2")  # not the consultant's
    room_a, room_b = make_room(site_a), make_room(site_b)
    course = make_course(site_a)
    session = CourseSession.objects.create(course=course, weekday=1, start_time=time(10), duration_minutes=60)
    membership = CourseMembership.objects.create(course=course, citizen=citizen_a, joined=WEEK)
    company = make_company()
    internship = make_internship(citizen_a.enrolments.get(), company, start=WEEK, weekdays=[3])
    model = InterventionModel.objects.filter(builtin=True).first()
    plan = make_plan(WEEK, [site_a], status=PlanStatus.PUBLISHED)
    plan.version = 1
    plan.save()
    appointment = make_appointment(plan, start=at(WEEK, 10), consultants=[consultant], citizens=[citizen_a],
                                   site=site_a, room=room_a)
    make_appointment(plan, start=at(WEEK, 12), consultants=[consultant], citizens=[other_citizen_a],
                     site=site_a, room=room_a)
    plan_b = make_plan(WEEK, [site_b], status=PlanStatus.PUBLISHED)
    appointment_b = make_appointment(plan_b, start=at(WEEK, 10), consultants=[consultant_b], citizens=[citizen_b],
                                     site=site_b, room=room_b)
    # Yesterday's published talk: what attendance is marked on.
    yesterday = timezone.localdate() - timedelta(days=1)
    past_plan = make_plan(yesterday - timedelta(days=yesterday.weekday()), [site_a], status=PlanStatus.PUBLISHED)
    past_plan.version = 1
    past_plan.save()
    past_appointment = make_appointment(past_plan, start=at(yesterday, 10), consultants=[consultant],
                                        citizens=[citizen_a], site=site_a, room=room_a)
    draft = make_plan(WEEK, [site_a])
    draft_appointment = make_appointment(draft, start=at(WEEK, 11), consultants=[consultant],
                                         citizens=[citizen_a], site=site_a, room=room_a)
    unplaced = UnplacedTask.objects.create(plan=draft, task_key="talk:x", kind=ActivityKind.TALK,
                                           reason="Ingen ledig konsulent")
    unplaced.citizens.set([citizen_a])
    run = SolveRun.objects.create(week_start=WEEK, status="done", plan=draft)
    run.sites.set([site_a])
    link = citizen_link(citizen_a)
    consultant_link = feed_token_issue(owner=consultant)
    objects = {
        "site_a": site_a, "site_b": site_b, "consultant": consultant, "consultant_b": consultant_b,
        "citizen_a": citizen_a, "citizen_b": citizen_b, "other_citizen_a": other_citizen_a,
        "room_a": room_a, "course": course, "session": session, "membership": membership, "company": company,
        "internship": internship, "step": internship.steps.first(), "absence": absence,
        "working_hours": consultant.working_hours.first(), "enrolment": citizen_a.enrolments.get(),
        "staff_type": StaffType.objects.first(), "intervention_model": model,
        "phase": Phase.objects.filter(model=model).first(),
        "rule": ActivityRule.objects.filter(phase__model=model).first(),
        "plan": plan, "plan_b": plan_b, "draft": draft, "appointment": appointment,
        "appointment_b": appointment_b, "past_appointment": past_appointment,
        "draft_appointment": draft_appointment, "unplaced": unplaced, "run": run,
    }
    return World(users=personas.users, tokens=personas.tokens, objects=objects,
                 links={"citizen": link, "consultant": consultant_link})


@pytest.fixture
def world(db: None) -> World:
    return build_world()
