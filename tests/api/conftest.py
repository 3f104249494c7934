"""The shared personas (tests.personas) as API clients, and a small two-site centre."""
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from typing import Any

import pytest

from activities.models import InterventionModel, StaffType, TargetGroup
from rooms.models import OpeningHours, Room, Site
from scheduler.models import Citizen, Consultant, Enrolment, WorkingHours
from tests.personas import Api, personas_create

__all__ = ["Api", "World", "make_citizen", "make_consultant", "make_site", "world"]

API_NAMES = {"admin": "admin", "coordinator_a": "coord_a", "coordinator_b": "coord_b", "consultant": "consultant",
             "outsider": "outsider"}


def make_site(code: str) -> Site:
    site = Site.objects.create(code=code, name=f"Center {code.title()}", street="Vejen 1", postcode="7100",
                               city="Vejle", latitude=55.7, longitude=9.5)
    for day in range(5):
        OpeningHours.objects.create(site=site, weekday=day, opens=time(8), closes=time(16))
    Room.objects.create(site=site, name="Samtalerum 1", capacity=3)
    return site


def make_consultant(site: Site, reference: str, user: Any = None) -> Consultant:
    consultant = Consultant.objects.create(reference=reference, name=f"Konsulent {reference}", home_site=site,
                                           hours_per_week=Decimal(37), user=user)
    consultant.sites.add(site)
    consultant.staff_types.add(StaffType.objects.get(code="social"))
    for day in range(5):
        WorkingHours.objects.create(consultant=consultant, weekday=day, start_time=time(8), end_time=time(16))
    return consultant


def make_citizen(site: Site, reference: str, contact: Consultant | None = None) -> Citizen:
    citizen = Citizen.objects.create(reference=reference, first_name="Borger", last_name=reference.upper(), site=site)
    Enrolment.objects.create(
        citizen=citizen, intervention_model=InterventionModel.objects.filter(builtin=True).first(),
        target_group=TargetGroup.objects.get(code="sygedagpenge"), referring_jobcentre="Vejle Jobcenter",
        start_date=date(2026, 11, 2), target_weeks=13, contact_consultant=contact,
    )
    return citizen


@dataclass
class World:
    site_a: Site
    site_b: Site
    consultant_a: Consultant
    consultant_b: Consultant
    citizen_a: Citizen
    citizen_b: Citizen
    admin: Api
    coordinator_a: Api
    coordinator_b: Api
    consultant: Api
    outsider: Api
    anonymous: Api
    tokens: dict[str, str]


@pytest.fixture
def world(db: None) -> World:
    site_a, site_b = make_site("alpha"), make_site("beta")
    consultant_a = make_consultant(site_a, "ka")
    consultant_b = make_consultant(site_b, "kb")
    personas = personas_create(site_a=site_a, site_b=site_b, consultant_a=consultant_a)
    # The API suite's names for the shared personas (tests.personas).
    tokens = {api_name: personas.tokens[persona] for api_name, persona in API_NAMES.items()}
    return World(
        site_a=site_a, site_b=site_b, consultant_a=consultant_a, consultant_b=consultant_b,
        citizen_a=make_citizen(site_a, "ba1", consultant_a), citizen_b=make_citizen(site_b, "bb1", consultant_b),
        admin=personas.api("admin"), coordinator_a=personas.api("coord_a"), coordinator_b=personas.api("coord_b"),
        consultant=personas.api("consultant"), outsider=personas.api("outsider"), anonymous=personas.api("anonymous"),
        tokens=tokens,
    )
