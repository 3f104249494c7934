"""A round-table meeting needs a consultant of each staff type it asks for: moving it to a ranked option,
or placing it by hand when the planner could not, keeps every consultant of the option (S demo centre,
real planner, real verifier)."""
import io
import re
from datetime import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from rooms.models import Site
from scheduler.availability import coming_week_start
from scheduler.models import Appointment, Booking, Plan, UnplacedTask
from scheduler.planning.services import plan_create_draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def roundtable() -> tuple[Client, Appointment]:
    call_command("seed_demo", size="S", seed=1, stdout=io.StringIO())
    plan = plan_create_draft(week_start=coming_week_start(), site_ids=list(Site.objects.values_list("pk", flat=True)),
                             time_limit=3, num_workers=2)
    meeting = next(a for a in plan.appointments.filter(kind="roundtable") if a.consultants.count() == 2)
    client = Client()
    client.force_login(get_user_model().objects.get(username="koordinator"))
    return client, meeting


def _options(page: str) -> list[dict[str, list[str]]]:
    forms = re.findall(r'<form method="post"[^>]*>(.*?)</form>', page, flags=re.S)
    out = []
    for form in forms:
        fields: dict[str, list[str]] = {}
        for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form):
            fields.setdefault(name, []).append(value)
        if "start" in fields and "consultant" in fields:
            out.append(fields)
    return out


def test_moving_a_roundtable_to_an_option_keeps_both_consultants(roundtable) -> None:
    client, meeting = roundtable
    page = client.get(f"/aftale/{meeting.pk}/").content.decode()
    option = next(o for o in _options(page) if datetime.fromisoformat(o["start"][0]) != meeting.start)
    assert len(option["consultant"]) == 2 and " og " in page  # both names are shown
    option["version"] = [str(Plan.objects.get(pk=meeting.plan_id).lock_version)]
    result = client.post(f"/aftale/{meeting.pk}/flyt/", option, follow=True).content.decode()
    assert "Aftalen er flyttet til" in result
    meeting.refresh_from_db()
    assert sorted(meeting.consultants.values_list("pk", flat=True)) == sorted(map(int, option["consultant"]))
    assert meeting.start == datetime.fromisoformat(option["start"][0])


def test_placing_an_unplaced_roundtable_by_hand_books_both_consultants(roundtable) -> None:
    client, meeting = roundtable
    # As the planner stores a task it could not place: the task instead of the appointment.
    task = UnplacedTask.objects.create(
        plan=meeting.plan, task_key=meeting.task_key, kind=meeting.kind, reason="Ingen fælles tid",
        rule=meeting.rule, enrolment=meeting.enrolment, request=meeting.request)
    task.citizens.set(meeting.citizens.all())
    Booking.objects.filter(appointment=meeting).delete()
    meeting.delete()

    page = client.get(f"/ikke-placeret/{task.pk}/").content.decode()
    option = _options(page)[0]
    assert len(option["consultant"]) == 2
    option["version"] = [str(Plan.objects.get(pk=task.plan_id).lock_version)]
    result = client.post(f"/ikke-placeret/{task.pk}/", option, follow=True).content.decode()
    assert "Aftalen er placeret." in result
    placed = Appointment.objects.get(plan=task.plan_id, task_key=task.task_key)
    assert sorted(placed.consultants.values_list("pk", flat=True)) == sorted(map(int, option["consultant"]))
    assert not UnplacedTask.objects.filter(pk=task.pk).exists()


def test_an_option_without_a_consultant_is_refused(roundtable) -> None:
    client, meeting = roundtable
    version = Plan.objects.get(pk=meeting.plan_id).lock_version
    result = client.post(f"/aftale/{meeting.pk}/flyt/", {"start": meeting.start.isoformat(), "version": version},
                         follow=True).content.decode()
    assert "Ugyldigt forslag" in result
