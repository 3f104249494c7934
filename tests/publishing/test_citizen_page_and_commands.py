"""The citizen's page behind their link, and the publishing commands."""
import io
import re
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from scheduler.models import Plan, PlanStatus
from scheduler.publishing.services import plan_publish
from scheduler.publishing.tokens import feed_token_issue
from tests.publishing.factories import (
    at,
    make_appointment,
    make_citizen,
    make_consultant,
    make_plan,
    make_room,
    make_site,
)

pytestmark = pytest.mark.django_db
WEEK_49 = date(2026, 11, 30)


@pytest.fixture
def world():
    site = make_site(code="vejle", name="Center Vejle")
    room = make_room(site)
    karen = make_consultant(site, "Karen Holm", reference="k-karen")
    lucja = make_citizen(site, "Łucja", "Şahin-Ćwik", reference="b-lucja", contact=karen)
    bo = make_citizen(site, "Bo", "Nielsen", reference="b-bo", contact=karen)
    plan = make_plan(WEEK_49, [site])
    make_appointment(plan, start=at(WEEK_49, 9), consultants=[karen], citizens=[lucja], site=site, room=room)
    make_appointment(plan, start=at(WEEK_49, 11), consultants=[karen], citizens=[bo], site=site, room=room)
    return {"site": site, "karen": karen, "lucja": lucja, "bo": bo, "plan": plan}


def test_the_citizen_page_shows_their_published_week_pdf_and_subscribe_links(client, world):
    plan_publish(plan=world["plan"])
    link = feed_token_issue(owner=world["lucja"])
    response = client.get(f"/borger/{link.page_token}/?uge=2026-W49")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ugeskema for Łucja Şahin-Ćwik" in html
    assert "Uge 49 · 30.11.–04.12.2026" in html
    assert "09:00–10:00" in html and "Individuel samtale" in html
    assert "11:00–12:00" not in html and "Nielsen" not in html
    assert f"webcal://127.0.0.1:8000/kalender/{link.feed_secret}.ics" in html
    assert f"http://127.0.0.1:8000/kalender/{link.feed_secret}.ics" in html
    assert "12.–24. time" in html  # Google refreshes slowly
    assert 'name="viewport"' in html
    assert response["Referrer-Policy"] == "no-referrer"
    pdf_href = re.search(r'href="([^"]+ugeskema\.pdf[^"]*)"', html).group(1)
    pdf = client.get(pdf_href)
    assert pdf["Content-Type"] == "application/pdf"
    text = " ".join(PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().split())
    assert "Ugeskema for Łucja Şahin-Ćwik" in text


def test_a_draft_is_not_shown_to_the_citizen(client, world):
    link = feed_token_issue(owner=world["lucja"])
    html = client.get(f"/borger/{link.page_token}/?uge=2026-W49").content.decode()
    assert "09:00–10:00" not in html


def test_the_feed_link_does_not_open_the_page_or_the_pdf(client, world):
    link = feed_token_issue(owner=world["lucja"])
    assert client.get(f"/borger/{link.feed_secret}/").status_code == 404
    assert client.get(f"/borger/{link.feed_secret}/ugeskema.pdf").status_code == 404
    consultant_link = feed_token_issue(owner=world["karen"])
    assert client.get(f"/borger/{consultant_link.page_token}/").status_code == 404  # not a citizen
    assert client.get(f"/ugeskema/{consultant_link.page_token}/ugeskema.pdf?uge=2026-W49").status_code == 200
    assert client.get(f"/borger/{link.page_token}/?uge=nonsense").status_code == 404


def test_publish_week_publishes_the_latest_draft_once(world):
    out = io.StringIO()
    call_command("publish_week", "--week", "2026-W49", "--site", "vejle", "--allow-started-week", stdout=out)
    assert "version 1" in out.getvalue()
    call_command("publish_week", "--week", "2026-W49", "--if-missing", stdout=out)
    assert Plan.objects.get(pk=world["plan"].pk).status == PlanStatus.PUBLISHED
    assert Plan.objects.filter(status=PlanStatus.PUBLISHED).count() == 1


def test_feed_link_prints_working_urls_and_revokes_the_previous(client, world):
    plan_publish(plan=world["plan"])
    first, second = io.StringIO(), io.StringIO()
    call_command("feed_link", "--citizen", "b-lucja", stdout=first)
    call_command("feed_link", "--citizen", "b-lucja", stdout=second)
    old_feed = re.search(r"http://\S+\.ics", first.getvalue()).group(0)
    new_feed = re.search(r"http://\S+\.ics", second.getvalue()).group(0)
    page = re.search(r"Borgerside:\s+(\S+)", second.getvalue()).group(1)
    assert "PDF-ugeskema" in second.getvalue()
    strip = "http://127.0.0.1:8000"
    assert client.get(old_feed.removeprefix(strip)).status_code == 410
    assert client.get(new_feed.removeprefix(strip)).status_code == 200
    assert client.get(page.removeprefix(strip)).status_code == 200


def test_ugeskema_pdf_writes_one_page_per_citizen(world, tmp_path):
    plan_publish(plan=world["plan"])
    target = tmp_path / "uge49.pdf"
    call_command("ugeskema_pdf", "--week", "2026-W49", "--site", "vejle", "-o", str(target), stdout=io.StringIO())
    reader = PdfReader(target)
    assert len(reader.pages) == 2
    assert "Bo Nielsen" in reader.pages[0].extract_text()


def test_an_ended_enrolment_leaves_the_citizen_out_of_the_batch(world, tmp_path):
    make_citizen(world["site"], "Ole", "Ended", end=WEEK_49 - timedelta(days=10))
    target = tmp_path / "uge49.pdf"
    call_command("ugeskema_pdf", "--week", "2026-W49", "--site", "vejle", "-o", str(target), stdout=io.StringIO())
    assert len(PdfReader(target).pages) == 2


def test_feed_link_refuses_a_citizen_without_an_enrolment_in_danish(client, world):
    from django.core.management.base import CommandError

    from scheduler.models import FeedToken

    plan_publish(plan=world["plan"])
    world["lucja"].enrolments.all().delete()
    with pytest.raises(CommandError, match="Borgeren b-lucja har intet forløb, så et link ville ikke virke"):
        call_command("feed_link", "--citizen", "b-lucja", stdout=io.StringIO())
    assert not FeedToken.objects.filter(citizen=world["lucja"]).exists()


def test_feed_link_refuses_a_citizen_whose_enrolment_has_ended(client, world):
    from django.core.management.base import CommandError

    plan_publish(plan=world["plan"])
    out = io.StringIO()
    call_command("feed_link", "--citizen", "b-lucja", stdout=out)
    feed = re.search(r"http://\S+\.ics", out.getvalue()).group(0).removeprefix("http://127.0.0.1:8000")
    assert client.get(feed).status_code == 200
    world["lucja"].enrolments.update(end_date=date.today() - timedelta(days=3))
    with pytest.raises(CommandError, match=r"sidste forløb sluttede \d\d\.\d\d\.\d{4}, så et link ville ikke virke"):
        call_command("feed_link", "--citizen", "b-lucja", stdout=io.StringIO())
    call_command("feed_link", "--citizen", "b-bo", stdout=io.StringIO())  # a running enrolment: issued
