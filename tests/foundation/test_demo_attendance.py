"""The M demo has months of attendance for the statistics; what it makes due in the demo week stays the same."""
import io

import pytest
from django.core.management import call_command

from scheduler.attendance.selectors import citizen_attendance
from scheduler.models import Attendance, Citizen, EnrolmentStatus

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_m_demo_has_attendance_history_by_kind_and_week() -> None:
    call_command("seed_demo", size="M", seed=1, stdout=io.StringIO())
    records = citizen_attendance(citizen_ids=Citizen.objects.values_list("pk", flat=True))
    weeks = {week for r in records.values() for (_kind, week) in r.by_kind_and_week()}
    kinds = {kind for r in records.values() for (kind, _week) in r.by_kind_and_week()}
    attended = sum(r.attended for r in records.values())
    missed = sum(r.missed for r in records.values())
    assert len(weeks) >= 8 and {"talk", "group_session", "start_talk"} <= kinds
    assert attended > 500 and 0.05 < missed / (attended + missed) < 0.25
    assert Attendance.objects.filter(status="centre_cancelled").exists()
    rates = [r.rate for r in records.values() if r.rate is not None]
    assert len(rates) > 200 and min(rates) < 1.0 and max(rates) == 1.0


def test_the_small_demo_stays_small() -> None:
    call_command("seed_demo", size="S", seed=1, stdout=io.StringIO())
    # Only the ended courses' history (outcome statistics) is marked; for the citizens in a course now, only
    # the demo consultant's last day waits to be marked.
    assert not Attendance.objects.exclude(citizen__enrolments__status=EnrolmentStatus.ENDED).exists()
    assert Attendance.objects.exists()
