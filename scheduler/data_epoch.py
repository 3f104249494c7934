"""One shared marker that changes whenever data behind a cached answer changes (the "data epoch").

The lean answers (scheduler.publishing.feed_cache for calendar feeds, api.plan_cache for plan reads) store a
finished answer together with the epoch they read *before* they read the database; an answer is served
only while the epoch is unchanged. Every save, delete or many-to-many change of a model whose data a feed
or a plan read shows (appointments and their people, plans, unplaced tasks, feed links, the owners' and
places' names, enrolments, which end a citizen's link) sets a new random epoch, so the next request
builds its answer from the database again.

Two bumps per change: at once (a test transaction never commits, and a reader should stop using the old
answer as soon as possible) and again when the transaction commits (a request that read the epoch between
the first bump and the commit saw the old rows; its answer carries that epoch and is dropped). Writes that
bypass signals (QuerySet.update, bulk_create) call `data_changed()` themselves; the cached answers also
have a short lifetime (RESPONSE_CACHE_SECONDS) so nothing missed here can live long.

Needs a cache all processes share (Redis): with per-process memory a change made by the worker or a
management command would not reach the web processes, so the lean answers are off without REDIS_URL
(settings.RESPONSE_CACHE).
"""
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

EPOCH_KEY = "data-epoch"
# A second marker for what a feed shows that its validators' aggregate (scheduler.publishing.feeds.feed_state) does
# not see: names and addresses of people and places, and who takes part in an appointment. It is part of
# the feed's ETag, so renaming a site gives every feed that shows it a new ETag and a new body.
NAMES_KEY = "data-epoch-names"

# (app label, model name): what feeds and plan reads show (see the module docstring).
WATCHED_MODELS = (
    ("scheduler", "Appointment"),
    ("scheduler", "Plan"),
    ("scheduler", "UnplacedTask"),
    ("scheduler", "FeedToken"),
    ("scheduler", "Consultant"),
    ("scheduler", "Citizen"),
    ("scheduler", "Enrolment"),
    ("rooms", "Site"),
    ("rooms", "Room"),
    ("activities", "Company"),
    ("activities", "GroupCourse"),
)
# Many-to-many fields of those models whose rows an answer shows.
WATCHED_M2M = (("scheduler", "Appointment", "consultants"), ("scheduler", "Appointment", "citizens"),
               ("scheduler", "Plan", "sites"), ("scheduler", "UnplacedTask", "citizens"))
# Of those, the ones whose change moves NAMES_KEY too.
NAME_MODELS = {("scheduler", "Consultant"), ("scheduler", "Citizen"), ("rooms", "Site"), ("rooms", "Room"),
               ("activities", "Company"), ("activities", "GroupCourse"), ("scheduler", "Appointment_consultants"),
               ("scheduler", "Appointment_citizens")}


def enabled() -> bool:
    return bool(getattr(settings, "RESPONSE_CACHE", False))


def _read(key: str) -> str:
    value = cache.get(key)
    if value is None:  # never set, or the cache lost it: every answer stored before is out of date
        cache.add(key, secrets.token_hex(8), timeout=None)
        value = cache.get(key)
    return value


def current_epoch() -> str:
    return _read(EPOCH_KEY)


def names_epoch() -> str:
    return _read(NAMES_KEY)


# What a feed shows beyond its appointment rows lives in the database too, so every process (web, worker,
# a management command) sees a rename at once: a row in FeedInputChange per change, read as max(id).
FEED_INPUT_MODELS = {("scheduler", "Consultant"), ("scheduler", "Citizen"), ("rooms", "Site"), ("rooms", "Room"),
                     ("activities", "Company"), ("activities", "GroupCourse")}
_PRUNE_EVERY = 500


def feed_inputs_version(using: str = DEFAULT_DB_ALIAS) -> int:
    from django.apps import apps
    from django.db.models import Max

    model = apps.get_model("scheduler", "FeedInputChange")
    return model.objects.using(using).aggregate(v=Max("pk"))["v"] or 0


def feed_inputs_changed(using: str = DEFAULT_DB_ALIAS) -> None:
    """Record that a name, address or setting a feed shows has changed (inside the writer's transaction)."""
    from django.apps import apps

    model = apps.get_model("scheduler", "FeedInputChange")
    row = model.objects.using(using).create()
    if row.pk % _PRUNE_EVERY == 0:
        model.objects.using(using).filter(pk__lt=row.pk - _PRUNE_EVERY).delete()


def _bump() -> None:
    cache.set(EPOCH_KEY, secrets.token_hex(8), timeout=None)


def _bump_names() -> None:
    cache.set(NAMES_KEY, secrets.token_hex(8), timeout=None)


def _bump_now_and_on_commit(bump: object, using: str) -> None:
    bump()
    connection = connections[using]
    if connection.in_atomic_block and not any(func is bump for _ids, func, _robust in connection.run_on_commit):
        transaction.on_commit(bump, using=using)


def data_changed(using: str = DEFAULT_DB_ALIAS, *, names: bool = False) -> None:
    """Call after writing watched data without model signals (QuerySet.update, bulk_create); `names` when
    the write changed a name or address a feed shows, or who takes part in an appointment."""
    _epochs_bump(using, names=names)
    if names:
        feed_inputs_changed(using)


def _epochs_bump(using: str, *, names: bool) -> None:
    _bump_now_and_on_commit(_bump, using)
    if names:
        _bump_now_and_on_commit(_bump_names, using)


def _on_change(sender: type, using: str = DEFAULT_DB_ALIAS, **kwargs: object) -> None:
    if str(kwargs.get("action", "")).startswith("pre_"):
        return  # m2m_changed: react once, after the rows changed
    label = (sender._meta.app_label, sender._meta.object_name)
    _epochs_bump(using, names=label in NAME_MODELS)
    # Who takes part in an appointment is saved with the appointment (its updated_at): only names count here.
    if label in FEED_INPUT_MODELS:
        feed_inputs_changed(using)


def connect() -> None:
    """Connect the receivers (AppConfig.ready): every process that writes must bump, not only the web."""
    from django.apps import apps

    for app_label, model_name in WATCHED_MODELS:
        model = apps.get_model(app_label, model_name)
        post_save.connect(_on_change, sender=model, dispatch_uid=f"data-epoch-save-{app_label}.{model_name}")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"data-epoch-delete-{app_label}.{model_name}")
    for app_label, model_name, field in WATCHED_M2M:
        through = getattr(apps.get_model(app_label, model_name), field).through
        m2m_changed.connect(_on_change, sender=through, dispatch_uid=f"data-epoch-m2m-{model_name}.{field}")
