"""Schemas of planning runs and plans."""
from datetime import date, datetime
from typing import Any

from ninja import Schema
from pydantic import Field


class RunIn(Schema):
    week: str = Field(..., max_length=10, description="ISO-uge / ISO week, e.g. 2026-W49")
    sites: list[str] = Field(..., min_length=1, max_length=50, description="Centrenes koder eller id'er")
    time_limit: int | None = Field(None, ge=1, le=86_400, description="Sekunder / seconds for the solver")
    allow_started_week: bool = Field(False, description="Ja, ugen er begyndt / yes, change a week that has begun "
                                     "(what began is kept as published)")
    weeks: int = Field(1, ge=1, le=8, description="Planlæg så mange uger som én kørsel / plan this many weeks from "
                       "`week` as one run (one draft per week; docs/solver.md, \"Several weeks as one run\")")


class RunOut(Schema):
    id: int
    week: str
    sites: list[int]
    status: str = Field(..., description="queued, running, done, failed, cancelled")
    progress: float
    objective: float | None
    best_bound: float | None
    gap: float | None
    real_bound: float | None = Field(None, description="lower bound for the real problem (every 15-minute start)")
    real_gap: float | None = Field(None, description="how far the plan may be from the best possible plan, 0..1")
    elapsed_seconds: float
    unplaced: int | None
    plan_id: int | None
    message: str
    cancel_requested: bool
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    weeks: int = Field(1, description="weeks planned by the run (1 = one week)")
    plan_ids: list[int] = Field(default_factory=list, description="the drafts stored so far, one per week, in order")


class AppointmentOut(Schema):
    id: int
    uid: str
    task_key: str
    kind: str
    start: datetime
    end: datetime
    site: int | None
    room: int | None
    company: int | None
    place: str
    group_course: int | None
    consultants: list[int]
    citizens: list[int]
    status: str
    pinned: bool
    moved: bool
    sequence: int
    rule: str


class CauseRefOut(Schema):
    kind: str
    id: int
    name: str


class UnplacedCauseOut(Schema):
    code: str
    person: CauseRefOut | None = None
    at: datetime | None = None
    object: CauseRefOut | None = None
    params: dict[str, Any] = {}


class UnplacedOut(Schema):
    id: int
    task_key: str
    kind: str
    citizens: list[int]
    reason: str
    cause: UnplacedCauseOut | None = Field(None, description="Struktureret årsag / structured cause (docs/api.md)")
    rule: str
    due_by: date | None


class PlanSummaryOut(Schema):
    id: int
    week: str
    week_start: date
    sites: list[int]
    status: str
    version: int | None
    lock_version: int
    created_at: datetime
    published_at: datetime | None
    solver_status: str
    objective: float | None
    best_bound: float | None
    gap: float | None
    real_bound: float | None = Field(None, description="lower bound for the real problem (every 15-minute start)")
    real_gap: float | None = Field(None, description="how far the plan may be from the best possible plan, 0..1")


class PlanOut(PlanSummaryOut):
    appointments: list[AppointmentOut]
    unplaced: list[UnplacedOut]


class VersionIn(Schema):
    version: int | None = Field(None, ge=0, le=2**31 - 1, description="lock_version du så / you saw (or If-Match)")


class MoveIn(VersionIn):
    start: datetime = Field(..., description="Ny start / new start (local time if no offset)")
    consultants: list[int] | None = Field(None, max_length=5, description="Konsulenter / consultant ids")
    room: int | None = Field(None, ge=1, le=2**53, description="Lokale / room id (place = site)")


class ReplanIn(Schema):
    time_limit: int | None = Field(None, ge=1, le=86_400)
    allow_started_week: bool = Field(False, description="Ja, ugen er begyndt / yes, change a week that has begun "
                                     "(what began is kept as published)")


class PublishIn(VersionIn):
    allow_started_week: bool = Field(False, description="Ja, ugen er begyndt / yes, change a week that has begun "
                                     "(what began is kept as published)")


class OptionOut(Schema):
    start: datetime
    end: datetime
    consultant: int
    consultant_name: str
    room: int | None
    site: int
    score: float
    reasons: list[str]
