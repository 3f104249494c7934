"""Sites, their rooms, opening hours, closed days and travel times."""
from datetime import date, time

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from rooms.text import PlainTextMixin


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("mandag")
    TUESDAY = 1, _("tirsdag")
    WEDNESDAY = 2, _("onsdag")
    THURSDAY = 3, _("torsdag")
    FRIDAY = 4, _("fredag")
    SATURDAY = 5, _("lørdag")
    SUNDAY = 6, _("søndag")


class PrivacyLevel(models.TextChoices):
    """How much of a citizen an external calendar (a consultant's feed) may show."""

    INITIALS = "initials", _("Initialer")
    REFERENCE = "reference", _("Borgerreference")


class FeedLabels(models.TextChoices):
    """What kind of appointment staff feeds (external calendars) may name."""

    GENERIC = "generic", _("Kun Samtale, Besøg, Møde, Hold")
    SPECIFIC = "specific", _("Aktivitetens navn (fx §7a-samtale, Funktionsvurdering)")


class Address(PlainTextMixin, models.Model):
    """A street address in Denmark with coordinates (for travel times)."""

    street = models.CharField(_("adresse"), max_length=200)
    postcode = models.CharField(_("postnummer"), max_length=4)
    city = models.CharField(_("by"), max_length=80)
    latitude = models.FloatField(_("breddegrad"), validators=[MinValueValidator(54.0), MaxValueValidator(58.0)])
    longitude = models.FloatField(_("længdegrad"), validators=[MinValueValidator(7.5), MaxValueValidator(15.5)])

    class Meta:
        abstract = True

    @property
    def address(self) -> str:
        return f"{self.street}, {self.postcode} {self.city}"


class WeeklyWindow(models.Model):
    """A recurring time on a weekday (Monday–Friday)."""

    weekday = models.PositiveSmallIntegerField(_("ugedag"), choices=Weekday.choices[:5])
    start_time = models.TimeField(_("fra"))
    end_time = models.TimeField(_("til"))

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"

    def clean(self) -> None:
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ValidationError({"end_time": _("Sluttid skal ligge efter starttid.")})


class Site(Address):
    code = models.SlugField(_("kode"), max_length=40, unique=True)
    name = models.CharField(_("navn"), max_length=120)
    phone = models.CharField(_("telefon"), max_length=20, blank=True)
    feed_privacy = models.CharField(
        _("borgerdata i eksterne kalendere"),
        max_length=20,
        choices=PrivacyLevel.choices,
        default=PrivacyLevel.INITIALS,
        help_text=_("Hvad en konsulents kalenderfeed viser om borgeren. Aldrig fulde navn eller tema."),
    )
    # Kind names such as "§7a-samtale" (sickness benefit) or "Funktionsvurdering" hint at health: staff feeds
    # (consultant, room, site, course) show "Samtale", "Besøg", "Møde", "Hold" unless the site chooses names.
    feed_labels = models.CharField(
        _("aktivitetstyper i eksterne kalendere"), max_length=20, choices=FeedLabels.choices,
        default=FeedLabels.GENERIC,
        help_text=_("Hvad personalets kalenderfeeds kalder en aftale. Borgerens eget feed viser altid navnet."),
    )
    feed_company_names = models.BooleanField(
        _("virksomhedens navn i jobkonsulentens kalender"), default=False,
        help_text=_("Vis virksomhedens navn og adresse i jobkonsulentens eget feed ved besøg. Andre feeds viser "
                    "kun 'Virksomhedsbesøg'."),
    )
    change_emails = models.BooleanField(
        _("ændringer pr. e-mail"), default=False,
        help_text=_("Send borgere og konsulenter med en e-mailadresse en besked, når en ny version af ugen "
                    "ændrer deres aftaler."),
    )
    # Lunch break of the consultants based here (their home site): `lunch_minutes` free of appointments
    # somewhere between the two times, on every day they have an appointment. 0 minutes = no lunch rule.
    lunch_earliest = models.TimeField(_("frokost tidligst"), default=time(11, 0))
    lunch_latest = models.TimeField(_("frokost senest"), default=time(13, 30))
    lunch_minutes = models.PositiveSmallIntegerField(
        _("frokostpause (minutter)"),
        default=30,
        validators=[MaxValueValidator(120)],
        help_text=_("Pausen skal ligge mellem 'frokost tidligst' og 'frokost senest'. 0 = ingen frokostregel."),
    )

    class Meta:
        verbose_name = _("center")
        verbose_name_plural = _("centre")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def location_key(self) -> str:
        return f"site:{self.pk}"

    def clean(self) -> None:
        super().clean()
        if self.lunch_earliest and self.lunch_latest and self.lunch_minutes:
            window = (self.lunch_latest.hour * 60 + self.lunch_latest.minute) - (
                self.lunch_earliest.hour * 60 + self.lunch_earliest.minute
            )
            if window < self.lunch_minutes:
                raise ValidationError(
                    {"lunch_latest": _("Frokostvinduet skal være mindst lige så langt som frokostpausen.")}
                )


class OpeningHours(models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="opening_hours", verbose_name=_("center"))
    weekday = models.PositiveSmallIntegerField(_("ugedag"), choices=Weekday.choices)
    opens = models.TimeField(_("åbner"), default=time(8, 0))
    closes = models.TimeField(_("lukker"), default=time(16, 0))

    class Meta:
        verbose_name = _("åbningstid")
        verbose_name_plural = _("åbningstider")
        ordering = ["site", "weekday"]
        constraints = [models.UniqueConstraint(fields=["site", "weekday"], name="one_opening_per_site_weekday")]

    def __str__(self) -> str:
        return f"{self.site} {self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self) -> None:
        if self.opens is not None and self.closes is not None and self.closes <= self.opens:
            raise ValidationError({"closes": _("Lukketid skal ligge efter åbningstid.")})


class ClosedDay(PlainTextMixin, models.Model):
    """A day a site is closed besides Danish public holidays (which come from the holidays library)."""

    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="closed_days", verbose_name=_("center"),
        null=True, blank=True, help_text=_("Tom betyder alle centre."),
    )
    date = models.DateField(_("dato"))
    reason = models.CharField(_("årsag"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("lukkedag")
        verbose_name_plural = _("lukkedage")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["site", "date"], name="one_closed_day_per_site_date")]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y} {self.reason}"


class RoomFeature(PlainTextMixin, models.Model):
    code = models.SlugField(_("kode"), max_length=40, unique=True)
    name = models.CharField(_("navn"), max_length=80)

    class Meta:
        verbose_name = _("lokalefacilitet")
        verbose_name_plural = _("lokalefaciliteter")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Room(PlainTextMixin, models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="rooms", verbose_name=_("center"))
    name = models.CharField(_("navn"), max_length=80)
    capacity = models.PositiveSmallIntegerField(_("kapacitet"), help_text=_("Antal personer."))
    features = models.ManyToManyField(RoomFeature, blank=True, verbose_name=_("faciliteter"))
    active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        verbose_name = _("lokale")
        verbose_name_plural = _("lokaler")
        ordering = ["site", "name"]
        constraints = [models.UniqueConstraint(fields=["site", "name"], name="unique_room_name_per_site")]

    def __str__(self) -> str:
        return f"{self.name} ({self.site})"

    def clean(self) -> None:
        if self.capacity is not None and self.capacity <= 0:
            raise ValidationError({"capacity": _("Kapaciteten skal være mindst 1 person.")})


class TravelTimeOverride(PlainTextMixin, models.Model):
    """A measured travel time that replaces the estimate from coordinates.

    Places are written as location keys ("site:3", "company:12", "home:45") so one table covers
    every pair; the override holds in both directions.
    """

    origin = models.CharField(_("fra"), max_length=40)
    destination = models.CharField(_("til"), max_length=40)
    minutes = models.PositiveSmallIntegerField(_("minutter"))
    note = models.CharField(_("note"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("rejsetid")
        verbose_name_plural = _("rejsetider")
        constraints = [models.UniqueConstraint(fields=["origin", "destination"], name="unique_travel_pair")]

    def __str__(self) -> str:
        return f"{self.origin} → {self.destination}: {self.minutes} min"

    def clean(self) -> None:
        for field in ("origin", "destination"):
            kind, _sep, pk = (getattr(self, field) or "").partition(":")
            if kind not in {"site", "company", "home"} or not pk.isdigit():
                raise ValidationError({field: _("Skriv stedet som site:ID, company:ID eller home:ID.")})
        if self.origin == self.destination:
            raise ValidationError({"destination": _("Fra og til må ikke være samme sted.")})


def is_weekday(day: date) -> bool:
    return day.weekday() < 5
