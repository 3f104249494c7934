"""The coordinator's "Nye hold" screen and the API operations behind it, with the real solver."""
import json
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from activities.models import CourseMembership, GroupCourse
from api.auth import api_token_create
from scheduler.models import Coordinator
from scheduler.weeks import iso_week_label
from tests.scheduler import planning_factories as f
from tests.scheduler.test_course_proposals import COPING, quiet_weeks

pytestmark = pytest.mark.django_db


@pytest.fixture
def centre(settings):
    settings.PLANNER_NUM_WORKERS = 1
    week = quiet_weeks(4)
    s = f.site(code="vejle")
    other = f.site(code="kolding", name="Kolding")
    f.consultant(s, "Mette Hansen")
    phase = f.model_with_rules(COPING)
    waiting = [f.citizen(s, phase, start=week - timedelta(weeks=2)) for _ in range(6)]
    users = get_user_model().objects
    own, foreign = users.create_user("koord-v"), users.create_user("koord-k")
    Coordinator.objects.create(user=own).sites.set([s])
    Coordinator.objects.create(user=foreign).sites.set([other])
    return week, s, waiting, own, foreign


def test_a_coordinator_sees_the_proposal_and_accepting_it_as_shown_creates_the_course(centre) -> None:
    week, s, waiting, own, _foreign = centre
    client = Client()
    client.force_login(own)
    url = f"/uge/{s.code}/{iso_week_label(week)}/nye-hold/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Foreslået nyt hold: Mestring, " in html and "6 borgere venter" in html
    assert all(e.citizen.full_name in html for e in waiting)
    form = re.search(r'<form method="post" action="([^"]+/nye-hold/opret/)">(.*?)</form>', html, re.S)
    fields: dict[str, list[str]] = {}
    for tag in re.findall(r"<input[^>]+>", form.group(2)):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and ('type="checkbox"' not in tag or "checked" in tag):
            fields.setdefault(name.group(1), []).append(value.group(1) if value else "")
    fields["facilitator"] = [re.search(r'<option value="(\d+)" selected', form.group(2)).group(1)]
    response = client.post(form.group(1), fields)
    assert response.status_code == 302 and response["Location"].endswith(f"/uge/{s.code}/{iso_week_label(week)}/")
    course = GroupCourse.objects.get()
    assert set(CourseMembership.objects.filter(course=course).values_list("citizen_id", flat=True)) == {
        e.citizen_id for e in waiting}
    assert client.get(url).content.decode().count("Foreslået nyt hold") == 0


def test_the_api_lists_proposals_and_accepts_one_for_the_callers_sites_only(centre) -> None:
    week, s, waiting, own, foreign = centre
    token = api_token_create(user=own, name="t")[1]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    answer = api.get(f"/api/course-proposals?site={s.code}&week={iso_week_label(week)}&weeks=4")
    assert answer.status_code == 200
    (group,) = answer.json()
    (proposal,) = group["proposals"]
    assert group["theme"] == "coping" and group["waiting"] == 6 and proposal["text"].startswith("Mestring, ")
    body = {**proposal, "site": s.code}
    body["facilitator"] = proposal["facilitator"]
    created = api.post("/api/course-proposals/accept", json.dumps(body), content_type="application/json")
    assert created.status_code == 201, created.content
    assert GroupCourse.objects.get(pk=created.json()["id"]).sessions.count() == len(proposal["weekdays"])
    other = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=foreign, name='t')[1]}")
    refused = other.post("/api/course-proposals/accept", json.dumps(body), content_type="application/json")
    assert refused.status_code == 422 and GroupCourse.objects.count() == 1
