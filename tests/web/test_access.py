"""Who may open the coordinator UI, and what each coordinator sees."""
import pytest
from django.test import Client

from scheduler.models import UnplacedTask
from scheduler.weeks import iso_week_label
from tests.publishing.factories import make_plan
from tests.web.conftest import World

pytestmark = pytest.mark.django_db


def _pages(w) -> list[str]:  # the World fixture
    week = iso_week_label(w.week)
    return [
        "/", f"/uge/alfa/{week}/", f"/uge/alfa/{week}/overblik/", f"/uge/alfa/{week}/offentliggoer/",
        f"/aftale/{w.appointment_a.pk}/", f"/ikke-placeret/{w.unplaced_a.pk}/", "/kalenderlinks/alfa/",
        "/data/borgere/", f"/data/borgere/{w.citizen_a.pk}/", "/data/forloeb/ny/",
    ]


def test_anonymous_users_are_sent_to_the_login_page(world) -> None:
    for url in _pages(world):
        response = world.anonymous.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/?next="), url


def test_the_login_page_is_danish_and_logs_a_coordinator_in_to_the_coming_week(world) -> None:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="koord-a")
    user.set_password("hemmeligt-kodeord-1")
    user.save()
    client = Client()
    page = client.get("/login/").content.decode()
    assert '<html lang="da">' in page and 'for="id_username"' in page and "csrfmiddlewaretoken" in page
    response = client.post("/login/", {"username": "koord-a", "password": "hemmeligt-kodeord-1"})
    assert response.status_code == 302
    response = client.get("/")
    assert response["Location"] == f"/uge/alfa/{iso_week_label(world.week)}/"
    wrong = Client().post("/login/", {"username": "koord-a", "password": "forkert"})
    assert "korrekt brugernavn og adgangskode" in wrong.content.decode()


def test_consultants_and_other_users_get_403(world) -> None:
    for client in (world.consultant, world.outsider):
        for url in _pages(world):
            assert client.get(url).status_code == 403, url
        assert client.post(f"/aftale/{world.appointment_a.pk}/fastlaas/", {"version": 0}).status_code == 403


def test_it_hides_other_sites_objects(world) -> None:
    week = iso_week_label(world.week)
    c = world.coordinator
    for url in [
        f"/uge/beta/{week}/", f"/uge/beta/{week}/overblik/", f"/uge/beta/{week}/ugeskemaer.pdf",
        f"/aftale/{world.appointment_b.pk}/", f"/ikke-placeret/{world.unplaced_b.pk}/", "/kalenderlinks/beta/",
        f"/data/borgere/{world.citizen_b.pk}/", f"/data/forloeb/{world.citizen_b.enrolments.get().pk}/",
    ]:
        assert c.get(url).status_code == 404, url
    for url in [f"/aftale/{world.appointment_b.pk}/fastlaas/", f"/aftale/{world.appointment_b.pk}/aflys/",
                f"/uge/beta/{week}/planlaeg/"]:
        assert c.post(url, {"version": 0}).status_code == 404, url
    world.appointment_b.refresh_from_db()
    assert world.appointment_b.status == "planned" and not world.appointment_b.pinned


def test_it_hides_other_sites_citizens_in_lists_and_forms(world) -> None:
    page = world.coordinator.get("/data/borgere/").content.decode()
    assert "Anne Alfasen" in page and "Betasen" not in page
    form = world.coordinator.get("/data/forloeb/ny/").content.decode()
    assert "Alfasen" in form and "Betasen" not in form
    week = world.coordinator.get(f"/uge/alfa/{iso_week_label(world.week)}/?visning=borger").content.decode()
    assert "Anne Alfasen" in week and "Betasen" not in week


def test_every_form_needs_a_csrf_token(world) -> None:
    from django.contrib.auth import get_user_model

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(get_user_model().objects.get(username="koord-a"))
    week = iso_week_label(world.week)
    for url in [f"/aftale/{world.appointment_a.pk}/fastlaas/", f"/aftale/{world.appointment_a.pk}/aflys/",
                f"/uge/alfa/{week}/planlaeg/", f"/uge/alfa/{week}/offentliggoer/", "/kalenderlinks/alfa/",
                "/data/borgere/ny/", f"/uge/alfa/{week}/bestil/", "/logout/"]:
        assert strict.post(url, {"version": 0}).status_code == 403, url
    for url in [f"/uge/alfa/{week}/", f"/aftale/{world.appointment_a.pk}/", "/data/borgere/ny/",
                f"/uge/alfa/{week}/offentliggoer/", "/kalenderlinks/alfa/"]:
        page = strict.get(url).content.decode()
        assert page.count("<form") >= 1
        assert page.count('method="post"') == page.count("csrfmiddlewaretoken"), url


def test_it_hides_another_sites_unplaced_citizen_even_in_a_plan_that_spans_both_sites(world: World) -> None:
    shared = make_plan(world.week, [world.site_a, world.site_b])
    task = UnplacedTask.objects.create(plan=shared, task_key="talk:z", kind="talk", reason="Ingen ledig tid")
    task.citizens.set([world.citizen_b])
    assert world.coordinator.get(f"/ikke-placeret/{task.pk}/").status_code == 404
    assert world.other_coordinator.get(f"/ikke-placeret/{task.pk}/").status_code == 200
