"""The citizen's page tells the truth: the week that is out, 'not ready' for one that is not, new times
and cancellations marked, phone numbers to tap, and a partial return to work called work."""
from datetime import timedelta

import pytest

from scheduler.publishing.services import plan_publish
from scheduler.publishing.tokens import feed_token_issue
from scheduler.publishing.ugeskema import current_week_start
from scheduler.weeks import iso_week_label
from tests.publishing.factories import (
    at,
    make_appointment,
    make_citizen,
    make_company,
    make_consultant,
    make_enrolment,
    make_internship,
    make_plan,
    make_room,
    make_site,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    site = make_site(code="vejle", name="Center Vejle")
    karen = make_consultant(site, "Karen Holm", phone="20 30 40 50")
    anne = make_citizen(site, "Anne", "Ahl", contact=karen)
    return {"site": site, "room": make_room(site), "karen": karen, "anne": anne,
            "link": feed_token_issue(owner=anne)}


def _page(client, world, query: str = "") -> str:
    return client.get(f"/borger/{world['link'].page_token}/{query}").content.decode()


def test_without_a_week_the_page_opens_next_week_when_only_that_is_published(client, world):
    this_week = current_week_start()
    next_week = this_week + timedelta(weeks=1)
    plan = make_plan(next_week, [world["site"]])
    make_appointment(plan, start=at(next_week + timedelta(days=1), 9), consultants=[world["karen"]],
                     citizens=[world["anne"]], site=world["site"], room=world["room"])
    plan_publish(plan=plan)
    html = _page(client, world)
    assert f"Uge {next_week.isocalendar().week} ·" in html and "09:00–10:00" in html
    assert "ikke klar endnu" not in html


def test_an_unpublished_week_says_it_is_not_ready_and_whom_to_call(client, world):
    week = current_week_start() + timedelta(weeks=2)
    make_plan(week, [world["site"]])  # a draft only
    html = _page(client, world, f"?uge={iso_week_label(week)}")
    assert f"Ugeskemaet for uge {week.isocalendar().week} er ikke klar endnu – ring til Karen Holm" in html
    assert '<a href="tel:+4520304050">20 30 40 50</a>' in html
    assert "Ingen aftaler." not in html


def test_new_times_and_cancellations_are_marked(client, world):
    week = current_week_start()
    plan = make_plan(week, [world["site"]])
    moved = make_appointment(plan, start=at(week, 9), consultants=[world["karen"]], citizens=[world["anne"]],
                             site=world["site"], room=world["room"])
    make_appointment(plan, start=at(week, 13), consultants=[world["karen"]], citizens=[world["anne"]],
                     site=world["site"], room=world["room"], status="cancelled")
    plan_publish(plan=plan)
    moved.refresh_from_db()
    moved.moved = True
    moved.save(update_fields=["moved"])
    html = _page(client, world, f"?uge={iso_week_label(week)}")
    assert html.count('<span class="tag new">NY TID</span>') == 1
    assert html.count('<span class="tag">AFLYST</span>') == 1


def test_a_partial_return_to_work_is_labelled_work_not_internship(client, world):
    week = current_week_start()
    enrolment = make_enrolment(world["anne"], contact=world["karen"], start=week - timedelta(weeks=3))
    internship = make_internship(enrolment, make_company(), start=week - timedelta(weeks=1), weekdays=[0, 2])
    internship.kind = "partial_return"
    internship.save()
    html = _page(client, world, f"?uge={iso_week_label(week)}")
    assert '<span class="tag">ARBEJDE</span>' in html and '<span class="tag">PRAKTIK</span>' not in html
    assert "Delvis raskmelding hos Bageriet ApS" in html
    assert '<a href="tel:+4570707070">70 70 70 70</a>' in html
