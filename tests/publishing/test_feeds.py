"""Calendar feeds: valid for three independent parsers, private, cacheable, DST-correct."""
import logging
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django.utils.http import http_date

from activities.models import ActivityKind
from scheduler.editing.services import appointment_cancel
from scheduler.models import Appointment, FeedToken
from scheduler.publishing.feeds import feed_render
from scheduler.publishing.services import plan_publish
from scheduler.publishing.tokens import feed_token_issue, feed_token_revoke
from tests.publishing.factories import (
    at,
    copy_as_draft,
    make_appointment,
    make_citizen,
    make_company,
    make_consultant,
    make_course,
    make_plan,
    make_room,
    make_site,
    next_monday,
)
from tests.publishing.ical_parsers import parse_agreeing

pytestmark = pytest.mark.django_db
CPH = ZoneInfo("Europe/Copenhagen")


@pytest.fixture
def world():
    site = make_site(code="vejle", name="Center Vejle")
    room = make_room(site, "Mødelokale 1")
    hall = make_room(site, "Holdlokale", capacity=14)
    karen = make_consultant(site, "Karen Holm", phone="20 30 40 50")
    lars = make_consultant(site, "Lars Berg", staff="job")
    anne = make_citizen(site, "Łucja", "Şahin-Ćwik", reference="b-anne", contact=karen)
    bo = make_citizen(site, "Bo", "Nielsen", reference="b-bo", contact=karen)
    company = make_company("Bageriet ApS")
    course = make_course(site, "Sundhed og balance")
    monday = next_monday()
    plan = make_plan(monday, [site])
    talk = make_appointment(plan, start=at(monday, 9), consultants=[karen], citizens=[anne], site=site, room=room,
                            task_key="talk:anne")
    visit = make_appointment(plan, start=at(monday + timedelta(days=1), 10), kind=ActivityKind.FOLLOWUP_VISIT,
                             consultants=[lars], citizens=[anne], site=site, company=company, place="company",
                             task_key="visit:anne")
    group = make_appointment(plan, start=at(monday + timedelta(days=2), 13), minutes=120,
                             kind=ActivityKind.GROUP_SESSION, consultants=[karen], citizens=[anne, bo], site=site,
                             room=hall, group_course=course, task_key="group:1")
    bo_talk = make_appointment(plan, start=at(monday + timedelta(days=3), 9), consultants=[karen], citizens=[bo],
                               site=site, room=room, task_key="talk:bo")
    plan_publish(plan=plan)
    return {"site": site, "room": room, "hall": hall, "karen": karen, "lars": lars, "anne": anne, "bo": bo,
            "company": company, "course": course, "monday": monday, "plan": plan, "talk": talk, "visit": visit,
            "group": group, "bo_talk": bo_talk}


def _feed(client, owner):
    link = feed_token_issue(owner=owner)
    response = client.get(f"/kalender/{link.feed_secret}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return link, response


def _uid(appointment: Appointment) -> str:
    return f"appointment-{appointment.uid}@127.0.0.1"


@pytest.mark.parametrize(
    ("owner_key", "expected"),
    [
        ("karen", ["talk", "group", "bo_talk"]),
        ("lars", ["visit"]),
        ("anne", ["talk", "visit", "group"]),
        ("bo", ["group", "bo_talk"]),
        ("room", ["talk", "bo_talk"]),
        ("hall", ["group"]),
        ("site", ["talk", "visit", "group", "bo_talk"]),
        ("course", ["group"]),
    ],
)
def test_every_feed_kind_reads_the_same_in_three_parsers_and_matches_the_plan(client, world, owner_key, expected):
    _link, response = _feed(client, world[owner_key])
    events = parse_agreeing(response.content)
    assert set(events) == {_uid(world[key]) for key in expected}
    for key in expected:
        appointment = world[key]
        start, end, sequence, status, _summary = events[_uid(appointment)]
        assert (start, end) == (appointment.start.astimezone(UTC), appointment.end.astimezone(UTC))
        assert (sequence, status) == (0, "CONFIRMED")


def test_a_feed_carries_the_calendar_properties_calendar_apps_need(client, world):
    _link, response = _feed(client, world["karen"])
    body = response.content.decode()
    for line in [
        "VERSION:2.0", "PRODID:-//Ugeskema//Publicering//DA", "METHOD:PUBLISH", "X-WR-CALNAME:Ugeskema – Karen Holm",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H", "X-PUBLISHED-TTL:PT1H", "TZID:Europe/Copenhagen",
        "BEGIN:VTIMEZONE", "STATUS:CONFIRMED", "SEQUENCE:0",
    ]:
        assert line in body, line
    monday = world["monday"]
    assert f"DTSTART;TZID=Europe/Copenhagen:{monday:%Y%m%d}T090000" in body
    assert "LAST-MODIFIED:" in body and "DTSTAMP:" in body
    assert "LOCATION:Center Vejle\\, lokale Mødelokale 1\\, Dæmningen 1\\, 7100 Vejle" in body


def test_a_visit_is_located_at_the_companys_address(client, world):
    world["site"].feed_company_names = True  # else only "Virksomhedsbesøg" (test_feed_freshness)
    world["site"].save()
    _link, response = _feed(client, world["lars"])
    assert "LOCATION:Bageriet ApS\\, Havnegade 3\\, 7100 Vejle" in response.content.decode()


def test_a_consultants_feed_shows_initials_never_names_or_health_themes(client, world):
    _link, response = _feed(client, world["karen"])
    body = response.content.decode()
    events = parse_agreeing(response.content)
    summaries = {uid: e[4] for uid, e in events.items()}
    assert summaries[_uid(world["talk"])] == "Samtale – ŁŞ"
    assert summaries[_uid(world["group"])] == "Hold (2 deltagere)"
    for secret in ["Łucja", "Şahin", "Bo Nielsen", "Nielsen", "Sundhed", "Mestring", "b-anne"]:
        assert secret not in body, secret


def test_a_site_can_show_the_citizen_reference_instead_of_initials(client, world):
    world["site"].feed_privacy = "reference"
    world["site"].save()
    _link, response = _feed(client, world["karen"])
    events = parse_agreeing(response.content)
    assert events[_uid(world["talk"])][4] == "Samtale – b-anne"


def test_a_citizens_own_feed_names_their_consultant_but_not_the_course_theme(client, world):
    _link, response = _feed(client, world["anne"])
    events = parse_agreeing(response.content)
    assert events[_uid(world["talk"])][4] == "Individuel samtale med Karen Holm"
    assert events[_uid(world["group"])][4] == "Holdforløb"
    body = response.content.decode()
    assert "Sundhed" not in body
    assert "Nielsen" not in body and "b-bo" not in body  # another citizen never appears


def test_a_moved_appointment_keeps_its_uid_and_gets_a_higher_sequence(client, world):
    link, response = _feed(client, world["anne"])
    before = parse_agreeing(response.content)
    draft = copy_as_draft(world["plan"])
    moved = draft.appointments.get(task_key="talk:anne")
    moved.start += timedelta(hours=3)
    moved.end += timedelta(hours=3)
    moved.save()
    plan_publish(plan=draft)
    after = parse_agreeing(client.get(f"/kalender/{link.feed_secret}.ics").content)
    uid = _uid(world["talk"])
    assert set(after) == set(before)
    assert after[uid][2] == before[uid][2] + 1
    assert after[uid][0] == before[uid][0] + timedelta(hours=3)
    assert after[_uid(world["visit"])][2] == 0


def test_an_unchanged_feed_answers_304_to_either_validator(client, world):
    link, response = _feed(client, world["karen"])
    url = f"/kalender/{link.feed_secret}.ics"
    etag, last_modified = response["ETag"], response["Last-Modified"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    again = client.get(url)
    assert again.content == response.content  # the body is data, not a timestamp of now
    assert again["ETag"] == etag


def test_a_change_gives_a_new_etag_and_a_full_answer(client, world):
    link, response = _feed(client, world["karen"])
    url = f"/kalender/{link.feed_secret}.ics"
    appointment_cancel(appointment=Appointment.objects.get(uid=world["bo_talk"].uid, plan=world["plan"]))
    changed = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != response["ETag"]
    events = parse_agreeing(changed.content)
    assert events[_uid(world["bo_talk"])][2:4] == (1, "CANCELLED")
    stale = http_date((timezone.now() - timedelta(days=1)).timestamp())
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=stale).status_code == 200


def test_unknown_links_answer_404_and_revoked_ones_410_without_logging_the_token(client, world):
    link, _response = _feed(client, world["karen"])
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("django.request")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        feed_token_revoke(feed_token=link.feed_token)
        assert client.get(f"/kalender/{link.feed_secret}.ics").status_code == 410
        unknown = "x" * 43
        assert client.get(f"/kalender/{unknown}.ics").status_code == 404
        # The page token is not a feed token either.
        assert client.get(f"/kalender/{link.page_token}.ics").status_code == 404
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    messages = " ".join(r.getMessage() for r in records)
    assert records, "404s and 410s are logged (redacted), not silenced"
    for secret in [link.feed_secret, link.page_token, "x" * 43]:
        assert secret not in messages


def test_a_rotated_link_replaces_the_old_one(client, world):
    old = feed_token_issue(owner=world["karen"])
    new = feed_token_issue(owner=world["karen"])
    assert client.get(f"/kalender/{old.feed_secret}.ics").status_code == 410  # gone: the app stops polling
    assert client.get(f"/kalender/{new.feed_secret}.ics").status_code == 200


def test_only_a_hash_of_the_token_is_stored(world):
    link = feed_token_issue(owner=world["anne"])
    stored = FeedToken.objects.get(pk=link.feed_token.pk)
    assert len(link.page_token) >= 43  # 32 random bytes
    assert link.page_token not in stored.token_hash and link.feed_secret not in stored.token_hash
    assert len(stored.token_hash) == 64


def test_a_citizens_link_expires_when_the_enrolment_ends(client, world):
    link = feed_token_issue(owner=world["anne"])
    world["anne"].enrolments.update(end_date=timezone.localdate() - timedelta(days=1), status="ended")
    assert client.get(f"/kalender/{link.feed_secret}.ics").status_code == 410
    assert client.get(f"/borger/{link.page_token}/").status_code == 410


def test_the_window_drops_old_and_far_appointments_and_past_cancellations(client, world):
    today = timezone.localdate()
    plan = make_plan(today - timedelta(days=today.weekday()), [world["site"]])
    karen, site = world["karen"], world["site"]
    kept_past = make_appointment(plan, start=at(today - timedelta(weeks=2), 9), consultants=[karen], site=site)
    too_old = make_appointment(plan, start=at(today - timedelta(weeks=6), 9), consultants=[karen], site=site)
    too_far = make_appointment(plan, start=at(today + timedelta(weeks=14), 9), consultants=[karen], site=site)
    past_cancelled = make_appointment(plan, start=at(today - timedelta(days=2), 9), consultants=[karen],
                                      site=site, status="cancelled")
    coming_cancelled = make_appointment(plan, start=at(today + timedelta(days=9), 9), consultants=[karen],
                                        site=site, status="cancelled")
    plan_publish(plan=plan)
    _link, response = _feed(client, karen)
    events = parse_agreeing(response.content)
    assert _uid(kept_past) in events and _uid(coming_cancelled) in events
    assert events[_uid(coming_cancelled)][3] == "CANCELLED"
    for gone in (too_old, too_far, past_cancelled):
        assert _uid(gone) not in events


@pytest.mark.parametrize("monday", [date(2026, 10, 19), date(2026, 10, 26)])
def test_a_nine_oclock_talk_is_nine_oclock_in_copenhagen_on_both_sides_of_the_dst_change(world, monday):
    plan = make_plan(monday, [world["site"]])
    talk = make_appointment(plan, start=datetime(monday.year, monday.month, monday.day, 9, tzinfo=CPH),
                            consultants=[world["karen"]], citizens=[world["anne"]], site=world["site"])
    plan_publish(plan=plan)
    token = feed_token_issue(owner=world["karen"]).feed_token
    body = feed_render(token, now=datetime(2026, 10, 22, 12, tzinfo=CPH))
    start = parse_agreeing(body)[_uid(talk)][0]
    assert start.astimezone(CPH).hour == 9
    # Summer time (UTC+2) the week before, standard time (UTC+1) after 25 October 2026.
    assert start.hour == (7 if monday == date(2026, 10, 19) else 8)
    assert f"DTSTART;TZID=Europe/Copenhagen:{monday:%Y%m%d}T090000" in body.decode()
