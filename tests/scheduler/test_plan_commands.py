"""plan_week and export_plan as a coordinator or `make run` uses them."""
from io import StringIO

import pytest
from django.core.management import call_command

from scheduler.models import Plan
from tests.scheduler import planning_factories as f

pytestmark = pytest.mark.django_db


def test_plan_week_prints_what_was_placed_and_why_the_rest_was_not() -> None:
    s = f.site()
    k = f.consultant(s)
    f.citizen(s, f.model_with_rules(f.talk_rule(28)), contact=k)
    f.citizen(s, f.model_with_rules(f.talk_rule(28, staff=["health"])))
    out = StringIO()

    call_command("plan_week", week="2026-W49", site=["vejle"], time_limit=5, workers=1, allow_started_week=True,
                 stdout=out)

    text = out.getvalue()
    assert "Kladde for uge 2026-W49 gemt" in text
    assert "Målfunktion" in text and "gab" in text
    assert "talk" in text and "Ikke placeret: 1" in text
    assert "Ingen sundhedskonsulent dækker Vejle" in text


def test_plan_week_if_missing_leaves_an_existing_plan_alone() -> None:
    s = f.site()
    f.consultant(s)
    call_command("plan_week", week="2026-W49", time_limit=5, workers=1, allow_started_week=True, stdout=StringIO())
    first = Plan.objects.get()
    out = StringIO()

    call_command("plan_week", week="2026-W49", if_missing=True, stdout=out)

    assert Plan.objects.get() == first
    assert "allerede en plan" in out.getvalue()
