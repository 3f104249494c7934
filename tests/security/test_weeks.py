"""Weeks from outside (URLs, query strings, API bodies) are parsed once (scheduler.weeks) and bounded:
a week outside the window answers 404 on pages and secret links and 422 in the API, never 500, and no
planning run is stored for it."""
from datetime import timedelta

import pytest
from django.test import Client

from scheduler.models import SolveRun
from scheduler.weeks import (
    PLAN_WEEKS_AHEAD,
    PLAN_WEEKS_BACK,
    READ_WEEKS,
    WeekError,
    current_monday,
    iso_week_label,
    parse_iso_week,
    planning_week_check,
)
from tests.security.conftest import World

EXTREME_WEEKS = ["0001-W01", "9999-W52", "1900-W01", "3000-W10"]
MALFORMED_WEEKS = ["2026-W54", "2026-W00", "2026W49", "26-W49", "2026-W49-1", "+2026-W49", "２０２６-W49", "x" * 40]


def _path(url: str) -> str:
    return url.replace("http://127.0.0.1:8000", "")


def _shifted(weeks: int) -> str:
    return iso_week_label(current_monday() + timedelta(weeks=weeks))


# -- the parser ------------------------------------------------------------------------------------------


def test_the_parser_accepts_weeks_in_the_read_window_and_refuses_the_rest() -> None:
    monday = current_monday()
    assert parse_iso_week(iso_week_label(monday)) == monday
    assert parse_iso_week(" " + iso_week_label(monday).lower() + " ") == monday
    assert parse_iso_week(_shifted(READ_WEEKS)) == monday + timedelta(weeks=READ_WEEKS)
    assert parse_iso_week(_shifted(-READ_WEEKS)) == monday - timedelta(weeks=READ_WEEKS)
    for text in [_shifted(READ_WEEKS + 1), _shifted(-READ_WEEKS - 1), *EXTREME_WEEKS, *MALFORMED_WEEKS]:
        with pytest.raises(WeekError) as refused:
            parse_iso_week(text)
        assert "uge" in str(refused.value).lower()  # a Danish message for people
        assert isinstance(refused.value, ValueError)  # callers that catch ValueError keep working


def test_planning_is_allowed_from_a_little_in_the_past_to_about_a_year_ahead() -> None:
    monday = current_monday()
    for weeks in (-PLAN_WEEKS_BACK, 0, 1, PLAN_WEEKS_AHEAD):
        planning_week_check(monday + timedelta(weeks=weeks))
    for weeks in (-PLAN_WEEKS_BACK - 1, PLAN_WEEKS_AHEAD + 1):
        with pytest.raises(WeekError):
            planning_week_check(monday + timedelta(weeks=weeks))


# -- secret links ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("week", EXTREME_WEEKS + ["2026-W54"])
def test_secret_link_pages_answer_404_for_weeks_out_of_range(world: World, week: str) -> None:
    client = Client(raise_request_exception=False)
    citizen, consultant = world.links["citizen"], world.links["consultant"]
    for url in (citizen.page_url, citizen.pdf_url, consultant.pdf_url):
        response = client.get(_path(url), {"uge": week})
        assert response.status_code == 404, (url, week, response.status_code)


def test_the_citizen_page_at_the_edge_of_the_window_still_answers(world: World) -> None:
    client = Client(raise_request_exception=False)
    link = world.links["citizen"]
    for week in (_shifted(READ_WEEKS), _shifted(-READ_WEEKS)):
        assert client.get(_path(link.page_url), {"uge": week}).status_code == 200
        assert client.get(_path(link.pdf_url), {"uge": week}).status_code == 200


# -- coordinator pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize("week", EXTREME_WEEKS)
@pytest.mark.parametrize("suffix", ["", "ugeskemaer.pdf", "overblik/", "offentliggoer/"])
def test_coordinator_pages_answer_404_for_weeks_out_of_range(world: World, week: str, suffix: str) -> None:
    client = world.web("coord_a")
    client.raise_request_exception = False
    response = client.get(f"/uge/alfa/{week}/{suffix}")
    assert response.status_code == 404, (week, suffix, response.status_code)


@pytest.mark.parametrize("week", EXTREME_WEEKS)
def test_starting_a_run_for_a_week_out_of_range_from_the_web_is_refused(world: World, week: str) -> None:
    client = world.web("coord_a")
    client.raise_request_exception = False
    assert client.post(f"/uge/alfa/{week}/planlaeg/").status_code == 404
    assert not SolveRun.objects.filter(week_start__year__in=[1, 9999, 1900, 3000]).exists()


def test_the_week_picker_refuses_a_week_out_of_range(world: World) -> None:
    client = world.web("coord_a")
    response = client.get("/uge/", {"site": "alfa", "week": "0001-W01"}, follow=True)
    assert response.status_code == 200
    assert "Ugen skal ligge mellem" in response.content.decode()


def test_planning_an_old_week_from_the_web_says_why(world: World) -> None:
    client = world.web("coord_a")
    old = _shifted(-PLAN_WEEKS_BACK - 2)
    response = client.post(f"/uge/alfa/{old}/planlaeg/", follow=True)
    assert response.status_code == 200
    assert "kan kun planlægges" in response.content.decode()
    assert not SolveRun.objects.filter(week_start=parse_iso_week(old)).exists()


# -- the API ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("week", EXTREME_WEEKS + ["2026-W54"])
def test_the_api_answers_422_for_weeks_out_of_range_and_stores_no_run(world: World, week: str) -> None:
    api = world.api("admin")
    api.raise_request_exception = False
    started = api.post("/api/plans/runs", {"week": week, "sites": ["alfa"]}, content_type="application/json")
    assert started.status_code == 422, started.content
    assert started.json()["detail"][0]["field"] == "week"
    read = api.get("/api/plans", {"week": week, "site": "alfa"})
    assert read.status_code == 422 and read.json()["detail"][0]["field"] == "week"
    listed = api.get("/api/enrolments", {"week": week})
    assert listed.status_code == 422 and listed.json()["detail"][0]["field"] == "week"
    assert list(SolveRun.objects.values_list("pk", flat=True)) == [world.objects["run"].pk]


def test_the_api_plans_only_inside_the_planning_window(world: World) -> None:
    api = world.api("admin")
    old = api.post("/api/plans/runs", {"week": _shifted(-PLAN_WEEKS_BACK - 1), "sites": ["alfa"]},
                   content_type="application/json")
    assert old.status_code == 422 and old.json()["detail"][0]["field"] == "week"
    far = api.post("/api/plans/runs", {"week": _shifted(PLAN_WEEKS_AHEAD + 1), "sites": ["alfa"]},
                   content_type="application/json")
    assert far.status_code == 422
    ok = api.post("/api/plans/runs", {"week": _shifted(1), "sites": ["alfa"]}, content_type="application/json")
    assert ok.status_code == 202, ok.content


# -- one parser ---------------------------------------------------------------------------------------------


def test_iso_weeks_are_parsed_only_in_scheduler_weeks() -> None:
    """Another module calling date.fromisocalendar would be a second, unvalidated parser."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = [
        str(path.relative_to(root))
        for folder in ("scheduler", "api", "rooms", "activities", "audit", "solver")
        for path in (root / folder).rglob("*.py")
        if "fromisocalendar" in path.read_text() and path.relative_to(root).as_posix() != "scheduler/weeks.py"
    ]
    assert offenders == []
    assert WeekError is not None
