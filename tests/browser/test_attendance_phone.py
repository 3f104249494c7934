"""A consultant marks yesterday's attendance on a phone-sized screen (390 × 844), in a real Chromium
against gunicorn on the seeded small demo centre (see conftest.py)."""
import re

import pytest

from tests.browser.conftest import SCREENSHOTS

pytestmark = pytest.mark.browser

NO_OVERFLOW = "() => document.documentElement.scrollWidth <= window.innerWidth"


def test_a_consultant_marks_a_days_attendance_from_a_phone(demo_server, browser, shot) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="da-DK")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(demo_server.url + "/fremmoede/")
    assert "/login/" in page.url
    page.get_by_label("Brugernavn").fill("konsulent")
    page.get_by_label("Adgangskode").fill("demo-konsulent")
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(re.compile(r"/fremmoede/$"))

    # The newest day with appointments nobody marked: two talks and a group session of six.
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading.startswith("Fremmøde ")
    sections = page.locator("section.appt")
    assert sections.count() == 3
    assert page.evaluate(NO_OVERFLOW)
    shot(page, "attendance-01-phone-day")
    page.screenshot(path=str(SCREENSHOTS / "attendance-01b-phone-viewport.png"))  # what the phone shows

    first, second, group = sections.nth(0), sections.nth(1), sections.nth(2)
    first.get_by_label("Udeblevet").check()
    second.get_by_label("Afbud").check()
    assert group.locator("fieldset").count() == 6
    group.locator("fieldset").nth(1).get_by_label("Udeblevet").check()
    shot(page, "attendance-02-ticked")
    group.get_by_role("button", name="Resten på holdet mødte").click()
    page.wait_for_url(re.compile(r"gemt=8"))
    assert "Gemt: 8 markeringer." in page.locator("[role=status]").inner_text()

    # What was saved is what the page shows now; nothing on the day is left unmarked.
    assert sections.nth(0).get_by_label("Udeblevet").is_checked()
    assert sections.nth(1).get_by_label("Afbud").is_checked()
    assert sections.nth(2).locator("fieldset").nth(1).get_by_label("Udeblevet").is_checked()
    held = sections.nth(2).locator("input[value=held]:checked")
    assert held.count() == 5
    assert page.get_by_role("button", name="Alle umarkerede denne dag blev holdt").count() == 0
    assert page.get_by_role("button", name="Resten på holdet mødte").count() == 0
    assert "færdig" in page.locator("nav.days a[aria-current=page]").inner_text()
    assert page.evaluate(NO_OVERFLOW)
    shot(page, "attendance-03-saved")
    context.close()
