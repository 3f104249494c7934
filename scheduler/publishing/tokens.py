"""Secret links for calendar feeds, the citizen's page and PDF downloads.

One FeedToken row holds two secrets derived from one random token R (secrets.token_urlsafe(32),
256 bits):

- the *page token* R opens the citizen's page and the PDFs;
- the *feed token* F = base64url(SHA-256("feed\\0" + R)) is the one put in calendar subscriptions.

Only SHA-256(F) is stored. Calendar apps run on other companies' servers (Google, Microsoft), so the
URL they hold must not open more than the feed: F cannot be turned back into R, so a leaked
subscription URL never opens the page or the PDF with the citizen's full name.

A lookup hashes what it is given and asks the database for that hash (an index lookup on a hash
gives no timing signal about the secret); the found row is checked again with hmac.compare_digest.
"""
import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import GroupCourse
from rooms.models import Room, Site
from scheduler.data_epoch import data_changed
from scheduler.errors import DomainError
from scheduler.models import Citizen, Consultant, Coordinator, Enrolment, EnrolmentStatus, FeedKind, FeedToken
from scheduler.publishing.compiled import compiled

TOKEN_BYTES = 32  # 256 bits, well above the 128-bit minimum for unguessable URLs
FeedOwner = Consultant | Citizen | Room | Site | GroupCourse

_OWNER_FIELD: dict[type, tuple[str, str]] = {
    Consultant: (FeedKind.CONSULTANT, "consultant"),
    Citizen: (FeedKind.CITIZEN, "citizen"),
    Room: (FeedKind.ROOM, "room"),
    Site: (FeedKind.SITE, "site"),
    GroupCourse: (FeedKind.GROUP_COURSE, "group_course"),
}


class FeedTokenError(DomainError):
    code = "feed_token_error"


@dataclass(frozen=True)
class IssuedLink:
    """What the owner gets once: the secrets themselves are never stored and cannot be shown again."""

    feed_token: FeedToken
    page_token: str
    feed_secret: str

    @property
    def feed_url(self) -> str:
        return f"{settings.SITE_URL}/kalender/{self.feed_secret}.ics"

    @property
    def webcal_url(self) -> str:
        return "webcal://" + self.feed_url.split("://", 1)[1]

    @property
    def page_url(self) -> str:
        return f"{settings.SITE_URL}/borger/{self.page_token}/"

    @property
    def attendance_url(self) -> str:
        """A consultant's page for marking attendance and writing agreements of their own appointments."""
        return f"{settings.SITE_URL}/ugeskema/{self.page_token}/fremmoede/"

    @property
    def pdf_url(self) -> str:
        prefix = "borger" if self.feed_token.kind == FeedKind.CITIZEN else "ugeskema"
        return f"{settings.SITE_URL}/{prefix}/{self.page_token}/ugeskema.pdf"


def feed_secret_from_page_token(page_token: str) -> str:
    digest = hashlib.sha256(b"feed\0" + page_token.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _hash(feed_secret: str) -> str:
    return hashlib.sha256(feed_secret.encode()).hexdigest()


def _owner_filter(owner: FeedOwner) -> Q:
    kind, field = _OWNER_FIELD[type(owner)]
    return Q(kind=kind, **{field: owner})


def _may_manage(*, user: object | None, owner: FeedOwner) -> bool:
    """Coordinators of the owner's site and superusers manage every link; a consultant their own."""
    if user is None:  # management commands and tasks run as the system
        return True
    if getattr(user, "is_superuser", False):
        return True
    user_pk = getattr(user, "pk", None)
    if isinstance(owner, Consultant) and owner.user_id is not None and owner.user_id == user_pk:
        return True
    coordinator = Coordinator.objects.filter(user_id=getattr(user, "pk", None)).first()
    if coordinator is None:
        return False
    site_ids = set(coordinator.sites.values_list("pk", flat=True))
    match owner:
        case Site():
            owner_sites = {owner.pk}
        case Room() | GroupCourse() | Citizen():
            owner_sites = {owner.site_id}
        case Consultant():
            owner_sites = set(owner.sites.values_list("pk", flat=True)) | {owner.home_site_id}
    return bool(site_ids & owner_sites)


def _citizen_link_expiry(citizen: Citizen) -> datetime | None:
    """The link ends with the citizen's last enrolment; None while an open-ended enrolment runs."""
    return _expiry_of([(e.end_date, e.status) for e in citizen.enrolments.all()])


def _citizen_link_expiry_by_id(citizen_id: int) -> datetime | None:
    query = compiled(("citizen-enrolments",), lambda citizen: Enrolment.objects.filter(citizen_id=citizen)
                     .order_by().values_list("end_date", "status"), citizen=-7_340_033)
    if query is None:
        return _expiry_of(list(Enrolment.objects.filter(citizen_id=citizen_id).values_list("end_date", "status")))
    return _expiry_of(query.rows(citizen=citizen_id))


def _expiry_of(enrolments: list[tuple]) -> datetime | None:
    """(end date, status) of each of a citizen's enrolments -> when their link stops working."""
    if any(end is None and status == EnrolmentStatus.ACTIVE for end, status in enrolments):
        return None
    ends = [end for end, _status in enrolments if end is not None]
    if not ends:
        return timezone.now()  # no enrolment at all: nothing to show
    last = max(ends)
    return timezone.make_aware(datetime(last.year, last.month, last.day, 23, 59, 59))


def citizen_link_refusal(citizen: Citizen) -> str | None:
    """Why a new link for the citizen would not work (in Danish, for whoever asked for it), else None: a link
    ends with the citizen's last enrolment, so without a running one it would be dead when handed out."""
    enrolments = list(citizen.enrolments.all())
    if not enrolments:
        return _("Borgeren %(reference)s har intet forløb, så et link ville ikke virke. "
                 "Opret forløbet først.") % {"reference": citizen.reference}
    expiry = _citizen_link_expiry(citizen)
    if expiry is not None and expiry <= timezone.now():
        return _("Borgerens (%(reference)s) sidste forløb sluttede %(date)s, så et link ville ikke virke. "
                 "Forlæng eller opret et forløb først.") % {
                     "reference": citizen.reference, "date": timezone.localtime(expiry).strftime("%d.%m.%Y")}
    return None


@transaction.atomic
def feed_token_issue(*, owner: FeedOwner, user: object | None = None) -> IssuedLink:
    """Issue a fresh link for the owner and revoke the previous ones (one working link per owner).

    Used both to create a link and to rotate it ("nyt link"): the old URL stops working at once.
    """
    if not _may_manage(user=user, owner=owner):
        raise FeedTokenError(_("Du må ikke lave kalenderlinks for denne person."), code="forbidden")
    kind, field = _OWNER_FIELD[type(owner)]
    now = timezone.now()
    FeedToken.objects.filter(_owner_filter(owner), revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=user if getattr(user, "pk", None) else None
    )
    data_changed()  # the old links answer 410 at once, not from the response cache
    page_token = secrets.token_urlsafe(TOKEN_BYTES)
    feed_secret = feed_secret_from_page_token(page_token)
    token = FeedToken.objects.create(
        kind=kind,
        token_hash=_hash(feed_secret),
        created_by=user if getattr(user, "pk", None) else None,
        expires_at=_citizen_link_expiry(owner) if isinstance(owner, Citizen) else None,
        **{field: owner},
    )
    return IssuedLink(feed_token=token, page_token=page_token, feed_secret=feed_secret)


def feed_token_rotate(*, owner: FeedOwner, user: object | None = None) -> IssuedLink:
    return feed_token_issue(owner=owner, user=user)


def feed_token_revoke(*, feed_token: FeedToken, user: object | None = None) -> FeedToken:
    if not _may_manage(user=user, owner=feed_token.owner):
        raise FeedTokenError(_("Du må ikke tilbagekalde dette kalenderlink."), code="forbidden")
    if feed_token.revoked_at is None:
        feed_token.revoked_at = timezone.now()
        feed_token.revoked_by = user if getattr(user, "pk", None) else None
        feed_token.save(update_fields=["revoked_at", "revoked_by"])
    return feed_token


def feed_token_revoke_all(*, owner: FeedOwner, user: object | None = None) -> int:
    if not _may_manage(user=user, owner=owner):
        raise FeedTokenError(_("Du må ikke tilbagekalde dette kalenderlink."), code="forbidden")
    revoked = FeedToken.objects.filter(_owner_filter(owner), revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=user if getattr(user, "pk", None) else None
    )
    data_changed()  # an update sends no signal: cached feed answers of these links must go at once
    return revoked


class LinkState(StrEnum):
    LIVE = "live"
    GONE = "gone"  # the link existed but was revoked (or rotated) or has expired: 410, not a guess
    UNKNOWN = "unknown"  # never issued (or malformed): 404, counted as a guess


@dataclass(frozen=True)
class LinkLookup:
    state: LinkState
    token: FeedToken | None = None  # set only when live
    # Live links: when the link stops working by itself (its own expiry or the end of the citizen's last
    # enrolment), None if never. The feed's response cache keeps no answer past it.
    expires_at: datetime | None = None


_UNKNOWN = LinkLookup(LinkState.UNKNOWN)
_GONE = LinkLookup(LinkState.GONE)


_TOKEN_FIELDS = tuple(f.attname for f in FeedToken._meta.concrete_fields)
_HASH_SENTINEL = "sentinel-" + "0" * 55  # the shape of no stored hash (those are hex)


def _token_row(token_hash: str) -> FeedToken | None:
    """The link's own row only (a feed needs its owner's related rows only when it renders: they are then
    loaded on first use), by SQL compiled once (scheduler.publishing.compiled)."""
    query = compiled(("feed-token",), lambda token_hash: FeedToken.objects.filter(token_hash=token_hash)
                     .order_by().values_list(*_TOKEN_FIELDS)[:1], token_hash=_HASH_SENTINEL)
    if query is None:
        return FeedToken.objects.filter(token_hash=token_hash).order_by().first()
    rows = query.rows(token_hash=token_hash)
    return FeedToken.from_db(query.alias, _TOKEN_FIELDS, rows[0]) if rows else None


def _resolve_hash(token_hash: str, kind: FeedKind | None = None, *, related: bool = True) -> LinkLookup:
    """`related`: load the owner and its site with the link (the pages and PDFs use them); the feed asks for
    the row alone."""
    if related:
        # token_hash is unique: no ordering (`.first()` would order by the model's Meta.ordering, and compiling
        # that ORDER BY across five joined tables cost about half of a cached feed answer).
        token = next(iter(
            FeedToken.objects.select_related("consultant", "citizen", "room__site", "site", "group_course__site")
            .filter(token_hash=token_hash)
            .order_by()[:1]
        ), None)
    else:
        token = _token_row(token_hash)
    if token is None or not hmac.compare_digest(token.token_hash, token_hash):
        return _UNKNOWN
    if kind is not None and token.kind != kind:
        return _UNKNOWN  # a consultant's link on the citizen's URL opens nothing there
    if token.revoked_at is not None:
        return _GONE
    now = timezone.now()
    if token.expires_at is not None and token.expires_at < now:
        return _GONE
    expiries = [token.expires_at]
    if token.kind == FeedKind.CITIZEN:
        # The enrolment may have ended (or been extended) after the link was issued.
        expiry = _citizen_link_expiry(token.citizen) if related else _citizen_link_expiry_by_id(token.citizen_id)
        if expiry is not None and expiry < now:
            return _GONE
        expiries.append(expiry)
    return LinkLookup(LinkState.LIVE, token, min((e for e in expiries if e is not None), default=None))


_SECRET_SHAPE = re.compile(r"^[A-Za-z0-9_-]{40,64}$")


def feed_secret_hash(feed_secret: str) -> str | None:
    """The stored hash of a well-formed feed secret (what the response cache is keyed by), else None."""
    return _hash(feed_secret) if _SECRET_SHAPE.match(feed_secret) else None


def feed_link_lookup_by_hash(token_hash: str) -> LinkLookup:
    """What a stored link hash points at (the worker warming feed answers has no secrets, only hashes)."""
    return _resolve_hash(token_hash, related=False)


def feed_link_lookup(feed_secret: str) -> LinkLookup:
    """What a calendar subscription URL points at: a live token, a dead one (gone) or nothing."""
    if not _SECRET_SHAPE.match(feed_secret):
        return _UNKNOWN
    return _resolve_hash(_hash(feed_secret), related=False)


def page_link_lookup(page_token: str, kind: FeedKind) -> LinkLookup:
    """What a page/PDF URL points at, for an owner of `kind`. A feed secret does not open the page, and
    a link of another kind (a consultant's on the citizen URL) is unknown there."""
    if not _SECRET_SHAPE.match(page_token):
        return _UNKNOWN
    return _resolve_hash(_hash(feed_secret_from_page_token(page_token)), kind)


def feed_tokens_active(*, owner: FeedOwner) -> list[FeedToken]:
    return list(FeedToken.objects.filter(_owner_filter(owner), revoked_at__isnull=True))

