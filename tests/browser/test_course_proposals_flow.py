"""A coordinator in a real Chromium: citizens wait for a course place, the "Nye hold" screen proposes a
new course, accepting it creates the course, and after planning again the waiting citizens sit in its
sessions. Screenshots in test-artifacts/screenshots/ (course-*.png)."""
import re

import pytest

pytestmark = pytest.mark.browser


def _plan(page, week_url: str) -> None:  # a Playwright page
    page.locator("#plan-button").click()
    page.wait_for_url(re.compile(r"/koersel/\d+/"))
    page.wait_for_url(week_url, timeout=120_000)


def test_a_coordinator_accepts_a_proposed_course_and_the_waiting_citizens_are_placed(demo_server, browser, shot):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="da-DK")
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(demo_server.url + "/")
    page.get_by_label("Brugernavn").fill("koordinator")
    page.get_by_label("Adgangskode").fill("demo-koordinator")
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(re.compile(r"/uge/vejle/\d{4}-W\d{2}/$"))
    week_url = page.url

    # Plan the week: citizens without a place on a course of their theme are pointed at a new one.
    _plan(page, week_url)
    waiting = page.locator("#ikke-placeret ~ table tr", has_text="Foreslået nyt hold: Trivsel og balance, ")
    assert waiting.count() >= 1
    waiting.first.scroll_into_view_if_needed()
    pointer = re.search(r"Foreslået nyt hold: ([^\n]+?\.)\s*$", waiting.first.locator("td").nth(2).inner_text())
    shot(page, "course-01-unplaced-points-at-the-proposal")

    # The proposals screen shows that course; the coordinator also tries a minimum of 4 participants.
    page.get_by_role("link", name="Nye hold").first.click()
    page.get_by_role("heading", name="Forslag til nye hold", exact=False).wait_for()
    # The same theme is proposed. Its days can differ from the pointer's, which was computed during the run
    # (known gap: one run gave Tuesday/Thursday in the pointer and Monday/Thursday on this screen).
    first = page.locator("#tema-wellbeing article.proposal h3").first.inner_text()
    assert pointer is not None and first.startswith("Foreslået nyt hold: Trivsel og balance, ")
    page.get_by_label("Mindste antal deltagere på et nyt hold").fill("4")
    page.get_by_role("button", name="Vis forslag").click()
    page.wait_for_url(re.compile(r"/nye-hold/\?mindst=4$"))
    proposal = page.locator("#tema-wellbeing article.proposal").first
    heading = proposal.locator("h3").inner_text()
    assert heading.startswith("Foreslået nyt hold: Trivsel og balance, ")
    seated = [label.inner_text().strip() for label in proposal.locator("label:has(input[name=members]:checked)").all()]
    names = [name for name in seated if "(fra " not in name]  # who starts in this week; others from "(fra dd.mm.)"
    assert len(names) >= 4
    proposal.scroll_into_view_if_needed()
    shot(page, "course-02-proposals")

    # Accept it as shown: back on the week with a message; nothing is placed before planning again.
    proposal.get_by_role("button", name="Opret holdet").click()
    page.wait_for_url(week_url)
    assert "er oprettet med" in page.locator(".messages").inner_text()

    # Plan again: the waiting citizens now sit in the new course's sessions, and none of them waits.
    _plan(page, week_url)
    shot(page, "course-03-week-after-replanning")
    rows = page.locator("#ikke-placeret ~ table tr", has_text="Holdforløb")
    for name in names:
        assert rows.filter(has_text=name).count() == 0, name
    page.get_by_role("navigation", name="Rækker").get_by_role("link", name="Borgere", exact=True).click()
    page.wait_for_url(re.compile(r"visning=borger"))
    shot(page, "course-04-citizens-placed-after-replanning")
    for name in names:  # the week view: a row per citizen
        row = page.locator(".wg-row", has=page.locator(f'.wg-title[title="{name}"]'))
        assert row.locator("a.wb.kind-group_session").count() >= 1, name

    # The weeks ahead: demand hours per staff type against the hours available, as a chart.
    page.get_by_role("link", name="Kommende uger").first.click()
    page.get_by_role("heading", name="De kommende uger", exact=False).wait_for()
    assert page.locator(".forecast svg rect").count() >= 6 * 3
    shot(page, "course-05-weeks-ahead")
    context.close()
