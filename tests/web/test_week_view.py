"""The week at a glance (rows × five days) and acting in the panel without leaving the week."""
import re
from datetime import timedelta

from rooms.models import ClosedDay, OpeningHours
from scheduler.weeks import iso_week_label
from tests.publishing.factories import at, make_appointment, make_citizen, make_consultant


def _week(w) -> str:
    return f"/uge/alfa/{iso_week_label(w.week)}/"


def _row(page: str, title: str) -> str:
    """The HTML of the grid row whose title is `title`."""
    start = page.index(f'role="rowheader" title="{title}"')
    end = page.find('<div class="wg-row"', start)
    return page[start:end if end > 0 else len(page)]


def test_each_consultant_is_a_row_with_five_days_and_a_closed_day_is_marked_with_its_reason(world) -> None:
    for weekday in range(5):
        OpeningHours.objects.create(site=world.site_a, weekday=weekday)
    ClosedDay.objects.create(site=world.site_a, date=world.week + timedelta(days=2), reason="Personaledag")
    page = world.coordinator.get(_week(world)).content.decode()
    assert page.count('class="wg-dayhead') == 5
    row = _row(page, "Karen Alfa")
    assert row.count('role="cell"') == 5
    assert row.count('class="wg-cell closed') == 1 and "Lukket: Personaledag" in row
    assert 'class="closed-note">Personaledag<' in page  # the day's header says why
    # The block sits in Monday's cell, from 10:00 (column 2 + 8 quarters) to 11:00.
    first_cell = row.split('role="cell"')[1]
    assert "wb kind-talk cs-10 ce-14" in first_cell


def test_lanes_without_appointments_are_collapsed_into_one_line(world) -> None:
    make_consultant(world.site_a, "Ole Ledig")
    page = world.coordinator.get(_week(world)).content.decode()
    assert 'title="Ole Ledig"' not in page
    assert re.search(r"1 uden aftaler i ugen</summary>\s*<p>Ole Ledig</p>", page)


def test_pinned_moved_and_cancelled_blocks_carry_an_icon_and_say_so(world) -> None:
    a = world.appointment_a
    a.pinned, a.moved = True, True
    a.save()
    make_appointment(world.plan_a, start=at(world.week + timedelta(days=1), 9), consultants=[world.consultant_a],
                     citizens=[world.citizen_a], site=world.site_a, status="cancelled")
    page = world.coordinator.get(_week(world)).content.decode()
    assert 'aria-label="Individuel samtale, 10:00–11:00, Anne Alfasen, fastlåst, flyttet"' in page
    assert page.count('href="#i-pin"') >= 2 and page.count('href="#i-moved"') >= 2  # block + legend
    assert 'aria-label="Individuel samtale, 09:00–10:00, Anne Alfasen, aflyst"' in page
    assert page.count('href="#i-cancel"') >= 2


def test_the_staff_type_filter_keeps_only_that_staff_types_rows(world) -> None:
    job = make_consultant(world.site_a, "Jens Job", staff="job")
    citizen = make_citizen(world.site_a, "Carl", "Citrus", contact=world.consultant_a)
    make_appointment(world.plan_a, start=at(world.week, 13), consultants=[job], citizens=[citizen], site=world.site_a)
    page = world.coordinator.get(_week(world) + "?faggruppe=job").content.decode()
    grid = page[page.index('id="week-grid"'):page.index('id="detail"')]
    assert 'title="Jens Job"' in grid and 'title="Karen Alfa"' not in grid
    assert "Carl Citrus" in grid and "Anne Alfasen" not in grid
    week = iso_week_label(world.week)
    assert f'href="/uge/alfa/{week}/?faggruppe=job&amp;dag=0"' in page  # the day link keeps the filter


def test_pinning_in_the_panel_answers_with_the_panel_and_the_grid_marked_as_changed(world) -> None:
    a = world.appointment_a
    response = world.coordinator.post(f"/aftale/{a.pk}/fastlaas/", {
        "version": 0, "pinned": "1", "visning": "lokale", "faggruppe": "social",
    }, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert "Aftalen er fastlåst." in body  # the message is in the panel
    assert '<div id="week-grid" class="weekgrid-wrap" hx-swap-oob="true">' in body
    block = re.search(rf'<a class="wb kind-talk[^"]*"[^>]*id="a-{a.pk}"' , body).group(0)
    assert "pinned" in block and "selected" in block and "changed" in block
    assert 'title="Mødelokale 1"' in body  # still the room view of the grid
    # The panel's next forms keep the view and the filter.
    assert '<input type="hidden" name="visning" value="lokale">' in body
    assert '<input type="hidden" name="faggruppe" value="social">' in body


def test_without_javascript_an_action_returns_to_the_week_with_the_block_selected(world) -> None:
    a = world.appointment_a
    week = _week(world)
    target = f"{week}?visning=lokale&valgt={a.pk}#a-{a.pk}"
    response = world.coordinator.post(f"/aftale/{a.pk}/fastlaas/", {"version": 0, "pinned": "1", "next": target})
    assert response["Location"] == target
    page = world.coordinator.get(f"{week}?visning=lokale&valgt={a.pk}").content.decode()
    assert 'class="panel open"' in page and "Aftalen er fastlåst." in page and "Frigør" in page
    # Another site's address is never followed.
    response = world.coordinator.post(f"/aftale/{a.pk}/fastlaas/", {"version": 1, "pinned": "0",
                                                                     "next": "https://evil.example/"})
    assert response["Location"] == f"/aftale/{a.pk}/"


def test_the_selected_block_of_another_sites_plan_is_not_shown(world) -> None:
    page = world.coordinator.get(_week(world) + f"?valgt={world.appointment_b.pk}").content.decode()
    assert "Bent Betasen" not in page and 'class="panel"' in page


def test_a_planning_run_returns_to_the_same_view_and_filter(world) -> None:
    response = world.coordinator.post(_week(world) + "planlaeg/", {"replan": "1", "visning": "borger",
                                                                   "faggruppe": "health"})
    run_url = response["Location"]
    assert run_url.endswith("?center=alfa&visning=borger&faggruppe=health")
    page = world.coordinator.get(run_url).content.decode()
    assert "status.json?center=alfa&amp;visning=borger&amp;faggruppe=health" in page


def test_the_week_says_how_many_were_placed_in_plain_danish(world) -> None:
    page = world.coordinator.get(_week(world)).content.decode()
    assert "Placeret 1 af 2" in page and "1 kunne ikke placeres (se hvorfor)" in page
    assert 'aria-current="step">Gennemgå' in page


def test_the_week_picker_names_weeks_in_danish(world) -> None:
    page = world.coordinator.get(_week(world)).content.decode()
    title = f"Uge {world.week.isocalendar().week} · {world.week:%d.%m.}"
    assert re.search(rf'<option value="{iso_week_label(world.week)}" selected>{title}', page)
    assert 'type="week"' not in page
