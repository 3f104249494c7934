"""What leaves the building (feeds, PDFs) carries the least citizen data; hostile input stays inert."""
import io
import json

import pytest
from django.test import Client
from pypdf import PdfReader

from activities.models import ActivityKind
from rooms.models import PrivacyLevel
from scheduler.models import Citizen
from scheduler.publishing.tokens import feed_token_issue
from tests.publishing.factories import at, make_appointment
from tests.security.conftest import WEEK, WEEK_CODE, World

SCRIPT = '<script>alert("x")</script>'


def _get(url: str) -> bytes:
    response = Client().get(url.replace("http://127.0.0.1:8000", "") + ("" if "?" in url else f"?uge={WEEK_CODE}"))
    assert response.status_code == 200, url
    return response.content


def _pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def _feed(owner: object) -> str:
    link = feed_token_issue(owner=owner)
    response = Client().get(link.feed_url.replace("http://127.0.0.1:8000", ""))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("privacy", [PrivacyLevel.INITIALS, PrivacyLevel.REFERENCE])
def test_external_calendars_carry_initials_or_reference_and_the_kind_never_names_or_themes(
    world: World, privacy: str
) -> None:
    site = world.objects["site_a"]
    site.feed_privacy = privacy
    site.save()
    course = world.objects["course"]  # "Sundhed og balance", theme health
    make_appointment(world.objects["plan"], start=at(WEEK, 13), kind=ActivityKind.GROUP_SESSION,
                     consultants=[world.objects["consultant"]], citizens=[world.objects["citizen_a"]],
                     site=site, room=world.objects["room_a"], group_course=course)
    feeds = {name: _feed(owner) for name, owner in [
        ("consultant", world.objects["consultant"]), ("citizen", world.objects["citizen_a"]),
        ("room", world.objects["room_a"]), ("site", site), ("course", course)]}
    for name, text in feeds.items():
        unfolded = text.replace("\r\n ", "")
        assert "Jensen" not in unfolded and "Anne" not in unfolded, name
        assert "Sundhed og balance" not in unfolded and "sundhed" not in unfolded.lower(), name
    consultant_feed = feeds["consultant"].replace("\r\n ", "")
    assert ("AJ" if privacy == PrivacyLevel.INITIALS else "b-alfa") in consultant_feed
    assert "Samtale" in consultant_feed or "samtale" in consultant_feed  # the kind of appointment


def test_a_citizens_pdf_and_page_carry_only_that_citizen(world: World) -> None:
    link = world.links["citizen"]
    text = _pdf_text(_get(link.pdf_url))
    assert "Anne Jensen" in text
    for other in ("Dahl", "Hansen", "Carla", "Bent"):
        assert other not in text
    page = _get(link.page_url).decode()
    assert "Dahl" not in page and "Hansen" not in page


def test_a_consultants_pdf_shows_citizens_by_initials_only(world: World) -> None:
    text = _pdf_text(_get(world.links["consultant"].pdf_url))
    assert "Jensen" not in text and "Dahl" not in text


def test_script_in_citizen_data_is_escaped_on_screens_and_literal_in_pdfs(world: World) -> None:
    citizen = world.objects["citizen_a"]
    answer = world.api("coord_a").patch(f"/api/citizens/{citizen.pk}", data=json.dumps({"first_name": SCRIPT[:80]}),
                                        content_type="application/json")
    assert answer.status_code == 200  # stored as text, it never runs:
    citizen.refresh_from_db()
    assert citizen.first_name == SCRIPT[:80]
    coordinator = world.web("coord_a")
    for client, url in [(coordinator, "/data/borgere/"), (coordinator, f"/data/borgere/{citizen.pk}/"),
                        (coordinator, f"/uge/alfa/{WEEK_CODE}/"),
                        (Client(), world.links["citizen"].page_url.replace("http://127.0.0.1:8000", "")
                         + f"?uge={WEEK_CODE}")]:
        body = client.get(url).content
        assert b"<script>alert" not in body, url
    assert b"&lt;script&gt;" in world.web("coord_a").get("/data/borgere/").content
    assert "<script>" in _pdf_text(_get(world.links["citizen"].pdf_url))


def test_overlong_fields_and_broken_utf8_are_refused(world: World) -> None:
    client = world.api("coord_a")
    citizen = world.objects["citizen_a"]
    long = client.patch(f"/api/citizens/{citizen.pk}", data=json.dumps({"last_name": "x" * 10_000}),
                        content_type="application/json")
    assert long.status_code == 422
    broken = client.post("/api/import", data=b'{"format": "ugeskema-centre/1", "x": "\xff\xfe"}',
                         content_type="application/json")
    assert broken.status_code == 422
    nul = client.patch(f"/api/citizens/{citizen.pk}", data=json.dumps({"last_name": "a\u0000b"}),
                       content_type="application/json")
    assert nul.status_code in (200, 422)  # PostgreSQL cannot store NUL: refused, never a 500
    assert Citizen.objects.get(pk=citizen.pk).last_name in ("Jensen", "a\u0000b")


def test_the_import_stores_script_tags_inert_or_refuses_them(world: World) -> None:
    document = {"format": "ugeskema-centre/1", "citizens": [{
        "reference": "b-imp", "first_name": SCRIPT[:80], "last_name": "Test", "site": "alfa"}]}
    answer = world.api("coord_a").post("/api/import", data=json.dumps(document), content_type="application/json")
    assert answer.status_code in (200, 422)
    assert b"<script>" not in answer.content or answer["Content-Type"].startswith("application/json")
    if Citizen.objects.filter(reference="b-imp").exists():
        assert b"<script>alert" not in world.web("coord_a").get("/data/borgere/").content
