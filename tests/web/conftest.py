"""The shared personas (tests.personas) as browser sessions, and a week
with a draft plan on both sites, written straight to the database."""
from dataclasses import dataclass
from datetime import date

import pytest
from django.test import Client

from rooms.models import Site
from scheduler.availability import coming_week_start
from scheduler.models import Appointment, Citizen, Consultant, Plan, UnplacedTask
from tests.personas import personas_create
from tests.publishing.factories import (
    at,
    make_appointment,
    make_citizen,
    make_consultant,
    make_plan,
    make_room,
    make_site,
)


@dataclass
class World:
    week: date
    site_a: Site
    site_b: Site
    consultant_a: Consultant
    citizen_a: Citizen
    citizen_b: Citizen
    plan_a: Plan
    plan_b: Plan
    appointment_a: Appointment
    appointment_b: Appointment
    unplaced_a: UnplacedTask
    unplaced_b: UnplacedTask
    coordinator: Client
    other_coordinator: Client
    consultant: Client
    outsider: Client
    anonymous: Client


@pytest.fixture
def world(db: None) -> World:
    site_a, site_b = make_site(code="alfa", name="Center Alfa"), make_site(code="beta", name="Center Beta")
    consultant_a = make_consultant(site_a, "Karen Alfa")
    personas = personas_create(site_a=site_a, site_b=site_b, consultant_a=consultant_a)
    consultant_b = make_consultant(site_b, "Bo Beta")
    citizen_a = make_citizen(site_a, "Anne", "Alfasen", contact=consultant_a)
    citizen_b = make_citizen(site_b, "Bent", "Betasen", contact=consultant_b)
    week = coming_week_start()
    plan_a, plan_b = make_plan(week, [site_a]), make_plan(week, [site_b])
    room_a, room_b = make_room(site_a), make_room(site_b)
    appointment_a = make_appointment(plan_a, start=at(week, 10), consultants=[consultant_a], citizens=[citizen_a],
                                     site=site_a, room=room_a)
    appointment_a.rule = "Individuel samtale mindst hver 28. dag"
    appointment_a.save()
    appointment_b = make_appointment(plan_b, start=at(week, 10), consultants=[consultant_b], citizens=[citizen_b],
                                     site=site_b, room=room_b)
    unplaced_a = UnplacedTask.objects.create(plan=plan_a, task_key="talk:x", kind="talk", reason="Ingen ledig tid A")
    unplaced_a.citizens.set([citizen_a])
    unplaced_b = UnplacedTask.objects.create(plan=plan_b, task_key="talk:y", kind="talk", reason="Ingen ledig tid B")
    unplaced_b.citizens.set([citizen_b])
    return World(
        week=week, site_a=site_a, site_b=site_b, consultant_a=consultant_a, citizen_a=citizen_a, citizen_b=citizen_b,
        plan_a=plan_a, plan_b=plan_b, appointment_a=appointment_a, appointment_b=appointment_b,
        unplaced_a=unplaced_a, unplaced_b=unplaced_b, coordinator=personas.web("coord_a"),
        other_coordinator=personas.web("coord_b"), consultant=personas.web("consultant"),
        outsider=personas.web("outsider"), anonymous=personas.web("anonymous"),
    )
