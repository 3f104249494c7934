"""iCalendar feeds of the published plan for a consultant, a citizen, a room, a site or a group course.

External calendars are other companies' servers, so events carry as little citizen data as possible:
staff feeds show the kind of appointment and the citizen's initials or reference (per
Site.feed_privacy), never a full name and never a group course's theme (a theme like "Sundhed"
reveals health). The ETag is a hash of the body and Last-Modified the moment that hash last changed,
both kept on the link's row for the inputs they were computed from (feed_state): a refresh with nothing
new costs two small queries, a change anywhere the body shows gives a new ETag and a later Last-Modified
(also when an event leaves the feed), and a change elsewhere leaves both alone.
"""
import gzip
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache, partial
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Sum
from django.utils import timezone, translation

from activities.models import ActivityKind, Company, Place
from rooms.models import FeedLabels, Room, Site
from rooms.text import one_line
from scheduler.data_epoch import feed_inputs_version
from scheduler.models import (
    Appointment,
    AppointmentStatus,
    Citizen,
    FeedInputChange,
    FeedKind,
    FeedToken,
    PlanStatus,
)
from scheduler.publishing.compiled import compiled
from scheduler.publishing.ical_event import event_ical

FEED_FORMAT = "7"  # bump when the rendering changes, so every ETag changes with it
WINDOW_BACK = timedelta(weeks=4)
WINDOW_AHEAD = timedelta(weeks=12)
REFRESH = timedelta(hours=1)
TZ_NAME = "Europe/Copenhagen"
TZ = ZoneInfo(TZ_NAME)
PRODID = "-//Ugeskema//Publicering//DA"


@dataclass(frozen=True)
class FeedState:
    """A feed's validators. The ETag is a hash of the body itself, so two renders with the same text have the
    same ETag whatever changed elsewhere (a publication that leaves this feed alone answers 304), and a
    body never goes out under another body's ETag. `body` is set when finding the ETag needed a render."""

    etag: str
    last_modified: datetime
    count: int
    key: str = ""
    body: bytes | None = None


def feed_window(now: datetime) -> tuple[datetime, datetime]:
    return now - WINDOW_BACK, now + WINDOW_AHEAD


def _owner_id(token: FeedToken) -> int:
    match token.kind:
        case FeedKind.CONSULTANT:
            return token.consultant_id
        case FeedKind.CITIZEN:
            return token.citizen_id
        case FeedKind.ROOM:
            return token.room_id
        case FeedKind.SITE:
            return token.site_id
        case FeedKind.GROUP_COURSE:
            return token.group_course_id
    raise ValueError(token.kind)


def _owner_q(kind: str, owner_id: int) -> Q:
    match kind:
        case FeedKind.CONSULTANT:
            return Q(consultants=owner_id)
        case FeedKind.CITIZEN:
            return Q(citizens=owner_id)
        case FeedKind.ROOM:
            return Q(room_id=owner_id)
        case FeedKind.SITE:
            # Its rooms and its own work elsewhere: home visits, company follow-ups and calls (no site, no
            # room) of its citizens or of consultants based there. EXISTS, not joins: joining the people
            # multiplied every appointment by its participants before filtering (5x the time on SQLite).
            off_site = Q(site__isnull=True, room__isnull=True) & (
                Exists(Appointment.citizens.through.objects.filter(appointment_id=OuterRef("pk"),
                                                                   citizen__site_id=owner_id))
                | Exists(Appointment.consultants.through.objects.filter(appointment_id=OuterRef("pk"),
                                                                        consultant__home_site_id=owner_id))
            )
            return Q(site_id=owner_id) | Q(room__site_id=owner_id) | off_site
        case FeedKind.GROUP_COURSE:
            return Q(group_course_id=owner_id)
    raise ValueError(kind)


def _window_ids(kind: str, owner: int, start: datetime, end: datetime, now: datetime) -> QuerySet:
    """The ids of the owner's published appointments in the window; cancelled ones until they have ended."""
    return (
        Appointment.objects.filter(_owner_q(kind, owner), plan__status=PlanStatus.PUBLISHED, start__lt=end,
                                   end__gt=start)
        .exclude(status=AppointmentStatus.CANCELLED, end__lt=now)
        .order_by()
        .values("pk")
    )


def feed_appointments(token: FeedToken, *, now: datetime | None = None) -> QuerySet[Appointment]:
    """The published appointments in the owner's window; cancelled ones until their time has passed."""
    now = now or timezone.now()
    start, end = feed_window(now)
    # Filtering through a subquery keeps M2M joins from duplicating rows.
    ids = _window_ids(token.kind, _owner_id(token), start, end, now)
    return Appointment.objects.filter(pk__in=ids).order_by("start", "pk")


# Placeholders for what changes between requests, when a query is compiled once (scheduler.publishing.compiled).
_SENTINELS = {
    "owner": -7_340_017,
    "start": datetime(1901, 2, 3, 4, 5, 6, tzinfo=UTC),
    "end": datetime(1902, 3, 4, 5, 6, 7, tzinfo=UTC),
    "now": datetime(1903, 4, 5, 6, 7, 8, tzinfo=UTC),
}


def _aggregate_sql(ids_sql: str) -> str:
    """The validators' aggregate over the window's ids, and the feed-inputs version, in one statement."""
    q = connection.ops.quote_name
    return (
        f"SELECT COUNT(*), MAX(a.{q('updated_at')}), SUM(a.{q('id')}), SUM(a.{q('sequence')}), "
        f"(SELECT MAX(c.{q('id')}) FROM {q(FeedInputChange._meta.db_table)} c) "
        f"FROM {q(Appointment._meta.db_table)} a WHERE a.{q('id')} IN ({ids_sql})"
    )


def _aggregate(token: FeedToken, now: datetime) -> tuple:
    """(count, newest updated_at, sum of ids, sum of sequences, feed-inputs version) of the feed's window."""
    start, end = feed_window(now)
    query = compiled(("feed-aggregate", token.kind), partial(_window_ids, token.kind), wrap=_aggregate_sql,
                     **_SENTINELS)
    if query is not None:
        return query.rows(owner=_owner_id(token), start=start, end=end, now=now)[0]
    agg = Appointment.objects.filter(pk__in=_window_ids(token.kind, _owner_id(token), start, end, now)).aggregate(
        n=Count("pk"), newest=Max("updated_at"), ids=Sum("pk"), seqs=Sum("sequence"))
    return agg["n"], agg["newest"], agg["ids"], agg["seqs"], feed_inputs_version()


def _inputs_key(token: FeedToken, now: datetime) -> tuple[str, int]:
    """A key that changes whenever anything the body shows may have changed: the appointment rows (any
    change moves updated_at, the maximum; a new version replaces row ids, their sum; leaving the window
    changes the count), the names, addresses and settings of people and places, the owner's name among them
    (scheduler.data_epoch's feed inputs version, kept in the database so every process sees it), and the
    year range of VTIMEZONE. One statement, compiled once per feed kind. A key that changes without the text
    changing costs a render, never a wrong answer."""
    count, newest, ids, seqs, version = _aggregate(token, now)
    key = f"{FEED_FORMAT}|{_host()}|{token.pk}|{now.year}|{count}|{newest}|{ids}|{seqs}|{version or 0}"
    return hashlib.sha256(key.encode()).hexdigest(), count


def body_etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def feed_state(token: FeedToken, *, now: datetime | None = None) -> FeedState:
    """The feed's validators: from the link's row while the inputs key is the one they were computed for
    (two small queries, no render), else from a fresh render (which is then part of the answer)."""
    now = now or timezone.now()
    key, count = _inputs_key(token, now)
    if key == token.validator_key and token.validator_etag and token.content_changed_at is not None:
        return FeedState(etag=token.validator_etag, last_modified=token.content_changed_at, count=count, key=key)
    return _record(token, key=key, count=count, body=feed_render(token, now=now), now=now)


def _record(token: FeedToken, *, key: str, count: int, body: bytes, now: datetime) -> FeedState:
    """Store the validators of a fresh render on the link. Last-Modified moves only when the text did (whole
    seconds, strictly later than before, so If-Modified-Since sees every change)."""
    etag = body_etag(body)
    changed_at = token.content_changed_at
    if etag != token.validator_etag or changed_at is None:
        moment = now.replace(microsecond=0)
        changed_at = moment if changed_at is None or moment > changed_at else changed_at + timedelta(seconds=1)
    # update(): the link itself did not change, so no signal and no new data epoch.
    FeedToken.objects.filter(pk=token.pk).update(validator_key=key, validator_etag=etag, content_changed_at=changed_at)
    token.validator_key, token.validator_etag, token.content_changed_at = key, etag, changed_at
    _body_keep(token, etag, body)
    return FeedState(etag=etag, last_modified=changed_at, count=count, key=key, body=body)


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def _calendar_name(token: FeedToken) -> str:
    # One line whatever the names hold: text stored before the models refused control characters (or
    # written around them) must not break the feed (icalendar refuses a raw line break in a property).
    return one_line(_calendar_name_text(token))


def _calendar_name_text(token: FeedToken) -> str:
    match token.kind:
        case FeedKind.CONSULTANT:
            return f"Ugeskema – {token.consultant.name}"
        case FeedKind.CITIZEN:
            return f"Mit ugeskema – {token.citizen.site.name}" if token.citizen.site_id else "Mit ugeskema"
        case FeedKind.ROOM:
            return f"Lokale {token.room.name} – {token.room.site.name}"
        case FeedKind.SITE:
            return f"{token.site.name} – alle aftaler"
        case FeedKind.GROUP_COURSE:
            # The course's name may name its theme; staff know their courses by number and site.
            return f"Hold nr. {token.group_course_id} – {token.group_course.site.name}"
    raise ValueError(token.kind)


def citizen_label(citizen: Citizen) -> str:
    """What an external calendar may show about a citizen: initials or reference, by site policy."""
    site = citizen.site
    if site is not None and site.feed_privacy == "reference":
        return citizen.reference
    return citizen.initials


def _people(appointment: Appointment) -> tuple[list, list]:
    citizens = getattr(appointment, "feed_citizens", None)
    consultants = getattr(appointment, "feed_consultants", None)
    if citizens is None or consultants is None:
        return list(appointment.citizens.all()), list(appointment.consultants.all())
    return citizens, consultants


# Staff feeds name the kind of appointment only this generally unless the site chooses names
# (rooms.Site.feed_labels): "§7a-samtale" implies sickness benefit, "Funktionsvurdering" a health assessment.
GENERIC_LABELS = {
    ActivityKind.GROUP_SESSION: "Hold",
    ActivityKind.ROUNDTABLE: "Møde",
    ActivityKind.FOLLOWUP_VISIT: "Besøg",
}
GENERIC_TALK = "Samtale"
GENERIC_VISIT = "Besøg"
COMPANY_HIDDEN = "Virksomhedsbesøg"


def _appointment_site(appointment: Appointment) -> Site | None:
    """The site whose feed settings apply: the appointment's, its room's, else its first citizen's."""
    if appointment.site_id:
        return appointment.site
    if appointment.room_id:
        return appointment.room.site
    citizens, _consultants = _people(appointment)
    return citizens[0].site if citizens else None


def _kind_label(appointment: Appointment, token: FeedToken) -> str:
    site = _appointment_site(appointment)
    if token.kind == FeedKind.CITIZEN or (site is not None and site.feed_labels == FeedLabels.SPECIFIC):
        return str(ActivityKind(appointment.kind).label)
    if appointment.place == Place.HOME:
        return GENERIC_VISIT
    return GENERIC_LABELS.get(appointment.kind, GENERIC_TALK)


def _company_shown(appointment: Appointment, token: FeedToken) -> bool:
    """A company's name and address: in the citizen's own feed, and in the consultant's own feed when the
    site allows it and the consultant is a job consultant (the one who visits)."""
    if token.kind == FeedKind.CITIZEN:
        return True
    if token.kind != FeedKind.CONSULTANT:
        return False
    site = _appointment_site(appointment)
    return bool(site is not None and site.feed_company_names and _is_job_consultant(token))


def _is_job_consultant(token: FeedToken) -> bool:
    cached = getattr(token, "_feed_is_job", None)
    if cached is None:
        cached = token.consultant.staff_types.filter(code="job").exists()
        token._feed_is_job = cached
    return cached


def _summary(appointment: Appointment, token: FeedToken) -> str:
    label = _kind_label(appointment, token)
    citizens, consultants = _people(appointment)
    if appointment.kind == ActivityKind.GROUP_SESSION:
        text = label if token.kind == FeedKind.CITIZEN else f"{label} ({len(citizens)} deltagere)"
    elif token.kind == FeedKind.CITIZEN:
        names = ", ".join(c.name for c in consultants)
        text = f"{label} med {names}" if names else label
    else:
        who = ", ".join(citizen_label(c) for c in citizens)
        text = f"{label} – {who}" if who else label
    if appointment.status == AppointmentStatus.CANCELLED:
        text = f"AFLYST: {text}"
    return one_line(text)


def appointment_location(appointment: Appointment, *, for_citizen: bool, company_shown: bool = True) -> str:
    """The street address to go to: the company's for visits, the site's and the room otherwise."""
    if appointment.place == Place.COMPANY and appointment.company_id:
        if not company_shown:
            return COMPANY_HIDDEN
        company = appointment.company
        return f"{company.name}, {company.address}"
    if appointment.place == Place.HOME:
        return "Hjemme hos dig" if for_citizen else "Borgerens hjem"
    if appointment.place == Place.PHONE:
        return "Telefon/video"
    site = appointment.site or (appointment.room.site if appointment.room_id else None)
    if site is None:
        return ""
    parts = [site.name]
    if appointment.room_id:
        parts.append(f"lokale {appointment.room.name}")
    parts.append(site.address)
    return ", ".join(parts)


def _description(appointment: Appointment, token: FeedToken) -> str | None:
    _citizens, consultants = _people(appointment)
    lines: list[str] = []
    if appointment.status == AppointmentStatus.CANCELLED:
        lines.append("Aftalen er aflyst.")
    if token.kind == FeedKind.CITIZEN:
        for c in consultants:
            lines.append(f"Kontakt: {c.name}" + (f", tlf. {c.phone}" if c.phone else ""))
    elif token.kind != FeedKind.CONSULTANT and consultants:
        lines.append("Konsulent: " + ", ".join(c.name for c in consultants))
    # The line breaks are ours; a name's own control characters become spaces.
    return "\n".join(one_line(line) for line in lines) or None


@lru_cache(maxsize=8)
def _vtimezone(first_year: int, last_year: int) -> icalendar.Timezone:
    # Built once per year range (it costs milliseconds); rendering only reads it.
    return icalendar.Timezone.from_tzid(
        TZ_NAME, first_date=date(first_year, 1, 1), last_date=date(last_year, 1, 1)
    )


BODY_SECONDS = int(REFRESH.total_seconds()) * 24


def _body_key(token: FeedToken, etag: str) -> str:
    return f"feed-body:{token.pk}:{etag}"


def _body_keep(token: FeedToken, etag: str, body: bytes) -> None:
    cache.set(_body_key(token, etag), body, timeout=BODY_SECONDS)


def feed_answer(token: FeedToken, state: FeedState, *, now: datetime | None = None) -> FeedState:
    """`state` with its body: the one rendered for it, else the one cached under its ETag (a hash of the body,
    so a cached body is never another text), else a fresh render — whose validators then replace the
    state's if the data changed since it was read."""
    if state.body is not None:
        return state
    body = cache.get(_body_key(token, state.etag))
    if body is not None:
        return FeedState(etag=state.etag, last_modified=state.last_modified, count=state.count, key=state.key,
                         body=body)
    now = now or timezone.now()
    body = feed_render(token, now=now)
    if body_etag(body) == state.etag:
        _body_keep(token, state.etag, body)
        return FeedState(etag=state.etag, last_modified=state.last_modified, count=state.count, key=state.key,
                         body=body)
    return _record(token, key=state.key, count=state.count, body=body, now=now)


def feed_gzip(etag: str, body: bytes) -> bytes:
    """The body gzip-compressed (reproducible bytes: no timestamp), kept under the body's own hash."""
    key = f"feed-gzip:{etag}"
    packed = cache.get(key)
    if packed is None:
        packed = gzip.compress(body, compresslevel=6, mtime=0)
        cache.set(key, packed, timeout=BODY_SECONDS)
    return packed


def feed_body(token: FeedToken, state: FeedState, *, now: datetime | None = None) -> bytes:
    """The body for `state` (see feed_answer; callers that send validators use feed_answer's state)."""
    return feed_answer(token, state, now=now).body  # type: ignore[return-value]


@lru_cache(maxsize=50_000)
def _event_ical(
    uid: str,
    stamp: datetime,
    start: datetime,
    end: datetime,
    sequence: int,
    summary: str,
    location: str | None,
    description: str | None,
    cancelled: bool,
) -> bytes:
    """One VEVENT. A pure function of its arguments, so it is memoised: a changed feed mostly repeats
    events it had before."""
    return event_ical(
        uid=uid, stamp=stamp, start=start, end=end, tzid=TZ_NAME, sequence=sequence, summary=summary,
        location=location, description=description, cancelled=cancelled,
    )


@lru_cache(maxsize=256)
def _calendar_frame(name: str, uid: str, first_year: int, last_year: int) -> tuple[bytes, bytes]:
    """The VCALENDAR properties and VTIMEZONE (before the events) and the closing line (after)."""
    calendar = icalendar.Calendar.new(prodid=PRODID, method="PUBLISH", name=name, uid=uid)
    # Written explicitly: RFC 7986 wants VALUE=DURATION on REFRESH-INTERVAL.
    calendar.add("REFRESH-INTERVAL", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", icalendar.vDuration(REFRESH))
    calendar.add_component(_vtimezone(first_year, last_year))
    body = calendar.to_ical()
    end = b"END:VCALENDAR\r\n"
    assert body.endswith(end)
    return body[: -len(end)], end


class _FeedAppointment:
    """The columns of an appointment a feed shows, with its places and people attached (plain attributes the
    text helpers read like a model's: building ~200 model instances per render, each with every column,
    cost more than writing the events)."""

    __slots__ = ("pk", "uid", "updated_at", "start", "end", "sequence", "kind", "place", "status", "site_id",
                 "room_id", "company_id", "site", "room", "company", "feed_citizens", "feed_consultants")
    COLUMNS = ("pk", "uid", "updated_at", "start", "end", "sequence", "kind", "place", "status", "site_id",
               "room_id", "company_id")

    def __init__(self, row: tuple) -> None:
        for name, value in zip(self.COLUMNS, row, strict=True):
            setattr(self, name, value)
        self.feed_citizens: list = []
        self.feed_consultants: list = []


class _FeedCitizen:
    """What a feed shows of a citizen: initials or reference (by the site's privacy setting)."""

    __slots__ = ("pk", "first_name", "last_name", "reference", "site_id", "site", "initials")

    def __init__(self, pk: int, first_name: str, last_name: str, reference: str, site_id: int | None) -> None:
        self.pk, self.first_name, self.last_name, self.reference, self.site_id = (
            pk, first_name, last_name, reference, site_id)
        self.site = None
        self.initials = Citizen.initials.fget(self)  # the model's own rule


class _FeedConsultant:
    __slots__ = ("pk", "name", "phone")

    def __init__(self, pk: int, name: str, phone: str) -> None:
        self.pk, self.name, self.phone = pk, name, phone


def _window_rows(name: str, token: FeedToken, now: datetime, build: Callable[[QuerySet], QuerySet]) -> list[tuple]:
    """The rows of `build(ids of the feed's window)`, by SQL compiled once per feed kind."""
    start, end = feed_window(now)
    args = {"owner": _owner_id(token), "start": start, "end": end, "now": now}
    kind = token.kind
    query = compiled((name, kind), lambda **values: build(_window_ids(kind, **values)), **_SENTINELS)
    if query is None:
        return list(build(_window_ids(kind, **args)))
    return query.rows(**args)


def _feed_rows(token: FeedToken, now: datetime) -> list[_FeedAppointment]:
    """The feed's appointments in order, each with its site, room, company, citizens and consultants: three
    narrow queries compiled once per feed kind (the appointments' columns; who takes part, with the few
    fields shown) and the places; each person and place built once however many events share it."""
    appointments = [_FeedAppointment(row) for row in _window_rows(
        "feed-rows", token, now,
        lambda ids: Appointment.objects.filter(pk__in=ids).order_by("start", "pk")
        .values_list(*_FeedAppointment.COLUMNS))]
    if not appointments:
        return appointments
    by_pk = {a.pk: a for a in appointments}
    citizens: dict[int, _FeedCitizen] = {}
    # The same order as the model's (Citizen/Consultant Meta.ordering), the primary key breaking ties.
    for appointment_id, pk, first, last, reference, site_id in _window_rows(
        "feed-citizens", token, now,
        lambda ids: Appointment.citizens.through.objects.filter(appointment_id__in=ids)
        .order_by("citizen__last_name", "citizen__first_name", "citizen_id")
        .values_list("appointment_id", "citizen_id", "citizen__first_name", "citizen__last_name",
                     "citizen__reference", "citizen__site_id")
    ):
        citizen = citizens.get(pk)
        if citizen is None:
            citizen = citizens[pk] = _FeedCitizen(pk, first, last, reference, site_id)
        appointment = by_pk.get(appointment_id)
        if appointment is not None:  # None only if the data changed between the two statements
            appointment.feed_citizens.append(citizen)
    consultants: dict[int, _FeedConsultant] = {}
    for appointment_id, pk, name, phone in _window_rows(
        "feed-consultants", token, now,
        lambda ids: Appointment.consultants.through.objects.filter(appointment_id__in=ids)
        .order_by("consultant__name", "consultant_id")
        .values_list("appointment_id", "consultant_id", "consultant__name", "consultant__phone")
    ):
        consultant = consultants.get(pk)
        if consultant is None:
            consultant = consultants[pk] = _FeedConsultant(pk, name, phone)
        appointment = by_pk.get(appointment_id)
        if appointment is not None:
            appointment.feed_consultants.append(consultant)
    _attach_places(appointments, list(citizens.values()))
    return appointments


def _attach_places(appointments: list[_FeedAppointment], citizens: list[_FeedCitizen]) -> None:
    """Sites, rooms and companies loaded once each and shared, not once per appointment (a feed has a
    few of each under hundreds of events; building the same objects per row was most of a first render)."""
    room_ids = {a.room_id for a in appointments if a.room_id}
    rooms = Room.objects.in_bulk(room_ids) if room_ids else {}
    company_ids = {a.company_id for a in appointments if a.company_id}
    companies = Company.objects.in_bulk(company_ids) if company_ids else {}
    site_ids = {a.site_id for a in appointments} | {r.site_id for r in rooms.values()} | {z.site_id for z in citizens}
    site_ids.discard(None)
    sites = Site.objects.in_bulk(site_ids) if site_ids else {}
    for room in rooms.values():
        room.site = sites[room.site_id]
    for z in citizens:
        z.site = sites.get(z.site_id)
    for a in appointments:
        a.site = sites.get(a.site_id)
        a.room = rooms.get(a.room_id)
        a.company = companies.get(a.company_id)


def feed_render(token: FeedToken, *, now: datetime | None = None) -> bytes:
    now = now or timezone.now()
    appointments = _feed_rows(token, now)
    host = _host()
    for_citizen = token.kind == FeedKind.CITIZEN
    utc = ZoneInfo("UTC")
    with translation.override("da"):
        head, tail = _calendar_frame(
            _calendar_name(token), f"feed-{token.kind}-{token.owner.pk}@{host}", now.year - 1, now.year + 2
        )
        parts = [head]
        for appointment in appointments:
            stamp = appointment.updated_at.astimezone(utc)
            parts.append(
                _event_ical(
                    f"appointment-{appointment.uid}@{host}",
                    stamp,
                    appointment.start.astimezone(TZ),
                    appointment.end.astimezone(TZ),
                    appointment.sequence,
                    _summary(appointment, token),
                    one_line(appointment_location(appointment, for_citizen=for_citizen,
                                                  company_shown=_company_shown(appointment, token))) or None,
                    _description(appointment, token),
                    appointment.status == AppointmentStatus.CANCELLED,
                )
            )
        parts.append(tail)
    return b"".join(parts)
