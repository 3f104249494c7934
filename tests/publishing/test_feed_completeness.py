"""Every feed kind shows exactly the published appointments its owner has, counted on the M demo centre.

The expected sets are worked out here in Python from the appointments and their people (not with the
feed's own query), so a feed that misses off-site work or shows someone else's appointment fails.
"""
import io
from collections import defaultdict

import icalendar
import pytest
from django.core.management import call_command
from django.utils import timezone

from activities.models import GroupCourse
from rooms.models import Room, Site
from scheduler.models import Appointment, AppointmentStatus, Citizen, Consultant
from scheduler.planning.services import plan_create_draft
from scheduler.publishing.feeds import feed_window
from scheduler.publishing.services import plan_publish
from scheduler.publishing.tokens import feed_token_issue
from tests.dates import WEEK, WEEK_CODE
from tests.publishing.ical_parsers import parse_agreeing

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def _expected() -> dict[tuple[str, int], set[str]]:
    now = timezone.now()
    start, end = feed_window(now)
    shown: dict[tuple[str, int], set[str]] = defaultdict(set)
    rooms = dict(Room.objects.values_list("pk", "site_id"))
    appointments = Appointment.objects.filter(plan__status="published", start__lt=end, end__gt=start)
    for a in appointments.prefetch_related("citizens", "consultants"):
        if a.status == AppointmentStatus.CANCELLED and a.end < now:
            continue
        uid = f"appointment-{a.uid}@127.0.0.1"
        citizens, consultants = list(a.citizens.all()), list(a.consultants.all())
        for c in consultants:
            shown["consultant", c.pk].add(uid)
        for z in citizens:
            shown["citizen", z.pk].add(uid)
        if a.room_id:
            shown["room", a.room_id].add(uid)
        if a.group_course_id:
            shown["group_course", a.group_course_id].add(uid)
        sites = {a.site_id, rooms.get(a.room_id)} - {None}
        if not sites:  # off-site: the site of its citizens and of its consultants
            sites = {z.site_id for z in citizens} | {c.home_site_id for c in consultants}
        for site_id in sites:
            shown["site", site_id].add(uid)
    return shown


def _uids(client, owner) -> set[str]:
    body = client.get(f"/kalender/{feed_token_issue(owner=owner).feed_secret}.ics").content
    return {str(e["UID"]) for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}


def test_every_feed_kind_counts_the_same_as_the_database_on_the_m_demo(client):
    call_command("seed_demo", size="M", seed=1, week=WEEK_CODE, stdout=io.StringIO())
    site_ids = list(Site.objects.values_list("pk", flat=True))
    plan = plan_publish(plan=plan_create_draft(week_start=WEEK, site_ids=site_ids, time_limit=5, num_workers=2,
                                               random_seed=1))
    expected = _expected()
    off_site = plan.appointments.exclude(place="site").count()
    assert off_site > 0, "the demo has home visits and company follow-ups"
    owners = (
        [("site", s) for s in Site.objects.all()]
        + [("consultant", c) for c in Consultant.objects.all()]
        + [("room", r) for r in Room.objects.all()]
        + [("group_course", g) for g in GroupCourse.objects.all()]
        + [("citizen", z) for z in Citizen.objects.filter(appointments__plan=plan).distinct().order_by("pk")[:60]]
    )
    wrong = {}
    for kind, owner in owners:
        got = _uids(client, owner)
        if got != expected.get((kind, owner.pk), set()):
            wrong[kind, owner.pk] = (len(got), len(expected.get((kind, owner.pk), set())))
    assert not wrong, wrong
    # The sites together show every appointment of the plan.
    assert set().union(*(expected["site", s] for s in site_ids)) >= {
        f"appointment-{a.uid}@127.0.0.1" for a in plan.appointments.all()}
    # The largest site feed reads the same in three independent parsers.
    largest = max(site_ids, key=lambda s: len(expected["site", s]))
    body = client.get(f"/kalender/{feed_token_issue(owner=Site.objects.get(pk=largest)).feed_secret}.ics").content
    assert set(parse_agreeing(body)) == expected["site", largest]
