"""The week grid: for each day, one lane per consultant, room or citizen, 08:00–16:00 in quarter hours.

Blocks are placed with CSS grid columns (column 1 is the lane title, then 32 quarter-hour columns), so
the page needs no JavaScript to lay out. Every block carries its kind as text as well as colour.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import ActivityKind
from rooms.models import Room
from scheduler.models import Appointment, AppointmentStatus, Citizen, Consultant

DAY_START_MINUTES = 8 * 60
DAY_END_MINUTES = 16 * 60
SLOT_MINUTES = 15
SLOTS = (DAY_END_MINUTES - DAY_START_MINUTES) // SLOT_MINUTES
DANISH_DAYS = ["Mandag", "Tirsdag", "Onsdag", "Torsdag", "Fredag"]

LANE_KINDS = {"konsulent": "consultant", "lokale": "room", "borger": "citizen"}

# Short labels printed in each block, so kinds are told apart without colour.
SHORT_LABELS = {
    ActivityKind.START_TALK: "Opstart",
    ActivityKind.TALK: "Samtale",
    ActivityKind.CONTACT: "Kontakt",
    ActivityKind.GROUP_SESSION: "Hold",
    ActivityKind.ROUNDTABLE: "Rundbord",
    ActivityKind.FOLLOWUP_VISIT: "Besøg",
    ActivityKind.S7A: "§7a",
    ActivityKind.STEPUP: "Step-up",
    ActivityKind.ASSESSMENT: "Vurdering",
    ActivityKind.PROGRESS: "Progression",
}


@dataclass
class Block:
    appointment: Appointment
    col_start: int
    col_end: int
    short_label: str
    time_text: str
    detail_text: str

    @property
    def cancelled(self) -> bool:
        return self.appointment.status == AppointmentStatus.CANCELLED


@dataclass
class Lane:
    key: str
    title: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class DayGrid:
    day: date
    title: str
    lanes: list[Lane]


def _columns(appointment: Appointment) -> tuple[int, int, str]:
    start = timezone.localtime(appointment.start)
    end = timezone.localtime(appointment.end)
    first = start.hour * 60 + start.minute
    last = end.hour * 60 + end.minute if end.date() == start.date() else 24 * 60
    begin = max(0, (first - DAY_START_MINUTES) // SLOT_MINUTES)
    finish = min(SLOTS, max(begin + 1, -(-(last - DAY_START_MINUTES) // SLOT_MINUTES)))
    return begin + 2, finish + 2, f"{start:%H:%M}–{end:%H:%M}"


def _block(appointment: Appointment, lane_kind: str) -> Block:
    col_start, col_end, time_text = _columns(appointment)
    citizens = list(appointment.citizens.all())
    consultants = list(appointment.consultants.all())
    if appointment.kind == ActivityKind.GROUP_SESSION and appointment.group_course_id:
        who = appointment.group_course.name
    elif lane_kind == "citizen":
        who = ", ".join(c.name for c in consultants)
    else:
        who = ", ".join(z.full_name for z in citizens)
    return Block(appointment, col_start, col_end, SHORT_LABELS.get(appointment.kind, appointment.kind), time_text, who)


def _lane_keys(appointment: Appointment, lane_kind: str) -> list[str]:
    if lane_kind == "consultant":
        return [f"consultant-{c.pk}" for c in appointment.consultants.all()]
    if lane_kind == "citizen":
        return [f"citizen-{z.pk}" for z in appointment.citizens.all()]
    return [f"room-{appointment.room_id}" if appointment.room_id else "room-offsite"]


def week_grid(
    *, appointments: Iterable[Appointment], week_start: date, lane_kind: str,
    consultants: Iterable[Consultant], rooms: Iterable[Room],
) -> list[DayGrid]:
    """Days with lanes. Consultant and room lanes are always shown (free time is visible); citizen
    lanes only for citizens with an appointment that week."""
    appointments = list(appointments)
    by_day: dict[int, dict[str, list[Block]]] = defaultdict(lambda: defaultdict(list))
    citizens: dict[int, Citizen] = {}
    for a in appointments:
        day = (timezone.localtime(a.start).date() - week_start).days
        if not 0 <= day < 5:
            continue
        for key in _lane_keys(a, lane_kind):
            by_day[day][key].append(_block(a, lane_kind))
        if lane_kind == "citizen":
            for z in a.citizens.all():
                citizens[z.pk] = z
    if lane_kind == "consultant":
        base = [(f"consultant-{c.pk}", c.name) for c in consultants]
    elif lane_kind == "room":
        base = [(f"room-{r.pk}", r.name) for r in rooms] + [("room-offsite", _("Ude af huset"))]
    else:
        ordered = sorted(citizens.values(), key=lambda z: (z.last_name, z.first_name))
        base = [(f"citizen-{z.pk}", z.full_name) for z in ordered]
    days = []
    for day in range(5):
        moment = week_start + timedelta(days=day)
        lanes = [Lane(key, title, sorted(by_day[day].get(key, []), key=lambda b: b.col_start)) for key, title in base]
        days.append(DayGrid(moment, f"{DANISH_DAYS[day]} {moment:%d.%m.}", lanes))
    return days


def hour_marks() -> list[tuple[int, str]]:
    """Grid column and label of each full hour, for the time axis."""
    return [(2 + (h * 60 - DAY_START_MINUTES) // SLOT_MINUTES, f"{h:02d}") for h in range(8, 16)]


# -- the week at a glance: one row per lane, five day columns with a compact timeline each ------------


@dataclass
class DayCell:
    day: int
    blocks: list[Block]
    closed_reason: str = ""


@dataclass
class Row:
    key: str
    title: str
    subtitle: str
    cells: list[DayCell]

    @property
    def empty(self) -> bool:
        return not any(cell.blocks for cell in self.cells)


@dataclass
class WeekRows:
    days: list[tuple[int, date, str, str]]  # index, date, title, closed reason ("" when open)
    rows: list[Row]
    collapsed: list[Row]


def week_rows(
    *, days: list[DayGrid], closed_reason: dict[int, str], subtitles: dict[str, str] | None = None,
    keep: set[str] | None = None,
) -> WeekRows:
    """The day grids turned sideways: a row per lane with the five days side by side. Lanes without an
    appointment all week are collapsed into one line; `keep` limits the lanes shown (a filter)."""
    subtitles = subtitles or {}
    rows: list[Row] = []
    if days:
        for index, lane in enumerate(days[0].lanes):
            if keep is not None and lane.key not in keep:
                continue
            cells = [DayCell(d, day.lanes[index].blocks, closed_reason.get(d, "")) for d, day in enumerate(days)]
            rows.append(Row(lane.key, lane.title, subtitles.get(lane.key, ""), cells))
    header = [(d, day.day, day.title, closed_reason.get(d, "")) for d, day in enumerate(days)]
    return WeekRows(header, [r for r in rows if not r.empty], [r for r in rows if r.empty])
