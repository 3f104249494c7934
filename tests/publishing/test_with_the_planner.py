"""End to end on the small demo centre: the real planner's drafts, published, fed and printed."""
import io
from datetime import UTC

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from rooms.models import Site
from scheduler.models import Appointment, Citizen, Consultant, PlanStatus
from scheduler.planning.services import plan_create_draft
from scheduler.publishing.pdf import site_week_pdf
from scheduler.publishing.services import plan_diff, plan_publish
from scheduler.publishing.tokens import feed_token_issue
from scheduler.publishing.ugeskema import site_citizens_for_week
from tests.dates import WEEK, WEEK_CODE
from tests.publishing.ical_parsers import parse_agreeing

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
FAST = {"time_limit": 5, "num_workers": 2, "random_seed": 1}


def test_the_demo_week_publishes_feeds_and_prints_and_a_replan_keeps_identities(client):
    call_command("seed_demo", size="S", seed=1, week=WEEK_CODE, stdout=io.StringIO())
    site_ids = list(Site.objects.values_list("id", flat=True))
    v1 = plan_publish(plan=plan_create_draft(week_start=WEEK, site_ids=site_ids, **FAST))
    assert (v1.status, v1.version) == (PlanStatus.PUBLISHED, 1)
    assert v1.appointments.count() > 20

    # Every consultant's and a few citizens' feeds read the same in three parsers and match the plan.
    owners = list(Consultant.objects.filter(appointments__plan=v1).distinct())
    owners += list(Citizen.objects.filter(appointments__plan=v1).distinct()[:5])
    for owner in owners:
        link = feed_token_issue(owner=owner)
        body = client.get(f"/kalender/{link.feed_secret}.ics").content
        events = parse_agreeing(body)
        field = "consultants" if isinstance(owner, Consultant) else "citizens"
        expected = {
            f"appointment-{a.uid}@127.0.0.1": (a.start.astimezone(UTC), a.end.astimezone(UTC))
            for a in Appointment.objects.filter(plan=v1, **{field: owner})
        }
        assert {uid: e[:2] for uid, e in events.items() if uid in expected} == expected
        if isinstance(owner, Consultant):
            for citizen in Citizen.objects.filter(appointments__plan=v1, appointments__consultants=owner):
                assert citizen.full_name not in body.decode()

    site = Site.objects.get(pk=site_ids[0])
    pdf = PdfReader(io.BytesIO(site_week_pdf(site=site, week_start=WEEK)))
    citizens = list(site_citizens_for_week(site=site, week_start=WEEK))
    # One sheet per citizen; a crowded week continues on a page of its own ("(fortsat, side 2)").
    texts = [" ".join(p.extract_text().split()) for p in pdf.pages]
    firsts = [t for t in texts if "Ugeskema for" in t and "(fortsat, side" not in t]
    assert len(firsts) == len(citizens) > 0 and len(pdf.pages) >= len(citizens)
    first = " ".join(pdf.pages[0].extract_text().split())
    assert f"Ugeskema for {citizens[0].first_name} {citizens[0].last_name}" in first

    # A re-plan of the same week, published as version 2: tasks keep their uids.
    v2 = plan_publish(plan=plan_create_draft(week_start=WEEK, site_ids=site_ids, **FAST))
    assert v2.version == 2
    diff = plan_diff(v1, v2)
    assert diff.unchanged or diff.moved
    old_uids = set(v1.appointments.values_list("uid", flat=True))
    kept = [new for _old, new in diff.unchanged + diff.moved]
    assert all(a.uid in old_uids for a in kept)
    assert all(new.sequence == old.sequence + 1 for old, new in diff.moved)
    assert all(new.sequence == old.sequence for old, new in diff.unchanged)
    assert v2.appointments.count() >= v1.appointments.count()  # nothing silently lost
