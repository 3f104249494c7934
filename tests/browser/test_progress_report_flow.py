"""A coordinator follows a citizen's progress, closes the enrolment with an outcome and downloads the
progress report, in a real Chromium against gunicorn on the seeded small demo centre (see conftest.py)."""
import io
import re

import pytest
from pypdf import PdfReader

from tests.browser.conftest import SCREENSHOTS

pytestmark = pytest.mark.browser

DATE = re.compile(r"\d\d\.\d\d\.\d{4}")


def test_a_coordinator_closes_an_enrolment_and_downloads_the_report(demo_server, browser, shot) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="da-DK", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(demo_server.url + "/login/")
    page.get_by_label("Brugernavn").fill("koordinator")
    page.get_by_label("Adgangskode").fill("demo-koordinator")
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(re.compile(r"/uge/"))

    # The centre's distribution (no names), then one of the coordinator's citizens who has been measured.
    page.get_by_role("link", name="Progression", exact=True).click()
    page.wait_for_url(re.compile(r"/progression/$"))
    assert page.locator("#fordeling tbody tr").count() >= 1
    shot(page, "progress-01-centre")
    measured = page.locator("#egne tbody tr").filter(has=page.locator("td:last-child", has_text=DATE)).first
    name = measured.locator("td a").inner_text()
    measured.locator("td a").click()
    page.wait_for_url(re.compile(r"/forloeb/\d+/progression/$"))
    assert page.locator("svg.progress-chart").count() == 1
    assert page.locator("#maalinger tbody tr").count() == 12
    shot(page, "progress-02-citizen-chart")

    # Close the enrolment with the first outcome of the model and the report's texts.
    page.get_by_role("link", name="Afslut forløb og dan progressionsrapport").click()
    page.wait_for_url(re.compile(r"/afslut/$"))
    page.get_by_label("Raskmeldt og tilbage i hidtidig beskæftigelse").check()
    page.get_by_label("Borgerens ressourcer").fill("Mødestabil, god til at samarbejde, stærk faglig baggrund.")
    page.get_by_label("Barrierer").fill("Træthed sidst på dagen.")
    page.get_by_label("Udviklingsmuligheder").fill("Gradvis optrapning af timer hos arbejdsgiveren.")
    page.get_by_label("Konkret anbefaling til det videre forløb").fill(
        "Fuld raskmelding fra næste uge; opfølgning i jobcentret efter fire uger.")
    shot(page, "progress-03-close-form")
    page.get_by_role("button", name="Afslut og dan rapport").click()
    page.wait_for_url(re.compile(r"/rapport/$"))
    assert "progressionsrapporten er dannet" in page.locator("[role=status]").inner_text()
    page.get_by_role("button", name="Godkend").click()
    page.wait_for_url(re.compile(r"/rapport/$"))
    assert "Version 1 er godkendt" in page.locator("[role=status]").inner_text()
    shot(page, "progress-04-report-versions")

    with page.expect_download() as info:
        page.get_by_role("link", name="Hent version 1").click()
    download = info.value
    assert download.suggested_filename.endswith("-v1.pdf")
    data = open(download.path(), "rb").read()
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())
    assert "Progressionsrapport" in text and name in text
    assert "Raskmeldt og tilbage i hidtidig beskæftigelse" in text and "Deltaget:" in text
    assert "Mødestabilitet" in text and "Realistisk om fremtidigt arbejdsliv" in text
    assert "Fuld raskmelding fra næste uge" in text and "Godkendt af" in text
    (SCREENSHOTS / "progress-05-report.pdf").write_bytes(data)

    page.get_by_role("link", name="Udfald", exact=True).click()
    page.wait_for_url(re.compile(r"/statistik/"))
    assert page.locator("#udfald tbody tr").count() >= 1 and page.locator("svg").count() >= 1
    shot(page, "progress-06-outcome-statistics")
    context.close()
