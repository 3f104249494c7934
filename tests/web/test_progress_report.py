"""Closing an enrolment with one of its model's outcomes and the progress report PDF: its content, its
versions and sign-off, and who may close, read and export it (web and API)."""
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from activities.models import InterventionModel, Outcome
from activities.services import intervention_model_copy
from audit.models import AuditEvent
from scheduler.attendance.services import Mark, Marker, attendance_mark
from scheduler.models import INDICATORS, Agreement, AgreementKind, EnrolmentStatus, PlanStatus, ProgressReport
from scheduler.progress.services import progress_measurement_record
from tests.personas import Personas, personas_create
from tests.publishing.factories import at, make_appointment, make_citizen, make_consultant, make_plan, make_site

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
FULL = "Tværfaglig fuldindsats – sygedagpenge"


def pdf_text(data: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())  # table cells wrap: compare words, not lines


@pytest.fixture
def centre(db: None) -> dict:
    site_a, site_b = make_site(code="alfa", name="Center Alfa"), make_site(code="beta", name="Center Beta")
    consultant = make_consultant(site_a, "Karen Alfa")
    personas = personas_create(site_a=site_a, site_b=site_b, consultant_a=consultant)
    citizen = make_citizen(site_a, "Anne", "Alfasen", contact=consultant, start=TODAY - timedelta(days=70))
    enrolment = citizen.enrolments.get()
    enrolment.intervention_model = InterventionModel.objects.get(name=FULL)
    enrolment.save()
    # History: four published talks in past weeks, one a no-show, one afbud.
    marks = []
    for n, weeks_ago in enumerate((8, 6, 4, 2)):
        day = TODAY - timedelta(weeks=weeks_ago)
        monday = day - timedelta(days=day.weekday())
        plan = make_plan(monday, [site_a], status=PlanStatus.PUBLISHED)
        a = make_appointment(plan, start=at(monday, 10), consultants=[consultant], citizens=[citizen], site=site_a)
        marks.append(Mark(a.pk, citizen.pk, ("held", "no_show", "held", "citizen_cancelled")[n]))
    attendance_mark(marker=Marker(actor="test"), marks=marks)
    for days_ago, value in ((60, 3), (30, 5), (5, 7)):
        progress_measurement_record(enrolment=enrolment, measured_on=TODAY - timedelta(days=days_ago),
                                    scores={i.code: value for i in INDICATORS}, user=None)
    Agreement.objects.create(enrolment=enrolment, made_on=TODAY - timedelta(days=14), kind=AgreementKind.TASK,
                             responsible="citizen", text="Søge tre stillinger", due_by=TODAY)
    return {"p": personas, "e": enrolment, "site_a": site_a}


def close_data(outcome: Outcome) -> dict:
    return {"outcome": outcome.pk, "end_date": TODAY.isoformat(), "resources": "Stabil og motiveret",
            "barriers": "Træthed om eftermiddagen", "possibilities": "Flere timer i praktik",
            "recommendation": "Raskmelding fra næste uge; opfølgning i jobcentret."}


def test_the_full_model_has_the_seven_seed_outcomes_and_the_70_percent_goal() -> None:
    model = InterventionModel.objects.get(name=FULL)
    outcomes = list(model.outcome_choices.order_by("order"))
    assert len(outcomes) == 7 and model.success_goal_percent == 70
    assert outcomes[0].name == "Raskmeldt og tilbage i hidtidig beskæftigelse"
    assert [o.successful for o in outcomes] == [True, True, True, False, False, False, False]
    assert all(m.outcome_choices.exists() for m in InterventionModel.objects.all())
    copy = intervention_model_copy(model=model)
    assert [o.name for o in copy.outcome_choices.order_by("order")] == [o.name for o in outcomes]


def test_a_coordinator_closes_an_enrolment_and_downloads_the_danish_report(centre: dict) -> None:
    p: Personas = centre["p"]
    e = centre["e"]
    client = p.web("coord_a")
    outcome = e.intervention_model.outcome_choices.get(order=1)
    assert "Raskmeldt og tilbage" in client.get(f"/forloeb/{e.pk}/afslut/").content.decode()

    response = client.post(f"/forloeb/{e.pk}/afslut/", close_data(outcome))

    assert response.status_code == 302 and response["Location"] == f"/forloeb/{e.pk}/rapport/"
    e.refresh_from_db()
    assert e.status == EnrolmentStatus.ENDED and e.outcome == outcome and e.end_date == TODAY
    (report,) = ProgressReport.objects.filter(enrolment=e)
    download = client.get(f"/rapport/{report.pk}/progressionsrapport.pdf")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    text = pdf_text(download.content)
    assert "Progressionsrapport" in text and "Raskmeldt og tilbage i hidtidig beskæftigelse" in text
    assert "Deltaget: 2. Udeblevet eller afbud: 2." in text
    for indicator in INDICATORS:
        assert indicator.label.split(" (")[0] in text, indicator.label
    assert "Træthed om eftermiddagen" in text and "Raskmelding fra næste uge" in text
    assert "Søge tre stillinger" in text and "3 målinger" in text
    assert "Ikke godkendt endnu" in text and "Version 1" in text
    assert AuditEvent.objects.for_citizen(e.citizen_id).filter(action="export").exists()


def test_regenerate_makes_a_new_version_and_only_the_newest_is_signed_off(centre: dict) -> None:
    p: Personas = centre["p"]
    e = centre["e"]
    client = p.web("coord_a")
    client.post(f"/forloeb/{e.pk}/afslut/", close_data(e.intervention_model.outcome_choices.get(order=4)))
    texts = {k: v for k, v in close_data(e.intervention_model.outcome_choices.first()).items()
             if k in ("resources", "barriers", "possibilities", "recommendation")}
    texts["recommendation"] = "Forelæg sagen for rehabiliteringsteamet."
    assert client.post(f"/forloeb/{e.pk}/rapport/", texts).status_code == 302
    v1, v2 = ProgressReport.objects.filter(enrolment=e).order_by("version")
    assert (v1.version, v2.version) == (1, 2) and v2.recommendation.startswith("Forelæg")

    client.post(f"/rapport/{v1.pk}/godkend/")
    v1.refresh_from_db()
    assert v1.signed_off_at is None  # not the newest
    client.post(f"/rapport/{v2.pk}/godkend/")
    v2.refresh_from_db()
    assert v2.signed_off_at is not None
    assert "Godkendt af" in pdf_text(bytes(v2.pdf))
    page = client.get(f"/forloeb/{e.pk}/rapport/").content.decode()
    assert "Hent version 2" in page and "Hent version 1" in page


def test_closing_refuses_another_models_outcome_and_other_roles(centre: dict) -> None:
    p: Personas = centre["p"]
    e = centre["e"]
    foreign = Outcome.objects.exclude(model=e.intervention_model).first()
    bad = p.api("coord_a").post(f"/api/enrolments/{e.pk}/close", close_data(foreign))
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "outcome"
    outcome = e.intervention_model.outcome_choices.first()
    assert p.api("coord_b").post(f"/api/enrolments/{e.pk}/close", close_data(outcome)).status_code == 404
    assert p.api("consultant").post(f"/api/enrolments/{e.pk}/close", close_data(outcome)).status_code == 403
    assert p.web("consultant").get(f"/forloeb/{e.pk}/afslut/").status_code == 403
    assert p.web("coord_b").get(f"/forloeb/{e.pk}/afslut/").status_code == 404
    e.refresh_from_db()
    assert e.status == EnrolmentStatus.ACTIVE and e.outcome is None


def test_the_api_closes_lists_exports_and_signs_off_scoped(centre: dict) -> None:
    p: Personas = centre["p"]
    e = centre["e"]
    api = p.api("coord_a")
    outcome = e.intervention_model.outcome_choices.get(order=2)
    created = api.post(f"/api/enrolments/{e.pk}/close", close_data(outcome))
    assert created.status_code == 201, created.content
    report = created.json()
    assert report["version"] == 1 and report["outcome"] == outcome.name
    assert api.post(f"/api/enrolments/{e.pk}/close", close_data(outcome)).status_code == 422  # already closed
    assert [r["version"] for r in api.get(f"/api/enrolments/{e.pk}/reports").json()] == [1]
    pdf = api.get(report["pdf_url"])
    assert pdf.status_code == 200 and outcome.name in pdf_text(pdf.content)
    assert p.api("coord_b").get(report["pdf_url"]).status_code == 404
    assert p.api("consultant").get(report["pdf_url"]).status_code == 403
    again = api.post(f"/api/enrolments/{e.pk}/reports", {"recommendation": "Ny anbefaling"})
    assert again.status_code == 201 and again.json()["version"] == 2
    signed = api.post(f"/api/reports/{again.json()['id']}/sign-off")
    assert signed.status_code == 200 and signed.json()["signed_off_at"]
    models = api.get(f"/api/intervention-models/{e.intervention_model_id}").json()
    assert len(models["outcome_choices"]) == 7 and models["outcome_choices"][0]["successful"] is True


def test_attendance_stability_is_suggested_from_the_attendance_since_the_last_measurement(centre: dict) -> None:
    from scheduler.models import ProgressMeasurement

    p: Personas = centre["p"]
    e = centre["e"]
    # Since the last measurement (5 days ago) nothing was settled: no suggestion.
    assert p.api("coord_a").get(f"/api/enrolments/{e.pk}/progress").json()["stability_suggestion"] is None
    ProgressMeasurement.objects.filter(enrolment=e).delete()
    # Since the course start: 2 held of 4 settled (a no-show and an afbud) → 5 of 10.
    suggestion = p.api("coord_a").get(f"/api/enrolments/{e.pk}/progress").json()["stability_suggestion"]
    assert suggestion == {"score": 5, "held": 2, "settled": 4, "since": e.start_date.isoformat()}
    page = p.web("coord_a").get(f"/forloeb/{e.pk}/progression/").content.decode()
    assert "Mødestabilitet er foreslået til 5 ud fra fremmødet: 2 af 4 aftaler holdt" in page
    assert 'name="score_moedestabilitet" value="5"' in page
