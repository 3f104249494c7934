"""Progress measurement: the rule kind that plans the talk, recording scores, the chart's data and the
centre's distribution."""
from datetime import date, timedelta

import pytest
from django.utils import timezone

from activities.models import ActivityRule, InterventionModel
from scheduler.demand.demand import week_demand
from scheduler.models import INDICATORS, ProgressGroup, ProgressMeasurement
from scheduler.planning.services import plan_create_draft
from scheduler.progress.chart import chart_layout, chart_svg
from scheduler.progress.selectors import progress_distribution, progress_series
from scheduler.progress.services import ProgressError, progress_measurement_record
from tests.dates import WEEK
from tests.scheduler import planning_factories as f

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def progress_rule(days: int = 28) -> dict:
    return {"kind": "progress", "duration_minutes": 45, "frequency_type": "every_n_days", "frequency_value": days}


def scores(value: int = 5, **over: int) -> dict[str, int]:
    return {**{i.code: value for i in INDICATORS}, **over}


def record(e, day: date, value: int = 5, **kw):
    over = kw.pop("over", {})
    return progress_measurement_record(enrolment=e, measured_on=day, scores=scores(value, **over), user=None, **kw)


def test_the_seed_indicators_are_twelve_in_three_groups_of_four() -> None:
    assert len(INDICATORS) == 12
    for group in ProgressGroup:
        assert len([i for i in INDICATORS if i.group == group]) == 4
    labels = {i.label for i in INDICATORS}
    assert {"Mødestabilitet", "Motivation", "Åben for forandringer", "Kan se nye muligheder"} <= labels


def test_the_full_model_measures_progress_as_a_rule_first_once_then_every_28_days() -> None:
    model = InterventionModel.objects.get(name="Tværfaglig fuldindsats – sygedagpenge")
    rules = ActivityRule.objects.filter(phase__model=model, kind="progress").order_by("phase__order")
    assert [(r.phase.name, r.frequency_type, r.frequency_value) for r in rules] == [
        ("Min plan", "once", 1), ("Samtaler og holdforløb", "every_n_days", 28),
        ("Praktik og job", "every_n_days", 28),
    ]


def test_a_progress_rule_makes_a_measurement_due_and_a_recorded_measurement_resets_it() -> None:
    s = f.site()
    k = f.consultant(s)
    e = f.citizen(s, f.model_with_rules(progress_rule(28)), contact=k, start=WEEK - timedelta(days=60))

    due = [d for d in week_demand(week_start=WEEK, site_ids=[s.id]).demands if d.kind == "progress"]
    assert len(due) == 1 and due[0].preferred_consultant_ids == (k.id,)
    assert "Progressionsmåling" in due[0].reason_rule

    record(e, TODAY)
    assert not [d for d in week_demand(week_start=WEEK, site_ids=[s.id]).demands if d.kind == "progress"]


def test_the_planner_places_the_progress_talk_with_the_contact_consultant() -> None:
    s = f.site()
    k = f.consultant(s)
    f.consultant(s, "Anden Konsulent")
    e = f.citizen(s, f.model_with_rules(progress_rule(28)), contact=k, start=WEEK - timedelta(days=60))

    plan = plan_create_draft(week_start=WEEK, site_ids=[s.id], time_limit=10, num_workers=1, random_seed=1)

    (a,) = plan.appointments.all()
    assert a.kind == "progress" and list(a.consultants.all()) == [k] and list(a.citizens.all()) == [e.citizen]
    assert a.get_kind_display() == "Progressionsmåling"


def test_recording_needs_all_twelve_scores_from_1_to_10_on_a_day_inside_the_course() -> None:
    s = f.site()
    e = f.citizen(s, f.model_with_rules(), start=TODAY - timedelta(days=30))
    partial = scores()
    del partial["motivation"]
    with pytest.raises(ProgressError, match="Motivation"):
        progress_measurement_record(enrolment=e, measured_on=TODAY, scores=partial, user=None)
    with pytest.raises(ProgressError, match="1 til 10"):
        record(e, TODAY, over={"mestring": 11})
    with pytest.raises(ProgressError, match="fremtiden"):
        record(e, TODAY + timedelta(days=1))
    with pytest.raises(ProgressError, match="uden for forløbet"):
        record(e, TODAY - timedelta(days=31))
    with pytest.raises(ProgressError, match="Ukendte"):
        progress_measurement_record(enrolment=e, measured_on=TODAY, scores=scores(x=3), user=None)
    assert not ProgressMeasurement.objects.exists()

    record(e, TODAY, 4)
    record(e, TODAY, 6, note="ny vurdering")  # the same day replaces
    (m,) = ProgressMeasurement.objects.all()
    assert m.note == "ny vurdering" and sorted({sc.score for sc in m.scores.all()}) == [6]
    assert m.scores.count() == 12


def test_the_series_gives_group_means_change_and_marks_difficult_periods() -> None:
    s = f.site()
    e = f.citizen(s, f.model_with_rules(), start=TODAY - timedelta(days=90))
    d1, d2, d3, d4 = (TODAY - timedelta(days=n) for n in (80, 56, 28, 1))
    record(e, d1, 3)
    record(e, d2, 5)
    # FREMTID falls from 5 to 3.5 (two indicators down 3): a difficult period, found without a flag.
    record(e, d3, 5, over={"nye_muligheder": 2, "realistisk": 2})
    record(e, d4, 7, difficult_period=False)

    series = progress_series(e)

    assert [p.measured_on for p in series.points] == [d1, d2, d3, d4]
    assert series.group(ProgressGroup.FREMTID) == [(d1, 3.0), (d2, 5.0), (d3, 3.5), (d4, 7.0)]
    assert series.indicator("motivation") == [(d1, 3), (d2, 5), (d3, 5), (d4, 7)]
    assert series.difficult_periods() == [(d2, d3)]
    assert series.change()["motivation"] == 4

    record(e, d2, 5, difficult_period=True)  # flagged by the consultant
    assert progress_series(e).difficult_periods() == [(d1, d2), (d2, d3)]


def test_the_chart_draws_three_panels_twelve_indicators_and_shades_difficult_periods() -> None:
    s = f.site()
    e = f.citizen(s, f.model_with_rules(), start=TODAY - timedelta(days=90))
    record(e, TODAY - timedelta(days=60), 6)
    record(e, TODAY - timedelta(days=30), 4, difficult_period=True)
    record(e, TODAY - timedelta(days=2), 8)
    series = progress_series(e)

    layout = chart_layout(series)
    assert [p.title for p in layout.panels] == ["UDVIKLING", "EMPOWERMENT", "FREMTID"]
    assert sum(len(p.lines) for p in layout.panels) == 12 + 3
    assert all(len(line.points) == 3 for p in layout.panels for line in p.lines)
    assert all(len(p.shaded) == 1 for p in layout.panels)
    # Higher scores are drawn higher up (smaller y): 8 above 6 above 4.
    ys = [y for _x, y in layout.panels[0].lines[-1].points]
    assert ys[2] < ys[0] < ys[1]

    svg = chart_svg(series)
    assert svg.startswith("<svg") and svg.count("<polyline") == 15 and "Svær periode" in svg
    assert "Åben for forandringer" in svg and "<script" not in svg


def test_the_distribution_per_site_and_target_group_counts_and_medians_without_names() -> None:
    a, b = f.site("alfa", "Alfa"), f.site("beta", "Beta")
    phase = f.model_with_rules()
    start = TODAY - timedelta(days=90)
    e1, e2, e3 = (f.citizen(a, phase, start=start) for _ in range(3))
    eb = f.citizen(b, phase, start=start)
    record(e1, TODAY - timedelta(days=50), 3)
    record(e1, TODAY - timedelta(days=5), 7)
    record(e2, TODAY - timedelta(days=50), 6)
    record(e2, TODAY - timedelta(days=5), 5)
    record(eb, TODAY - timedelta(days=5), 9)

    rows = progress_distribution(site_ids={a.pk})

    (row,) = rows
    assert (row.site_name, row.target_group, row.enrolments, row.measured) == ("Alfa", "Sygedagpenge", 3, 2)
    assert row.median_latest == 6.0 and row.histogram == [0, 0, 1, 1, 0]
    assert sorted(row.changes) == [-1.0, 4.0] and row.improved == 1
    assert row.group_medians["udvikling"] == 6.0
    assert e3.citizen.last_name not in repr(rows)
    assert {r.site_name for r in progress_distribution(site_ids={a.pk, b.pk})} == {"Alfa", "Beta"}


def test_the_demo_centre_has_progress_scores_for_the_full_model() -> None:
    import io

    from django.core.management import call_command

    from scheduler.models import ProgressScore

    call_command("seed_demo", size="S", seed=1, stdout=io.StringIO())
    measured = ProgressMeasurement.objects.select_related("enrolment__intervention_model")
    assert measured.count() >= 20
    assert {m.enrolment.intervention_model.name for m in measured} == {"Tværfaglig fuldindsats – sygedagpenge"}
    assert ProgressScore.objects.count() == 12 * measured.count()
    assert all(m.measured_on <= TODAY and m.measured_on >= m.enrolment.start_date for m in measured)
    several = [e for e in {m.enrolment for m in measured} if e.progress_measurements.count() >= 2]
    assert several and any(progress_series(e).difficult_periods() for e in several)
