"""A citizen's secret link from their page: issued once with a QR code, printed on their PDF, revocable."""
import io
import re

from django.test import Client
from pypdf import PdfReader

from scheduler.models import FeedToken


def _issue(world) -> str:
    url = f"/data/borgere/{world.citizen_a.pk}/"
    response = world.coordinator.post(url + "link/", {"action": "rotate"})
    assert response.status_code == 302 and response["Location"] == url + "#borgerlink"
    page = world.coordinator.get(url).content.decode()
    assert '<svg class="qr"' in page and 'data-copy="page-url"' in page
    return re.search(r'id="page-url" type="text" readonly value="([^"]+)"', page).group(1)


def test_a_coordinator_issues_a_citizens_link_shown_once_with_a_qr_code(world) -> None:
    page_url = _issue(world)
    assert page_url.startswith("http://127.0.0.1:8000/borger/")
    again = world.coordinator.get(f"/data/borgere/{world.citizen_a.pk}/").content.decode()
    assert "/borger/" not in again and "Aktivt link, lavet" in again  # shown once, reload issues nothing
    assert FeedToken.objects.filter(citizen=world.citizen_a, revoked_at__isnull=True).count() == 1
    path = page_url.removeprefix("http://127.0.0.1:8000")
    assert Client().get(path).status_code == 200


def test_the_citizens_pdf_prints_the_link_to_their_page(world) -> None:
    path = _issue(world).removeprefix("http://127.0.0.1:8000")
    pdf = Client().get(path + "ugeskema.pdf")
    assert pdf.status_code == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Dit ugeskema på telefonen" in text and path in text.replace("\n", "")
    assert len(PdfReader(io.BytesIO(pdf.content)).pages) == 1  # the QR row fits on the page


def test_rotating_and_revoking_end_the_old_link(world) -> None:
    first = _issue(world).removeprefix("http://127.0.0.1:8000")
    second = _issue(world).removeprefix("http://127.0.0.1:8000")
    assert first != second and Client().get(first).status_code in (404, 410)
    world.coordinator.post(f"/data/borgere/{world.citizen_a.pk}/link/", {"action": "revoke"})
    assert Client().get(second).status_code in (404, 410)


def test_another_sites_coordinator_cannot_issue_a_link_for_the_citizen(world) -> None:
    response = world.other_coordinator.post(f"/data/borgere/{world.citizen_a.pk}/link/", {"action": "rotate"})
    assert response.status_code == 404
    assert not FeedToken.objects.filter(citizen=world.citizen_a).exists()
