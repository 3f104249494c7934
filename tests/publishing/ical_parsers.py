"""Three independent readings of one feed: icalendar, ical and vobject must agree."""
from datetime import UTC, datetime

import icalendar
import vobject
from ical.calendar_stream import IcsCalendarStream

Event = tuple[datetime, datetime, int, str, str]  # start, end (UTC), sequence, status, summary


def _utc(value: datetime) -> datetime:
    assert value.tzinfo is not None, "a floating time would drift in the reader's timezone"
    return value.astimezone(UTC)


def with_icalendar(body: bytes) -> dict[str, Event]:
    calendar = icalendar.Calendar.from_ical(body)
    return {
        str(e["UID"]): (_utc(e.start), _utc(e.end), int(e["SEQUENCE"]), str(e["STATUS"]), str(e["SUMMARY"]))
        for e in calendar.walk("VEVENT")
    }


def with_ical(body: bytes) -> dict[str, Event]:
    calendar = IcsCalendarStream.calendar_from_ics(body.decode())
    return {
        e.uid: (_utc(e.dtstart), _utc(e.dtend), int(e.sequence or 0), str(e.status.value), e.summary)
        for e in calendar.events
    }


def with_vobject(body: bytes) -> dict[str, Event]:
    calendar = vobject.readOne(body.decode())
    events = getattr(calendar, "vevent_list", [])
    return {
        e.uid.value: (
            _utc(e.dtstart.value), _utc(e.dtend.value), int(e.sequence.value), e.status.value, e.summary.value
        )
        for e in events
    }


def parse_agreeing(body: bytes) -> dict[str, Event]:
    """The events as all three parsers read them; fails unless they agree exactly."""
    a, b, c = with_icalendar(body), with_ical(body), with_vobject(body)
    assert a == b == c, (a, b, c)
    return a
