"""PDFs a citizen can rely on: boxes never split, direction marks never reverse a name, Arabic joined, every
sheet identified and dated, empty weeks left out of a batch on request, "NY TID" marked and explained."""
import io
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from pypdf import PdfReader

from scheduler.publishing.bidi import shape_arabic, visual_order
from scheduler.publishing.pdf import week_pdf, weeks_pdf
from scheduler.publishing.ugeskema import Week, WeekDay, WeekItem

TZ = ZoneInfo("Europe/Copenhagen")
MONDAY = date(2026, 11, 30)


def _pages(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def _item(day: date, hour: int, n: int, **extra: object) -> WeekItem:
    start = datetime(day.year, day.month, day.day, hour, tzinfo=TZ)
    return WeekItem(start=start, end=start + timedelta(minutes=45), title=f"Samtale nummer {n}",
                    where="Center Vejle, Nørregade 12, Mødelokale 1, indgang fra gården ved cykelstativerne",
                    with_whom="Karen Holm, tlf. 20 30 40 50", kind="talk", **extra)


def _week(name: str = "Bo Nielsen", *, per_day: int = 0, version: int | None = 3, **extra: object) -> Week:
    days = [WeekDay(MONDAY + timedelta(days=d), items=[_item(MONDAY + timedelta(days=d), 8 + i, d * 10 + i, **extra)
                                                       for i in range(per_day)]) for d in range(5)]
    return Week(owner_name=name, owner_reference="b-bo", week_start=MONDAY, days=days, version=version)


def test_no_appointment_box_is_split_across_pages() -> None:
    pages = _pages(week_pdf(_week(per_day=11)))
    assert len(pages) >= 2
    for text in pages:
        # A box is time, title, place and people: a split box would leave its "Med:" line on the next page.
        assert text.count("Samtale nummer") == text.count("Hvor:") == text.count("Med: Karen Holm"), text


def test_a_stray_right_to_left_mark_never_reverses_a_danish_name() -> None:
    name = "Zoë Ærø-\u200fØstergård"
    assert visual_order(name) == "Zoë Ærø-Østergård"
    text = _pages(week_pdf(_week(name)))[0]
    assert "Ugeskema for Zoë Ærø-Østergård" in text
    assert "dragretsØ" not in text


def test_arabic_is_shaped_and_put_in_visual_order_per_run() -> None:
    shaped = shape_arabic("محمد")
    assert all(0xFE70 <= ord(ch) <= 0xFEFF for ch in shaped)  # presentation forms: joined letters
    assert shaped == "\ufee3\ufea4\ufee4\ufeaa"  # initial meem, medial hah, medial meem, final dal
    assert visual_order("محمد علي") == shape_arabic("محمد علي")[::-1]
    mixed = visual_order("Ali علي 12")
    assert mixed.startswith("Ali ") and mixed.endswith(" 12")  # the left-to-right words stay in place
    assert shape_arabic("لا") == "\ufefb"  # lam-alef ligature
    started = time.perf_counter()
    for _ in range(1000):
        visual_order("محمد علي")
    assert (time.perf_counter() - started) / 1000 < 0.001


@pytest.mark.django_db
def test_every_sheet_carries_the_reference_version_and_print_date() -> None:
    pages = _pages(week_pdf(_week(per_day=11)))
    printed = timezone.localdate().strftime("%d.%m.%Y")
    assert all(f"Ref. b-bo · version 3 · udskrevet {printed}" in text for text in pages)


def test_empty_weeks_can_be_left_out_of_a_batch() -> None:
    weeks = [_week("Anne Alfa", per_day=1), _week("Bo Nielsen"), _week("Carl Cee", per_day=1)]
    assert len(_pages(weeks_pdf(weeks, title="x"))) == 3
    pages = _pages(weeks_pdf(weeks, title="x", skip_empty=True))
    assert len(pages) == 2 and not any("Bo Nielsen" in p for p in pages)


def test_ny_tid_and_aflyst_are_marked_and_explained_in_the_legend() -> None:
    text = _pages(week_pdf(_week(per_day=1, moved=True)))[0]
    assert "[NY TID]" in text
    assert "NY TID = tid eller sted er ændret siden sidst" in text
    assert "Prikket ramme, overstreget og AFLYST = aftalen er aflyst" in text
