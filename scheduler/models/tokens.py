"""Secret links to calendar feeds, citizens' pages and PDFs."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from activities.models import (
    GroupCourse,
)
from rooms.models import Room, Site
from scheduler.models.people import Citizen, Consultant


class FeedKind(models.TextChoices):
    CONSULTANT = "consultant", _("Konsulent")
    CITIZEN = "citizen", _("Borger")
    ROOM = "room", _("Lokale")
    SITE = "site", _("Center")
    GROUP_COURSE = "group_course", _("Hold")


class FeedToken(models.Model):
    """A secret link to a calendar feed, a citizen's page or a PDF.

    Only the SHA-256 hash of the token is stored: a database leak does not reveal working links.
    Exactly one owner field is set, matching `kind`.
    """

    kind = models.CharField(_("type"), max_length=20, choices=FeedKind.choices)
    token_hash = models.CharField(_("token (SHA-256)"), max_length=64, unique=True)
    consultant = models.ForeignKey(
        Consultant, on_delete=models.CASCADE, null=True, blank=True, related_name="feed_tokens",
        verbose_name=_("konsulent"),
    )
    citizen = models.ForeignKey(
        Citizen, on_delete=models.CASCADE, null=True, blank=True, related_name="feed_tokens",
        verbose_name=_("borger"),
    )
    room = models.ForeignKey(
        Room, on_delete=models.CASCADE, null=True, blank=True, related_name="feed_tokens", verbose_name=_("lokale")
    )
    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, null=True, blank=True, related_name="feed_tokens", verbose_name=_("center")
    )
    group_course = models.ForeignKey(
        GroupCourse, on_delete=models.CASCADE, null=True, blank=True, related_name="feed_tokens",
        verbose_name=_("hold"),
    )
    created_at = models.DateTimeField(_("oprettet"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("oprettet af"),
    )
    expires_at = models.DateTimeField(_("udløber"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("tilbagekaldt"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("tilbagekaldt af"),
    )
    # The feed's validators, shared by every process (scheduler.publishing.feeds.feed_state): the ETag is a
    # hash of the body last rendered for the inputs named by `validator_key`; `content_changed_at` (the
    # Last-Modified) moves whenever that hash changes, also when an event leaves the feed.
    validator_key = models.CharField(max_length=64, blank=True, default="", editable=False)
    validator_etag = models.CharField(max_length=64, blank=True, default="", editable=False)
    content_changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("kalenderlink")
        verbose_name_plural = _("kalenderlinks")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                name="feed_token_owner_matches_kind",
                condition=(
                    models.Q(kind="consultant", consultant__isnull=False, citizen__isnull=True, room__isnull=True,
                             site__isnull=True, group_course__isnull=True)
                    | models.Q(kind="citizen", consultant__isnull=True, citizen__isnull=False, room__isnull=True,
                               site__isnull=True, group_course__isnull=True)
                    | models.Q(kind="room", consultant__isnull=True, citizen__isnull=True, room__isnull=False,
                               site__isnull=True, group_course__isnull=True)
                    | models.Q(kind="site", consultant__isnull=True, citizen__isnull=True, room__isnull=True,
                               site__isnull=False, group_course__isnull=True)
                    | models.Q(kind="group_course", consultant__isnull=True, citizen__isnull=True,
                               room__isnull=True, site__isnull=True, group_course__isnull=False)
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.owner}"

    @property
    def owner(self) -> models.Model | None:
        return self.consultant or self.citizen or self.room or self.site or self.group_course


class FeedInputChange(models.Model):
    """One row per change of a name, address or setting that calendar feeds show but their appointment
    aggregate does not see (people, sites, rooms, companies, group courses, a site's privacy level).

    The highest id is the version every feed's validator key names (scheduler.data_epoch.feed_inputs_version).
    Rows are inserted inside the writer's transaction, so the new version becomes visible to every process
    exactly when the change commits; old rows are pruned.
    """

    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ændring i feeddata")
        verbose_name_plural = _("ændringer i feeddata")

    def __str__(self) -> str:
        return f"{self.pk} {self.at:%Y-%m-%d %H:%M:%S}"
