"""The lean path of a calendar feed: the finished answer per link, kept in the shared cache.

Calendar apps poll the same links again and again, and between two changes of the data the answer is the
same bytes. Building it costs the link look-up (a 7-table join, plus the enrolments for a citizen) and
the validators' aggregate: 3-4 queries and ≈ 8 ms of CPU per request, most of it the ORM compiling
queries. Here one cache read answers a poll instead.

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
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache

from scheduler import data_epoch, single_flight
from scheduler.feeds import FEED_FORMAT, _host
from scheduler.tokens import feed_secret_hash


@dataclass(frozen=True)
class FeedEntry:
    epoch: str
    until: float  # Unix time after which the entry is not served
    etag: str
    last_modified: float  # Unix time
    body: bytes


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
               last_modified: datetime, body: bytes) -> None:
    """Keep the answer built from the database under `epoch` (the one read before the database was)."""
    token_hash = feed_secret_hash(feed_secret)
    if epoch is None or token_hash is None:
        return
    now = time.time()
    limits = [now + settings.RESPONSE_CACHE_SECONDS,
              datetime(datetime.now(UTC).year + 1, 1, 1, tzinfo=UTC).timestamp()]  # the ETag names the year
    if link_expires_at is not None:
        limits.append(link_expires_at.timestamp())
    until = min(limits)
    if until <= now:
        return
    entry = FeedEntry(epoch=epoch, until=until, etag=etag, last_modified=last_modified.timestamp(), body=body)
    cache.set(_key(token_hash), entry, timeout=max(1, int(until - now) + 1))


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
