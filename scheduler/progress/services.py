"""Recording a progress measurement: all 12 indicators, 1–10, on a day within the enrolment."""
from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from scheduler.errors import DomainError
from scheduler.models import (
    INDICATOR_BY_CODE,
    Enrolment,
    ProgressMeasurement,
    ProgressScore,
)
from scheduler.models.progress import SCORE_MAX, SCORE_MIN


class ProgressError(DomainError):
    code = "progress_invalid"


def _check(enrolment: Enrolment, measured_on: date, scores: dict[str, int]) -> None:
    unknown = sorted(set(scores) - set(INDICATOR_BY_CODE))
    if unknown:
        raise ProgressError(f"Ukendte indikatorer: {', '.join(unknown)}.", field="scores")
    missing = [INDICATOR_BY_CODE[c].label for c in INDICATOR_BY_CODE if c not in scores]
    if missing:
        raise ProgressError(f"Giv en score for alle 12 indikatorer (mangler: {', '.join(missing)}).",
                            field="scores")
    bad = [INDICATOR_BY_CODE[c].label for c, v in scores.items()
           if not isinstance(v, int) or isinstance(v, bool) or not SCORE_MIN <= v <= SCORE_MAX]
    if bad:
        raise ProgressError(f"Scoren skal være et helt tal fra {SCORE_MIN} til {SCORE_MAX} ({', '.join(bad)}).",
                            field="scores")
    if measured_on > timezone.localdate():
        raise ProgressError("En måling kan ikke ligge i fremtiden.", field="measured_on")
    if measured_on < enrolment.start_date or (enrolment.end_date and measured_on > enrolment.end_date):
        raise ProgressError("Datoen ligger uden for forløbet.", field="measured_on")


@transaction.atomic
def progress_measurement_record(
    *, enrolment: Enrolment, measured_on: date, scores: dict[str, int], user: AbstractBaseUser | None,
    difficult_period: bool = False, note: str = "",
) -> ProgressMeasurement:
    """Record (or, for the same day, replace) a measurement of all 12 indicators."""
    _check(enrolment, measured_on, scores)
    measurement, _created = ProgressMeasurement.objects.update_or_create(
        enrolment=enrolment, measured_on=measured_on,
        defaults={"difficult_period": difficult_period, "note": note.strip()[:500], "recorded_by": user},
    )
    measurement.scores.all().delete()
    ProgressScore.objects.bulk_create(
        ProgressScore(measurement=measurement, indicator=code, score=value) for code, value in scores.items()
    )
    return measurement
