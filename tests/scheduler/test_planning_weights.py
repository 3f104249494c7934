"""The planner's weights are set once for the installation (admin) and reach every Problem built."""
import io
from dataclasses import asdict, fields

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from rooms.models import Site
from scheduler.availability import coming_week_start
from scheduler.models import PlanningWeights
from scheduler.planning.selectors import planning_weights
from scheduler.problem.builder import problem_build
from solver.problem import Weights

pytestmark = pytest.mark.django_db


def test_the_model_offers_every_solver_weight_with_the_solvers_default() -> None:
    names = {f.name for f in fields(Weights)}
    assert names <= {f.name for f in PlanningWeights._meta.get_fields()}
    assert asdict(PlanningWeights().to_solver()) == asdict(Weights())
    assert planning_weights() == Weights()  # nobody has set them: the defaults


def test_weights_set_by_the_coordinator_reach_the_planner() -> None:
    call_command("seed_demo", size="S", seed=1, stdout=io.StringIO())
    PlanningWeights(citizen_trip=0, citizen_gap=40, not_contact_consultant=900).save()
    built = problem_build(week_start=coming_week_start(), site_ids=list(Site.objects.values_list("pk", flat=True)))
    assert built.problem.weights == Weights(citizen_trip=0, citizen_gap=40, not_contact_consultant=900)
    PlanningWeights(citizen_trip=150).save()  # still one row: a second save replaces the first
    assert PlanningWeights.objects.count() == 1 and planning_weights().citizen_trip == 150


def test_the_admin_adds_the_row_once_and_never_deletes_it() -> None:
    admin = get_user_model().objects.create_superuser("vaegt-admin", password="x")
    client = Client()
    client.force_login(admin)
    form = {f.name: getattr(Weights(), f.name) for f in fields(Weights)} | {"citizen_gap": 25}
    response = client.post("/admin/scheduler/planningweights/add/", form)
    assert response.status_code == 302, response.content[:500]
    assert planning_weights().citizen_gap == 25
    assert client.get("/admin/scheduler/planningweights/add/").status_code == 403
    assert client.post("/admin/scheduler/planningweights/1/delete/", {"post": "yes"}).status_code == 403
    refused = client.post("/admin/scheduler/planningweights/1/change/", form | {"citizen_gap": -1})
    assert refused.status_code == 200 and planning_weights().citizen_gap == 25
