"""Names are data, not lines (issue 10, item 6).

Stored names with a line break or another control character made every feed that showed them answer
500 (icalendar refuses a raw line break in X-WR-CALNAME). Output is now robust for whatever is stored,
and the models refuse such characters on the way in — in the admin, the API, the import and the forms.
"""
import io
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from activities.models import GroupCourse, Internship
from rooms.models import Room, Site
from rooms.text import one_line
from scheduler.models import Citizen, Consultant, Coordinator, Enrolment
from scheduler.publishing.ical_event import text_escape
from scheduler.publishing.tokens import feed_token_issue
from tests.publishing.ical_parsers import parse_agreeing
from tests.publishing.test_feeds import world  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

# What older data (or a direct database write) may hold. No NUL or lone surrogate: PostgreSQL and UTF-8
# cannot store them at all, and the models refuse them (tested below).
HOSTILE = ["Karen\nHolm", "Karen\r\nHolm", "Karen\x0bHolm", "Karen\x1b[31mHolm", "Karen\u202eHolm",
           "Karen\u2028Holm", "Karen\x85Holm", "Karen\tHolm"]
MESSAGE = "Må ikke indeholde linjeskift eller andre styretegn."


@pytest.mark.parametrize("name", HOSTILE)
@pytest.mark.parametrize("owner_key", ["karen", "anne", "room", "site", "course", "lars"])
def test_no_feed_fails_on_a_stored_name(client, world, owner_key, name):  # noqa: F811
    # Written around the models' validation, as old data would be.
    Consultant.objects.filter(pk=world["karen"].pk).update(name=name, phone="20\n30")
    Site.objects.filter(pk=world["site"].pk).update(name=name.replace("Karen", "Center"), street="Vej\n1")
    Room.objects.filter(pk=world["room"].pk).update(name=name.replace("Karen", "Rum"))
    Citizen.objects.filter(pk=world["anne"].pk).update(first_name=name, last_name="\u202eX")
    world["company"].__class__.objects.filter(pk=world["company"].pk).update(name=name.replace("Karen", "Firma"))
    owner = world[owner_key].__class__.objects.get(pk=world[owner_key].pk)
    link = feed_token_issue(owner=owner)
    response = client.get(f"/kalender/{link.feed_secret}.ics")
    assert response.status_code == 200, response.content[:500]
    events = parse_agreeing(response.content)
    assert events
    body = response.content.decode()
    for line in body.split("\r\n"):
        assert not any(ch in line for ch in "\n\r\x0b\x1b\u202e\u2028\x85"), line
    if owner_key == "karen":
        assert "X-WR-CALNAME:Ugeskema – Karen Holm" in body or "X-WR-CALNAME:Ugeskema – Karen [31mHolm" in body


@pytest.mark.parametrize("name", HOSTILE)
def test_no_pdf_fails_on_a_stored_name(client, world, name):  # noqa: F811
    Consultant.objects.filter(pk=world["karen"].pk).update(name=name)
    Citizen.objects.filter(pk=world["anne"].pk).update(first_name=name)
    Site.objects.filter(pk=world["site"].pk).update(name=name)
    week = f"{world['monday'].isocalendar().year}-W{world['monday'].isocalendar().week:02d}"
    for owner, url in [(world["anne"], "/borger/{}/ugeskema.pdf"), (world["karen"], "/ugeskema/{}/ugeskema.pdf")]:
        link = feed_token_issue(owner=owner.__class__.objects.get(pk=owner.pk))
        response = client.get(url.format(link.page_token) + f"?uge={week}")
        assert response.status_code == 200
        assert PdfReader(io.BytesIO(response.content)).pages[0].extract_text()


def test_output_helpers_make_one_line_of_anything():
    assert one_line("Karen\r\n\x00\u202e Holm\u2028") == "Karen Holm"
    assert text_escape("a\x00b\x1bc\nd;e") == "a b c\\nd\\;e"
    assert text_escape("\ud800") == " "


@pytest.mark.parametrize("bad", ["Karen\nHolm", "Karen\x00", "Karen\u202e", "Karen\u2028", "\ud800", "Karen\t"])
def test_the_models_refuse_control_characters_in_names(world, bad):  # noqa: F811
    checks = [
        (world["karen"], "name"), (world["site"], "name"), (world["site"], "street"), (world["room"], "name"),
        (world["anne"], "first_name"), (world["company"], "name"), (world["course"], "name"),
        (Enrolment.objects.filter(citizen=world["anne"]).first(), "referring_jobcentre"),
    ]
    for instance, field in checks:
        setattr(instance, field, bad)
        with pytest.raises(ValidationError) as refused:
            instance.full_clean()
        assert refused.value.message_dict[field] == [MESSAGE], (instance, field)


def test_multi_line_text_may_hold_line_breaks_but_no_other_controls(world):  # noqa: F811
    enrolment = Enrolment.objects.filter(citizen=world["anne"]).first()
    internship = Internship(enrolment=enrolment, company=world["company"], start_date=date(2026, 11, 16),
                            tasks="Lager\nKasse\r\n\tOprydning")
    internship.full_clean()
    internship.tasks = "Lager\x00"
    with pytest.raises(ValidationError) as refused:
        internship.full_clean()
    assert refused.value.message_dict["tasks"] == ["Må ikke indeholde styretegn."]


def test_the_api_refuses_a_line_break_in_a_name(world):  # noqa: F811
    from api.auth import api_token_create

    admin = get_user_model().objects.create_superuser("names-admin", password=None)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=admin, name='t')[1]}")
    response = client.patch(f"/api/consultants/{world['karen'].pk}", {"name": "Karen\nHolm"},
                            content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"] == [{"field": "name", "message": MESSAGE}]
    response = client.post("/api/sites", {"code": "ny", "name": "Ny\u202e", "street": "Vej 1", "postcode": "7100",
                                          "city": "Vejle", "latitude": 55.7, "longitude": 9.5},
                           content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"] == [{"field": "name", "message": MESSAGE}]
    assert Consultant.objects.get(pk=world["karen"].pk).name == "Karen Holm"


def test_the_web_form_and_the_admin_refuse_a_line_break_in_a_name(world):  # noqa: F811
    users = get_user_model().objects
    coordinator = users.create_user("names-coord")
    Coordinator.objects.create(user=coordinator).sites.set([world["site"]])
    client = Client()
    client.force_login(coordinator)
    citizen = world["anne"]
    response = client.post(reverse("web:data_edit", args=["borgere", citizen.pk]), {
        "reference": citizen.reference, "first_name": "Anne\u2028Marie", "last_name": "Jensen",
        "site": world["site"].pk})
    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    assert Citizen.objects.get(pk=citizen.pk).first_name == citizen.first_name
    admin = Client()
    admin.force_login(users.create_superuser("names-super", password=None))
    room = world["room"]
    response = admin.post(f"/admin/rooms/room/{room.pk}/change/", {
        "site": room.site_id, "name": "Rum\r\n1", "capacity": 4, "active": "on"})
    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    assert Room.objects.get(pk=room.pk).name == room.name
    assert GroupCourse.objects.get(pk=world["course"].pk).name == world["course"].name
