"""Re-planning keeps what nobody touched and what a coordinator decided: the real database, the real
solver and verifier, the real feeds."""

import re
from datetime import time, timedelta

import pytest

from rooms.models import Site
from scheduler.availability import TZ
from scheduler.editing.services import appointment_cancel_locked, appointment_move, appointment_pin
from scheduler.models import Absence, Appointment, AppointmentStatus, CitizenUnavailability, Plan, PlanStatus
from scheduler.planning.selectors import plan_export, plan_summary
from scheduler.planning.services import plan_create_draft
from scheduler.publishing.services import plan_diff, plan_publish
from scheduler.publishing.tokens import feed_token_issue
from tests.dates import WEEK
from tests.scheduler import planning_factories as f

pytestmark = pytest.mark.django_db

FAST = {"time_limit": 10, "num_workers": 1, "random_seed": 1}
START = WEEK - timedelta(weeks=5)


def plan_week(s: Site) -> Plan:
    return plan_create_draft(week_start=WEEK, site_ids=[s.id], **FAST)


def day_of(a: Appointment) -> int:
    return (a.start.astimezone(TZ).date() - WEEK).days


def vevents(client, owner) -> dict[str, bytes]:
    """UID -> the VEVENT's exact bytes in the owner's feed."""
    link = feed_token_issue(owner=owner)
    body = client.get(f"/kalender/{link.feed_secret}.ics").content
    events = re.findall(rb"BEGIN:VEVENT\r\n.*?END:VEVENT\r\n", body, flags=re.S)
    return {re.search(rb"UID:([^\r]+)", e).group(1).decode(): e for e in events}


def centre(n_each: int = 5):
    """Two social workers, each the contact consultant of `n_each` citizens with a talk due this week."""
    s = f.site()
    k1, k2 = f.consultant(s, "Mette Hansen"), f.consultant(s, "Lars Holm")
    phase = f.model_with_rules(f.talk_rule(28, with_contact_consultant=True))
    # Each citizen prefers one weekday, so the talks spread over the week.
    people = [
        f.citizen(s, phase, contact=k, start=START, preferred_weekdays=[i % 5])
        for k in (k1, k2) for i in range(n_each)
    ]
    return s, k1, k2, people


def sick_week():
    """The issue's week: Lars's talks on Monday from 08:30 in Samtalerum 1; Mette's on Wednesday to
    Friday at 08:00, also in Samtalerum 1, with citizens who cannot come on Tuesdays. When Mette is
    sick from Wednesday, her talks can only go to Monday — from 08:00, overlapping Lars's."""
    s = f.site()
    k1, k2 = f.consultant(s, "Mette Hansen"), f.consultant(s, "Lars Holm")
    phase = f.model_with_rules(f.talk_rule(28, with_contact_consultant=True))
    mette = [f.citizen(s, phase, contact=k1, start=START, preferred_weekdays=[d]) for d in (2, 3, 4)]
    for e in mette:
        CitizenUnavailability.objects.create(citizen=e.citizen, weekday=1, start_time=time(8), end_time=time(16))
    lars = [
        f.citizen(s, phase, contact=k2, start=START, preferred_weekdays=[0], not_before=time(8, 30))
        for _ in range(3)
    ]
    return s, k1, k2, [*mette, *lars]


def moved_keys(plan: Plan) -> list[str]:
    return sorted(a["task_key"] for a in plan_export(plan=plan)["appointments"] if a["moved"])


def test_a_replan_after_sickness_leaves_every_untouched_appointment_byte_identical_in_the_feeds(client) -> None:
    s, k1, k2, people = sick_week()
    v1 = plan_publish(plan=plan_week(s))
    owners = [k1, k2, *(e.citizen for e in people)]
    before = {o.pk if o in (k1, k2) else -o.pk: vevents(client, o) for o in owners}
    affected = {a.task_key for a in v1.appointments.filter(consultants=k1) if day_of(a) >= 2}
    assert len(affected) == 3  # the week has something for the sickness to move

    Absence.objects.create(consultant=k1, start_date=WEEK + timedelta(days=2), end_date=WEEK + timedelta(days=4),
                           reason="sick")
    draft = plan_week(s)
    draft_moved = plan_summary(plan=draft)["moved"]
    assert draft_moved == moved_keys(draft)
    v2 = plan_publish(plan=draft)

    diff = plan_diff(v1, v2)
    assert sorted(new.task_key for _old, new in diff.moved) == moved_keys(v2) == draft_moved
    assert set(draft_moved) == affected  # what the sick consultant held moved, nothing else did
    assert not diff.cancelled and not diff.added
    untouched = {str(a.uid) for a in v1.appointments.all() if a.task_key not in affected}
    compared = 0
    for owner in owners:
        after = vevents(client, owner)
        key = owner.pk if owner in (k1, k2) else -owner.pk
        for uid, event in before[key].items():
            if uid.removeprefix("appointment-").split("@")[0] in untouched:
                assert after[uid] == event  # same UID, SEQUENCE, LOCATION, DTSTAMP: byte for byte
                compared += 1
    assert compared >= 2 * len(untouched)  # each in its consultant's and its citizen's feed
    # The moved talks overlap the untouched ones on Monday morning: they took the other room.
    assert all(day_of(new) == 0 for _old, new in diff.moved)
    assert {a.room.name for a in v2.appointments.filter(consultants=k2)} == {"Samtalerum 1"}


def _version(plan_id: int) -> int:
    return Plan.objects.get(pk=plan_id).lock_version


def _draft(s: Site) -> Plan:
    return Plan.objects.get(week_start=WEEK, status=PlanStatus.DRAFT, sites=s)


def test_manual_moves_and_cancellations_survive_two_replans_and_publishing() -> None:
    s, k1, _k2, _people = centre(3)
    v1 = plan_publish(plan=plan_week(s))
    draft = plan_week(s)
    monday = draft.appointments.filter(consultants=k1).order_by("start").first()
    other = draft.appointments.filter(consultants=k1).exclude(pk=monday.pk).order_by("start").first()
    target = f.at(WEEK + timedelta(days=1), 14)  # Tuesday 14:00, nowhere near the citizen's preferred day
    appointment_move(appointment=monday, start=target, consultant_ids=None, room_id=None,
                     seen_version=_version(draft.pk))
    appointment_cancel_locked(appointment=Appointment.objects.get(pk=other.pk), seen_version=_version(draft.pk))
    moved_key, cancelled_key, cancelled_uid = monday.task_key, other.task_key, other.uid

    for _ in range(2):
        draft = plan_week(s)
        kept = draft.appointments.get(task_key=moved_key)
        assert (kept.start, kept.pinned, kept.status) == (target, True, AppointmentStatus.PLANNED)
        gone = draft.appointments.get(task_key=cancelled_key)
        assert (gone.status, gone.pinned, gone.uid) == (AppointmentStatus.CANCELLED, True, cancelled_uid)
        assert not draft.unplaced.filter(task_key=cancelled_key).exists()
        assert plan_summary(plan=draft)["moved"] == moved_keys(draft) == [moved_key]

    v2 = plan_publish(plan=draft)
    diff = plan_diff(v1, v2)
    assert [new.task_key for _old, new in diff.moved] == moved_keys(v2) == [moved_key]
    assert [old.task_key for old, _new in diff.cancelled] == [cancelled_key]  # aflyst, never "flyttet"
    assert v2.appointments.get(task_key=cancelled_key).sequence == 1

    # Published pins carry over: the next draft keeps both decisions without any draft to read them from.
    third = plan_week(s)
    assert third.appointments.get(task_key=moved_key).start == target
    assert third.appointments.get(task_key=cancelled_key).status == AppointmentStatus.CANCELLED
    assert plan_diff(v2, plan_publish(plan=third)).changed is False


def test_a_pin_survives_publishing_and_unpinning_a_cancellation_hands_the_task_back() -> None:
    from scheduler.problem.builder import problem_build

    s, k1, _k2, _people = centre(2)
    draft = plan_week(s)
    pinned = draft.appointments.order_by("start").first()
    appointment_pin(appointment=pinned, pinned=True, seen_version=_version(draft.pk))
    cancelled = draft.appointments.exclude(pk=pinned.pk).order_by("start").first()
    appointment_cancel_locked(appointment=cancelled, seen_version=_version(draft.pk))
    plan_publish(plan=draft)

    task = problem_build(week_start=WEEK, site_ids=[s.id], num_workers=1).problem.task_by_id()[pinned.task_key]
    assert task.pinned is not None and task.pinned.start_slot is not None
    assert cancelled.task_key not in {t.id for t in problem_build(week_start=WEEK, site_ids=[s.id]).problem.tasks}

    again = plan_week(s)
    held = again.appointments.get(task_key=cancelled.task_key)
    appointment_pin(appointment=held, pinned=False, seen_version=_version(again.pk))
    restored = plan_week(s).appointments.get(task_key=cancelled.task_key)
    assert restored.status == AppointmentStatus.PLANNED and not restored.pinned


def test_plan_week_export_plan_and_publish_week_count_the_same_moved_appointments() -> None:
    import json
    from io import StringIO

    from django.core.management import call_command

    from tests.dates import WEEK_CODE

    def run(name: str, **options: object) -> str:
        out = StringIO()
        call_command(name, week=WEEK_CODE, stdout=out, **options)
        return out.getvalue()

    s, k1, _k2, _people = sick_week()
    run("plan_week", site=[s.code], time_limit=10, workers=1)
    run("publish_week")
    Absence.objects.create(consultant=k1, start_date=WEEK + timedelta(days=2), end_date=WEEK + timedelta(days=4),
                           reason="sick")
    planned = run("plan_week", site=[s.code], time_limit=10, workers=1)
    exported = json.loads(run("export_plan", draft=True))
    published = run("publish_week")
    after = json.loads(run("export_plan"))

    in_export = sum(a["moved"] for a in exported["appointments"])
    assert in_export == 3
    assert f"Flyttet i forhold til den offentliggjorte plan: {in_export}" in planned
    assert f"{in_export} flyttet, 0 aflyst" in published
    assert sum(a["moved"] for a in after["appointments"]) == in_export


def test_a_run_split_into_parts_keeps_a_cancellation_and_the_drafts_proposals(settings) -> None:
    from scheduler.models import Enrolment, SolvePart
    from scheduler.planning.runs import solve_run_create
    from scheduler.tasks import solve_part_task, solve_run_task

    settings.PLANNER_SPLIT_MIN_TASKS = 0
    settings.PLANNER_NUM_WORKERS = 1
    sites, newcomers = [], []
    for code in ("nord", "syd"):
        site = f.site(code=code, name=code.title())
        k = f.consultant(site, name=f"Konsulent {code}")
        phase = f.model_with_rules(f.talk_rule(28, with_contact_consultant=True))
        for _ in range(2):
            f.citizen(site, phase, contact=k, start=START)
        newcomers.append(f.citizen(site, phase, start=START))  # no contact consultant yet
        sites.append(site)
    site_ids = [s.pk for s in sites]
    first = plan_create_draft(week_start=WEEK, site_ids=site_ids, **FAST)
    cancelled = first.appointments.filter(site=sites[0]).order_by("start").first()
    appointment_cancel_locked(appointment=cancelled, seen_version=_version(first.pk))

    run = solve_run_create(week_start=WEEK, site_ids=site_ids, time_limit=2)
    assert solve_run_task(run.pk) == "split"
    results = [solve_part_task(part.pk) for part in SolvePart.objects.filter(run=run).order_by("index")]
    assert results[-1] == "done"

    plan = Plan.objects.get(status=PlanStatus.DRAFT)
    held = plan.appointments.get(task_key=cancelled.task_key)
    assert (held.status, held.pinned, held.uid) == (AppointmentStatus.CANCELLED, True, cancelled.uid)
    assert plan.appointments.filter(status=AppointmentStatus.PLANNED).count() == 5
    assert sorted(p["enrolment"] for p in plan.solver_info["proposals"]["contact_consultants"]) == sorted(
        e.pk for e in newcomers)
    assert not Enrolment.objects.filter(pk__in=[e.pk for e in newcomers], contact_consultant__isnull=False).exists()
