"""Agreements at the end of a talk or round table: an agreed next date is planned within its window,
the round table's retention step, and the citizen's own page and PDF."""

import io
from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from audit.models import AuditEvent
from scheduler.agreements.services import AgreementError, AgreementIn, meeting_record
from scheduler.attendance.services import Marker
from scheduler.availability import TZ
from scheduler.demand.demand import week_demand
from scheduler.models import ActivityRequest, MeetingNote
from scheduler.planning.services import plan_create_draft
from scheduler.publishing.pdf import citizen_week_pdf
from scheduler.publishing.services import plan_publish
from scheduler.publishing.ugeskema import citizen_week
from scheduler.weeks import current_monday
from solver.problem import DANISH_DAYS
from tests.scheduler import planning_factories as f

pytestmark = pytest.mark.django_db

NEXT_WEEK = current_monday() + timedelta(days=7)


def _yesterday_at(hour: int) -> datetime:
    return datetime.combine(timezone.localdate() - timedelta(days=1), time(hour)).replace(tzinfo=TZ)


def _centre():  # -> site, consultant, enrolment, yesterday's round table
    s = f.site()
    k = f.consultant(s)
    e = f.citizen(s, f.model_with_rules(f.talk_rule(28)), contact=k, start=NEXT_WEEK - timedelta(days=60))
    # The last talk was 25 days before next Monday: the model's own talk falls due next Thursday.
    earlier = NEXT_WEEK - timedelta(days=25)
    f.held(f.published_plan(s, earlier - timedelta(days=earlier.weekday())), e, "talk", f.at(earlier, 10), k)
    when = _yesterday_at(10)
    monday = when.date() - timedelta(days=when.weekday())
    plan = f.published_plan(s, monday, version=5)
    return s, k, e, f.held(plan, e, "roundtable", when, k, minutes=90)


def _day(day: date) -> str:
    return f"{DANISH_DAYS[day.weekday()]} {day:%d.%m.}"


def test_an_agreed_next_date_becomes_a_planned_window() -> None:
    s, k, e, meeting = _centre()
    wednesday, friday = NEXT_WEEK + timedelta(days=2), NEXT_WEEK + timedelta(days=4)
    made = meeting_record(marker=Marker(actor="konsulentlink k", consultant=k), appointment_id=meeting.pk,
                          citizen_id=e.citizen_id, agenda="1. Status på arbejdspladsen\n2. Næste skridt",
                          agreements=[AgreementIn("next_meeting", wednesday, next_kind="talk"),
                                      AgreementIn("task", friday, responsible="citizen", text="Søg tre stillinger")])

    request = ActivityRequest.objects.get()
    assert made[0].request == request and request.kind == "talk" and request.due_by == wednesday
    assert request.earliest == max(wednesday - timedelta(days=7), meeting.start.date() + timedelta(days=1))
    # One talk next week, not two: the agreed one takes the place of the rule's (due Thursday).
    talks = [d for d in week_demand(week_start=NEXT_WEEK, site_ids=[s.id]).demands if d.kind == "talk"]
    assert len(talks) == 1 and talks[0].request_id == request.pk
    assert (talks[0].first_day, talks[0].last_day) == (max(0, (request.earliest - NEXT_WEEK).days), 2)
    assert talks[0].reason_rule.startswith("Aftalt med borgeren: Individuel samtale senest")

    plan = plan_create_draft(week_start=NEXT_WEEK, site_ids=[s.id], time_limit=10, num_workers=1, random_seed=1)
    (talk,) = plan.appointments.filter(kind="talk")
    assert talk.request_id == request.pk and talk.start.astimezone(TZ).date() <= wednesday
    assert list(talk.consultants.all()) == [k]
    plan_publish(plan=plan)

    # The citizen reads their own agreements in plain Danish, on the page and in the PDF; the week after
    # next, a planned talk held, the rule counts from it again.
    week = citizen_week(citizen=e.citizen, week_start=NEXT_WEEK)
    assert week.agreements == [f"Næste samtale senest {_day(wednesday)}",
                               f"Du: Søg tre stillinger – senest {_day(friday)}"]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(
        citizen_week_pdf(citizen=e.citizen, week_start=NEXT_WEEK))).pages)
    assert "Dine aftaler" in text and "Søg tre stillinger" in text
    after = [d for d in week_demand(week_start=NEXT_WEEK + timedelta(days=7), site_ids=[s.id]).demands
             if d.kind == "talk"]
    assert after == []
    assert MeetingNote.objects.get().agenda.startswith("1. Status")
    assert AuditEvent.objects.filter(object_repr__startswith=f"Aftaler aftale {meeting.pk}").count() == 1


def test_the_retention_step_is_for_employed_citizens_round_tables() -> None:
    s, k, e, meeting = _centre()
    marker = Marker(actor="koordinator", site_ids=frozenset({s.id}))
    with pytest.raises(AgreementError) as refused:
        meeting_record(marker=marker, appointment_id=meeting.pk, citizen_id=e.citizen_id, agreements=[],
                       retention_step="step_4")
    assert refused.value.code == "not_employed"
    f.internship(e, kind="partial_return", start=meeting.start.date() - timedelta(days=20))
    meeting_record(marker=marker, appointment_id=meeting.pk, citizen_id=e.citizen_id, agreements=[],
                   agenda="Trappemodellen", retention_step="step_4")
    assert MeetingNote.objects.get().get_retention_step_display().startswith("Trin 4")


def test_agreements_are_refused_on_other_sites_meetings_and_for_incomplete_tasks() -> None:
    s, k, e, meeting = _centre()
    other = f.site(code="kolding", name="Kolding")
    with pytest.raises(AgreementError):
        meeting_record(marker=Marker(actor="x", site_ids=frozenset({other.id})), appointment_id=meeting.pk,
                       citizen_id=e.citizen_id, agreements=[])
    with pytest.raises(AgreementError) as refused:
        meeting_record(marker=Marker(actor="k", consultant=k), appointment_id=meeting.pk, citizen_id=e.citizen_id,
                       agreements=[AgreementIn("task", NEXT_WEEK, responsible="employer", text="  ")])
    assert refused.value.field == "text"
    assert not ActivityRequest.objects.exists()
