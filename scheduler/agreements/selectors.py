"""Reads of agreements: one citizen's, in plain Danish for their own page and PDF, and for staff."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from activities.models import ActivityKind
from scheduler.models import Agreement, AgreementKind, MeetingNote, Responsible
from solver.problem import DANISH_DAYS

WHO_FOR_CITIZEN = {
    Responsible.CITIZEN: "Du",
    Responsible.EMPLOYER: "Din arbejdsgiver",
    Responsible.CONSULTANT: "Din kontaktperson",
}


def _day(day: date) -> str:
    return f"{DANISH_DAYS[day.weekday()]} {day:%d.%m.}" if day.weekday() < 5 else f"{day:%d.%m.}"


def agreement_text(agreement: Agreement) -> str:
    """One agreement as the citizen reads it: "Næste samtale senest mandag 14.12.", "Du: … – senest …"."""
    if agreement.kind == AgreementKind.NEXT_MEETING:
        what = "samtale" if agreement.next_kind in (ActivityKind.TALK, "") else \
            str(ActivityKind(agreement.next_kind).label).lower()
        return f"Næste {what} senest {_day(agreement.due_by)}"
    who = WHO_FOR_CITIZEN.get(agreement.responsible, "")
    return f"{who}: {agreement.text} – senest {_day(agreement.due_by)}"


@dataclass(frozen=True)
class AgreementLine:
    id: int
    made_on: date
    due_by: date
    kind: str
    responsible: str
    text: str  # the agreement's own text (tasks)
    plain: str  # the citizen's wording
    done_on: date | None = None  # marked done (staff pages)


def citizen_agreements(*, citizen_ids: Iterable[int], due_from: date | None = None,
                       made_until: date | None = None) -> dict[int, list[AgreementLine]]:
    """Each citizen's agreements (all their enrolments), by due date; `due_from` leaves out older ones,
    `made_until` those made later (a past week's PDF shows what had been agreed by then)."""
    citizen_ids = list(citizen_ids)
    rows = Agreement.objects.filter(enrolment__citizen_id__in=citizen_ids).select_related("enrolment")
    if due_from is not None:
        rows = rows.filter(due_by__gte=due_from)
    if made_until is not None:
        rows = rows.filter(made_on__lte=made_until)
    out: dict[int, list[AgreementLine]] = {pk: [] for pk in citizen_ids}
    for a in rows.order_by("due_by", "pk"):
        out[a.enrolment.citizen_id].append(AgreementLine(a.pk, a.made_on, a.due_by, a.kind, a.responsible, a.text,
                                                         agreement_text(a), a.done_on))
    return out


def meeting_notes(*, enrolment_ids: Iterable[int]) -> list[MeetingNote]:
    return list(MeetingNote.objects.filter(enrolment_id__in=list(enrolment_ids)).order_by("-held_on"))
