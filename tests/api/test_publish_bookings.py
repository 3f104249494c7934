"""Publishing writes the occupancy rows (Booking) of the published version in the same transaction, so the
database's double-booking guard holds for published plans too (SQLite here, PostgreSQL in CI)."""
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from scheduler.models import Appointment, Booking, BookingResource, Plan, PlanStatus
from scheduler.planning.services import plan_create_draft
from scheduler.publishing.services import PublishingError, plan_publish
from tests.scheduler import planning_factories as f

pytestmark = pytest.mark.django_db


def _centre():
    site = f.site()
    consultant = f.consultant(site)
    phase = f.model_with_rules(f.talk_rule(days=7))
    for _ in range(3):
        f.citizen(site, phase, contact=consultant)
    return site, consultant


def test_publishing_writes_the_bookings_of_the_published_version(settings) -> None:
    settings.PLANNER_NUM_WORKERS = 1
    site, consultant = _centre()
    draft = plan_create_draft(week_start=f.WEEK, site_ids=[site.pk], time_limit=2)
    # The draft has its bookings from the planning service (plan_store), like a draft of a run.
    assert Booking.objects.filter(plan=draft, resource_kind=BookingResource.CONSULTANT).count() == 3 * 4

    published = plan_publish(plan=draft)
    assert published.status == PlanStatus.PUBLISHED
    slots = sum(int((a.end - a.start) / timedelta(minutes=15)) for a in published.appointments.all())
    rows = Booking.objects.filter(plan=published)
    assert rows.filter(resource_kind=BookingResource.CONSULTANT).count() == slots == 3 * 4
    assert rows.filter(resource_kind=BookingResource.CITIZEN).count() == slots
    # The guard holds: the consultant's first slot cannot be booked a second time in the published plan.
    first = rows.filter(resource_kind=BookingResource.CONSULTANT).order_by("slot_start").first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(plan=published, appointment=first.appointment, resource_kind=first.resource_kind,
                               resource_id=consultant.pk, slot_start=first.slot_start)


def test_a_draft_with_a_double_booking_is_not_published(settings) -> None:
    settings.PLANNER_NUM_WORKERS = 1
    site, consultant = _centre()
    draft = plan_create_draft(week_start=f.WEEK, site_ids=[site.pk], time_limit=2)
    talk = draft.appointments.order_by("start").first()
    clash = Appointment.objects.create(plan=draft, task_key="hand:1", kind="talk", start=talk.start, end=talk.end,
                                       site=site, place="site")
    clash.consultants.set([consultant])
    before = set(Booking.objects.filter(plan=draft).values_list("appointment_id", "resource_kind", "slot_start"))
    with pytest.raises(PublishingError) as refused:
        plan_publish(plan=draft)
    assert refused.value.code == "double_booking"
    assert Plan.objects.get(pk=draft.pk).status == PlanStatus.DRAFT
    # Rolled back: the draft keeps the bookings it had, none for the clashing appointment.
    after = set(Booking.objects.filter(plan=draft).values_list("appointment_id", "resource_kind", "slot_start"))
    assert after == before and not any(row[0] == clash.pk for row in after)
