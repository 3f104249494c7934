"""Errors speak Danish and offer a way back, for coordinators and for citizens with a stale link."""
from django.template.loader import render_to_string
from django.test import Client


def test_an_unknown_address_answers_a_danish_404_with_a_way_back(world) -> None:
    response = world.coordinator.get("/findes-ikke/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "Siden findes ikke" in body and 'href="/"' in body and "Not Found" not in body


def test_a_stale_citizen_link_answers_a_danish_404(db: None) -> None:
    response = Client().get("/borger/ikke-et-gyldigt-link/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "Siden findes ikke" in body and "spørg din kontaktperson" in body
    assert "Log ud" not in body  # nobody is logged in on a citizen's phone


def test_a_consultant_on_a_coordinator_screen_gets_a_danish_403(world) -> None:
    response = world.consultant.get(f"/aftale/{world.appointment_a.pk}/")
    body = response.content.decode()
    assert response.status_code == 403
    assert "Ingen adgang" in body and "Anne Alfasen" not in body


def test_the_500_page_needs_no_database_and_speaks_danish() -> None:
    body = render_to_string("500.html")
    assert 'lang="da"' in body and "Der skete en fejl" in body and 'href="/"' in body
