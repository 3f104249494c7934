"""PDF ugeskemaer, checked by extracting their text (pypdf) and by rendering them (pdfium)."""
import io
from datetime import date, timedelta
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader

from activities.models import ActivityKind
from rooms.models import ClosedDay
from scheduler.publishing.pdf import (
    citizen_week_pdf,
    consultant_week_pdf,
    font_can_print,
    printable_name,
    site_week_pdf,
)
from scheduler.publishing.services import plan_publish
from tests.publishing.factories import (
    at,
    make_appointment,
    make_citizen,
    make_company,
    make_consultant,
    make_course,
    make_internship,
    make_plan,
    make_room,
    make_site,
)

pytestmark = pytest.mark.django_db
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
WEEK_49 = date(2026, 11, 30)


@pytest.fixture
def world():
    site = make_site(code="vejle", name="Center Vejle")
    room = make_room(site, "Mødelokale 1")
    karen = make_consultant(site, "Karen Holm", phone="20 30 40 50")
    lucja = make_citizen(site, "Łucja", "Şahin-Ćwik", reference="b-lucja", contact=karen)
    bo = make_citizen(site, "Bo", "Nielsen", reference="b-bo", contact=karen)
    company = make_company("Bageriet ApS")
    make_internship(lucja.enrolments.get(), company, start=date(2026, 11, 1), weekdays=[3, 4], hours="10")
    course = make_course(site, "Mestring i hverdagen")
    plan = make_plan(WEEK_49, [site])
    make_appointment(plan, start=at(WEEK_49, 9), consultants=[karen], citizens=[lucja], site=site, room=room)
    make_appointment(plan, start=at(WEEK_49 + timedelta(days=1), 13), minutes=120, kind=ActivityKind.GROUP_SESSION,
                     consultants=[karen], citizens=[lucja, bo], site=site, room=room, group_course=course)
    make_appointment(plan, start=at(WEEK_49 + timedelta(days=2), 11), consultants=[karen], citizens=[bo],
                     site=site, room=room)
    make_appointment(plan, start=at(WEEK_49 + timedelta(days=2), 14), consultants=[karen], citizens=[lucja],
                     site=site, room=room, status="cancelled")
    ClosedDay.objects.create(site=site, date=WEEK_49 + timedelta(days=4), reason="Personaledag")
    plan_publish(plan=plan)
    return {"site": site, "karen": karen, "lucja": lucja, "bo": bo}


def _text(pdf: bytes) -> list[str]:
    # Cells wrap lines; compare with whitespace collapsed.
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def _render_first_page(pdf: bytes, name: str) -> None:
    document = pdfium.PdfDocument(pdf)
    image = document[0].render(scale=1.5).to_pil().convert("L")
    ARTIFACTS.mkdir(exist_ok=True)
    image.save(ARTIFACTS / name)
    histogram = image.histogram()
    dark = sum(histogram[:128]) / sum(histogram)
    assert 0.01 < dark < 0.6, f"page looks blank or black ({dark:.3f} dark)"


def test_a_citizens_ugeskema_has_title_week_name_and_only_their_own_appointments(world):
    pdf = citizen_week_pdf(citizen=world["lucja"], week_start=WEEK_49)
    (text,) = _text(pdf)
    assert "Ugeskema for Łucja Şahin-Ćwik" in text
    assert "Uge 49 · 30.11.–04.12.2026" in text
    assert "Individuel samtale" in text and "09:00–10:00" in text
    assert "Mestring i hverdagen" in text  # their own paper may name their course
    assert "Karen Holm" in text and "20 30 40 50" in text
    assert "Mødelokale 1" in text and "Dæmningen 1, 7100 Vejle" in text
    assert "Bageriet ApS" in text and "PRAKTIK" in text  # internship Thursday and Friday
    assert "AFLYST" in text
    assert "Lukket: Personaledag" in text
    assert "Mandag 30.11." in text and "Fredag 04.12." in text
    assert "Nielsen" not in text and "11:00–12:00" not in text  # Bo's talk is not hers
    _render_first_page(pdf, "ugeskema-citizen.png")


def test_the_same_week_gives_the_same_bytes(world):
    assert citizen_week_pdf(citizen=world["lucja"], week_start=WEEK_49) == citizen_week_pdf(
        citizen=world["lucja"], week_start=WEEK_49
    )


def test_a_holiday_is_marked(world):
    christmas_week = date(2026, 12, 21)
    (text,) = _text(citizen_week_pdf(citizen=world["bo"], week_start=christmas_week))
    assert "Helligdag: Juledag" in text


def test_internship_days_are_not_printed_on_public_holidays(world):
    christmas_week = date(2026, 12, 21)  # her internship days, Thursday and Friday, are 24 and 25 December
    (text,) = _text(citizen_week_pdf(citizen=world["lucja"], week_start=christmas_week))
    assert "Helligdag: Juledag" in text and "Helligdag: Juleaftensdag" in text
    assert "Bageriet ApS" not in text  # the legend still explains PRAKTIK


def test_the_batch_has_one_page_per_citizen_in_name_order(world):
    site = world["site"]
    make_citizen(site, "Anna", "Andersen", reference="b-aa")
    make_citizen(site, "Carl", "Nielsen", reference="b-cn")
    pdf = site_week_pdf(site=site, week_start=WEEK_49)
    pages = _text(pdf)
    names = [page.split(" Uge 49", 1)[0] for page in pages]
    assert names == [
        "Ugeskema for Anna Andersen",
        "Ugeskema for Bo Nielsen",
        "Ugeskema for Carl Nielsen",
        "Ugeskema for Łucja Şahin-Ćwik",
    ]
    assert "Mestring" not in pages[0]  # Anna is on nobody's course
    _render_first_page(pdf, "ugeskema-batch.png")


def test_a_consultants_week_shows_initials_not_names(world):
    (text,) = _text(consultant_week_pdf(consultant=world["karen"], week_start=WEEK_49))
    assert "Ugeskema for Karen Holm" in text
    assert "ŁŞ" in text and "2 deltagere" in text
    assert "Łucja" not in text and "Nielsen" not in text and "Mestring" not in text


def test_a_name_the_font_cannot_print_falls_back_to_the_reference():
    assert font_can_print("Łucja Şahin-Ćwik")
    assert printable_name("李小龍", "b-17") == "b-17"
    arabic = printable_name("محمد علي", "b-18")
    assert arabic != "b-18" and font_can_print(arabic)


def test_an_arabic_name_prints_without_boxes(world):
    citizen = make_citizen(world["site"], "محمد", "علي", reference="b-ali")
    pdf = citizen_week_pdf(citizen=citizen, week_start=WEEK_49)
    assert len(_text(pdf)) == 1
    _render_first_page(pdf, "ugeskema-arabic.png")


def _smallest_font_size(pdf: bytes) -> float:
    """The smallest effective text size on any page: font size scaled by the text and page matrices."""
    sizes: list[float] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            sizes.append(size * abs(tm[3]) * abs(cm[3]))

    for page in PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=visit)
    return min(sizes)


def test_a_week_too_long_for_one_page_continues_on_the_next_at_readable_size() -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from scheduler.publishing.pdf import week_pdf, weeks_pdf
    from scheduler.publishing.ugeskema import Week, WeekDay, WeekItem

    tz = ZoneInfo("Europe/Copenhagen")

    def item(day: date, hour: int, n: int) -> WeekItem:
        start = datetime(day.year, day.month, day.day, hour, tzinfo=tz)
        return WeekItem(start=start, end=start + timedelta(minutes=45), title=f"Samtale nummer {n}",
                        where="Center Vejle, Nørregade 12, Mødelokale 1", with_whom="Karen Holm, tlf. 20 30 40 50",
                        kind="talk")

    days = [WeekDay(WEEK_49 + timedelta(days=d), items=[item(WEEK_49 + timedelta(days=d), 8 + i, d * 10 + i)
                                                        for i in range(9)]) for d in range(5)]
    long_week = Week(owner_name="Bo Nielsen", owner_reference="b-bo", week_start=WEEK_49, days=days)
    pdf = week_pdf(long_week)
    pages = _text(pdf)
    assert len(pages) >= 2
    assert "Ugeskema for Bo Nielsen" in pages[0]
    assert "Ugeskema for Bo Nielsen · Uge 49 · 30.11.–04.12.2026 (fortsat, side 2)" in pages[1]
    everything = " ".join(pages)
    assert all(f"Samtale nummer {d * 10 + i}" in everything for d in range(5) for i in range(9))
    assert _smallest_font_size(pdf) >= 10  # never shrunk below readable size

    # In a batch the next person still starts on a page of their own, without a "fortsat" line.
    short = Week(owner_name="Anne Alfa", owner_reference="b-anne", week_start=WEEK_49,
                 days=[WeekDay(WEEK_49 + timedelta(days=d)) for d in range(5)])
    batch = _text(weeks_pdf([long_week, short], title="Ugeskemaer"))
    assert batch[-1].startswith("Ugeskema for Anne Alfa") and "fortsat" not in batch[-1]
    assert len(batch) == len(pages) + 1


def test_every_ordinary_ugeskema_is_printed_at_ten_points_or_more(world) -> None:
    assert _smallest_font_size(citizen_week_pdf(citizen=world["lucja"], week_start=WEEK_49)) >= 10
    assert _smallest_font_size(site_week_pdf(site=world["site"], week_start=WEEK_49)) >= 10
