"""A draft's proposals: the contact consultants and course places chosen while planning it.

Planning needs them to shape the week's demand (who holds the talks, who sits in a course session),
but a draft is only a proposal: they are stored with the draft (`Plan.solver_info["proposals"]`) and
written for good when the draft is published (scheduler.publishing.services.plan_publish) or when a
coordinator accepts them (`scheduler.editing.services.plan_proposals_accept`). A draft thrown away changes nothing.

Reads that must see the week as the draft does (planning it, checking a move in it) run inside
`proposals_applied`, which writes the proposals in a savepoint and rolls them back afterwards.

    {"contact_consultants": [{"enrolment": 12, "consultant": 3}],
     "course_places": [{"course": 4, "citizen": 57, "joined": "2026-11-30"}]}
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from django.db import transaction

from activities.models import CourseMembership
from scheduler.models import Enrolment, Plan

Proposals = dict[str, list[dict[str, Any]]]


class _Undo(Exception):
    """Raised to roll the savepoint back once the reads are done."""


def proposals_empty() -> Proposals:
    return {"contact_consultants": [], "course_places": []}


def proposals_write(proposals: Proposals | None) -> None:
    """Write proposals: a contact consultant only where the enrolment still has none, a course place
    as a (re)joined membership from the week it was proposed for."""
    if not proposals:
        return
    for item in proposals.get("contact_consultants", []):
        Enrolment.objects.filter(pk=item["enrolment"], contact_consultant__isnull=True).update(
            contact_consultant_id=item["consultant"]
        )
    places = proposals.get("course_places", [])
    if not places:
        return
    # One read and one insert for all places: this runs on every look at a draft (options, move checks).
    known = {
        (m.course_id, m.citizen_id): m
        for m in CourseMembership.objects.filter(
            course_id__in={item["course"] for item in places}, citizen_id__in={item["citizen"] for item in places}
        )
    }
    new = []
    for item in places:
        joined = date.fromisoformat(str(item["joined"]))
        membership = known.get((item["course"], item["citizen"]))
        if membership is None:
            membership = CourseMembership(course_id=item["course"], citizen_id=item["citizen"], joined=joined)
            known[(item["course"], item["citizen"])] = membership
            new.append(membership)
        elif membership.left is not None:  # joins again, as course_places_assign does
            membership.joined, membership.left = joined, None
            membership.save(update_fields=["joined", "left"])
    CourseMembership.objects.bulk_create(new)


@contextmanager
def proposals_applied(proposals: Proposals | None = None) -> Iterator[None]:
    """Inside: the database with `proposals` written; afterwards exactly as before."""
    try:
        with transaction.atomic():
            proposals_write(proposals)
            yield
            raise _Undo
    except _Undo:
        pass


def proposals_made(make: Callable[[], tuple[list[Enrolment], list[CourseMembership]]]) -> Proposals:
    """The proposals in what `make` wrote (contact consultants given, course places taken)."""
    enrolments, memberships = make()
    return {
        "contact_consultants": [
            {"enrolment": e.pk, "consultant": e.contact_consultant_id} for e in enrolments
        ],
        "course_places": [
            {"course": m.course_id, "citizen": m.citizen_id, "joined": m.joined.isoformat()} for m in memberships
        ],
    }


def plan_proposals(plan: Plan) -> Proposals:
    return (plan.solver_info or {}).get("proposals") or proposals_empty()
