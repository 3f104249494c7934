"""What happened at an appointment, per participant: held, no-show, cancelled by the citizen or by the
centre. Recorded after the appointment's start by the consultant who held it or by a coordinator.

A record names the appointment by its `uid`, which stays the same across plan versions, so a
republished week keeps what was marked. `kind` and `start` are copies taken when marking (statistics
and retention read them without the plan). No record: the appointment counts as held once the grace
period (settings.ATTENDANCE_GRACE_DAYS) after its end has passed (scheduler.attendance.selectors).
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from activities.models import ActivityKind
from scheduler.models.people import Citizen, Consultant


class AttendanceStatus(models.TextChoices):
    HELD = "held", _("Holdt")
    NO_SHOW = "no_show", _("Udeblevet")
    CITIZEN_CANCELLED = "citizen_cancelled", _("Afbud")
    CENTRE_CANCELLED = "centre_cancelled", _("Aflyst af centret")


# Not held: the rule that asked for the appointment is due again at once.
MISSED = (AttendanceStatus.NO_SHOW, AttendanceStatus.CITIZEN_CANCELLED, AttendanceStatus.CENTRE_CANCELLED)


class Attendance(models.Model):
    appointment_uid = models.UUIDField(_("aftalens faste id"), db_index=True)
    citizen = models.ForeignKey(
        Citizen, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("borger")
    )
    status = models.CharField(_("fremmøde"), max_length=20, choices=AttendanceStatus.choices)
    kind = models.CharField(_("aktivitet"), max_length=30, choices=ActivityKind.choices)
    start = models.DateTimeField(_("start"))
    marked_at = models.DateTimeField(_("markeret"), auto_now=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("markeret af"),
    )
    marked_by_consultant = models.ForeignKey(
        Consultant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("markeret af konsulent"),
    )

    class Meta:
        verbose_name = _("fremmøde")
        verbose_name_plural = _("fremmøde")
        ordering = ["start"]
        constraints = [
            models.UniqueConstraint(fields=["appointment_uid", "citizen"], name="one_attendance_per_participant"),
        ]
        indexes = [models.Index(fields=["citizen", "start"], name="attendance_citizen_start")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start:%d.%m.%Y}: {self.get_status_display()}"
