"""The coordinator's screens on a small hand-made week (no solver): grid, details, pin, cancel, requests,
everyday data, calendar links, overview, planning runs."""
import json
from datetime import date

import pytest
from django.test import Client

from activities.models import Internship
from scheduler.models import ActivityRequest, Citizen, Coordinator, FeedToken, Plan, SolveRun
from scheduler.planning.runs import solve_run_execute
from scheduler.weeks import iso_week_label

pytestmark = pytest.mark.django_db


def _week(w) -> str:
    return f"/uge/alfa/{iso_week_label(w.week)}/"


def test_the_week_grid_labels_every_appointment_by_kind_in_text_and_colour(world) -> None:
    page = world.coordinator.get(_week(world)).content.decode()
    assert "kind-talk" in page and 'aria-label="Individuel samtale, 10:00–11:00, Anne Alfasen"' in page
    assert '<li class="kind-talk">Samtale</li>' in page  # the legend
    day = world.coordinator.get(_week(world) + "?dag=0").content.decode()
    assert '<span class="k">Samtale</span> 10:00–11:00' in day
    assert "Karen Alfa" in page and "Ingen ledig tid A" in page and "Ingen ledig tid B" not in page
    rooms = world.coordinator.get(_week(world) + "?visning=lokale").content.decode()
    assert "Mødelokale 1" in rooms and "Ude af huset" in rooms
    citizens = world.coordinator.get(_week(world) + "?visning=borger").content.decode()
    assert "Anne Alfasen" in citizens


def test_an_appointment_shows_who_where_and_why_also_as_an_htmx_fragment(world) -> None:
    url = f"/aftale/{world.appointment_a.pk}/"
    page = world.coordinator.get(url).content.decode()
    for text in ["Karen Alfa", "Anne Alfasen", "Center Alfa, Mødelokale 1", "Individuel samtale mindst hver 28. dag"]:
        assert text in page
    fragment = world.coordinator.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and "Hvorfor" in fragment and "csrfmiddlewaretoken" in fragment


def test_pinning_needs_the_version_the_coordinator_saw(world) -> None:
    a = world.appointment_a
    url = f"/aftale/{a.pk}/fastlaas/"
    response = world.coordinator.post(url, {"version": 0, "pinned": "1"}, follow=True)
    assert "Aftalen er fastlåst." in response.content.decode()
    a.refresh_from_db()
    assert a.pinned
    stale = world.coordinator.post(url, {"version": 0, "pinned": "0"}, follow=True).content.decode()
    assert "Planen er ændret af en anden" in stale
    a.refresh_from_db()
    assert a.pinned
    world.coordinator.post(url, {"version": 1, "pinned": "0"})
    a.refresh_from_db()
    assert not a.pinned


def test_cancelling_asks_for_a_reason_and_keeps_the_appointment_as_cancelled(world) -> None:
    url = f"/aftale/{world.appointment_a.pk}/aflys/"
    refused = world.coordinator.post(url, {"version": 0}, follow=True).content.decode()
    assert "Vælg en årsag til aflysningen." in refused
    world.appointment_a.refresh_from_db()
    assert world.appointment_a.status == "planned"
    response = world.coordinator.post(url, {"version": 0, "reason": "sygdom"}, follow=True)
    assert "Aftalen er aflyst. Du kan fortryde" in response.content.decode()
    world.appointment_a.refresh_from_db()
    assert world.appointment_a.status == "cancelled" and world.appointment_a.cancel_reason == "sygdom"
    assert "aflyst" in world.coordinator.get(_week(world)).content.decode()
    panel = world.coordinator.get(f"/aftale/{world.appointment_a.pk}/").content.decode()
    assert "Årsag: Sygdom" in panel and "Fortryd aflysningen" in panel


def test_a_cancellation_in_a_draft_can_be_undone_and_the_time_is_booked_again(world) -> None:
    a = world.appointment_a
    world.coordinator.post(f"/aftale/{a.pk}/aflys/", {"version": 0, "reason": "afbud"})
    assert not a.bookings.exists()
    response = world.coordinator.post(f"/aftale/{a.pk}/genopret/", {"version": 1}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "Aflysningen er fortrudt; aftalen er tilbage." in body
    a.refresh_from_db()
    assert a.status == "planned" and a.cancel_reason == "" and a.bookings.exists()
    # A stale version is refused, as for every other edit.
    world.coordinator.post(f"/aftale/{a.pk}/aflys/", {"version": 2, "reason": "afbud"})
    stale = world.coordinator.post(f"/aftale/{a.pk}/genopret/", {"version": 2}, follow=True).content.decode()
    assert "Planen er ændret af en anden" in stale


def test_an_ad_hoc_round_table_request_is_checked_and_stored(world) -> None:
    enrolment = world.citizen_a.enrolments.get()
    url = _week(world) + "bestil/"
    bad = world.coordinator.post(url, {"enrolment": enrolment.pk, "kind": "roundtable", "earliest": "2026-12-10",
                                       "due_by": "2026-12-01", "duration_minutes": 60, "status": "open"})
    assert "&#x27;Senest&#x27; skal ligge efter &#x27;tidligst&#x27;." in bad.content.decode()
    other = world.citizen_b.enrolments.get()
    foreign = world.coordinator.post(url, {"enrolment": other.pk, "kind": "talk", "earliest": "2026-12-01",
                                           "due_by": "2026-12-04", "duration_minutes": 60, "status": "open"})
    assert foreign.status_code == 200 and not ActivityRequest.objects.exists()
    ok = world.coordinator.post(url, {"enrolment": enrolment.pk, "kind": "roundtable", "earliest": "2026-12-01",
                                      "due_by": "2026-12-04", "duration_minutes": 90, "status": "open"})
    assert ok.status_code == 302
    assert ActivityRequest.objects.get().kind == "roundtable"


def test_citizen_forms_show_the_models_danish_errors_and_save(world) -> None:
    data = {"reference": "ny-1", "first_name": "Nina", "last_name": "Ny", "site": world.site_a.pk,
            "not_before": "12:00", "not_after": "09:00", "preferred_weekdays": ["0", "2"]}
    page = world.coordinator.post("/data/borgere/ny/", data).content.decode()
    assert "&#x27;Ikke efter&#x27; skal ligge efter &#x27;ikke før&#x27;." in page
    data["not_after"] = "15:00"
    assert world.coordinator.post("/data/borgere/ny/", data).status_code == 302
    assert Citizen.objects.get(reference="ny-1").preferred_weekdays == [0, 2]
    data["site"] = world.site_b.pk
    data["reference"] = "ny-2"
    assert "Marker en gyldig valgmulighed" in world.coordinator.post("/data/borgere/ny/", data).content.decode()


def test_an_internship_is_saved_with_its_staircase_steps(world) -> None:
    from tests.publishing.factories import make_company

    company = make_company()
    enrolment = world.citizen_a.enrolments.get()
    data = {"enrolment": enrolment.pk, "company": company.pk, "kind": "internship", "start_date": "2026-11-02",
            "steps-TOTAL_FORMS": "1", "steps-INITIAL_FORMS": "0", "steps-MIN_NUM_FORMS": "0",
            "steps-MAX_NUM_FORMS": "1000", "steps-0-start_date": "2026-11-02", "steps-0-hours_per_week": "15",
            "steps-0-weekdays": ["0", "1", "2"], "steps-0-daily_start": "08:00"}
    bad = dict(data, **{"steps-0-weekdays": []})
    assert "Dette felt er påkrævet" in world.coordinator.post("/data/praktikker/ny/", bad).content.decode()
    assert world.coordinator.post("/data/praktikker/ny/", data).status_code == 302
    internship = Internship.objects.get()
    assert [(s.hours_per_week, s.weekdays) for s in internship.steps.all()] == [(15, [0, 1, 2])]
    assert "Bageriet ApS" in world.coordinator.get("/data/praktikker/").content.decode()


def test_an_overlapping_absence_is_refused_in_danish(world) -> None:
    data = {"consultant": world.consultant_a.pk, "start_date": "2026-12-01", "end_date": "2026-12-03",
            "reason": "sick"}
    assert world.coordinator.post("/data/fravaer/ny/", data).status_code == 302
    page = world.coordinator.post("/data/fravaer/ny/", dict(data, start_date="2026-12-02")).content.decode()
    assert "Fraværet overlapper et andet fravær for samme konsulent." in page


def test_a_consultants_calendar_link_is_shown_once_and_can_be_rotated_and_revoked(world) -> None:
    page = world.coordinator.get("/kalenderlinks/alfa/").content.decode()
    assert "hver 12.–24. time" in page
    response = world.coordinator.post("/kalenderlinks/alfa/", {"consultant": world.consultant_a.pk,
                                                               "action": "rotate"})
    assert response.status_code == 302 and response["Location"] == "/kalenderlinks/alfa/"  # post/redirect/get
    issued = world.coordinator.get("/kalenderlinks/alfa/").content.decode()
    assert 'value="webcal://' in issued and 'value="http://127.0.0.1:8000/kalender/' in issued
    assert '<svg class="qr"' in issued and 'data-copy="https-url"' in issued
    # Shown once: a reload shows no link and issues none.
    assert "/kalender/" not in world.coordinator.get("/kalenderlinks/alfa/").content.decode()
    assert FeedToken.objects.filter(consultant=world.consultant_a, revoked_at__isnull=True).count() == 1
    secret = issued.split('value="http://127.0.0.1:8000/kalender/')[1].split(".ics")[0]
    feed = Client().get(f"/kalender/{secret}.ics")
    assert feed.status_code == 200 and feed.content.startswith(b"BEGIN:VCALENDAR")
    world.coordinator.post("/kalenderlinks/alfa/", {"consultant": world.consultant_a.pk, "action": "rotate"})
    assert Client().get(f"/kalender/{secret}.ics").status_code == 410  # gone: the calendar app stops polling
    world.coordinator.post("/kalenderlinks/alfa/", {"consultant": world.consultant_a.pk, "action": "revoke"})
    assert not FeedToken.objects.filter(consultant=world.consultant_a, revoked_at__isnull=True).exists()


def test_the_overview_shows_caseload_and_planned_hours(world) -> None:
    page = world.coordinator.get(_week(world) + "overblik/").content.decode()
    assert "Karen Alfa" in page and "Bo Beta" not in page
    assert "<td class=\"num\">1,0</td><td class=\"num\">37,0</td>" in page  # one planned hour of 37


def test_a_planning_run_answers_in_pretix_async_shape_and_ends_on_the_week(world) -> None:
    response = world.coordinator.post(_week(world) + "planlaeg/")
    run = SolveRun.objects.get()
    assert response["Location"] == f"/koersel/{run.pk}/?center=alfa"
    page = world.coordinator.get(response["Location"]).content.decode()
    assert '<progress id="run-progress"' in page and "Stop planlægningen (intet gemmes)" in page
    status = json.loads(world.coordinator.get(f"/koersel/{run.pk}/status.json").content)
    assert status["ready"] is False and status["async_id"] == run.pk and status["redirect"] is None
    assert status["phase"] == "Venter på at komme til (1 af 4)"
    assert "strafpoint" not in page and "Afstand til bedste grænse" not in page
    again = world.coordinator.post(_week(world) + "planlaeg/", follow=True).content.decode()
    assert "Ugen planlægges allerede" in again
    assert world.other_coordinator.get(f"/koersel/{run.pk}/status.json").status_code == 404

    solve_run_execute(run_id=run.pk)  # what the django-q2 worker runs
    status = json.loads(world.coordinator.get(f"/koersel/{run.pk}/status.json").content)
    assert status["ready"] is True and status["success"] is True and status["progress"] == 100
    assert status["redirect"] == _week(world)
    assert status["phase"] == "Færdig: planen er gemt som kladde."


def test_planning_together_covers_every_site_and_a_shared_draft_is_replanned_whole(world) -> None:
    Coordinator.objects.get(user__username="koord-a").sites.add(world.site_b)
    beta = f"/uge/beta/{iso_week_label(world.week)}/"
    assert "Planlæg alle mine centre samlet" in world.coordinator.get(beta).content.decode()
    response = world.coordinator.post(beta + "planlaeg/", {"together": "1"})
    run = SolveRun.objects.get()
    assert set(run.sites.values_list("code", flat=True)) == {"alfa", "beta"}
    assert response["Location"] == f"/koersel/{run.pk}/?center=beta"
    assert "Planlægger Center Alfa, Center Beta" in world.coordinator.get(response["Location"]).content.decode()
    assert solve_run_execute(run_id=run.pk) == "done"
    status = json.loads(world.coordinator.get(f"/koersel/{run.pk}/status.json?center=beta").content)
    assert status["redirect"] == beta  # back to the site the coordinator started from
    assert "Planen dækker Center Alfa, Center Beta." in world.coordinator.get(beta).content.decode()

    # The draft now covers both sites: planning one of them (by a coordinator of both) replans it whole.
    world.coordinator.post(_week(world) + "planlaeg/")
    again = SolveRun.objects.latest("pk")
    assert again.pk != run.pk and set(again.sites.values_list("code", flat=True)) == {"alfa", "beta"}
    assert solve_run_execute(run_id=again.pk) == "done"


def test_a_coordinator_of_one_site_plans_it_alone_and_the_other_sites_part_of_a_shared_draft_stays(
    world,
) -> None:
    # One draft for both sites, as `plan_week` without --site makes it.
    Plan.objects.filter(pk=world.plan_b.pk).delete()
    shared = world.plan_a
    shared.sites.add(world.site_b)
    world.appointment_b.__class__.objects.filter(pk=world.appointment_b.pk).update(plan=shared)
    world.unplaced_b.__class__.objects.filter(pk=world.unplaced_b.pk).update(plan=shared)
    beta = f"/uge/beta/{iso_week_label(world.week)}/"
    page = world.other_coordinator.get(beta).content.decode()
    assert "Center Alfa" not in page and "centre, du ikke planlægger for" in page
    publish = world.other_coordinator.get(beta + "offentliggoer/", follow=True).content.decode()
    assert "Planlæg ugen for dit center" in publish and "Center Alfa" not in publish

    response = world.other_coordinator.post(beta + "planlaeg/", follow=True)
    page = response.content.decode()
    assert "Center Alfa" not in page  # no other site's name in anything the coordinator of B reads
    run = SolveRun.objects.get()
    assert set(run.sites.values_list("code", flat=True)) == {"beta"}
    assert solve_run_execute(run_id=run.pk) == "done"

    # Alfa's part is intact in a draft of its own; beta has the new draft; the shared draft is gone.
    alfa_drafts = Plan.objects.filter(week_start=world.week, status="draft", sites=world.site_a)
    assert alfa_drafts.count() == 1
    alfa = alfa_drafts.get()
    assert set(alfa.sites.values_list("code", flat=True)) == {"alfa"}
    assert list(alfa.appointments.values_list("pk", flat=True)) == [world.appointment_a.pk]
    assert list(alfa.unplaced.values_list("pk", flat=True)) == [world.unplaced_a.pk]
    beta_draft = Plan.objects.get(week_start=world.week, status="draft", sites=world.site_b)
    assert set(beta_draft.sites.values_list("code", flat=True)) == {"beta"}
    assert beta_draft.solve_runs.get() == run
    assert world.coordinator.get(_week(world)).content.decode().count("kind-talk") >= 1
    assert "Center Beta" not in world.coordinator.get(_week(world)).content.decode()


def test_a_queued_run_can_be_cancelled(world) -> None:
    world.coordinator.post(_week(world) + "planlaeg/")
    run = SolveRun.objects.get()
    world.coordinator.post(f"/koersel/{run.pk}/annuller/")
    run.refresh_from_db()
    assert run.status == "cancelled"
    status = json.loads(world.coordinator.get(f"/koersel/{run.pk}/status.json").content)
    assert status["ready"] is True and status["success"] is False


def test_the_week_picker_goes_to_the_chosen_site_and_week(world) -> None:
    response = world.coordinator.get("/uge/", {"site": "alfa", "week": "2026-W50", "visning": "lokale"})
    assert response["Location"] == "/uge/alfa/2026-W50/?visning=lokale"
    assert world.coordinator.get("/uge/", {"site": "beta", "week": "2026-W50"})["Location"] == "/"
    assert world.coordinator.get("/uge/alfa/2026-W99/").status_code == 404
    assert date.fromisocalendar(2026, 50, 1)  # sanity: the week exists

