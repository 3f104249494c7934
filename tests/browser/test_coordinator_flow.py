"""The coordinator's week in a real Chromium: log in, plan, adjust, publish, print, subscribe.

Runs against gunicorn + `qcluster` on the seeded small demo centre (see conftest.py), so planning
goes through django-q2 exactly as in `make run`.
"""
import io
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

pytestmark = pytest.mark.browser
HEALTH_CONSULTANTS = ["Birgitte Møller", "Michael Frandsen"]  # the S demo's health consultants (seed 1)

UNLABELLED_CONTROLS = """() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter(el => el.type !== 'hidden' && !el.closest('[hidden]'))
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
  .map(el => el.name || el.id)"""


def _has_class(name: str) -> re.Pattern:
    # htmx settles a swapped element's new attributes a moment after the swap, so a class is waited for.
    return re.compile(rf"(^|\s){name}(\s|$)")


def _flash(page) -> str:  # a Playwright page
    return page.locator(".messages").inner_text()


def test_a_coordinator_plans_adjusts_publishes_and_prints_the_demo_week(demo_server, browser, shot):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="da-DK", accept_downloads=True)
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

    # Both health consultants are away this week (entered as a coordinator does): assessments cannot
    # be placed, and the unplaced list will lead to the fix.
    year, week_no = (int(x) for x in re.search(r"/(\d{4})-W(\d{2})/$", week_url).groups())
    monday = date.fromisocalendar(year, week_no, 1)
    for name in HEALTH_CONSULTANTS:
        page.goto(base + "/data/fravaer/ny/")
        page.get_by_label("Konsulent").select_option(label=name)
        page.get_by_label("Fra dato").fill(monday.isoformat())
        page.get_by_label("Til dato").fill((monday + timedelta(days=4)).isoformat())
        page.get_by_role("button", name="Gem").click()
        assert "Gemt." in _flash(page)
    page.goto(week_url)

    # Plan the week: the waiting page shows progress, then the result.
    page.get_by_role("button", name="Planlæg ugen").click()
    page.wait_for_url(re.compile(r"/koersel/\d+/\?center=[\w-]+$"))
    page.wait_for_function("() => Number(document.querySelector('#run-progress').value) > 0", timeout=60_000)
    shot(page, "02-planning-run")
    page.wait_for_url(week_url, timeout=90_000)
    assert page.locator(".status.draft").is_visible()
    assert re.search(r"Placeret \d+ af \d+", page.inner_text(".summary"))
    blocks = page.locator("a.wb")
    assert blocks.count() > 10

    # The whole week of the demo centre's consultants fits in 1.5 screen heights.
    grid_bottom = page.evaluate("() => document.querySelector('#week-grid').getBoundingClientRect().bottom + scrollY")
    assert grid_bottom <= 1.5 * 900, grid_bottom
    print(f"week grid bottom at 1440x900: {grid_bottom:.0f} px = {grid_bottom / 900:.2f} screen heights")
    assert page.locator(".wg-row[role=row]").count() - 1 >= 6  # consultants with appointments
    shot(page, "03-week-consultants")

    # Hover card instead of clipped text.
    first = page.locator("a.wb.kind-talk").first
    first.hover()
    card = first.locator(".card")
    assert card.is_visible() and "Individuel samtale" in card.inner_text()
    shot(page, "03b-week-hover-card")
    page.mouse.move(0, 0)

    rows = page.get_by_role("navigation", name="Rækker")
    rows.get_by_role("link", name="Lokaler", exact=True).click()
    page.wait_for_url(re.compile(r"visning=lokale$"))
    assert page.locator("a.wb").count() > 10
    shot(page, "03c-week-rooms")
    rows.get_by_role("link", name="Borgere", exact=True).click()
    page.wait_for_url(re.compile(r"visning=borger$"))
    shot(page, "04-week-citizens")
    assert page.locator("#ikke-placeret").is_visible()
    rows.get_by_role("link", name="Konsulenter", exact=True).click()
    page.wait_for_url(week_url)

    # The day in detail is one click away.
    page.locator(".wg-dayhead a").nth(1).click()
    page.wait_for_url(re.compile(r"\?dag=1$"))
    assert page.locator(".grid .lane").count() >= 6
    shot(page, "04b-day-detail")
    page.get_by_role("link", name="Hele ugen").click()
    page.wait_for_url(week_url)
    page.wait_for_load_state("load")

    # Click a talk: who, where and why appear in the side panel (htmx), and the page does not move.
    page.evaluate("() => window.scrollTo(0, 180)")
    y = page.evaluate("() => scrollY")
    assert y > 0
    talk = page.locator("a.wb.kind-talk").nth(2)
    talk.click()
    panel = page.locator("#detail")
    panel.get_by_role("heading", name="Individuel samtale").wait_for()
    assert "Hvorfor" in panel.inner_text() and "samtale" in panel.locator("dd").nth(2).inner_text().lower()
    assert page.evaluate("() => scrollY") == y
    assert "selected" in talk.get_attribute("class")
    shot(page, "05-appointment-panel")
    talk_id = talk.get_attribute("data-appointment")

    # Pin it in the panel: the grid is re-rendered with the block marked, the page stays put.
    panel.get_by_role("button", name="Fastlås").click()
    panel.locator(".messages", has_text="Aftalen er fastlåst.").wait_for()
    block = page.locator(f"#a-{talk_id}")
    for name in ("pinned", "changed", "selected"):
        expect(block).to_have_class(_has_class(name))
    assert block.locator("use[href='#i-pin']").count() == 1
    assert page.evaluate("() => scrollY") == y
    assert "/uge/" in page.url  # never left the week

    # A move the verifier refuses is explained in the panel (a one-hour talk from 15:45 runs past the day).
    panel.get_by_label("Dag").select_option(label="Mandag")
    panel.get_by_label("Starttid").select_option("15:45")
    move = panel.get_by_role("button", name="Flyt", exact=True)
    move.scroll_into_view_if_needed()  # the coordinator scrolls the panel down to the form
    y = page.evaluate("() => scrollY")
    move.click()
    refused = panel.locator(".messages li.error")
    refused.wait_for()
    assert refused.inner_text().startswith("Flytningen er afvist:") and len(refused.inner_text()) > 35
    assert page.evaluate("() => scrollY") == y
    shot(page, "06-move-refused")

    # Move it to the best free time offered.
    offered = panel.get_by_role("button", name="Flyt hertil").first
    offered.scroll_into_view_if_needed()
    y = page.evaluate("() => scrollY")
    offered.click()
    panel.locator(".messages", has_text="Aftalen er flyttet").wait_for()
    expect(page.locator(f"#a-{talk_id}")).to_have_class(_has_class("changed"))
    assert page.evaluate("() => scrollY") == y

    # Cancelling asks why, and can be undone while the week is a draft.
    panel.locator("#cancel-appointment").click()
    panel.get_by_label("Sygdom").check()
    confirm = panel.get_by_role("button", name="Aflys aftalen")
    confirm.scroll_into_view_if_needed()
    y = page.evaluate("() => scrollY")
    confirm.click()
    panel.locator(".messages", has_text="Aftalen er aflyst.").wait_for()
    expect(page.locator(f"#a-{talk_id}")).to_have_class(_has_class("cancelled"))
    assert "Årsag: Sygdom" in panel.inner_text()
    assert page.evaluate("() => scrollY") == y
    shot(page, "06c-cancelled-with-undo")
    undo = panel.get_by_role("button", name="Fortryd aflysningen")
    undo.scroll_into_view_if_needed()
    y = page.evaluate("() => scrollY")
    undo.click()
    panel.locator(".messages", has_text="Aflysningen er fortrudt").wait_for()
    expect(page.locator(f"#a-{talk_id}")).not_to_have_class(_has_class("cancelled"))
    assert page.evaluate("() => scrollY") == y

    # At 1024 px the panel is a drawer over the bottom of the screen; opening it does not move the page.
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(week_url)
    page.evaluate("() => window.scrollTo(0, 150)")
    y = page.evaluate("() => scrollY")
    page.locator("a.wb.kind-talk").nth(4).click()
    drawer = page.locator("#detail.open")
    drawer.get_by_role("heading").first.wait_for()
    assert drawer.evaluate("el => getComputedStyle(el).position") == "fixed"
    assert page.evaluate("() => scrollY") == y
    shot(page, "06b-drawer-1024")
    drawer.get_by_role("button", name="Fastlås").click()
    drawer.locator(".messages", has_text="Aftalen er fastlåst.").wait_for()
    assert page.evaluate("() => scrollY") == y
    page.set_viewport_size({"width": 1440, "height": 900})

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

    # After publishing, the next step is print and send.
    assert page.locator(".steps li[aria-current=step]").inner_text().strip() == "Print og send"

    # From reason to fix: the unplaced assessment says both health consultants are away and links to
    # their absences; moving the absences to a later week and planning again places it.
    page.goto(week_url)
    fix = page.get_by_role("link", name="Se konsulentens fravær").first
    fix.wait_for()
    shot(page, "07b-unplaced-with-fix")
    unplaced_before = int(re.search(r"Ikke placeret \((\d+)\)", page.inner_text("main")).group(1))
    assert page.locator("a.wb.kind-assessment").count() == 0
    fix.click()
    assert "/data/fravaer/" in page.url
    for name in HEALTH_CONSULTANTS:
        row = page.locator("table.list tbody tr", has_text=name).filter(has_text=f"{monday:%d.%m.%Y}")
        row.get_by_role("link", name=re.compile("^Ret")).click()
        page.get_by_label("Fra dato").fill((monday + timedelta(weeks=3)).isoformat())
        page.get_by_label("Til dato").fill((monday + timedelta(weeks=3, days=4)).isoformat())
        page.get_by_role("button", name="Gem").click()
        assert "Gemt." in _flash(page)
    page.goto(week_url)
    page.evaluate("() => window.scrollTo(0, 60)")  # the button stays in view: clicking it does not scroll
    page.get_by_role("button", name=re.compile("^Planlæg igen")).click()
    page.wait_for_url(re.compile(r"/koersel/\d+/"))
    page.wait_for_url(week_url, timeout=120_000)
    page.wait_for_load_state("load")
    assert page.evaluate("() => scrollY") == 60  # back where the coordinator left the week
    assert page.locator("a.wb.kind-assessment").count() >= 1
    assert page.get_by_role("link", name="Se konsulentens fravær").count() == 0
    assert int(re.search(r"Ikke placeret \((\d+)\)", page.inner_text("main")).group(1)) < unplaced_before

    # Publish the second version: the changes name citizen, consultant and room, in words.
    page.get_by_role("link", name="Se ændringer og offentliggør").click()
    diff = page.locator("table.diff")
    placed = diff.locator("tbody tr", has_text="Funktionsvurdering").filter(has_text="Ny").first.locator("td")
    assert placed.nth(2).inner_text().strip() not in ("", "–")  # the citizen, by name
    assert placed.nth(3).inner_text().strip() in HEALTH_CONSULTANTS  # the consultant
    assert placed.nth(5).inner_text().startswith("Tid: ")
    shot(page, "07c-diff-with-names")
    page.get_by_role("button", name="Offentliggør ugen").click()
    assert "offentliggjort som version 2" in _flash(page)

    # Print only the changed ugeskemaer.
    changed = page.get_by_role("link", name=re.compile(r"^Print kun ændrede ugeskemaer \(\d+\)"))
    count = int(re.search(r"\((\d+)\)", changed.inner_text()).group(1))
    with page.expect_download() as download_info:
        changed.click()
    pdf = download_info.value.path().read_bytes()
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= count >= 1
    shot(page, "07d-published-v2")

    # A consultant's calendar link: webcal:// and https, shown once with a QR code; the feed is a calendar.
    page.get_by_role("group", name="Handlinger").get_by_role("link", name="Kalenderlinks").click()
    assert "12.–24. time" in page.inner_text("main")
    page.get_by_role("button", name=re.compile("^Lav (nyt )?link til ")).first.click()
    webcal = page.get_by_label(re.compile("webcal://")).input_value()
    https = page.get_by_label(re.compile("https://")).input_value()
    assert webcal.startswith("webcal://127.0.0.1") and https.startswith(base + "/kalender/")
    # Copy buttons: webcal, https and the consultant's attendance page.
    assert page.locator("svg.qr").is_visible() and page.get_by_role("button", name="Kopiér").count() == 3
    shot(page, "08-feed-link")
    feed = page.request.get(https)
    assert feed.ok and feed.text().startswith("BEGIN:VCALENDAR")
    assert "BEGIN:VEVENT" in feed.text()
    page.reload()
    assert page.locator("svg.qr").count() == 0  # shown once: a reload issues nothing

    # A citizen's link from their page, with a QR code; the citizen opens it on a phone.
    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Borgere").click()
    page.locator("table.list tbody a").first.click()
    page.get_by_role("button", name="Lav link til borgeren").click()
    page_url = page.get_by_label("Borgerens side").input_value()
    assert page_url.startswith(base + "/borger/") and page.locator("#borgerlink svg.qr").is_visible()
    page.locator("#borgerlink").scroll_into_view_if_needed()
    shot(page, "08b-citizen-link")
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="da-DK", is_mobile=True)
    citizen = phone.new_page()
    citizen.goto(page_url)
    assert citizen.locator("html").get_attribute("lang") == "da"
    shot(citizen, "08c-citizen-page-390")
    phone.close()

    # Overview, and the week at tablet width.
    page.goto(week_url + "overblik/")
    page.get_by_role("heading", name=re.compile("Sagsstamme og planlagte timer")).wait_for()
    shot(page, "09-overview")
    page.set_viewport_size({"width": 820, "height": 1180})
    page.goto(week_url)
    assert page.locator(".status.published").is_visible()
    shot(page, "10-week-tablet")
    context.close()
