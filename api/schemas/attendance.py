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


class AgreementIn(Schema):
    kind: Literal["next_meeting", "task"]
    due_by: date = Field(..., description="Senest / by")
    responsible: Literal["citizen", "employer", "consultant", ""] = Field("", description="Opgaver / tasks")
    text: str = Field("", max_length=300, description="Opgaver / tasks")
    next_kind: Literal["talk", "roundtable", "s7a", "stepup", ""] = Field("", description="Næste møde / next meeting")
    earliest: date | None = Field(None, description="Næste møde: vinduets start (tom: en uge før) / window start")


class MeetingIn(Schema):
    citizen: int = Field(..., ge=1, le=MAX_ID)
    agenda: str = Field("", max_length=2000, description="Rundbordssamtaler / round tables")
    retention_step: Literal["step_4", "step_3", "step_2", "step_1", ""] = Field(
        "", description="Fastholdelsesplanens trin (rundbordssamtale, borger i delvis raskmelding)")
    agreements: list[AgreementIn] = Field(default_factory=list, max_length=20)


class AgreementOut(Schema):
    id: int
    made_on: date
    due_by: date
    kind: str
    responsible: str
    text: str
    plain: str = Field(..., description="Som borgeren læser den / as the citizen reads it")
