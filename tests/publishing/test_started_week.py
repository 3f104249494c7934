"""Past weeks are protected: changing a week that has begun needs an explicit yes, and what began stays.

`publish_week --week <a past week>` used to mark held appointments "aflyst" without a warning. Now every
entry point (service, command, web, API) refuses a started week unless told, and publishing one keeps every
appointment that already began exactly as it was published.
"""
import io
import re
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from scheduler.models import Appointment, AppointmentStatus, Plan
from scheduler.planning.services import plan_create_draft
from scheduler.publishing.services import plan_publish
from scheduler.weeks import WeekStarted, current_monday, iso_week_label
from tests.personas import personas_create
from tests.publishing.factories import (
    copy_as_draft,
    make_appointment,
    make_citizen,
    make_consultant,
    make_plan,
    make_room,
    make_site,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def week():
    """This week's published version 1: one talk that has begun (an hour ago), one still to come."""
    site = make_site(code="vejle")
    other = make_site(code="kolding", name="Center Kolding")
    room = make_room(site)
    karen = make_consultant(site, "Karen Holm")
    anne = make_citizen(site, "Anne", "Jensen", contact=karen)
    bo = make_citizen(site, "Bo", "Nielsen", contact=karen)
    now = timezone.now().replace(second=0, microsecond=0)
    monday = current_monday()
    plan = make_plan(monday, [site])
    held = make_appointment(plan, start=now - timedelta(hours=1), consultants=[karen], citizens=[anne], site=site,
                            room=room, task_key="talk:anne")
    coming = make_appointment(plan, start=now + timedelta(hours=3), consultants=[karen], citizens=[bo], site=site,
                              room=room, task_key="talk:bo")
    # Published before the week began.
    Plan.objects.filter(pk=plan.pk).update(status="published", version=1, published_at=now - timedelta(days=5))
    v1 = Plan.objects.get(pk=plan.pk)
    return {"site": site, "other": other, "room": room, "karen": karen, "anne": anne, "bo": bo, "now": now,
            "monday": monday, "v1": v1, "held": held, "coming": coming}


def _published(week, task_key):
    return Appointment.objects.get(plan__status="published", task_key=task_key)


def test_publishing_a_started_week_needs_the_explicit_flag(week):
    draft = copy_as_draft(week["v1"])
    with pytest.raises(WeekStarted) as refused:
        plan_publish(plan=draft, allow_started_week=False)
    assert refused.value.code == "week_started" and iso_week_label(week["monday"]) in refused.value.message
    with pytest.raises(CommandError, match="er begyndt"):
        call_command("publish_week", "--week", iso_week_label(week["monday"]), stdout=io.StringIO())
    out = io.StringIO()
    call_command("publish_week", "--week", iso_week_label(week["monday"]), "--allow-started-week", stdout=out)
    assert "offentliggjort som version 2" in out.getvalue()


def test_planning_a_started_week_needs_the_explicit_flag(week):
    with pytest.raises(WeekStarted):
        plan_create_draft(week_start=week["monday"], site_ids=[week["site"].pk], time_limit=1,
                          allow_started_week=False)
    with pytest.raises(CommandError, match="er begyndt"):
        call_command("plan_week", "--week", iso_week_label(week["monday"]), "--site", "vejle", stdout=io.StringIO())


def test_a_held_appointment_is_never_turned_into_a_cancellation(week):
    draft = copy_as_draft(week["v1"])
    draft.appointments.all().delete()  # a re-plan that has neither talk
    plan_publish(plan=draft, allow_started_week=True)
    held, coming = _published(week, "talk:anne"), _published(week, "talk:bo")
    assert held.status == AppointmentStatus.PLANNED and held.sequence == 0  # history, untouched
    assert (held.uid, held.start) == (week["held"].uid, week["held"].start)
    assert coming.status == AppointmentStatus.CANCELLED and coming.sequence == 1  # the future may change
    draft.refresh_from_db()
    assert draft.solver_info["started_week"]["kept"] == 0


def test_a_started_appointment_stays_where_it_was_and_nothing_new_is_put_in_the_past(week):
    draft = copy_as_draft(week["v1"])
    moved = draft.appointments.get(task_key="talk:anne")
    moved.start += timedelta(hours=5)
    moved.end += timedelta(hours=5)
    moved.save()
    make_appointment(draft, start=week["now"] - timedelta(hours=3), consultants=[week["karen"]],
                     citizens=[week["bo"]], site=week["site"], room=week["room"], task_key="talk:bo:extra")
    plan_publish(plan=draft, allow_started_week=True)
    held = _published(week, "talk:anne")
    assert (held.start, held.sequence, held.status) == (week["held"].start, 0, AppointmentStatus.PLANNED)
    assert not Appointment.objects.filter(plan=draft, task_key="talk:bo:extra").exists()
    draft.refresh_from_db()
    assert draft.solver_info["started_week"] == {"kept": 1, "dropped": 1, "at": draft.solver_info["started_week"]["at"]}


def test_a_first_version_of_a_started_week_keeps_what_the_draft_has_in_the_past(week):
    """Nobody was told anything of this week before, and the coordinator may be recording what happened."""
    plan = make_plan(week["monday"], [week["other"]])
    ole = make_consultant(week["other"], "Ole Dahl")
    make_appointment(plan, start=week["now"] - timedelta(hours=2), consultants=[ole], site=week["other"],
                     task_key="past")
    make_appointment(plan, start=week["now"] + timedelta(hours=2), consultants=[ole], site=week["other"],
                     task_key="future")
    plan_publish(plan=plan, allow_started_week=True)
    assert sorted(plan.appointments.values_list("task_key", flat=True)) == ["future", "past"]


def test_the_web_asks_for_a_confirmation_naming_what_will_change(week):
    personas = personas_create(site_a=week["site"], site_b=week["other"], consultant_a=week["karen"])
    draft = copy_as_draft(week["v1"])
    draft.appointments.filter(task_key="talk:bo").delete()  # Bo's coming talk is cancelled
    moved = draft.appointments.get(task_key="talk:anne")
    moved.start += timedelta(hours=5)
    moved.end += timedelta(hours=5)
    moved.save()
    client = personas.web("coord_a")
    url = f"/uge/vejle/{iso_week_label(week['monday'])}/offentliggoer/"
    page = client.get(url).content.decode()
    section = re.search(r'<section class="warning" id="started-week">(.*?)</section>', page, re.S).group(1)
    assert "Ugen er begyndt" in section
    assert "1 begyndt aftale bevares" in section and "Anne Jensen" in section, section
    assert "Aflyst" in section and "Bo Nielsen" in section
    assert 'name="allow_started_week"' in page and "required" in page
    draft.refresh_from_db()
    refused = client.post(url, {"version": draft.lock_version}, follow=True)
    assert "er begyndt" in refused.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"
    client.post(url, {"version": draft.lock_version, "allow_started_week": "1"})
    draft.refresh_from_db()
    assert draft.status == "published"
    assert _published(week, "talk:anne").start == week["held"].start


def test_the_api_refuses_a_started_week_without_the_flag(week):
    personas = personas_create(site_a=week["site"], site_b=week["other"], consultant_a=week["karen"])
    draft = copy_as_draft(week["v1"])
    api = personas.api("coord_a")
    refused = api.post(f"/api/plans/{draft.pk}/publish", {"version": draft.lock_version})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["field"] == "allow_started_week"
    assert "er begyndt" in refused.json()["detail"][0]["message"]
    ok = api.post(f"/api/plans/{draft.pk}/publish", {"version": draft.lock_version, "allow_started_week": True})
    assert ok.status_code == 200
    runs = api.post("/api/plans/runs", {"week": iso_week_label(week["monday"]), "sites": ["vejle"]})
    assert runs.status_code == 422 and runs.json()["detail"][0]["field"] == "allow_started_week"
