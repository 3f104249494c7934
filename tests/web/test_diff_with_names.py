"""The publish summary names the citizen, consultant and room and says what changed in words; after
publishing, only the changed ugeskemaer are printed."""
import io
from datetime import timedelta

from pypdf import PdfReader

from scheduler.publishing.services import plan_publish
from scheduler.weeks import iso_week_label
from tests.publishing.factories import at, make_appointment, make_citizen, make_plan, make_room


def _week(w) -> str:
    return f"/uge/alfa/{iso_week_label(w.week)}/"


def _second_version(world):
    a = world.appointment_a
    bent = make_citizen(world.site_a, "Bent", "Bagger", contact=world.consultant_a)
    kept = make_appointment(world.plan_a, start=at(world.week + timedelta(days=2), 9),
                            consultants=[world.consultant_a], citizens=[bent], site=world.site_a, room=a.room)
    plan_publish(plan=world.plan_a)
    draft = make_plan(world.week, [world.site_a])
    room_2 = make_room(world.site_a, "Samtalerum 2")
    make_appointment(draft, start=at(world.week + timedelta(days=1), 13), consultants=[world.consultant_a],
                     citizens=[world.citizen_a], site=world.site_a, room=room_2, uid=a.uid, task_key=a.task_key)
    make_appointment(draft, start=kept.start, consultants=[world.consultant_a], citizens=[bent], site=world.site_a,
                     room=a.room, uid=kept.uid, task_key=kept.task_key)
    return draft


def test_the_publish_page_names_who_and_says_what_changed(world) -> None:
    _second_version(world)
    page = world.coordinator.get(_week(world) + "offentliggoer/").content.decode()
    row = page[page.index("<td><strong>Flyttet</strong></td>"):]
    row = row[:row.index("</tr>")]
    assert "Anne Alfasen" in row and "Karen Alfa" in row and "Samtalerum 2" in row
    assert "Tid: man 07.12. 10:00 → tir 08.12. 13:00".replace("07.12.", f"{world.week:%d.%m.}").replace(
        "08.12.", f"{world.week + timedelta(days=1):%d.%m.}") in row
    assert "Lokale: Mødelokale 1 → Samtalerum 2" in row
    assert "Bent Bagger" not in page  # unchanged: not in the list


def test_after_publishing_only_the_changed_ugeskemaer_are_printed(world) -> None:
    draft = _second_version(world)
    week = _week(world)
    assert "Print kun ændrede" not in world.coordinator.get(week).content.decode()  # a draft is not printed
    plan_publish(plan=draft)
    page = world.coordinator.get(week).content.decode()
    assert "Print kun ændrede ugeskemaer (1)" in page
    pdf = world.coordinator.get(week + "ugeskemaer-aendrede.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(pdf.content)).pages
    text = " ".join(p.extract_text() for p in pages)
    assert len(pages) == 1 and "Anne Alfasen" in text and "Bagger" not in text
    assert world.other_coordinator.get(week + "ugeskemaer-aendrede.pdf").status_code == 404


def test_a_first_version_has_nothing_to_print_as_changed(world) -> None:
    plan_publish(plan=world.plan_a)
    response = world.coordinator.get(_week(world) + "ugeskemaer-aendrede.pdf")
    assert response.status_code == 302


def test_after_a_new_version_the_coordinator_sees_who_to_tell_and_prints_their_letters(world) -> None:
    draft = _second_version(world)
    week = _week(world)
    plan_publish(plan=draft)
    assert "Hvem skal have besked" in world.coordinator.get(week).content.decode()
    page = world.coordinator.get(week + "besked/").content.decode()
    citizens = page[page.index("<h2>Borgere"):page.index("<h2>Konsulenter")]
    assert "Anne Alfasen" in citizens and "Flyttet" in citizens and "Bent Bagger" not in citizens
    assert "Karen Alfa" in page[page.index("<h2>Konsulenter"):]
    letters = world.coordinator.get(week + "besked/?breve=borgere")
    assert letters["Content-Type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(letters.content)).pages)
    assert "Ændringer i dit ugeskema" in text and "Kære Anne" in text and "Bent" not in text
    assert world.other_coordinator.get(week + "besked/").status_code == 404
