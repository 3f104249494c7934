"""The structured cause of an unplaced task (docs/plan-format.md, "cause"): one JSON shape for what
the solver explains (`solver.problem.Cause`) and for what never reached it (demand and builder notes)."""

from __future__ import annotations

from datetime import datetime, timedelta

from solver import problem as sp


def ref_json(kind: str, id: int, name: str) -> dict[str, object]:
    return {"kind": kind, "id": id, "name": name}


def cause_json(
    code: str,
    *,
    person: dict[str, object] | None = None,
    at: datetime | None = None,
    obj: dict[str, object] | None = None,
    params: dict[str, object] | None = None,
) -> dict[str, object]:
    return {
        "code": code,
        "person": person,
        "at": at.isoformat() if at is not None else None,
        "object": obj,
        "params": dict(params or {}),
    }


def citizen_json(citizen) -> dict[str, object]:  # noqa: ANN001 - scheduler.models.Citizen
    return ref_json("citizen", citizen.id, citizen.full_name)


def solver_cause_json(problem: sp.Problem, cause: sp.Cause | None, tz) -> dict[str, object] | None:  # noqa: ANN001
    """The solver's cause with its slot as an aware local time (a deadline: the end of its slot)."""
    if cause is None:
        return None
    at = None
    if cause.at_slot is not None:
        if cause.at_is_end and cause.at_slot > 0:
            at = problem.slot_to_datetime(cause.at_slot - 1) + timedelta(minutes=problem.slot_minutes)
        else:
            at = problem.slot_to_datetime(cause.at_slot)
        at = at.replace(tzinfo=tz)

    def ref(r: sp.Ref | None) -> dict[str, object] | None:
        return ref_json(r.kind, r.id, r.name) if r is not None else None

    return cause_json(cause.code, person=ref(cause.person), at=at, obj=ref(cause.object), params=dict(cause.params))
