"""Closing an enrolment with one of its model's outcomes, and the progress report's versions.

Closing records the outcome and the end date, ends the enrolment and makes report version 1. The
coordinator can regenerate it (new texts, or new data: a late attendance mark) as version 2, 3, …, and
sign a version off; a signed-off version is never changed (regenerating makes a new, unsigned one).
"""
from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from activities.models import Outcome
from scheduler.errors import DomainError
from scheduler.models import Enrolment, EnrolmentStatus, ProgressReport
from scheduler.reports.pdf import progress_report_pdf
from scheduler.reports.selectors import report_content

TEXT_FIELDS = ("resources", "barriers", "possibilities", "recommendation")
TEXT_LIMIT = 4000


class ReportError(DomainError):
    code = "report_invalid"


def _user_label(user: AbstractBaseUser | None) -> str:
    if user is None:
        return "system"
    return user.get_full_name() or user.get_username()


def _texts(texts: dict[str, str]) -> dict[str, str]:
    clean = {key: (texts.get(key) or "").strip() for key in TEXT_FIELDS}
    for key, value in clean.items():
        if len(value) > TEXT_LIMIT:
            raise ReportError(f"Teksten er for lang (højst {TEXT_LIMIT} tegn).", field=key)
    if not clean["recommendation"]:
        raise ReportError("Skriv en konkret anbefaling til det videre forløb.", field="recommendation")
    return clean


@transaction.atomic
def progress_report_generate(*, enrolment: Enrolment, texts: dict[str, str],
                             user: AbstractBaseUser | None) -> ProgressReport:
    """A new version of the enrolment's progress report from today's data and the given texts."""
    clean = _texts(texts)
    Enrolment.objects.select_for_update().filter(pk=enrolment.pk).first()  # one version number at a time
    version = (enrolment.progress_reports.aggregate(v=Max("version"))["v"] or 0) + 1
    content = report_content(enrolment)
    now = timezone.now()
    report = ProgressReport(enrolment=enrolment, version=version, outcome_name=content.outcome,
                            created_by=user if getattr(user, "pk", None) else None, **clean)
    report.pdf = progress_report_pdf(content, version=version, texts=clean, created_at=now)
    report.full_clean(exclude=["pdf", "enrolment", "created_by", "signed_off_by"])
    report.save()
    return report


@transaction.atomic
def enrolment_close(*, enrolment: Enrolment, outcome_id: int, end_date: date, texts: dict[str, str],
                    user: AbstractBaseUser | None) -> ProgressReport:
    """End the enrolment with one of its model's outcomes and make report version 1."""
    if enrolment.status == EnrolmentStatus.ENDED and enrolment.outcome_id:
        raise ReportError("Forløbet er allerede afsluttet.", code="already_closed")
    outcome = Outcome.objects.filter(pk=outcome_id, model_id=enrolment.intervention_model_id).first()
    if outcome is None:
        raise ReportError("Vælg et af indsatsmodellens udfald.", field="outcome")
    if end_date < enrolment.start_date:
        raise ReportError("Slutdatoen ligger før forløbets start.", field="end_date")
    if end_date > timezone.localdate():
        raise ReportError("Et forløb kan ikke afsluttes i fremtiden.", field="end_date")
    _texts(texts)  # refuse before anything changes
    enrolment.outcome, enrolment.end_date, enrolment.status = outcome, end_date, EnrolmentStatus.ENDED
    enrolment.save(update_fields=["outcome", "end_date", "status"])
    return progress_report_generate(enrolment=enrolment, texts=texts, user=user)


@transaction.atomic
def progress_report_sign_off(*, report: ProgressReport, user: AbstractBaseUser) -> ProgressReport:
    """Sign the newest version off: its PDF is made again with the approval line (its texts, the data as
    they are now; regenerate first when data changed since)."""
    report = ProgressReport.objects.select_for_update().get(pk=report.pk)
    if report.signed_off_at is not None:
        raise ReportError("Versionen er allerede godkendt.", code="already_signed_off")
    latest = report.enrolment.progress_reports.aggregate(v=Max("version"))["v"]
    if report.version != latest:
        raise ReportError("Kun den nyeste version kan godkendes.", code="not_latest")
    now = timezone.now()
    content = report_content(report.enrolment)
    texts = {key: getattr(report, key) for key in TEXT_FIELDS}
    report.pdf = progress_report_pdf(content, version=report.version, texts=texts, created_at=report.created_at,
                                     signed_off=(_user_label(user), now))
    report.signed_off_at, report.signed_off_by = now, user
    report.save(update_fields=["pdf", "signed_off_at", "signed_off_by"])
    return report
