"""Feeds always tell the truth: validators cover everything the body shows, and only that.

The ETag is a hash of the body; Last-Modified moves whenever the body changes (also when an event leaves the
feed); a change that does not touch a feed's text leaves it answering 304; 304s carry the validators; HEAD
and gzip work. Each case runs with and without the response cache (scheduler.publishing.feed_cache).
"""
import gzip
import hashlib
from datetime import timedelta

import pytest
from django.utils.http import parse_http_date

from rooms.models import Room
from scheduler import data_epoch
from scheduler.models import Appointment, FeedInputChange
from scheduler.publishing.services import plan_publish
from scheduler.publishing.tokens import feed_token_issue
from tests.publishing.factories import (
    at,
    copy_as_draft,
    make_appointment,
    make_citizen,
    make_consultant,
    make_plan,
    make_room,
    make_site,
)
from tests.publishing.ical_parsers import parse_agreeing
from tests.publishing.test_feeds import world  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[False, True], ids=["database", "response-cache"])
def response_cache(request, settings):
    settings.RESPONSE_CACHE = request.param
    return request.param


def _url(world, key):  # noqa: F811
    return f"/kalender/{feed_token_issue(owner=world[key]).feed_secret}.ics"


def _uid(appointment: Appointment) -> str:
    return f"appointment-{appointment.uid}@127.0.0.1"


def test_the_etag_is_a_hash_of_the_body_and_a_304_carries_the_validators(client, world, response_cache):  # noqa: F811
    url = _url(world, "karen")
    first = client.get(url)
    assert first["ETag"] == '"' + hashlib.sha256(first.content).hexdigest()[:32] + '"'
    for headers in ({"HTTP_IF_NONE_MATCH": first["ETag"]}, {"HTTP_IF_MODIFIED_SINCE": first["Last-Modified"]}):
        not_modified = client.get(url, **headers)
        assert not_modified.status_code == 304 and not_modified.content == b""
        assert not_modified["ETag"] == first["ETag"]
        assert not_modified["Last-Modified"] == first["Last-Modified"]
        assert not_modified["Vary"] == first["Vary"] and "Accept-Encoding" in first["Vary"]
        assert not_modified["Cache-Control"] == "private, no-cache"


def test_head_answers_the_get_headers_without_a_body(client, world, response_cache):  # noqa: F811
    url = _url(world, "karen")
    get = client.get(url)
    head = client.head(url)
    assert head.status_code == 200 and head.content == b""
    for name in ("ETag", "Last-Modified", "Content-Type", "Vary"):
        assert head[name] == get[name], name
    assert int(head["Content-Length"]) == len(get.content)
    assert client.head(url, HTTP_IF_NONE_MATCH=get["ETag"]).status_code == 304
    assert client.post(url).status_code == 405


def test_a_client_that_accepts_gzip_gets_the_same_calendar_compressed(client, world, response_cache):  # noqa: F811
    url = _url(world, "site")
    plain = client.get(url)
    packed = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content
    assert int(packed["Content-Length"]) == len(packed.content) < len(plain.content)
    assert packed["ETag"] == f"W/{plain['ETag']}"  # the same calendar in another coding
    # Either ETag validates either coding.
    assert client.get(url, HTTP_IF_NONE_MATCH=packed["ETag"]).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH=plain["ETag"], HTTP_ACCEPT_ENCODING="gzip").status_code == 304
    assert "Content-Encoding" not in client.get(url, HTTP_ACCEPT_ENCODING="gzip;q=0")


def test_switching_the_sites_privacy_level_reaches_a_validating_subscriber(client, world, response_cache):  # noqa: F811
    url = _url(world, "karen")
    before = client.get(url)
    site = world["site"]
    site.feed_privacy = "reference"
    site.save()
    after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"], HTTP_IF_MODIFIED_SINCE=before["Last-Modified"])
    assert after.status_code == 200 and after["ETag"] != before["ETag"]
    assert parse_agreeing(after.content)[_uid(world["talk"])][4] == "Samtale – b-anne"


def test_a_renamed_room_reaches_a_validating_subscriber(client, world, response_cache):  # noqa: F811
    url = _url(world, "room")
    before = client.get(url)
    room = world["room"]
    room.name = "Det blå rum"
    room.save()
    after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and "Det blå rum" in after.content.decode()
    assert after["ETag"] != before["ETag"]


def test_a_corrected_citizen_name_reaches_the_feeds_that_show_it(client, world, response_cache):  # noqa: F811
    url = _url(world, "karen")
    before = client.get(url)
    anne = world["anne"]
    anne.first_name = "Anne"
    anne.save()
    after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and "Samtale – AŞ" in after.content.decode()


def test_a_rename_by_another_process_reaches_the_feed_through_the_database(client, world, settings):  # noqa: F811
    """Another process (a command, the worker) writes the row and its FeedInputChange; this process's cache
    never hears of it, and the feed still changes."""
    settings.RESPONSE_CACHE = False
    url = _url(world, "karen")  # her talk is in the room
    before = client.get(url)
    Room.objects.filter(pk=world["room"].pk).update(name="Det grønne rum")  # no signal in this process
    assert client.get(url, HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 304  # nothing told anyone yet
    FeedInputChange.objects.create()  # what the other process's signal wrote
    after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and "Det grønne rum" in after.content.decode()


def test_an_event_leaving_the_feed_moves_last_modified(client, world, response_cache):  # noqa: F811
    url = _url(world, "karen")
    before = client.get(url)
    draft = copy_as_draft(world["plan"])
    talk = draft.appointments.get(task_key="talk:bo")
    talk.consultants.set([world["lars"]])  # moved to another consultant: it leaves Karen's feed
    talk.save()
    plan_publish(plan=draft)
    after = client.get(url, HTTP_IF_MODIFIED_SINCE=before["Last-Modified"])
    assert after.status_code == 200
    assert _uid(world["bo_talk"]) not in parse_agreeing(after.content)
    assert _ts(after) > _ts(before)  # even within the same second
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=after["Last-Modified"]).status_code == 304


def _ts(response) -> float:
    return parse_http_date(response["Last-Modified"])


def test_a_publication_that_leaves_a_feed_alone_answers_304(client, world, response_cache):  # noqa: F811
    other_site = make_site(code="kolding", name="Center Kolding")
    ole = make_consultant(other_site, "Ole Dahl")
    other_plan = make_plan(world["monday"], [other_site])
    make_appointment(other_plan, start=at(world["monday"], 10), consultants=[ole],
                     citizens=[make_citizen(other_site, "Eva", "Lund")], site=other_site,
                     room=make_room(other_site), task_key="talk:eva")
    urls = {key: _url(world, key) for key in ("karen", "anne", "room", "course", "lars")}
    first = {key: client.get(url) for key, url in urls.items()}
    plan_publish(plan=other_plan)  # another site's week
    draft = copy_as_draft(world["plan"])
    visit = draft.appointments.get(task_key="visit:anne")
    visit.start += timedelta(hours=2)
    visit.end += timedelta(hours=2)
    visit.save()
    plan_publish(plan=draft)  # a new version of this site's week that moves only Lars's visit (with Anne)
    answers = {key: client.get(url, HTTP_IF_NONE_MATCH=first[key]["ETag"]).status_code
               for key, url in urls.items()}
    assert answers == {"karen": 304, "room": 304, "course": 304, "anne": 200, "lars": 200}


def test_the_feed_inputs_version_is_recorded_in_the_database(world):  # noqa: F811
    before = data_epoch.feed_inputs_version()
    world["company"].name = "Bageriet Vest ApS"
    world["company"].save()
    assert data_epoch.feed_inputs_version() > before
    middle = data_epoch.feed_inputs_version()
    enrolment = world["bo"].enrolments.get()
    enrolment.referring_jobcentre = "Jobcenter Kolding"
    enrolment.save()  # no feed shows it
    assert data_epoch.feed_inputs_version() == middle


def test_the_site_feed_includes_its_off_site_work_stored_without_a_site(client, world):  # noqa: F811
    """A home visit or company follow-up with neither site nor room (as stored by the API, or before the
    planner recorded the citizen's site) is the site's work when its citizen or consultant belongs there."""
    home = make_appointment(world["plan"], start=at(world["monday"], 14), kind="talk",
                            consultants=[world["lars"]], citizens=[world["bo"]], site=None, place="home",
                            task_key="home:bo")
    Appointment.objects.filter(pk=home.pk).update(site=None)
    other_site = make_site(code="kolding", name="Center Kolding")
    elsewhere = make_appointment(world["plan"], start=at(world["monday"], 15), kind="talk",
                                 consultants=[make_consultant(other_site, "Ole Dahl")],
                                 citizens=[make_citizen(other_site, "Eva", "Lund")], site=None, place="home",
                                 task_key="home:eva")
    Appointment.objects.filter(pk=elsewhere.pk).update(site=None)
    events = parse_agreeing(client.get(_url(world, "site")).content)
    assert _uid(home) in events and _uid(elsewhere) not in events
    assert events[_uid(home)][4].endswith("– BN")


# -- privacy level per site (rooms.Site.feed_labels, feed_company_names) ------------------------------------


def _summaries(client, world, key) -> dict[str, tuple[str, str]]:  # noqa: F811
    import icalendar

    body = client.get(_url(world, key)).content
    return {str(e["UID"]): (str(e["SUMMARY"]), str(e.get("LOCATION", "")))
            for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}


def test_staff_feeds_name_kinds_generally_and_hide_companies_by_default(client, world):  # noqa: F811
    s7a = make_appointment(world["plan"], start=at(world["monday"], 11), kind="s7a", consultants=[world["karen"]],
                           citizens=[world["bo"]], site=world["site"], room=world["room"], task_key="s7a:bo")
    home = make_appointment(world["plan"], start=at(world["monday"], 14), kind="assessment",
                            consultants=[world["karen"]], citizens=[world["bo"]], site=world["site"], place="home",
                            task_key="assessment:bo")
    karen = _summaries(client, world, "karen")
    assert karen[_uid(s7a)][0] == "Samtale – BN"
    assert karen[_uid(home)] == ("Besøg – BN", "Borgerens hjem")
    assert karen[_uid(world["talk"])][0] == "Samtale – ŁŞ"
    assert karen[_uid(world["group"])][0] == "Hold (2 deltagere)"
    lars = _summaries(client, world, "lars")
    assert lars[_uid(world["visit"])] == ("Besøg – ŁŞ", "Virksomhedsbesøg")
    for key in ("karen", "lars", "room", "site", "course"):
        body = client.get(_url(world, key)).content.decode()
        for secret in ("§7a", "Funktionsvurdering", "Bageriet", "Havnegade"):
            assert secret not in body, (key, secret)
    # The citizen's own feed names the kind and the company.
    bo = _summaries(client, world, "bo")
    assert bo[_uid(s7a)][0].startswith("§7a-samtale")
    anne = _summaries(client, world, "anne")
    assert anne[_uid(world["visit"])][1] == "Bageriet ApS, Havnegade 3, 7100 Vejle"


def test_a_site_may_show_kind_names_and_the_company_to_its_job_consultant_only(client, world):  # noqa: F811
    site = world["site"]
    site.feed_labels = "specific"
    site.feed_company_names = True
    site.save()
    lars = _summaries(client, world, "lars")
    assert lars[_uid(world["visit"])] == ("Opfølgningsbesøg – ŁŞ", "Bageriet ApS, Havnegade 3, 7100 Vejle")
    site_feed = _summaries(client, world, "site")
    assert site_feed[_uid(world["visit"])] == ("Opfølgningsbesøg – ŁŞ", "Virksomhedsbesøg")
    assert _summaries(client, world, "karen")[_uid(world["talk"])][0] == "Individuel samtale – ŁŞ"
