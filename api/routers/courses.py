"""New holdforløb: proposals for the waiting citizens of a site, and accepting one (as shown or edited)."""
from datetime import date, time

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from api.auth import planner_scope
from api.crud import MAX_ID, parse_week, resolve_site
from api.errors import ERRORS
from scheduler.audit import AuditAction, audit_record
from scheduler.courses.proposals import ProposalGroup
from scheduler.courses.selectors import course_proposals_for_week
from scheduler.courses.services import AcceptedCourse, course_proposal_accept

router = Router(tags=["Hold / Group courses"])


class ProposalQuery(Schema):
    site: str = Field(..., max_length=60, description="Centrets kode eller id / site code or id")
    week: str = Field(..., max_length=10, description="Første uge / first ISO week, e.g. 2026-W49")
    weeks: int = Field(8, ge=1, le=13, description="Højst så mange uger / at most this many weeks")


class SeatOut(Schema):
    citizen: int
    name: str
    joined: date


class RefusalOut(Schema):
    citizen: int
    name: str
    code: str = Field(..., description="works, unavailable, course, accommodation, full, no_course")
    reason: str


class ProposalOut(Schema):
    text: str = Field(..., description='"Mestring, tirsdage 9–11, fra 05.01."')
    name: str
    theme: str
    weekdays: list[int] = Field(..., description="0 = mandag / Monday")
    start_time: time
    duration_minutes: int
    start_date: date
    end_date: date
    staff_type: str
    facilitator: int
    facilitator_name: str
    room: int
    room_name: str
    room_features: list[str]
    min_participants: int
    max_participants: int
    members: list[SeatOut]


class GroupOut(Schema):
    site: int
    site_name: str
    theme: str
    waiting: int
    proposals: list[ProposalOut]
    refused: list[RefusalOut]
    why_none: str = Field(..., description='"" or too_few, no_facilitator, no_room, no_time')
    solver_status: str
    seconds: float


class MemberIn(Schema):
    citizen: int = Field(..., ge=1, le=MAX_ID)
    joined: date


class AcceptIn(Schema):
    site: str = Field(..., max_length=60)
    theme: str = Field(..., max_length=30)
    name: str = Field(..., min_length=1, max_length=120)
    weekdays: list[int] = Field(..., min_length=1, max_length=5)
    start_time: time
    duration_minutes: int = Field(..., ge=30, le=240)
    start_date: date
    end_date: date
    staff_type: str = Field(..., max_length=20)
    facilitator: int | None = Field(None, ge=1, le=MAX_ID)
    min_participants: int = Field(..., ge=1, le=99)
    max_participants: int = Field(..., ge=1, le=99)
    room_features: list[str] = Field(default_factory=list, max_length=10)
    members: list[MemberIn] = Field(default_factory=list, max_length=99)


class CourseOut(Schema):
    id: int
    name: str
    members: int


def _group_out(g: ProposalGroup) -> dict:
    return {
        "site": g.site_id, "site_name": g.site_name, "theme": g.theme, "waiting": g.waiting,
        "why_none": g.why_none, "solver_status": g.status, "seconds": round(g.seconds, 3),
        "refused": [{"citizen": r.citizen_id, "name": r.name, "code": r.code, "reason": r.reason} for r in g.refused],
        "proposals": [{
            "text": p.text, "name": p.name, "theme": p.theme, "weekdays": list(p.weekdays), "start_time": p.start_time,
            "duration_minutes": p.duration_minutes, "start_date": p.start_date, "end_date": p.end_date,
            "staff_type": p.staff_type, "facilitator": p.facilitator_id, "facilitator_name": p.facilitator_name,
            "room": p.room_id, "room_name": p.room_name, "room_features": list(p.room_features),
            "min_participants": p.min_participants, "max_participants": p.max_participants,
            "members": [{"citizen": s.citizen_id, "name": s.name, "joined": s.joined} for s in p.seats],
        } for p in g.proposals],
    }


@router.get("", response={200: list[GroupOut], **ERRORS}, operation_id="course_proposals_list",
            summary="Forslag til nye hold for ventende borgere / proposals for new group courses")
def proposals_list(request: HttpRequest, params: Query[ProposalQuery]) -> list[dict]:
    scope = planner_scope(request)
    site_id = resolve_site(params.site, scope)
    week_start = parse_week(params.week)
    groups = course_proposals_for_week(site_ids=[site_id], week_start=week_start, weeks=params.weeks)
    audit_record(actor=request.auth, action=AuditAction.VIEW, object_repr=f"Forslag til nye hold (center {site_id})",
                 citizen_ids={s.citizen_id for g in groups for p in g.proposals for s in p.seats}
                 | {r.citizen_id for g in groups for r in g.refused}, request=request)
    return [_group_out(g) for g in groups]


@router.post("/accept", response={201: CourseOut, **ERRORS}, operation_id="course_proposals_accept",
             summary="Opret et foreslået hold / create a proposed course with its sessions and members")
def proposals_accept(request: HttpRequest, payload: AcceptIn) -> Status:
    scope = planner_scope(request)
    site_id = resolve_site(payload.site, scope)
    course = course_proposal_accept(scope=scope, accepted=AcceptedCourse(
        site_id=site_id, theme=payload.theme, name=payload.name, weekdays=tuple(payload.weekdays),
        start_time=payload.start_time, duration_minutes=payload.duration_minutes, start_date=payload.start_date,
        end_date=payload.end_date, staff_type=payload.staff_type, facilitator_id=payload.facilitator,
        min_participants=payload.min_participants, max_participants=payload.max_participants,
        members=tuple((m.citizen, m.joined) for m in payload.members), room_features=tuple(payload.room_features),
    ))
    return Status(201, {"id": course.pk, "name": course.name, "members": len(payload.members)})
