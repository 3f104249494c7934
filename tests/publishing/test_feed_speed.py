"""The fast paths of a feed answer the same as the ORM would, and stay fresh.

A poll runs SQL compiled once per feed kind (scheduler.publishing.compiled): the link's row and one aggregate
statement for the validators; a first render reads narrow rows instead of model instances. These tests hold
them to the ORM's answers for every feed kind (with off-site work in the site feed), count the queries of a
poll, and check that what the validators no longer name separately (the owner's name) still changes the ETag.
"""
from datetime import timedelta
from unittest import mock

import pytest
from django.db.models import Count, Max, Sum
from django.utils import timezone

from activities.models import ActivityKind
from scheduler.data_epoch import feed_inputs_version
from scheduler.models import FeedToken
from scheduler.publishing import compiled as compiled_module
from scheduler.publishing import feeds
from scheduler.publishing.tokens import feed_link_lookup, feed_token_issue, feed_token_revoke
from tests.publishing.factories import at, make_appointment, make_citizen, make_site
from tests.publishing.test_feeds import world  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db
OWNERS = ["karen", "lars", "anne", "bo", "room", "hall", "site", "course"]


@pytest.fixture
def off_site(world):  # noqa: F811
    """A home visit stored without site or room (the site feed shows it through its citizen and consultant)
    and a talk of another site's citizen, which no feed of this site may show."""
    visit = make_appointment(world["plan"], start=at(world["monday"] + timedelta(days=4), 9),
                             kind=ActivityKind.ASSESSMENT, consultants=[world["lars"]], citizens=[world["bo"]],
                             place="home", task_key="visit:bo")
    other = make_site(code="kolding", name="Center Kolding")
    stranger = make_citizen(other, "Eva", "Dal", reference="b-eva")
    make_appointment(world["plan"], start=at(world["monday"], 14), consultants=[], citizens=[stranger],
                     site=other, task_key="talk:eva")
    return visit


def _token(world, key):  # noqa: F811
    return FeedToken.objects.get(pk=feed_token_issue(owner=world[key]).feed_token.pk)


@pytest.mark.parametrize("key", OWNERS)
def test_the_compiled_aggregate_is_the_orms_for_every_feed_kind(world, off_site, key):  # noqa: F811
    token = _token(world, key)
    now = timezone.now()
    count, newest, ids, seqs, version = feeds._aggregate(token, now)
    assert compiled_module._COMPILED[("default", "feed-aggregate", token.kind)] is not None  # the fast path ran
    orm = feeds.feed_appointments(token, now=now).aggregate(
        n=Count("pk"), newest=Max("updated_at"), ids=Sum("pk"), seqs=Sum("sequence"))
    assert (count, ids, seqs, version) == (orm["n"], orm["ids"], orm["seqs"], feed_inputs_version())
    assert count > 0 and newest is not None
    if key == "site":
        assert count == 5  # four on site and the home visit, not the other site's talk


@pytest.mark.parametrize("key", OWNERS)
def test_a_render_from_compiled_rows_is_the_orms_byte_for_byte(world, off_site, key):  # noqa: F811
    token = _token(world, key)
    now = timezone.now()
    fast = feeds.feed_render(token, now=now)
    feeds._event_ical.cache_clear()
    with mock.patch.object(feeds, "compiled", return_value=None):  # what a query the ORM cannot compile does
        slow = feeds.feed_render(FeedToken.objects.get(pk=token.pk), now=now)
    assert fast == slow
    if key == "site":
        assert f"appointment-{off_site.uid}@".encode() in fast


def test_a_poll_costs_two_queries_and_a_citizens_three(client, world, settings, django_assert_num_queries):  # noqa: F811
    settings.RESPONSE_CACHE = False
    for key, queries in (("karen", 2), ("site", 2), ("anne", 3)):  # link row, aggregate (+ the enrolments)
        url = f"/kalender/{feed_token_issue(owner=world[key]).feed_secret}.ics"
        first = client.get(url)
        with django_assert_num_queries(queries):
            assert client.get(url).content == first.content  # the body from the cache under its ETag
        with django_assert_num_queries(queries):
            assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


@pytest.mark.parametrize("response_cache", [False, True], ids=["database", "response-cache"])
def test_renaming_the_owner_changes_the_calendar_name_and_the_etag(client, world, settings, response_cache):  # noqa: F811
    settings.RESPONSE_CACHE = response_cache
    for key, name in (("karen", "Karen Holm-Berg"), ("site", "Center Vejle Nord")):
        url = f"/kalender/{feed_token_issue(owner=world[key]).feed_secret}.ics"
        before = client.get(url)
        owner = world[key]
        owner.name = name
        owner.save()
        after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])
        assert after.status_code == 200 and after["ETag"] != before["ETag"]
        assert name in after.content.decode()


def test_a_revoked_link_answers_410_on_the_next_poll(client, world, settings):  # noqa: F811
    settings.RESPONSE_CACHE = False
    link = feed_token_issue(owner=world["karen"])
    url = f"/kalender/{link.feed_secret}.ics"
    assert client.get(url).status_code == 200
    feed_token_revoke(feed_token=link.feed_token)
    assert client.get(url).status_code == 410
    assert feed_link_lookup(link.feed_secret).state == "gone"


def test_a_citizens_link_from_the_lean_look_up_ends_with_the_enrolment(client, world, settings):  # noqa: F811
    settings.RESPONSE_CACHE = False
    link = feed_token_issue(owner=world["anne"])
    found = feed_link_lookup(link.feed_secret)
    assert found.state == "live" and found.expires_at is None  # an open-ended enrolment runs
    world["anne"].enrolments.update(end_date=timezone.localdate() - timedelta(days=1))
    assert feed_link_lookup(link.feed_secret).state == "gone"
    assert client.get(f"/kalender/{link.feed_secret}.ics").status_code == 410
