"""Schemas of attendance (and, per citizen, attended and missed appointments)."""
from datetime import date, datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from api.crud import MAX_ID

Status = Literal["held", "no_show", "citizen_cancelled", "centre_cancelled"]


class ParticipantOut(Schema):
    citizen: int
    status: str = Field(..., description="held, no_show, citizen_cancelled, centre_cancelled or pending "
                                         "(ikke markeret, inden for fristen / not marked, inside the grace period)")
    marked: bool


class SheetAppointmentOut(Schema):
    id: int
    uid: str
    kind: str
    start: datetime
    end: datetime
    site: int | None
    consultants: list[int]
    participants: list[ParticipantOut]


class DaySheetOut(Schema):
    day: date
    unmarked: int
    appointments: list[SheetAppointmentOut]


class MarkIn(Schema):
    appointment: int = Field(..., ge=1, le=MAX_ID, description="Aftalens id i den offentliggjorte plan")
    citizen: int = Field(..., ge=1, le=MAX_ID)
    status: Status


class MarksIn(Schema):
    marks: list[MarkIn] = Field(..., min_length=1, max_length=500)


class MarkedOut(Schema):
    saved: int = Field(..., description="Deltagere hvis status blev ændret / participants whose status changed")


class KindWeekOut(Schema):
    kind: str
    week: str
    held: int
    no_show: int
    citizen_cancelled: int
    centre_cancelled: int
    pending: int


class CitizenAttendanceOut(Schema):
    citizen: int
    attended: int
    missed: int = Field(..., description="Udeblevet + afbud / no-show + afbud")
    rate: float | None = Field(..., description="held / (held + no_show + citizen_cancelled)")
    by_kind_and_week: list[KindWeekOut]
