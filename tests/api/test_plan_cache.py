"""A week's plan read answered from the shared cache (api.plan_cache): same bytes, same audit, never another
scope's answer, never after the caller lost the right to see it, never stale after a change."""
import threading
import time
from datetime import datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.models import ApiToken
from audit.models import AuditEvent
from scheduler import single_flight
from scheduler.editing.services import appointment_cancel
from scheduler.models import Coordinator, PlanStatus
from scheduler.weeks import iso_week_label
from tests.api.conftest import World, make_citizen
from tests.personas import USERNAMES
from tests.publishing.factories import at, make_appointment, make_plan, next_monday

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def response_cache(settings):
    settings.RESPONSE_CACHE = True
    settings.RESPONSE_CACHE_SECONDS = 300
    return settings


@pytest.fixture
def shared_plan(world: World):
    """One draft covering both sites: a talk at each, and one with no site whose citizen lives at A."""
    monday = next_monday()
    plan = make_plan(monday, [world.site_a, world.site_b], status=PlanStatus.DRAFT)
    at_a = make_appointment(plan, start=at(monday, 9), consultants=[world.consultant_a], citizens=[world.citizen_a],
                            site=world.site_a)
    at_b = make_appointment(plan, start=at(monday, 10), consultants=[world.consultant_b],
                            citizens=[world.citizen_b], site=world.site_b)
    home = make_appointment(plan, start=at(monday, 13), consultants=[world.consultant_a],
                            citizens=[world.citizen_a], place="home")
    return plan, monday, {"a": at_a.pk, "b": at_b.pk, "home": home.pk}


def _read(api, monday, site):
    with CaptureQueriesContext(connection) as queries:
        response = api.get(f"/api/plans?week={iso_week_label(monday)}&site={site.code}")
    return response, len(queries)


def _ids(response) -> set[int]:
    return {a["id"] for a in response.json()["appointments"]}


def test_a_cached_read_is_the_built_one_byte_for_byte_and_is_audited_alike(world, shared_plan, settings):
    plan, monday, ids = shared_plan
    audits = AuditEvent.objects.count()
    first, built_queries = _read(world.coordinator_a, monday, world.site_a)
    cached, cached_queries = _read(world.coordinator_a, monday, world.site_a)
    assert first.status_code == cached.status_code == 200
    assert cached.content == first.content
    assert {k for k in {*first.headers, *cached.headers}
            if first.headers.get(k) != cached.headers.get(k)} <= {"Content-Security-Policy"}  # its nonce
    assert cached_queries < built_queries - 4, (cached_queries, built_queries)
    events = list(AuditEvent.objects.order_by("pk"))[audits:]
    assert len(events) == 2 and events[0].citizen_ids == events[1].citizen_ids == f",{world.citizen_a.pk},"
    assert events[0].object_repr == events[1].object_repr == f"Plan {plan.pk}"
    settings.RESPONSE_CACHE = False
    assert _read(world.coordinator_a, monday, world.site_a)[0].content == cached.content


def test_a_coordinator_never_gets_an_answer_built_for_another_scope(world, shared_plan):
    _plan, monday, ids = shared_plan
    everything, _n = _read(world.admin, monday, world.site_a)  # cached for the administrator first
    assert _ids(everything) == set(ids.values())
    own, _n = _read(world.coordinator_a, monday, world.site_a)
    assert _ids(own) == {ids["a"], ids["home"]}
    assert _ids(_read(world.coordinator_b, monday, world.site_b)[0]) == {ids["b"]}
    # Site A's answer is cached, but B's coordinator does not plan A: refused as before.
    refused, _n = _read(world.coordinator_b, monday, world.site_a)
    assert refused.status_code == 422
    assert _ids(_read(world.coordinator_a, monday, world.site_a)[0]) == {ids["a"], ids["home"]}


def test_the_right_to_read_is_checked_on_every_request(world, shared_plan):
    _plan, monday, _ids_ = shared_plan
    assert _read(world.coordinator_a, monday, world.site_a)[0].status_code == 200
    Coordinator.objects.get(user__username=USERNAMES["coord_a"]).sites.set([world.site_b])
    assert _read(world.coordinator_a, monday, world.site_a)[0].status_code == 422
    ApiToken.objects.filter(name="coord_a").update(revoked_at=ApiToken.objects.first().created_at)
    assert _read(world.coordinator_a, monday, world.site_b)[0].status_code == 401


def test_a_change_is_in_the_next_read(world, shared_plan):
    plan, monday, ids = shared_plan
    before, _n = _read(world.coordinator_a, monday, world.site_a)
    appointment = plan.appointments.get(pk=ids["a"])
    appointment.start += timedelta(hours=1)
    appointment.end += timedelta(hours=1)
    appointment.save()
    moved, queries = _read(world.coordinator_a, monday, world.site_a)
    assert moved.content != before.content
    row = next(a for a in moved.json()["appointments"] if a["id"] == ids["a"])
    was = next(a for a in before.json()["appointments"] if a["id"] == ids["a"])
    assert datetime.fromisoformat(row["start"]) == datetime.fromisoformat(was["start"]) + timedelta(hours=1)
    appointment_cancel(appointment=appointment)
    cancelled = next(a for a in _read(world.coordinator_a, monday, world.site_a)[0].json()["appointments"]
                     if a["id"] == ids["a"])
    assert cancelled["status"] == "cancelled"


def test_a_citizen_moving_site_moves_their_siteless_appointments_between_answers(world, shared_plan):
    _plan, monday, ids = shared_plan
    assert ids["home"] in _ids(_read(world.coordinator_a, monday, world.site_a)[0])
    assert ids["home"] not in _ids(_read(world.coordinator_b, monday, world.site_b)[0])
    citizen = world.citizen_a
    citizen.site = world.site_b
    citizen.save()
    assert ids["home"] not in _ids(_read(world.coordinator_a, monday, world.site_a)[0])
    assert ids["home"] in _ids(_read(world.coordinator_b, monday, world.site_b)[0])


def test_a_new_draft_replaces_the_published_answer(world, shared_plan):
    plan, monday, _ids_ = shared_plan
    plan.status = PlanStatus.PUBLISHED
    plan.save()
    published, _n = _read(world.coordinator_a, monday, world.site_a)
    assert published.json()["status"] == "published"
    draft = make_plan(monday, [world.site_a])
    make_appointment(draft, start=at(monday, 11), consultants=[world.consultant_a],
                     citizens=[make_citizen(world.site_a, "ba2")], site=world.site_a)
    answer = _read(world.coordinator_a, monday, world.site_a)[0].json()
    assert (answer["id"], answer["status"]) == (draft.pk, "draft")


def test_a_consultant_reads_their_own_appointments_from_their_own_entry(world, shared_plan):
    plan, monday, ids = shared_plan
    plan.status = PlanStatus.PUBLISHED
    plan.save()
    _read(world.admin, monday, world.site_a)
    own = _read(world.consultant, monday, world.site_a)[0]
    assert _ids(own) == {ids["a"], ids["home"]}  # consultant_a's appointments only


def test_concurrent_readers_after_a_change_build_the_answer_once():
    key = "test-single-flight"
    cache.delete(key)
    found, builder = single_flight.await_turn(key, lambda: cache.get(key))
    assert (found, builder) == (None, True)
    results: list[object] = []
    waiters = [threading.Thread(target=lambda: results.append(single_flight.await_turn(key, lambda: cache.get(key))))
               for _ in range(5)]
    for waiter in waiters:
        waiter.start()
    time.sleep(0.05)
    cache.set(key, "built once")
    single_flight.release(key)
    for waiter in waiters:
        waiter.join(timeout=5)
    assert results == [("built once", False)] * 5
    # A builder that stored nothing (an error, a 404) releases the lock: the waiters build themselves.
    cache.delete(key)
    assert single_flight.await_turn(key, lambda: cache.get(key)) == (None, True)
    late: list[object] = []
    waiter = threading.Thread(target=lambda: late.append(single_flight.await_turn(key, lambda: cache.get(key))))
    waiter.start()
    single_flight.release(key)
    waiter.join(timeout=5)
    assert late == [(None, False)]
