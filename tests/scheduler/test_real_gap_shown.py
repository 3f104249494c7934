"""The gap a coordinator sees is against the real-problem bound (solver.relaxed): stored with the plan,
printed by plan_week, in the export, the API and on the run page; the candidate-set gap stays as a
technical detail."""
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from scheduler.models import Plan, SolveRun, SolveRunStatus
from scheduler.planning.selectors import plan_export, plan_real_gap, plan_summary
from scheduler.web.plan_views import real_gap_text
from solver.relaxed import real_gap_of
from tests.personas import personas_create
from tests.scheduler import planning_factories as f

pytestmark = pytest.mark.django_db


def _week_with_a_choice() -> tuple[Plan, object]:
    s = f.site()
    k = f.consultant(s)
    f.consultant(s, "Anden Konsulent")
    phase = f.model_with_rules(f.talk_rule(28))
    for _ in range(3):
        f.citizen(s, phase, contact=k)
    f.citizen(s, f.model_with_rules(f.talk_rule(28, staff=["health"])))  # nobody can hold it
    out = StringIO()
    # The factories' week (2026-W49) may have begun: say so, as a coordinator would.
    call_command("plan_week", week="2026-W49", site=["vejle"], time_limit=5, workers=1, allow_started_week=True,
                 stdout=out)
    return Plan.objects.get(), (s, k, out.getvalue())


def test_the_plan_stores_the_real_gap_and_plan_week_prints_it_in_danish() -> None:
    plan, (_s, _k, text) = _week_with_a_choice()

    bound, gap = plan_real_gap(plan)
    stats = plan.solver_info["stats"]
    assert (bound, gap) == real_gap_of(stats, plan.objective)
    assert bound is not None and 0 <= bound <= plan.objective
    assert gap is not None and 0.0 <= gap <= 1.0
    assert f"Højst {gap:.1%} fra den bedst mulige plan (grænse {bound})." in text
    assert "kun de afprøvede starttider" in text
    assert plan_summary(plan=plan)["real_gap"] == gap
    exported = plan_export(plan=plan)["plan"]
    assert exported["real_gap"] == gap and exported["real_bound"] == bound
    assert exported["gap"] == plan.gap  # the candidate-set gap is kept as it was


def test_a_decomposed_solve_adds_up_the_parts_real_bounds() -> None:
    parts = [
        {"real_bound": 100, "real_unavoidable": 40},
        {"real_bound": 50, "real_unavoidable": 0},
    ]
    assert real_gap_of({"parts": parts}, 200) == (150, (200 - 150) / (200 - 40))
    # one part without a bound (a cancel): no real gap rather than a wrong one
    assert real_gap_of({"parts": [*parts, {"wall_seconds": 1.0}]}, 200) == (None, None)
    assert real_gap_of({}, 10) == (None, None)
    assert real_gap_of({"real_bound": 10, "real_unavoidable": 0}, None) == (None, None)


def test_real_gap_text_reads_as_plain_danish() -> None:
    assert real_gap_text(None) == ""
    assert real_gap_text(0.0) == "Den bedst mulige plan"
    assert real_gap_text(0.0321) == "Højst 3,3 % fra den bedst mulige plan"  # "at most": rounded up
    assert real_gap_text(0.045) == "Højst 4,5 % fra den bedst mulige plan"


def test_the_run_page_and_api_show_the_real_gap_once_the_plan_is_stored() -> None:
    plan, (s, k, _text) = _week_with_a_choice()
    other = f.site("horsens", "Horsens")
    people = personas_create(site_a=s, site_b=other, consultant_a=k)
    plan.solver_info["real_gap"] = 0.0456
    plan.save(update_fields=["solver_info"])
    run = SolveRun.objects.create(week_start=plan.week_start, status=SolveRunStatus.DONE, plan=plan,
                                  objective=plan.objective, gap=0.5)
    run.sites.set([s])

    page = people.web("coord_a").get(reverse("web:run", args=[run.pk]) + "?center=vejle")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Højst 4,6 % fra den bedst mulige plan" in html
    assert "kun de afprøvede starttider" in html  # the candidate-set gap, under "Tekniske detaljer"

    status = people.web("coord_a").get(reverse("web:run_status", args=[run.pk]) + "?center=vejle").json()
    assert status["real_gap"] == 0.0456 and status["real_gap_text"] == "Højst 4,6 % fra den bedst mulige plan"

    api = people.api("coord_a")
    assert api.get(f"/api/plans/runs/{run.pk}").json()["real_gap"] == 0.0456
    assert api.get(f"/api/plans/{plan.pk}").json()["real_gap"] == 0.0456

    # a run still going shows no real gap yet (the bound belongs to the stored plan)
    running = SolveRun.objects.create(week_start=plan.week_start, status=SolveRunStatus.RUNNING, plan=None)
    running.sites.set([s])
    html = people.web("coord_a").get(reverse("web:run", args=[running.pk]) + "?center=vejle").content.decode()
    assert "fra den bedst mulige plan" not in html
