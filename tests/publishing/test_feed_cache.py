"""The feed's response cache (scheduler.publishing.feed_cache): a poll answered without the database, never stale.

Correctness first: the cached answer is the rendered one byte for byte; a revoked, rotated or expired link
answers 410 at once even while its answer is cached; publishing, a cancellation, a name change give the
new body on the next poll.
"""
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from scheduler import data_epoch
from scheduler.editing.services import appointment_cancel
from scheduler.models import Appointment, FeedToken
from scheduler.publishing.services import plan_publish
from scheduler.publishing.tokens import feed_token_issue, feed_token_revoke, feed_token_revoke_all
from tests.publishing.factories import copy_as_draft, make_citizen
from tests.publishing.test_feeds import world  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

# The CSP header carries a fresh nonce per response; everything else must be equal.
VARYING = {"Content-Security-Policy"}


@pytest.fixture(autouse=True)
def response_cache(settings):
    settings.RESPONSE_CACHE = True
    settings.RESPONSE_CACHE_SECONDS = 300
    return settings


def _get(client, url, **headers):
    """The answer and the number of database queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    return response, len(queries)


def _headers(response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k not in VARYING}


def test_a_cached_answer_is_the_rendered_one_byte_for_byte_without_touching_the_database(client, world, settings):  # noqa: F811
    link = feed_token_issue(owner=world["karen"])
    url = f"/kalender/{link.feed_secret}.ics"
    first, first_queries = _get(client, url)
    cached, cached_queries = _get(client, url)
    assert first.status_code == cached.status_code == 200
    assert first_queries >= 2 and cached_queries == 0
    assert cached.content == first.content
    assert _headers(cached) == _headers(first)
    assert cached["Content-Security-Policy"] and cached["X-Content-Type-Options"] == "nosniff"
    assert cached["Cache-Control"] == "private, no-cache" and cached["Referrer-Policy"] == "no-referrer"
    settings.RESPONSE_CACHE = False  # rendered straight from the database, as before the cache
    fresh, _n = _get(client, url)
    assert fresh.content == cached.content and _headers(fresh) == _headers(cached)


def test_the_validators_are_answered_from_the_cache_too(client, world):  # noqa: F811
    link = feed_token_issue(owner=world["karen"])
    url = f"/kalender/{link.feed_secret}.ics"
    first, _n = _get(client, url)
    not_modified, queries = _get(client, url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert (not_modified.status_code, queries) == (304, 0)
    since, queries = _get(client, url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert (since.status_code, queries) == (304, 0)
    assert not_modified["Content-Security-Policy"] and not_modified["Cache-Control"] == "private, no-cache"


@pytest.mark.parametrize("how", ["revoke", "revoke_all", "rotate", "delete"])
def test_a_revoked_link_answers_410_at_once_even_while_its_answer_is_cached(client, world, how):  # noqa: F811
    link = feed_token_issue(owner=world["karen"])
    url = f"/kalender/{link.feed_secret}.ics"
    _get(client, url)
    assert _get(client, url)[1] == 0  # cached
    match how:
        case "revoke":
            feed_token_revoke(feed_token=link.feed_token)
        case "revoke_all":
            feed_token_revoke_all(owner=world["karen"])  # an update(): no model signal
        case "rotate":
            feed_token_issue(owner=world["karen"])
        case "delete":
            FeedToken.objects.filter(pk=link.feed_token.pk).delete()
    response, _n = _get(client, url)
    assert response.status_code == (404 if how == "delete" else 410)


def test_a_citizens_link_answers_410_once_the_enrolment_ends(client, world):  # noqa: F811
    link = feed_token_issue(owner=world["anne"])
    url = f"/kalender/{link.feed_secret}.ics"
    _get(client, url)
    assert _get(client, url)[1] == 0
    enrolment = world["anne"].enrolments.get()
    enrolment.end_date, enrolment.status = timezone.localdate() - timedelta(days=1), "ended"
    enrolment.save()
    assert client.get(url).status_code == 410


def test_an_entry_is_not_served_past_the_links_own_expiry(client, world):  # noqa: F811
    link = feed_token_issue(owner=world["karen"])
    expires = timezone.now() + timedelta(hours=1)
    FeedToken.objects.filter(pk=link.feed_token.pk).update(expires_at=expires)
    url = f"/kalender/{link.feed_secret}.ics"
    assert _get(client, url)[0].status_code == 200
    epoch = data_epoch.current_epoch()
    assert _get(client, url)[1] == 0
    later = expires.timestamp() + 1
    with mock.patch("scheduler.publishing.feed_cache.time.time", return_value=later), \
            mock.patch("django.utils.timezone.now", return_value=expires + timedelta(seconds=1)):
        assert data_epoch.current_epoch() == epoch  # nothing changed: only the clock ends the entry
        assert client.get(url).status_code == 410


def test_publishing_a_new_version_gives_the_new_body_on_the_next_poll(client, world):  # noqa: F811
    link = feed_token_issue(owner=world["anne"])
    url = f"/kalender/{link.feed_secret}.ics"
    before, _n = _get(client, url)
    draft = copy_as_draft(world["plan"])
    moved = draft.appointments.get(task_key="talk:anne")
    moved.start += timedelta(hours=3)
    moved.end += timedelta(hours=3)
    moved.save()
    assert _get(client, url)[0].content == before.content  # a draft changes no feed (the epoch did move)
    plan_publish(plan=draft)
    after, queries = _get(client, url)
    assert after.content != before.content and after["ETag"] != before["ETag"] and queries > 0
    again, queries = _get(client, url)
    assert again.content == after.content and queries == 0


def test_a_cancellation_and_a_name_change_reach_the_cached_feed(client, world):  # noqa: F811
    link = feed_token_issue(owner=world["karen"])
    url = f"/kalender/{link.feed_secret}.ics"
    before, _n = _get(client, url)
    appointment_cancel(appointment=Appointment.objects.get(uid=world["bo_talk"].uid, plan=world["plan"]))
    cancelled, _n = _get(client, url)
    assert b"AFLYST" in cancelled.content and b"AFLYST" not in before.content
    karen = world["karen"]
    karen.name = "Karen Holm-Berg"
    karen.save()
    assert "X-WR-CALNAME:Ugeskema – Karen Holm-Berg" in _get(client, url)[0].content.decode()
    site = world["site"]
    site.name = "Center Fredericia"
    site.save()
    assert "Center Fredericia" in _get(client, url)[0].content.decode()
    site.feed_company_names = True  # Lars, a job consultant, sees the company of his own visit
    site.save()
    company = world["company"]
    company.name = "Bageriet Fredericia ApS"
    company.save()
    lars_link = feed_token_issue(owner=world["lars"])  # Lars's visit is at the company
    assert "Bageriet Fredericia ApS" in _get(client, f"/kalender/{lars_link.feed_secret}.ics")[0].content.decode()


def test_a_rename_reaches_the_feed_even_without_the_response_cache(client, world, settings):  # noqa: F811
    """The ETag covers the names (the body cache under an ETag was stale after a site rename before)."""
    settings.RESPONSE_CACHE = False
    link = feed_token_issue(owner=world["karen"])
    url = f"/kalender/{link.feed_secret}.ics"
    before = client.get(url)
    site = world["site"]
    site.street = "Havnegade 9"
    site.save()
    after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and after["ETag"] != before["ETag"]
    assert "Havnegade 9" in after.content.decode()


def test_an_unrelated_change_costs_a_check_not_a_render(client, world):  # noqa: F811
    link = feed_token_issue(owner=world["karen"])
    url = f"/kalender/{link.feed_secret}.ics"
    first, _n = _get(client, url)
    enrolment = world["bo"].enrolments.get()
    enrolment.referring_jobcentre = "Jobcenter Kolding"
    enrolment.save()  # a new data epoch; no feed shows the jobcentre
    with mock.patch("scheduler.publishing.feeds.feed_render", side_effect=AssertionError("rendered")):
        again, queries = _get(client, url)
    assert again.content == first.content and queries > 0
    assert _get(client, url)[1] == 0  # stamped with the new epoch


def test_without_the_setting_nothing_is_cached(client, world, settings):  # noqa: F811
    settings.RESPONSE_CACHE = False
    link = feed_token_issue(owner=world["karen"])
    url = f"/kalender/{link.feed_secret}.ics"
    _get(client, url)
    assert _get(client, url)[1] > 0


def test_a_publication_warms_the_feeds_it_changes_so_the_first_poll_is_ready(client, world, settings,  # noqa: F811
                                                                           django_capture_on_commit_callbacks):
    from django_q.models import OrmQ

    from scheduler.publishing.feed_cache import feed_prewarm, plan_feed_token_hashes
    from scheduler.tasks import feed_prewarm_task

    anne, karen, lars = (feed_token_issue(owner=world[k]) for k in ("anne", "karen", "lars"))
    bo, outsider = feed_token_issue(owner=world["bo"]), feed_token_issue(owner=make_citizen(world["site"], "Ole"))
    draft = copy_as_draft(world["plan"])
    draft.appointments.filter(task_key="talk:bo").delete()  # carried into the new version as cancelled
    with django_capture_on_commit_callbacks(execute=True):
        plan_publish(plan=draft)
    # (version 2 also queues its change e-mails: scheduler.publishing.notifications)
    queued = [q for q in OrmQ.objects.all() if q.func() == "scheduler.tasks.feed_prewarm_task"]
    assert len(queued) == 1 and queued[0].args() == (draft.pk,)
    feed_token_revoke(feed_token=lars.feed_token)
    warmed = set(plan_feed_token_hashes(draft.pk))
    assert {t.feed_token.token_hash for t in (anne, karen)} <= warmed
    assert lars.feed_token.token_hash not in warmed  # revoked
    assert bo.feed_token.token_hash in warmed  # Bo's feed now shows the cancellation
    assert outsider.feed_token.token_hash not in warmed  # nothing of Ole's changed
    assert feed_prewarm_task(draft.pk) == len(warmed)  # what the worker runs
    first, queries = _get(client, f"/kalender/{anne.feed_secret}.ics")
    assert (first.status_code, queries) == (200, 0)  # ready before anyone asked
    settings.RESPONSE_CACHE = False
    assert _get(client, f"/kalender/{anne.feed_secret}.ics")[0].content == first.content
    settings.RESPONSE_CACHE = True
    assert feed_prewarm([lars.feed_token.token_hash]) == 0  # a revoked link is never warmed
