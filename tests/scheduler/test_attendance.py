"""Attendance: marking what happened, the grace period, and what demand makes of a no-show."""

from datetime import date, datetime, time, timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from audit.models import AuditEvent
from scheduler.attendance.selectors import PENDING, citizen_attendance, day_sheet
from scheduler.attendance.services import (
    AttendanceError,
    Mark,
    Marker,
    attendance_mark,
    attendance_mark_appointment,
    attendance_mark_day,
)
from scheduler.availability import TZ
from scheduler.models import Appointment, Attendance, AttendanceStatus
from scheduler.planning.services import plan_create_draft
from scheduler.weeks import current_monday
from solver.problem import DANISH_DAYS
from tests.scheduler import planning_factories as f

pytestmark = pytest.mark.django_db

NEXT_WEEK = current_monday() + timedelta(days=7)


def _yesterday_at(hour: int) -> datetime:
    day = timezone.localdate() - timedelta(days=1)
    return datetime.combine(day, time(hour)).replace(tzinfo=TZ)


def _day_text(day: date) -> str:
    return f"{DANISH_DAYS[day.weekday()]} {day:%d.%m.}" if day.weekday() < 5 else f"{day:%d.%m.}"


def _talk_centre():
    s = f.site()
    k = f.consultant(s)
    e = f.citizen(s, f.model_with_rules(f.talk_rule(28)), contact=k, start=NEXT_WEEK - timedelta(days=60))
    earlier = NEXT_WEEK - timedelta(days=20)
    f.held(f.published_plan(s, earlier - timedelta(days=earlier.weekday())), e, "talk", f.at(earlier, 10), k)
    when = _yesterday_at(10)
    monday = when.date() - timedelta(days=when.weekday())
    plan = f.published_plan(s, monday, version=2) if monday == earlier - timedelta(days=earlier.weekday()) \
        else f.published_plan(s, monday)
    return s, k, e, f.held(plan, e, "talk", when, k)


@pytest.mark.parametrize("status", [AttendanceStatus.NO_SHOW, AttendanceStatus.HELD])
def test_a_no_show_makes_the_talk_due_again_in_the_next_plan(status: str) -> None:
    s, k, e, talk = _talk_centre()
    attendance_mark(marker=Marker(actor="konsulentlink k", consultant=k),
                    marks=[Mark(talk.pk, e.citizen_id, status)])

    plan = plan_create_draft(week_start=NEXT_WEEK, site_ids=[s.id], time_limit=10, num_workers=1, random_seed=1)

    talks = list(plan.appointments.filter(kind="talk", citizens=e.citizen))
    if status == AttendanceStatus.HELD:
        assert talks == []  # held yesterday: due again in 28 days
        return
    (planned,) = talks
    assert f"udeblev {_day_text(talk.start.astimezone(TZ).date())}" in planned.rule
    assert list(planned.consultants.all()) == [k]


def test_an_afbud_and_a_centre_cancellation_have_their_own_reasons() -> None:
    from scheduler.demand.demand import week_demand

    s, k, e, talk = _talk_centre()
    coordinator = Marker(actor="koordinator", site_ids=frozenset({s.id}))
    attendance_mark(marker=coordinator, marks=[Mark(talk.pk, e.citizen_id, AttendanceStatus.CITIZEN_CANCELLED)])
    (due,) = [d for d in week_demand(week_start=NEXT_WEEK, site_ids=[s.id]).demands if d.kind == "talk"]
    assert "meldte afbud" in due.reason_rule and (due.first_day, due.last_day) == (0, 4)
    attendance_mark(marker=coordinator, marks=[Mark(talk.pk, e.citizen_id, AttendanceStatus.CENTRE_CANCELLED)])
    (due,) = [d for d in week_demand(week_start=NEXT_WEEK, site_ids=[s.id]).demands if d.kind == "talk"]
    assert "aflyst af centret" in due.reason_rule


def test_unmarked_appointments_become_held_after_the_grace_period() -> None:
    s, k, e, talk = _talk_centre()
    old = f.held(talk.plan, e, "contact", _yesterday_at(8) - timedelta(days=3), k, minutes=30)

    with override_settings(ATTENDANCE_GRACE_DAYS=2):
        lines = {line.appointment_uid: line.status for line in citizen_attendance(citizen_ids=[e.citizen_id])
                 [e.citizen_id].lines}
        assert lines[talk.uid] == PENDING  # ended yesterday: nobody has marked it yet
        assert lines[old.uid] == AttendanceStatus.HELD  # four days ago: held unless someone says otherwise
        summary = citizen_attendance(citizen_ids=[e.citizen_id])[e.citizen_id]
        assert summary.attended == 2 and summary.rate == 1.0  # the talk 20 days before next week, and `old`
    with override_settings(ATTENDANCE_GRACE_DAYS=0):
        summary = citizen_attendance(citizen_ids=[e.citizen_id])[e.citizen_id]
        assert summary.attended == 3 and PENDING not in summary.counts()
    attendance_mark(marker=Marker(actor="k", consultant=k), marks=[Mark(old.pk, e.citizen_id, "no_show")])
    with override_settings(ATTENDANCE_GRACE_DAYS=0):
        summary = citizen_attendance(citizen_ids=[e.citizen_id])[e.citizen_id]
        assert (summary.attended, summary.missed, round(summary.rate, 2)) == (2, 1, 0.67)
        weeks = summary.by_kind_and_week()
        assert sum(c["no_show"] for (kind, _w), c in weeks.items() if kind == "contact") == 1


def test_marking_a_whole_group_session_ticks_every_participant() -> None:
    s, k, e, _talk = _talk_centre()
    others = [f.citizen(s, e.current_phase, contact=k) for _ in range(3)]
    session = Appointment.objects.create(plan=_talk.plan, task_key="group:1", kind="group_session",
                                         start=_yesterday_at(13), end=_yesterday_at(14), site=s)
    session.consultants.add(k)
    session.citizens.set([e.citizen, *(o.citizen for o in others)])
    coordinator = Marker(actor="koordinator", site_ids=frozenset({s.id}))

    changed = attendance_mark_appointment(marker=coordinator, appointment=session, status="held",
                                          absent=[others[0].citizen_id])

    assert changed == 4
    marks = dict(Attendance.objects.filter(appointment_uid=session.uid).values_list("citizen_id", "status"))
    assert marks == {e.citizen_id: "held", others[0].citizen_id: "no_show", others[1].citizen_id: "held",
                     others[2].citizen_id: "held"}
    rows = AuditEvent.objects.filter(object_repr__startswith=f"Fremmøde aftale {session.pk}")
    assert rows.count() == 4 and {r.action for r in rows} == {"change"}
    # The day: the talk nobody marked becomes held, the session keeps its list.
    assert attendance_mark_day(marker=coordinator, day=_yesterday_at(1).date()) == 1
    sheet = day_sheet(day=_yesterday_at(1).date(), site_ids=[s.id])
    assert sheet.unmarked == 0
    assert Attendance.objects.get(appointment_uid=_talk.uid).status == "held"


def test_only_the_consultant_who_held_it_or_a_coordinator_of_the_site_may_mark() -> None:
    s, k, e, talk = _talk_centre()
    other_site = f.site(code="kolding", name="Kolding")
    colleague = f.consultant(s, "Bo Berg")
    for marker in (Marker(actor="x", consultant=colleague), Marker(actor="y", site_ids=frozenset({other_site.id}))):
        with pytest.raises(AttendanceError):
            attendance_mark(marker=marker, marks=[Mark(talk.pk, e.citizen_id, "no_show")])
    future = f.held(talk.plan, e, "contact", timezone.now() + timedelta(hours=2), k)
    with pytest.raises(AttendanceError):  # not started yet
        attendance_mark(marker=Marker(actor="k", consultant=k), marks=[Mark(future.pk, e.citizen_id, "held")])
    stranger = f.citizen(s, e.current_phase)
    with pytest.raises(AttendanceError):
        attendance_mark(marker=Marker(actor="k", consultant=k), marks=[Mark(talk.pk, stranger.citizen_id, "held")])
    assert not Attendance.objects.exists()
