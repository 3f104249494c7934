"""When a rule is next due is decided once (scheduler.demand.rules): the overview flags a citizen only for
rules of their own model, with the deadlines the planner uses."""
from datetime import date

import pytest

from scheduler.demand.demand import week_demand
from scheduler.overview import rule_compliance
from tests.scheduler import planning_factories as f

pytestmark = pytest.mark.django_db

WEEK = f.WEEK  # Monday 30.11.2026


def visit_rule(days: int) -> dict:
    return {"kind": "followup_visit", "staff": ["job"], "duration_minutes": 45, "frequency_type": "every_n_days",
            "frequency_value": days, "place": "company", "condition": "in_internship"}


def test_an_internship_without_a_visit_rule_in_the_citizens_model_is_not_flagged() -> None:
    s = f.site()
    e = f.citizen(s, f.model_with_rules(f.talk_rule(28)))
    f.internship(e, start=date(2026, 10, 1))  # two months without a visit

    _overdue, visits = rule_compliance(site_ids=[s.id], week_start=WEEK)

    assert visits == []


def test_a_monthly_visit_rule_is_not_flagged_after_fourteen_days() -> None:
    s = f.site()
    k = f.consultant(s, staff="job")
    e = f.citizen(s, f.model_with_rules(visit_rule(28)))
    f.internship(e, start=date(2026, 10, 1))
    f.held(f.published_plan(s, date(2026, 11, 9)), e, "followup_visit", f.at(date(2026, 11, 10), 10), k)

    overdue, visits = rule_compliance(site_ids=[s.id], week_start=WEEK)

    assert (overdue, visits) == ([], [])  # 20 days since the visit, the model asks for one every 28


def test_a_fourteen_day_visit_rule_is_flagged_after_its_own_interval() -> None:
    s = f.site()
    k = f.consultant(s, staff="job")
    e = f.citizen(s, f.model_with_rules(visit_rule(14)))
    f.internship(e, start=date(2026, 10, 1))
    f.held(f.published_plan(s, date(2026, 11, 9)), e, "followup_visit", f.at(date(2026, 11, 10), 10), k)

    overdue, (visit,) = rule_compliance(site_ids=[s.id], week_start=WEEK)

    assert (visit.days_since, visit.every_days) == (20, 14)
    assert [r.deadline for r in overdue] == [date(2026, 11, 24)]


def test_the_overview_and_the_planner_agree_on_an_overdue_talk() -> None:
    s = f.site()
    k = f.consultant(s)
    e = f.citizen(s, f.model_with_rules(f.talk_rule(14)), contact=k)
    f.held(f.published_plan(s, date(2026, 11, 2)), e, "talk", f.at(date(2026, 11, 5), 10), k)

    (row,), _visits = rule_compliance(site_ids=[s.id], week_start=WEEK)
    (talk,) = [d for d in week_demand(week_start=WEEK, site_ids=[s.id]).demands if d.kind == "talk"]

    assert row.deadline == date(2026, 11, 19)
    assert f"frist var {row.deadline:%d.%m.}" in talk.reason_rule


def test_a_rule_after_job_start_counts_only_once_the_job_has_started() -> None:
    s = f.site()
    k = f.consultant(s)
    contact = {"kind": "contact", "duration_minutes": 30, "frequency_type": "every_n_days", "frequency_value": 7,
               "place": "phone", "condition": "after_job_start"}
    f.citizen(s, f.model_with_rules(contact), contact=k)  # no job yet
    started = f.citizen(s, f.model_with_rules(contact), contact=k)
    started.job_started = date(2026, 11, 2)
    started.save()

    overdue, _visits = rule_compliance(site_ids=[s.id], week_start=WEEK)

    assert [r.enrolment for r in overdue] == [started]
    assert overdue[0].deadline == date(2026, 11, 9)
