"""The attendance page: behind the consultant's secret link, for the logged-in consultant and for the
coordinator, each marking only what is theirs."""
import pytest

from audit.models import AuditEvent
from scheduler.models import Attendance
from tests.security.conftest import World, build_world


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def _link(world: World) -> str:
    return world.links["consultant"].pdf_url.replace("ugeskema.pdf", "fremmoede/").split("8000", 1)[-1]


def _field(world: World) -> str:
    return f"s-{world.objects['past_appointment'].pk}-{world.objects['citizen_a'].pk}"


def test_the_consultant_marks_a_no_show_from_the_secret_link(world: World) -> None:
    client = world.web("anonymous")
    page = client.get(_link(world))
    # Behind the link citizens appear as on the consultant's PDF: initials (the site's setting), no name.
    assert page.status_code == 200 and "AJ" in page.content.decode() and "Jensen" not in page.content.decode()
    assert "ikke markeret" in page.content.decode()

    answer = client.post(_link(world), {_field(world): "no_show"})

    assert answer.status_code == 302 and "gemt=1" in answer["Location"]
    mark = Attendance.objects.get()
    assert (mark.status, mark.marked_by_consultant, mark.citizen) == (
        "no_show", world.objects["consultant"], world.objects["citizen_a"])
    actors = set(AuditEvent.objects.filter(object_repr__startswith="Fremmøde").values_list("actor", "action"))
    assert actors == {("konsulentlink k-alfa", "view"), ("konsulentlink k-alfa", "change")}
    assert "Udeblevet" in client.get(answer["Location"]).content.decode()


def test_a_coordinator_of_another_site_cannot_mark_site_a(world: World) -> None:
    answer = world.web("coord_b").post("/fremmoede/", {_field(world): "held"})
    assert answer.status_code == 422
    assert "Anne" not in answer.content.decode()
    assert not Attendance.objects.exists()


def test_a_coordinator_marks_the_rest_of_the_day_held(world: World) -> None:
    client = world.web("coord_a")
    day = world.objects["past_appointment"].start.date().isoformat()
    detail = client.get(f"/aftale/{world.objects['past_appointment'].pk}/").content.decode()
    assert f"/fremmoede/?center=alfa&amp;dag={day}" in detail
    assert "Anne Jensen" in client.get(f"/fremmoede/?center=alfa&dag={day}").content.decode()
    answer = client.post(f"/fremmoede/?center=alfa&dag={day}", {"alle": "1"})
    assert answer.status_code == 302
    assert Attendance.objects.get().status == "held"
    assert AuditEvent.objects.filter(actor="koord-a", action="change").count() == 1


def test_the_logged_in_consultant_sees_only_their_own_appointments(world: World) -> None:
    page = world.web("consultant").get("/fremmoede/").content.decode()
    assert "Anne Jensen" in page and "Carla" not in page
    assert world.web("outsider").get("/fremmoede/").status_code == 403


def test_the_consultant_writes_agreements_the_citizen_reads_them_and_the_feed_never_shows_them(world: World) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from scheduler.models import ActivityRequest

    past = world.objects["past_appointment"]
    url = _link(world).replace("fremmoede/", f"fremmoede/{past.pk}/aftaler/")
    client = world.web("anonymous")
    page = client.get(url).content.decode()
    assert "AJ" in page and "Jensen" not in page and "Næste møde senest" in page
    due = timezone.localdate() + timedelta(days=9)
    answer = client.post(url, {"citizen": world.objects["citizen_a"].pk, "next_kind": "talk",
                               "next_due": due.isoformat(), "task0_who": "citizen", "task0_text": "Ring til lægen",
                               "task0_due": due.isoformat()})
    assert answer.status_code == 302, answer.content.decode()[:500]
    assert ActivityRequest.objects.get().due_by == due
    assert "Ring til lægen" in client.get(answer["Location"]).content.decode()

    citizen_page = world.web("anonymous").get(world.links["citizen"].page_url.split("8000", 1)[-1]).content.decode()
    assert "Dine aftaler" in citizen_page and "Du: Ring til lægen" in citizen_page
    feed = world.web("anonymous").get(world.links["citizen"].feed_url.split("8000", 1)[-1])
    body = b"".join(feed.streaming_content) if feed.streaming else feed.content
    assert feed.status_code == 200 and b"BEGIN:VCALENDAR" in body and "lægen".encode() not in body


def test_an_agreement_is_marked_done_or_deleted_by_the_coordinator_not_by_another_site(world: World) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from scheduler.models import ActivityRequest, Agreement, RequestStatus

    past = world.objects["past_appointment"]
    url = f"/fremmoede/{past.pk}/aftaler/"
    coordinator = world.web("coord_a")
    due = timezone.localdate() + timedelta(days=9)
    coordinator.post(url, {"citizen": world.objects["citizen_a"].pk, "next_kind": "talk", "next_due": due.isoformat(),
                           "task0_who": "citizen", "task0_text": "Ring til lægen", "task0_due": due.isoformat()})
    task = Agreement.objects.get(kind="task")
    meeting = Agreement.objects.get(kind="next_meeting")
    page = coordinator.get(url).content.decode()
    assert f'name="remove" value="{task.pk}"' in page

    assert coordinator.post(url, {"done": task.pk}).status_code == 302
    task.refresh_from_db()
    assert task.done_on == timezone.localdate()
    assert f"✓ udført {timezone.localdate():%d.%m.}" in coordinator.get(url).content.decode()
    coordinator.post(url, {"undone": task.pk})
    task.refresh_from_db()
    assert task.done_on is None
    assert AuditEvent.objects.filter(object_repr__contains=f"aftale {task.pk} udført").exists()
    assert world.web("coord_b").post(url, {"done": task.pk}).status_code == 404  # not their site
    assert world.web("coord_b").post(url, {"remove": task.pk}).status_code == 404
    assert Agreement.objects.filter(pk=task.pk).exists()
    answer = coordinator.post(url, {"remove": task.pk})
    assert answer.status_code == 302 and not Agreement.objects.filter(pk=task.pk).exists()
    assert "Aftalen er slettet." in coordinator.get(answer["Location"]).content.decode()
    assert AuditEvent.objects.filter(action="delete", object_repr__contains=f"aftale {task.pk} slettet").exists()
    # Deleting the agreed next meeting cancels the request the planner has not placed yet.
    coordinator.post(url, {"remove": meeting.pk})
    assert ActivityRequest.objects.get().status == RequestStatus.CANCELLED
    # An id that is not an agreement of this meeting is refused in Danish, nothing changes.
    refused = coordinator.post(url, {"remove": 999999})
    assert refused.status_code == 422 and "Aftalen findes ikke ved dette møde." in refused.content.decode()
