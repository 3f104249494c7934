"""Publishing a week: numbered versions, stable identities, sequences, nothing silently lost."""
from datetime import timedelta

import pytest

from scheduler.editing.services import appointment_cancel, appointment_fingerprint, appointment_record_change
from scheduler.models import Appointment, AppointmentStatus, PlanStatus
from scheduler.planning.selectors import plan_versions
from scheduler.publishing.services import (
    PublishingError,
    plan_diff,
    plan_publish,
    plan_publish_latest_draft,
)
from tests.publishing.factories import (
    at,
    copy_as_draft,
    make_appointment,
    make_citizen,
    make_consultant,
    make_plan,
    make_room,
    make_site,
    next_monday,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    site = make_site(code="vejle")
    room = make_room(site)
    karen = make_consultant(site, "Karen Holm")
    anne = make_citizen(site, "Anne", "Jensen", contact=karen)
    bo = make_citizen(site, "Bo", "Nielsen", contact=karen)
    monday = next_monday()
    plan = make_plan(monday, [site])
    talk_a = make_appointment(plan, start=at(monday, 9), consultants=[karen], citizens=[anne], site=site,
                              room=room, task_key="talk:anne")
    talk_b = make_appointment(plan, start=at(monday, 11), consultants=[karen], citizens=[bo], site=site,
                              room=room, task_key="talk:bo")
    return {"site": site, "room": room, "karen": karen, "anne": anne, "bo": bo, "monday": monday,
            "plan": plan, "talk_a": talk_a, "talk_b": talk_b}


def test_it_publishes_a_draft_as_version_one(world):
    plan = plan_publish(plan=world["plan"])
    assert plan.status == PlanStatus.PUBLISHED
    assert plan.version == 1
    assert plan.published_at is not None
    assert list(plan.appointments.values_list("sequence", flat=True)) == [0, 0]


def test_publishing_the_same_draft_twice_changes_nothing(world):
    first = plan_publish(plan=world["plan"])
    stamps = list(first.appointments.order_by("pk").values_list("updated_at", "sequence"))
    second = plan_publish(plan=world["plan"])
    assert (second.pk, second.version, second.published_at) == (first.pk, first.version, first.published_at)
    assert list(second.appointments.order_by("pk").values_list("updated_at", "sequence")) == stamps


def test_a_new_version_supersedes_the_old_and_keeps_uids_and_sequences_of_unchanged(world):
    v1 = plan_publish(plan=world["plan"])
    old = {a.task_key: a for a in v1.appointments.all()}
    v2 = plan_publish(plan=copy_as_draft(v1))
    v1.refresh_from_db()
    assert (v1.status, v2.status, v2.version) == (PlanStatus.SUPERSEDED, PlanStatus.PUBLISHED, 2)
    for a in v2.appointments.all():
        assert a.uid == old[a.task_key].uid
        assert a.sequence == 0
        assert a.updated_at == old[a.task_key].updated_at


def test_a_moved_appointment_keeps_its_uid_and_gets_a_higher_sequence(world):
    v1 = plan_publish(plan=world["plan"])
    draft = copy_as_draft(v1)
    moved = draft.appointments.get(task_key="talk:anne")
    moved.start += timedelta(hours=4)
    moved.end += timedelta(hours=4)
    moved.save()
    v2 = plan_publish(plan=draft)
    new = v2.appointments.get(task_key="talk:anne")
    assert new.uid == world["talk_a"].uid
    assert new.sequence == 1
    assert v2.appointments.get(task_key="talk:bo").sequence == 0
    diff = plan_diff(v1, v2)
    assert [pair[1].task_key for pair in diff.moved] == ["talk:anne"]
    assert [pair[1].task_key for pair in diff.unchanged] == ["talk:bo"]
    assert not diff.added and not diff.cancelled


def test_a_change_of_people_bumps_the_sequence(world):
    v1 = plan_publish(plan=world["plan"])
    draft = copy_as_draft(v1)
    other = make_consultant(world["site"], "Lars Berg")
    draft.appointments.get(task_key="talk:bo").consultants.set([other])
    v2 = plan_publish(plan=draft)
    assert v2.appointments.get(task_key="talk:bo").sequence == 1


def test_an_appointment_missing_from_the_new_version_is_carried_over_as_cancelled(world):
    v1 = plan_publish(plan=world["plan"])
    draft = copy_as_draft(v1)
    draft.appointments.get(task_key="talk:bo").delete()
    v2 = plan_publish(plan=draft)
    carried = v2.appointments.get(task_key="talk:bo")
    assert carried.uid == world["talk_b"].uid
    assert carried.status == AppointmentStatus.CANCELLED
    assert carried.sequence == 1
    assert list(carried.citizens.all()) == [world["bo"]]
    diff = plan_diff(v1, v2)
    assert [pair[0].task_key for pair in diff.cancelled] == ["talk:bo"]
    # And a third version without it keeps it cancelled, without bumping again.
    v3 = plan_publish(plan=copy_as_draft(v2))
    again = v3.appointments.get(task_key="talk:bo")
    assert (again.status, again.sequence, again.updated_at) == ("cancelled", 1, carried.updated_at)


def test_a_new_appointment_shows_as_added_in_the_diff(world):
    v1 = plan_publish(plan=world["plan"])
    draft = copy_as_draft(v1)
    make_appointment(draft, start=at(world["monday"], 13), consultants=[world["karen"]],
                     citizens=[world["anne"]], site=world["site"], task_key="talk:anne:2")
    v2 = plan_publish(plan=draft)
    diff = plan_diff(v1, v2)
    assert [a.task_key for a in diff.added] == ["talk:anne:2"]
    assert diff.changed


def test_versions_are_listed_newest_first(world):
    v1 = plan_publish(plan=world["plan"])
    v2 = plan_publish(plan=copy_as_draft(v1))
    copy_as_draft(v2)  # a draft is not a version
    versions = list(plan_versions(world["monday"], world["site"]))
    assert [(p.version, p.status) for p in versions] == [(2, "published"), (1, "superseded")]


def test_a_superseded_plan_cannot_be_published_again(world):
    v1 = plan_publish(plan=world["plan"])
    plan_publish(plan=copy_as_draft(v1))
    v1.refresh_from_db()
    with pytest.raises(PublishingError) as error:
        plan_publish(plan=v1)
    assert error.value.code == "plan_superseded"


def test_another_sites_appointments_in_a_wider_plan_are_kept_unchanged(world):
    other_site = make_site(code="kolding", name="Center Kolding")
    plan = world["plan"]
    plan.sites.add(other_site)
    kolding_talk = make_appointment(plan, start=at(world["monday"], 10), consultants=[world["karen"]],
                                    citizens=[world["anne"]], site=other_site, task_key="talk:kolding")
    v1 = plan_publish(plan=plan)
    draft = make_plan(world["monday"], [world["site"]])  # a re-plan of Vejle only
    v2 = plan_publish(plan=draft)
    kept = v2.appointments.get(uid=kolding_talk.uid)
    assert (kept.status, kept.sequence) == ("planned", 0)
    assert v2.appointments.get(task_key="talk:anne").status == "cancelled"
    assert v2.version == v1.version + 1


def test_cancelling_a_published_appointment_bumps_its_sequence_and_keeps_it(world):
    plan_publish(plan=world["plan"])
    talk = Appointment.objects.get(pk=world["talk_a"].pk)
    appointment_cancel(appointment=talk)
    talk.refresh_from_db()
    assert (talk.status, talk.sequence) == ("cancelled", 1)


def test_recording_a_change_in_a_draft_leaves_the_sequence_to_publishing(world):
    talk = world["talk_a"]
    before = appointment_fingerprint(talk)
    talk.start += timedelta(minutes=30)
    talk.end += timedelta(minutes=30)
    talk.save()
    appointment_record_change(appointment=talk, before=before)
    talk.refresh_from_db()
    assert talk.sequence == 0


def test_publish_latest_draft_refuses_a_week_without_drafts(world):
    with pytest.raises(PublishingError):
        plan_publish_latest_draft(week_start=world["monday"] + timedelta(weeks=5))
