"""The coordinator's week in a real Chromium: log in, plan, adjust, publish, print, subscribe.

Runs against gunicorn + `qcluster` on the seeded small demo centre (see conftest.py), so planning
goes through django-q2 exactly as in `make run`.
"""
import io
import re

import pytest
from pypdf import PdfReader

pytestmark = pytest.mark.browser

UNLABELLED_CONTROLS = """() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter(el => el.type !== 'hidden' && !el.closest('[hidden]'))
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
  .map(el => el.name || el.id)"""


def _flash(page) -> str:  # a Playwright page
    return page.locator(".messages").inner_text()


def _wait_for_checks(page) -> None:
    page.wait_for_function(
        "() => document.querySelectorAll('.options .check').length === 0 || "
        "document.querySelectorAll('.options .check:not(.ok):not(.refused)').length === 0", timeout=60_000)


def test_a_coordinator_plans_adjusts_publishes_and_prints_the_demo_week(demo_server, browser, shot):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="da-DK", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    base = demo_server.url

    # Log in: the landing page is the coming week of the coordinator's site.
    page.goto(base + "/")
    assert "/login/" in page.url
    assert page.locator("html").get_attribute("lang") == "da"
    shot(page, "01-login")
    page.get_by_label("Brugernavn").fill("koordinator")
    page.get_by_label("Adgangskode").fill("demo-koordinator")
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(re.compile(r"/uge/vejle/\d{4}-W\d{2}/$"))
    week_url = page.url
    assert page.evaluate(UNLABELLED_CONTROLS) == []

    # Keyboard: the first Tab lands on the skip link, which has a visible focus outline.
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => [document.activeElement.className, getComputedStyle(document.activeElement).outlineStyle]")
    assert focused == ["skip", "solid"]

    # Plan the week: the waiting page shows progress, then the result.
    page.get_by_role("button", name="Planlæg ugen").click()
    page.wait_for_url(re.compile(r"/koersel/\d+/\?center=[\w-]+$"))
    page.wait_for_function("() => Number(document.querySelector('#run-progress').value) > 0", timeout=60_000)
    shot(page, "02-planning-run")
    page.wait_for_url(week_url, timeout=90_000)
    assert page.locator(".status.draft").is_visible()
    blocks = page.locator("a.block")
    assert blocks.count() > 10
    shot(page, "03-week-consultants")
    page.get_by_role("link", name="Spor pr. Lokaler").click()
    assert page.locator("a.block").count() > 10
    page.get_by_role("link", name="Spor pr. Borgere").click()
    shot(page, "04-week-citizens")
    assert page.locator("#ikke-placeret").is_visible()
    page.get_by_role("link", name="Spor pr. Konsulenter").click()

    # Click an individual talk: who, where and why appear in the side panel (htmx).
    talk = page.locator("a.block.kind-talk").first
    talk.click()
    panel = page.locator("#detail")
    panel.get_by_role("heading", name="Individuel samtale").wait_for()
    assert "Hvorfor" in panel.inner_text() and "samtale" in panel.locator("dd").nth(2).inner_text().lower()
    shot(page, "05-appointment-panel")

    # Find a talk with at least one free time the verifier accepts (the ranked options are checked one
    # by one with htmx; refused ones say why and lose their button).
    ids = page.locator("a.block.kind-talk").evaluate_all("els => els.map(e => e.dataset.appointment)")
    appointment_url = None
    for appointment_id in ids[:10]:
        page.goto(f"{base}/aftale/{appointment_id}/")
        _wait_for_checks(page)
        if page.locator(".options .check.ok").count():
            appointment_url = page.url
            break
    assert appointment_url, "ingen samtale med en godkendt ledig tid"
    for reason in page.locator(".options .check.refused").all_inner_texts():
        assert reason.startswith("Afvist: ") and len(reason) > 20

    # Pin it.
    page.get_by_role("button", name="Fastlås").click()
    assert "Aftalen er fastlåst." in _flash(page)

    # A move the verifier refuses is explained (a one-hour talk from 15:45 runs past the working day).
    page.get_by_label("Dag").select_option(label="Mandag")
    page.get_by_label("Starttid").select_option("15:45")
    page.get_by_role("button", name="Flyt", exact=True).click()
    refused = page.locator(".messages li.error").inner_text()
    assert refused.startswith("Flytningen er afvist:") and len(refused) > len("Flytningen er afvist: ") + 10
    _wait_for_checks(page)
    shot(page, "06-move-refused")

    # Move it to the best accepted free time.
    page.get_by_role("button", name="Flyt hertil").first.click()
    assert "Aftalen er flyttet" in _flash(page)

    # Publish: the summary of changes first, then the button.
    page.goto(week_url)
    page.get_by_role("link", name="Se ændringer og offentliggør").click()
    assert "Første version af ugen" in page.inner_text("main")
    shot(page, "07-publish")
    page.get_by_role("button", name="Offentliggør ugen").click()
    assert "offentliggjort som version 1" in _flash(page)

    # Print: the batch PDF of every citizen's ugeskema.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Hent alle ugeskemaer (PDF)").click()
    pdf = download_info.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    assert len(PdfReader(io.BytesIO(pdf)).pages) > 5

    # A consultant's calendar link: webcal:// and https, and the feed is a calendar.
    page.get_by_role("link", name="Kalenderlinks").click()
    assert "12.–24. time" in page.inner_text("main")
    page.get_by_role("button", name=re.compile("^Lav (nyt )?link til ")).first.click()
    webcal = page.get_by_label(re.compile("webcal://")).input_value()
    https = page.get_by_label(re.compile("https://")).input_value()
    assert webcal.startswith("webcal://127.0.0.1") and https.startswith(base + "/kalender/")
    shot(page, "08-feed-link")
    feed = page.request.get(https)
    assert feed.ok and feed.text().startswith("BEGIN:VCALENDAR")
    assert "BEGIN:VEVENT" in feed.text()

    # Overview, and the week at tablet width.
    page.goto(week_url + "overblik/")
    page.get_by_role("heading", name=re.compile("Sagsstamme og planlagte timer")).wait_for()
    shot(page, "09-overview")
    page.set_viewport_size({"width": 820, "height": 1180})
    page.goto(week_url)
    assert page.locator(".status.published").is_visible()
    shot(page, "10-week-tablet")
    context.close()
