"""The lean path of a calendar feed: the finished answer per link, kept in the shared cache.

Calendar apps poll the same links again and again, and between two changes of the data the answer is the
same bytes. Building it costs the link's row and the validators' aggregate (two statements compiled once,
scheduler.publishing.compiled, plus the enrolments for a citizen) and the body from the local cache; here
one shared-cache read answers a poll instead, across processes.

An entry holds the body, its ETag and Last-Modified (the response is built by the same code whether it
comes from here or from the database, so headers and body are identical) and is served only while

- the data epoch is the one read before the entry's data was read (scheduler.data_epoch: any change of
  appointments, plans, links, names, enrolments sets a new one, so publish, revoke, rotate, a name or a
  site change stop it at once);
- the link has not expired by itself (the token's expiry, the end of the citizen's last enrolment);
- RESPONSE_CACHE_SECONDS have not passed (the feed's window and past cancellations move with the clock).

A stale entry whose ETag the database confirms is stamped with the new epoch without rendering again.
The entry is keyed by the link's stored hash, never the secret.
"""
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q

from scheduler import data_epoch, single_flight
from scheduler.publishing.feeds import FEED_FORMAT, _host, feed_answer, feed_gzip, feed_state
from scheduler.publishing.tokens import LinkState, feed_link_lookup_by_hash, feed_secret_hash


@dataclass(frozen=True)
class FeedEntry:
    epoch: str
    until: float  # Unix time after which the entry is not served
    etag: str
    last_modified: float  # Unix time
    body: bytes
    body_gzip: bytes | None = None  # the same body gzip-compressed, for clients that accept it


@dataclass(frozen=True)
class Cached:
    """What the cache holds for a link: `entry` may be served only if `fresh`; `epoch` is the current one,
    to be stored with a new entry (read before the database is)."""

    entry: FeedEntry | None
    fresh: bool
    epoch: str | None


_NOTHING = Cached(None, False, None)


def _key(token_hash: str) -> str:
    # The rendering's version and the host name (in every UID) are part of the body.
    return f"feed-response:{FEED_FORMAT}:{_host()}:{token_hash}"


def feed_cached(feed_secret: str) -> Cached:
    """One cache round trip: the current epoch and the link's entry."""
    if not data_epoch.enabled():
        return _NOTHING
    token_hash = feed_secret_hash(feed_secret)
    if token_hash is None:
        return _NOTHING
    key = _key(token_hash)
    found = cache.get_many([data_epoch.EPOCH_KEY, key])
    epoch = found.get(data_epoch.EPOCH_KEY) or data_epoch.current_epoch()
    entry = found.get(key)
    if not isinstance(entry, FeedEntry):
        return Cached(None, False, epoch)
    return Cached(entry, entry.epoch == epoch and time.time() < entry.until, epoch)


def feed_store(feed_secret: str, *, epoch: str | None, link_expires_at: datetime | None, etag: str,
               last_modified: datetime, body: bytes, body_gzip: bytes | None = None) -> None:
    """Keep the answer built from the database under `epoch` (the one read before the database was)."""
    token_hash = feed_secret_hash(feed_secret)
    if token_hash is not None:
        _store(token_hash, epoch=epoch, link_expires_at=link_expires_at, etag=etag, last_modified=last_modified,
               body=body, body_gzip=body_gzip)


def _store(token_hash: str, *, epoch: str | None, link_expires_at: datetime | None, etag: str,
           last_modified: datetime, body: bytes, body_gzip: bytes | None = None) -> None:
    if epoch is None:
        return
    now = time.time()
    limits = [now + settings.RESPONSE_CACHE_SECONDS,
              datetime(datetime.now(UTC).year + 1, 1, 1, tzinfo=UTC).timestamp()]  # the ETag names the year
    if link_expires_at is not None:
        limits.append(link_expires_at.timestamp())
    until = min(limits)
    if until <= now:
        return
    entry = FeedEntry(epoch=epoch, until=until, etag=etag, last_modified=last_modified.timestamp(), body=body,
                      body_gzip=body_gzip)
    cache.set(_key(token_hash), entry, timeout=max(1, int(until - now) + 1))


def feed_prewarm(token_hashes: Iterable[str]) -> int:
    """Build and keep the answers of these links now (the worker, right after a publish), so the first
    poll of each finds it ready instead of every calendar app's first poll rendering. Returns how many."""
    if not data_epoch.enabled():
        return 0
    warmed = 0
    for token_hash in token_hashes:
        epoch = data_epoch.current_epoch()  # before the database, as on the request path
        found = feed_link_lookup_by_hash(token_hash)
        if found.state != LinkState.LIVE:
            continue
        state = feed_answer(found.token, feed_state(found.token))
        _store(token_hash, epoch=epoch, link_expires_at=found.expires_at, etag=state.etag,
               last_modified=state.last_modified, body=state.body, body_gzip=feed_gzip(state.etag, state.body))
        warmed += 1
    return warmed


def plan_feed_token_hashes(plan_id: int) -> list[str]:
    """The live links whose feeds show an appointment of the plan: its consultants', citizens', rooms',
    sites' and group courses' (everyone else's feed did not change)."""
    from scheduler.models import Appointment, FeedToken, Plan

    appointments = Appointment.objects.filter(plan_id=plan_id)
    owners = (
        Q(consultant__in=Appointment.consultants.through.objects.filter(appointment__plan_id=plan_id)
          .values("consultant_id"))
        | Q(citizen__in=Appointment.citizens.through.objects.filter(appointment__plan_id=plan_id).values("citizen_id"))
        | Q(room__in=appointments.exclude(room__isnull=True).values("room_id"))
        | Q(group_course__in=appointments.exclude(group_course__isnull=True).values("group_course_id"))
        | Q(site__in=Plan.sites.through.objects.filter(plan_id=plan_id).values("site_id"))
    )
    return list(FeedToken.objects.filter(owners, revoked_at__isnull=True).values_list("token_hash", flat=True))


def feed_prewarm_after_publish(plan_id: int) -> None:
    """Once the publication has committed, ask the worker to warm the plan's feeds (best effort: a broker
    that is down costs the first polls a render each, nothing more)."""
    if not data_epoch.enabled():
        return

    def enqueue() -> None:
        from django_q.tasks import async_task

        async_task("scheduler.tasks.feed_prewarm_task", plan_id, task_name=f"feed-prewarm-{plan_id}", group="feeds")

    transaction.on_commit(enqueue, robust=True)


def feed_await(feed_secret: str, cached: Cached) -> tuple[Cached, bool]:
    """After a miss: the entry another request is storing right now (fresh), or `cached` and whether this
    request holds the building lock (then it must `feed_release` it). scheduler.single_flight."""
    token_hash = feed_secret_hash(feed_secret)
    if cached.epoch is None or token_hash is None:
        return cached, False

    def stored() -> Cached | None:
        again = feed_cached(feed_secret)
        return again if again.fresh else None

    found, builder = single_flight.await_turn(_key(token_hash), stored)
    return found or cached, builder


def feed_release(feed_secret: str) -> None:
    single_flight.release(_key(feed_secret_hash(feed_secret)))
