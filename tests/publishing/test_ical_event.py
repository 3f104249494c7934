"""The hand-written VEVENT lines: escaping and folding read back exactly by three independent parsers."""
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest

from scheduler.publishing.feeds import _vtimezone
from scheduler.publishing.ical_event import MAX_LINE_OCTETS, event_ical, fold, text_escape
from tests.publishing.ical_parsers import with_ical, with_icalendar, with_vobject

TZ_NAME = "Europe/Copenhagen"
TZ = ZoneInfo(TZ_NAME)
AWKWARD = [
    "Samtale",
    "Rundbordssamtale; jobcenter, virksomhed \\ borger",
    "To linjer\nmed CRLF\r\nog CR\rslut",
    "æøå ÆØÅ " * 30,  # two-byte characters across many fold points
    "Łukasz Śliwiński – Ştefan ćwiczenie 😀 " * 6,  # up to four bytes per character
    "x" * 74 + "ø" + "y" * 200,  # a character straddling the first fold point
]


def _calendar(event: bytes) -> bytes:
    frame = icalendar.Calendar.new(prodid="-//test//DA")
    # The VTIMEZONE a feed of 2026 carries (feeds._vtimezone: the years it covers). vobject (through
    # dateutil) reads a summer time wrong from icalendar's default 1970–2038 VTIMEZONE.
    frame.add_component(_vtimezone(2026, 2027))
    head = frame.to_ical().removesuffix(b"END:VCALENDAR\r\n")
    return head + event + b"END:VCALENDAR\r\n"


@pytest.mark.parametrize("text", AWKWARD, ids=range(len(AWKWARD)))
def test_every_parser_reads_back_the_exact_text_and_times(text: str) -> None:
    start = datetime(2026, 3, 30, 9, 0, tzinfo=TZ)  # the first week of summer time
    body = _calendar(event_ical(
        uid="appointment-1@ugeskema.test", stamp=datetime(2026, 3, 1, 12, 0, tzinfo=UTC), start=start,
        end=datetime(2026, 3, 30, 10, 30, tzinfo=TZ), tzid=TZ_NAME, sequence=3, summary=text,
        location=text, description=text, cancelled=False,
    ))
    expected_text = text.replace("\r\n", "\n").replace("\r", "\n")
    for parse in (with_icalendar, with_ical, with_vobject):
        (event,) = parse(body).values()
        assert event == (datetime(2026, 3, 30, 7, 0, tzinfo=UTC), datetime(2026, 3, 30, 8, 30, tzinfo=UTC), 3,
                         "CONFIRMED", expected_text), parse.__name__
    parsed = icalendar.Calendar.from_ical(body).walk("VEVENT")[0]
    assert str(parsed["LOCATION"]) == str(parsed["DESCRIPTION"]) == expected_text
    assert parsed["DTSTAMP"].dt == parsed["LAST-MODIFIED"].dt == datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert all(len(line) <= MAX_LINE_OCTETS for line in body.split(b"\r\n"))
    for line in body.split(b"\r\n"):
        line.decode()  # no character was cut in two by a fold


def test_a_cancelled_event_is_transparent_and_empty_fields_are_left_out() -> None:
    moment = datetime(2026, 12, 1, 9, 0, tzinfo=TZ)
    lines = event_ical(uid="u@x", stamp=moment, start=moment, end=moment, tzid=TZ_NAME, sequence=0,
                       summary="Aflyst", location=None, description="", cancelled=True).split(b"\r\n")
    assert b"STATUS:CANCELLED" in lines and b"TRANSP:TRANSPARENT" in lines
    assert not any(line.startswith((b"LOCATION", b"DESCRIPTION")) for line in lines)
    assert b"DTSTAMP:20261201T080000Z" in lines  # stamps in UTC, start in the feed's zone
    assert b"DTSTART;TZID=Europe/Copenhagen:20261201T090000" in lines


def test_fold_and_escape_follow_rfc_5545() -> None:
    assert fold("A" * 75) == b"A" * 75 + b"\r\n"
    assert fold("A" * 76) == b"A" * 75 + b"\r\n A\r\n"
    assert fold("A" * 74 + "é") == b"A" * 74 + b"\r\n \xc3\xa9\r\n"  # é would end at octet 76
    assert text_escape("a\\b;c,d\ne") == "a\\\\b\\;c\\,d\\ne"
