"""Outcome statistics: ended courses per site, jobcentre and target group against the model's goal, as a
page with a plot and as CSV; and on the M demo centre."""
import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from activities.models import InterventionModel
from rooms.models import Site
from scheduler.attendance.services import Mark, Marker, attendance_mark
from scheduler.models import EnrolmentStatus, PlanStatus
from scheduler.statistics.selectors import outcome_statistics
from tests.personas import personas_create
from tests.publishing.factories import at, make_appointment, make_citizen, make_consultant, make_plan, make_site

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
FULL = "Tværfaglig fuldindsats – sygedagpenge"


def ended(site, outcome_order: int, weeks: int, jobcentre: str = "Jobcenter Vejle"):
    citizen = make_citizen(site, "Eva", f"Endt{outcome_order}{weeks}", start=TODAY - timedelta(weeks=weeks + 2))
    e = citizen.enrolments.get()
    model = InterventionModel.objects.get(name=FULL)
    e.intervention_model, e.referring_jobcentre = model, jobcentre
    e.end_date, e.status = TODAY - timedelta(weeks=2), EnrolmentStatus.ENDED
    e.outcome = model.outcome_choices.get(order=outcome_order)
    e.save()
    return e


@pytest.fixture
def centre() -> dict:
    a, b = make_site(code="alfa", name="Center Alfa"), make_site(code="beta", name="Center Beta")
    consultant = make_consultant(a, "Karen Alfa")
    personas = personas_create(site_a=a, site_b=b, consultant_a=consultant)
    rows = [ended(a, 1, 8), ended(a, 2, 10), ended(a, 5, 14, "Jobcenter Horsens"), ended(a, 1, 12),
            ended(b, 7, 20)]
    # Attendance: the first citizen held one talk and missed one.
    first = rows[0]
    plan = make_plan(TODAY - timedelta(weeks=6, days=TODAY.weekday()), [a], status=PlanStatus.PUBLISHED)
    t1 = make_appointment(plan, start=at(plan.week_start, 10), consultants=[consultant], citizens=[first.citizen])
    t2 = make_appointment(plan, start=at(plan.week_start + timedelta(days=1), 10), consultants=[consultant],
                          citizens=[first.citizen])
    attendance_mark(marker=Marker(actor="test"), marks=[Mark(t1.pk, first.citizen_id, "held"),
                                                         Mark(t2.pk, first.citizen_id, "no_show")])
    return {"a": a, "b": b, "p": personas, "rows": rows}


def test_per_site_the_share_successful_the_goal_median_length_and_attendance(centre: dict) -> None:
    rows, total = outcome_statistics(site_ids={centre["a"].pk}, by="center")
    (row,) = rows
    assert (row.key, row.ended, row.successful) == ("Center Alfa", 4, 3)
    assert row.success_share == 75.0 and row.goal == 70 and row.meets_goal
    assert row.median_weeks == 11.0 and row.normal_weeks == "6–13"
    assert row.attendance_rate == 50.0
    assert row.outcomes["Raskmeldt og tilbage i hidtidig beskæftigelse"] == 2
    by_jobcentre, _ = outcome_statistics(site_ids={centre["a"].pk, centre["b"].pk}, by="jobcenter")
    assert [(r.key, r.ended, r.success_share) for r in by_jobcentre] == [
        ("Jobcenter Horsens", 1, 0.0), ("Jobcenter Vejle", 4, 75.0)]
    _, both = outcome_statistics(site_ids={centre["a"].pk, centre["b"].pk}, by="maalgruppe")
    assert both.ended == 5 and both.success_share == 60.0 and not both.meets_goal


def test_the_page_plots_and_the_csv_lists_the_same_rows_for_the_coordinators_sites(centre: dict) -> None:
    client = centre["p"].web("coord_a")
    page = client.get("/statistik/?efter=center").content.decode()
    assert "<svg" in page and "mål 70 %" in page and "Center Alfa" in page and "Center Beta" not in page
    assert "Endt" not in page  # no names
    response = client.get("/statistik/udfald.csv?efter=maalgruppe")
    assert response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(response.content.decode()), delimiter=";"))
    assert lines[0][:4] == ["dimension", "værdi", "afsluttede", "succesfulde"]
    assert lines[1][:6] == ["Målgruppe", "Sygedagpenge", "4", "3", "75,0", "70"]
    assert lines[-1][1] == "I alt"
    assert centre["p"].web("consultant").get("/statistik/").status_code == 403


@pytest.mark.slow
def test_the_m_demo_has_ended_courses_whose_statistics_are_plausible() -> None:
    call_command("seed_demo", size="M", seed=1, stdout=io.StringIO())
    rows, total = outcome_statistics(site_ids=set(Site.objects.values_list("pk", flat=True)), by="center",
                                     since=TODAY - timedelta(days=365))
    assert len(rows) == 3 and total.ended == 50
    assert 55 <= total.success_share <= 95 and total.goal == 70
    assert total.median_weeks and 60 <= total.attendance_rate <= 95
    assert len(total.outcomes) >= 5
    client = Client()
    client.force_login(get_user_model().objects.get(username="koordinator"))
    assert client.get("/statistik/").status_code == 200
    assert client.get("/progression/").status_code == 200
