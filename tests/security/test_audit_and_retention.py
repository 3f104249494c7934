"""The audit log records who saw or changed which citizen; retention erases every copy."""
from datetime import date

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django_q.models import OrmQ, Schedule, Task
from django_q.tasks import async_task

from audit.models import AuditEvent, AuditEventError
from scheduler.audit import audit_record
from scheduler.models import Agreement, Appointment, Attendance, Booking, Citizen, EnrolmentStatus, FeedToken
from scheduler.retention import retention_report, retention_run
from tests.security.conftest import World


def _path(url: str) -> str:
    return url.replace("http://127.0.0.1:8000", "")


def test_reads_of_citizen_data_are_audited_with_who_and_whom(world: World) -> None:
    citizen = world.objects["citizen_a"]
    world.api("coord_a").get(f"/api/citizens/{citizen.pk}")
    world.api("coord_a").get(f"/api/plans/{world.objects['plan'].pk}/export")
    world.web("coord_a").get(f"/data/borgere/{citizen.pk}/")
    world.web("anonymous").get(_path(world.links["citizen"].page_url))
    world.web("anonymous").get(_path(world.links["citizen"].pdf_url))
    rows = list(AuditEvent.objects.for_citizen(citizen.pk).order_by("pk"))
    assert [(r.actor, r.action) for r in rows] == [
        ("koord-a", "view"), ("koord-a", "export"), ("koord-a", "view"),
        ("borgerlink", "view"), ("borgerlink", "export"),
    ]
    for row in rows:
        assert "Jensen" not in row.object_repr
        assert world.links["citizen"].page_token not in row.path  # secret links are redacted
    # A list that shows nobody from site A does not mention citizen A.
    world.api("coord_b").get("/api/citizens")
    assert AuditEvent.objects.for_citizen(citizen.pk).count() == len(rows)


def test_admin_changes_are_audited(world: World) -> None:
    citizen = world.objects["citizen_a"]
    LogEntry.objects.log_actions(user_id=world.users["admin"].pk, queryset=[citizen], action_flag=CHANGE,
                                 change_message="telefon")
    row = AuditEvent.objects.for_citizen(citizen.pk).get()
    assert row.action == "change" and row.actor == "p-admin" and row.object_repr.startswith("admin scheduler.citizen")


def test_admin_reads_of_citizen_data_are_audited(world: World) -> None:
    citizen = world.objects["citizen_a"]
    enrolment = citizen.enrolments.first()
    admin = world.web("admin")
    assert admin.get(f"/admin/scheduler/citizen/{citizen.pk}/change/").status_code == 200
    assert admin.get("/admin/scheduler/enrolment/").status_code == 200
    assert admin.get(f"/admin/scheduler/enrolment/{enrolment.pk}/change/").status_code == 200
    rows = list(AuditEvent.objects.for_citizen(citizen.pk).order_by("pk"))
    assert [(r.actor, r.action, r.object_repr) for r in rows] == [
        ("p-admin", "view", f"admin scheduler.citizen {citizen.pk}"),
        ("p-admin", "view", "admin scheduler.enrolment liste"),
        ("p-admin", "view", f"admin scheduler.enrolment {enrolment.pk}"),
    ]
    # A page that shows no citizen (a site) is not an audited read.
    admin.get("/admin/rooms/site/")
    assert AuditEvent.objects.for_citizen(citizen.pk).count() == len(rows)


def test_every_admin_model_that_points_at_citizens_audits_its_reads() -> None:
    from django.apps import apps
    from django.contrib import admin as django_admin

    from audit.admin import AuditedAdminMixin
    from audit.signals import CITIZEN_PATHS
    from scheduler.models import Enrolment

    def points_at_citizens(model: type) -> bool:
        return model is Citizen or any(
            f.is_relation and f.related_model in (Citizen, Enrolment) and (f.many_to_one or f.many_to_many)
            and not f.auto_created for f in model._meta.get_fields())

    for model in apps.get_models():
        label = model._meta.label_lower
        if points_at_citizens(model) and model in django_admin.site._registry:
            assert label in CITIZEN_PATHS, f"{label}: add its lookup to Citizen in audit.signals.CITIZEN_PATHS"
    for label in CITIZEN_PATHS:
        model_admin = django_admin.site._registry.get(apps.get_model(label))
        assert isinstance(model_admin, AuditedAdminMixin), f"{label}: its admin must use AuditedAdminMixin"


def test_audit_rows_are_append_only(world: World) -> None:
    row = audit_record(actor=world.users["coord_a"], action="view", citizen_ids=[1], object_repr="Borger 1")
    row.object_repr = "ændret"
    with pytest.raises(AuditEventError):
        row.save()
    with pytest.raises(AuditEventError):
        row.delete()
    with pytest.raises(AuditEventError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=row.pk).object_repr == "Borger 1"


def _end(citizen: Citizen, ended: date) -> None:
    citizen.enrolments.update(end_date=ended, status=EnrolmentStatus.ENDED)


def test_retention_erases_every_copy_of_an_ended_citizen(world: World, capsys, settings) -> None:
    citizen, keep = world.objects["citizen_a"], world.objects["citizen_b"]
    pk = citizen.pk
    _end(citizen, date(2024, 1, 31))
    _end(keep, date(2026, 1, 31))  # ended recently: kept
    world.api("coord_a").get(f"/api/citizens/{pk}")  # an audit row
    Booking.objects.create(plan=world.objects["plan"], appointment=world.objects["appointment"],
                           resource_kind="citizen", resource_id=pk, slot_start=world.objects["appointment"].start)
    LogEntry.objects.log_actions(user_id=world.users["admin"].pk, queryset=[citizen], action_flag=CHANGE)
    async_task("scheduler.tasks.solve_runs_sweep_task", citizen_id=pk, task_name="eksport-b-alfa")
    Task.objects.create(id="t" * 32, name="pdf", func="scheduler.publishing.pdf.citizen_week_pdf", args=("b-alfa",),
                        result="Ugeskema for Anne Jensen", started="2026-01-01T10:00Z",
                        stopped="2026-01-01T10:00Z", success=True)
    session = SessionStore()
    session["last_citizen"] = "b-alfa"
    session.create()
    other_session = SessionStore()
    other_session["x"] = 1
    other_session.create()
    appointment_pk = world.objects["appointment"].pk
    world.api("consultant").post("/api/attendance", data={"marks": [{  # an attendance record
        "appointment": world.objects["past_appointment"].pk, "citizen": pk, "status": "no_show"}]},
        content_type="application/json")
    world.api("consultant").post(f"/api/appointments/{world.objects['past_appointment'].pk}/agreements", data={
        "citizen": pk, "agenda": "", "agreements": [{"kind": "task", "due_by": "2099-01-01", "responsible": "citizen",
                                                     "text": "Søg job"}]}, content_type="application/json")

    call_command("retention_report", months=24)
    report = capsys.readouterr().out
    assert "b-alfa" in report and "b-beta" not in report and "Jensen" not in report
    items = retention_report(months=24, today=date(2026, 11, 1))
    assert [i.reference for i in items] == ["b-alfa"]
    counts = items[0].counts
    assert counts["bookings"] == 1 and counts["queued_tasks"] == 1 and counts["finished_tasks"] == 1
    assert counts["sessions"] == 1 and counts["audit_rows"] >= 1 and counts["admin_log_rows"] == 1
    assert counts["attendance"] == 1 and counts["agreements"] == 1
    assert Citizen.objects.filter(pk=pk).exists()  # the report deletes nothing

    settings.RETENTION_MONTHS = 24
    done = retention_run(today=date(2026, 11, 1))
    assert [d.reference for d in done] == ["b-alfa"]
    assert not Citizen.objects.filter(pk=pk).exists() and Citizen.objects.filter(pk=keep.pk).exists()
    assert not FeedToken.objects.filter(citizen_id=pk).exists()
    assert not Attendance.objects.filter(citizen_id=pk).exists()
    assert not Agreement.objects.exists()
    assert not Booking.objects.filter(resource_kind="citizen", resource_id=pk).exists()
    # The plan keeps the appointment (statistics), without the citizen.
    assert Appointment.objects.filter(pk=appointment_pk, citizens__isnull=True).exists()
    assert not AuditEvent.objects.for_citizen(pk).exists()
    assert AuditEvent.objects.filter(masked=True).exists()
    citizen_type = ContentType.objects.get_for_model(Citizen)
    assert not LogEntry.objects.filter(object_repr__contains="Jensen").exists()
    assert LogEntry.objects.filter(content_type=citizen_type, object_repr="[anonymiseret]").exists()
    assert not OrmQ.objects.exists() and not Task.objects.filter(name="pdf").exists()
    assert not Session.objects.filter(session_key=session.session_key).exists()
    assert Session.objects.filter(session_key=other_session.session_key).exists()
    assert Schedule.objects.filter(name="retention-run").exists()  # the daily schedule itself stays


def test_retention_is_off_until_configured(world: World, settings) -> None:
    settings.RETENTION_MONTHS = None
    _end(world.objects["citizen_a"], date(2020, 1, 31))
    assert retention_run() == []
    assert Citizen.objects.filter(pk=world.objects["citizen_a"].pk).exists()


def test_an_active_enrolment_keeps_the_citizen_even_if_an_old_one_ended(world: World) -> None:
    citizen = world.objects["citizen_a"]
    enrolment = citizen.enrolments.get()
    enrolment.end_date = date(2020, 1, 31)
    enrolment.save()  # still status ACTIVE: the coordinator has not closed it
    assert retention_run(months=12, today=date(2026, 11, 1)) == []


def test_the_coordinators_week_screen_and_batch_pdf_are_audited(world: World) -> None:
    from tests.security.conftest import WEEK_CODE

    citizen = world.objects["citizen_a"]
    client = world.web("coord_a")
    assert client.get(f"/uge/alfa/{WEEK_CODE}/").status_code == 200
    assert client.get(f"/uge/alfa/{WEEK_CODE}/ugeskemaer.pdf").status_code == 200
    actions = list(AuditEvent.objects.for_citizen(citizen.pk).order_by("pk").values_list("action", flat=True))
    assert actions == ["view", "export"]


def test_opening_an_appointment_or_an_unplaced_task_is_audited(world: World) -> None:
    citizen = world.objects["citizen_a"]
    client = world.web("coord_a")
    assert client.get(f"/aftale/{world.objects['draft_appointment'].pk}/").status_code == 200
    assert client.get(f"/ikke-placeret/{world.objects['unplaced'].pk}/").status_code == 200
    reprs = list(AuditEvent.objects.for_citizen(citizen.pk).order_by("pk").values_list("object_repr", flat=True))
    appointment, task = world.objects["draft_appointment"], world.objects["unplaced"]
    assert reprs == [f"Aftale {appointment.pk}", f"Ikke placeret opgave {task.pk}"]
