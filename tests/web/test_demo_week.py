"""The small demo centre through the coordinator's screens, with the real planner (run synchronously, as
the django-q2 worker would) and the real verifier."""
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from pypdf import PdfReader

from scheduler.availability import coming_week_start
from scheduler.models import Appointment, Plan, SolveRun, UnplacedTask
from scheduler.planning.runs import solve_run_execute
from scheduler.weeks import iso_week_label

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def demo(settings) -> Client:
    settings.PLANNER_TIME_LIMIT_SECONDS = 5
    settings.PLANNER_NUM_WORKERS = 2
    call_command("seed_demo", size="S", seed=1, stdout=io.StringIO())
    client = Client()
    client.force_login(get_user_model().objects.get(username="koordinator"))
    return client


def test_the_demo_week_is_planned_adjusted_published_and_printed(demo) -> None:
    week = f"/uge/vejle/{iso_week_label(coming_week_start())}/"
    run_url = demo.post(week + "planlaeg/")["Location"]
    run = SolveRun.objects.get()
    assert solve_run_execute(run_id=run.pk) == "done"
    path, query = run_url.split("?")
    assert query == "center=vejle"
    assert json.loads(demo.get(f"{path}status.json?{query}").content)["redirect"] == week
    page = demo.get(week).content.decode()
    assert page.count('class="wb kind-') > 20 and "Kladde" in page

    # A move past the end of the working day is refused, and the page says why in Danish.
    talk = Appointment.objects.filter(plan__status="draft", kind="talk").order_by("pk").first()
    plan = talk.plan
    refused = demo.post(f"/aftale/{talk.pk}/", {"version": plan.lock_version, "day": 0, "start": "15:45"},
                        follow=True).content.decode()
    assert "Flytningen er afvist: " in refused
    before = talk.start
    talk.refresh_from_db()
    assert talk.start == before

    # Ranked options are the solver's candidates on the plan's free time: the first one moves the talk.
    options = demo.get(f"/aftale/{talk.pk}/").content.decode()
    assert "Ledige tider (bedste først)" in options and "/tjek/" not in options
    option = _first_option(options)
    assert option is not None
    plan.refresh_from_db()
    moved = demo.post(f"/aftale/{talk.pk}/flyt/", {**option, "version": plan.lock_version}, follow=True)
    page = moved.content.decode()
    assert "Aftalen er flyttet til" in page, page[page.find("Flytningen"):][:300]

    # Find a time for something the planner could not place: placed, or refused with a reason.
    task = next((u for u in UnplacedTask.objects.filter(plan=plan) if len(u.citizens.all()) == 1
                 and u.kind != "group_session"), None)
    if task is not None:
        find = demo.get(f"/ikke-placeret/{task.pk}/").content.decode()
        assert task.reason in find
        option = _first_option(find)
        if option:
            result = demo.post(f"/ikke-placeret/{task.pk}/", {**option, "version": Plan.objects.get(
                pk=plan.pk).lock_version}, follow=True).content.decode()
            assert "Aftalen er placeret." in result  # options are guaranteed, so placing one succeeds

    # Publish: first version, then the PDF of every citizen's week.
    preview = demo.get(week + "offentliggoer/").content.decode()
    assert "Første version af ugen" in preview
    plan.refresh_from_db()
    published = demo.post(week + "offentliggoer/", {"version": plan.lock_version}, follow=True).content.decode()
    assert "Ugen er offentliggjort som version 1." in published
    pdf = demo.get(week + "ugeskemaer.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(pdf.content)).pages) > 5

    # Re-plan keeping pins, then the summary of changes against version 1.
    demo.post(week + "planlaeg/")
    solve_run_execute(run_id=SolveRun.objects.order_by("-pk").first().pk)
    diff = demo.get(week + "offentliggoer/").content.decode()
    assert "Ændringer i forhold til den offentliggjorte version 1" in diff
    overview = demo.get(week + "overblik/").content.decode()
    assert "Sagsstamme og planlagte timer" in overview


def _first_option(page: str) -> dict[str, str] | None:
    if 'name="start" value="' not in page:
        return None
    form = page.split('name="start" value="')[1]
    values = {"start": form.split('"')[0]}
    for name in ("consultant", "room"):
        values[name] = form.split(f'name="{name}" value="')[1].split('"')[0]
    return values
