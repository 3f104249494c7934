"""Personas (administrator, two coordinators, a consultant, an outsider) and a small two-site centre."""
import json
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from activities.models import InterventionModel, StaffType, TargetGroup
from api.auth import api_token_create
from rooms.models import OpeningHours, Room, Site
from scheduler.models import Citizen, Consultant, Coordinator, Enrolment, WorkingHours


class Api:
    """A JSON client with a bearer token (or none)."""

    def __init__(self, token: str | None) -> None:
        extra = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        self.client = Client(**extra)

    def _send(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        kwargs: dict[str, Any] = {"content_type": "application/json", **headers}
        if body is not None:
            kwargs["data"] = json.dumps(body, default=str)
        return getattr(self.client, method)(path, **kwargs)

    def get(self, path: str, **headers: str) -> Any:
        return self.client.get(path, **headers)

    def post(self, path: str, body: Any = None, **headers: str) -> Any:
        return self._send("post", path, body if body is not None else {}, **headers)

    def patch(self, path: str, body: Any, **headers: str) -> Any:
        return self._send("patch", path, body, **headers)

    def put(self, path: str, body: Any, **headers: str) -> Any:
        return self._send("put", path, body, **headers)

    def delete(self, path: str) -> Any:
        return self.client.delete(path)


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
    users = get_user_model().objects
    admin = users.create_superuser("api-admin", password=None)
    coord_a, coord_b = users.create_user("coord-a"), users.create_user("coord-b")
    consultant_user, outsider = users.create_user("consultant-a"), users.create_user("outsider")
    site_a, site_b = make_site("alpha"), make_site("beta")
    Coordinator.objects.create(user=coord_a).sites.set([site_a])
    Coordinator.objects.create(user=coord_b).sites.set([site_b])
    consultant_a = make_consultant(site_a, "ka", user=consultant_user)
    consultant_b = make_consultant(site_b, "kb")
    tokens = {
        name: api_token_create(user=user, name=name)[1]
        for name, user in [("admin", admin), ("coordinator_a", coord_a), ("coordinator_b", coord_b),
                           ("consultant", consultant_user), ("outsider", outsider)]
    }
    return World(
        site_a=site_a, site_b=site_b, consultant_a=consultant_a, consultant_b=consultant_b,
        citizen_a=make_citizen(site_a, "ba1", consultant_a), citizen_b=make_citizen(site_b, "bb1", consultant_b),
        admin=Api(tokens["admin"]), coordinator_a=Api(tokens["coordinator_a"]),
        coordinator_b=Api(tokens["coordinator_b"]), consultant=Api(tokens["consultant"]),
        outsider=Api(tokens["outsider"]), anonymous=Api(None), tokens=tokens,
    )
