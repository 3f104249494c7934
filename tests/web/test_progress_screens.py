"""Progress screens and API: who may score and read whom, what is audited, and that scores never reach
the citizen's feed or page."""
from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from scheduler.models import INDICATORS, ProgressMeasurement
from scheduler.progress.services import progress_measurement_record
from tests.personas import Personas, citizen_link, personas_create
from tests.publishing.factories import make_citizen, make_consultant, make_site

TODAY = timezone.localdate()


@pytest.fixture
def centre(db: None) -> dict:
    site_a, site_b = make_site(code="alfa", name="Center Alfa"), make_site(code="beta", name="Center Beta")
    consultant = make_consultant(site_a, "Karen Alfa")
    personas = personas_create(site_a=site_a, site_b=site_b, consultant_a=consultant)
    own = make_citizen(site_a, "Anne", "Alfasen", contact=consultant, start=TODAY - timedelta(days=60))
    other = make_citizen(site_a, "Carla", "Dahlsen", start=TODAY - timedelta(days=60))
    beta = make_citizen(site_b, "Bent", "Betasen", start=TODAY - timedelta(days=60))
    return {"p": personas, "own": own.enrolments.get(), "other": other.enrolments.get(),
            "beta": beta.enrolments.get()}


def form_data(value: int = 6, **extra: object) -> dict:
    return {"measured_on": TODAY.isoformat(), **{f"score_{i.code}": value for i in INDICATORS}, **extra}


def test_a_coordinator_scores_a_citizen_and_sees_the_chart_and_the_write_is_audited(centre: dict) -> None:
    p: Personas = centre["p"]
    e = centre["own"]
    url = f"/forloeb/{e.pk}/progression/"
    client = p.web("coord_a")
    progress_measurement_record(enrolment=e, measured_on=TODAY - timedelta(days=30),
                                scores={i.code: 4 for i in INDICATORS}, user=None)

    response = client.post(url, form_data(7, difficult_period="on", note="Svær uge"))

    assert response.status_code == 302
    m = ProgressMeasurement.objects.get(enrolment=e, measured_on=TODAY)
    assert m.difficult_period and m.note == "Svær uge" and {s.score for s in m.scores.all()} == {7}
    page = client.get(url).content.decode()
    assert "<svg" in page and "UDVIKLING" in page and "Realistisk om fremtidigt arbejdsliv" in page
    assert "Svære perioder" in page
    actions = set(AuditEvent.objects.for_citizen(e.citizen_id).values_list("action", flat=True))
    assert {"change", "view"} <= actions


def test_a_score_outside_1_to_10_is_refused_on_the_form(centre: dict) -> None:
    e = centre["own"]
    response = centre["p"].web("coord_a").post(f"/forloeb/{e.pk}/progression/", form_data(11))
    assert response.status_code == 200 and not ProgressMeasurement.objects.exists()
    assert "10" in response.content.decode()


def test_a_consultant_scores_only_the_citizens_they_are_contact_person_for(centre: dict) -> None:
    client = centre["p"].web("consultant")
    assert client.post(f"/forloeb/{centre['own'].pk}/progression/", form_data()).status_code == 302
    assert client.get(f"/forloeb/{centre['other'].pk}/progression/").status_code == 404
    assert client.post(f"/forloeb/{centre['beta'].pk}/progression/", form_data()).status_code == 404
    assert centre["p"].web("coord_b").get(f"/forloeb/{centre['own'].pk}/progression/").status_code == 404
    assert centre["p"].web("outsider").get("/progression/").status_code == 403


def test_the_centre_page_names_only_the_callers_own_citizens(centre: dict) -> None:
    for e in (centre["own"], centre["other"], centre["beta"]):
        progress_measurement_record(enrolment=e, measured_on=TODAY, scores={i.code: 5 for i in INDICATORS},
                                    user=None)
    consultant = centre["p"].web("consultant").get("/progression/").content.decode()
    assert "Alfasen" in consultant and "Dahlsen" not in consultant and "Betasen" not in consultant
    assert "Center Alfa" in consultant and "Sygedagpenge" in consultant
    coordinator = centre["p"].web("coord_a").get("/progression/").content.decode()
    assert "Alfasen" in coordinator and "Dahlsen" in coordinator and "Betasen" not in coordinator
    assert "Center Beta" not in coordinator


def test_the_api_records_and_reads_progress_scoped_like_the_web(centre: dict) -> None:
    p: Personas = centre["p"]
    e = centre["own"]
    body = {"measured_on": TODAY.isoformat(), "scores": {i.code: 8 for i in INDICATORS}, "note": "god uge"}

    created = p.api("consultant").post(f"/api/enrolments/{e.pk}/progress", body)
    assert created.status_code == 201, created.content
    read = p.api("coord_a").get(f"/api/enrolments/{e.pk}/progress").json()
    assert read["citizen"] == e.citizen_id and len(read["indicators"]) == 12
    (m,) = read["measurements"]
    assert m["scores"]["motivation"] == 8 and m["group_means"] == {"udvikling": 8.0, "empowerment": 8.0,
                                                                   "fremtid": 8.0}
    assert p.api("coord_b").get(f"/api/enrolments/{e.pk}/progress").status_code == 404
    assert p.api("consultant").get(f"/api/enrolments/{centre['other'].pk}/progress").status_code == 404
    bad = p.api("coord_a").post(f"/api/enrolments/{e.pk}/progress", {**body, "scores": {"motivation": 5}})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "scores"

    rows = p.api("coord_a").get("/api/progress/distribution?site=alfa").json()
    assert [(r["site"], r["measured"], r["median_latest"]) for r in rows] == [("alfa", 1, 8.0)]
    assert "Alfasen" not in str(rows)
    assert p.api("coord_a").get("/api/progress/distribution?site=beta").status_code == 422
    audited = AuditEvent.objects.for_citizen(e.citizen_id)
    assert audited.filter(action="change").exists() and audited.filter(action="view").exists()


def test_scores_and_notes_never_reach_the_citizens_feed_or_page(centre: dict) -> None:
    e = centre["own"]
    progress_measurement_record(enrolment=e, measured_on=TODAY, scores={i.code: 3 for i in INDICATORS},
                                user=None, note="HEMMELIGNOTE")
    link = citizen_link(e.citizen)
    client = centre["p"].web("anonymous")
    for url in (link.feed_url, link.page_url):
        response = client.get(url.replace("http://127.0.0.1:8000", ""))
        assert response.status_code == 200
        body = b"".join(response.streaming_content) if response.streaming else response.content
        body = body.decode()
        assert "HEMMELIGNOTE" not in body and "Progressionsmåling 0" not in body and "Motivation" not in body
