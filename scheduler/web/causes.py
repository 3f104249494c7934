"""From an unplaced task's structured cause (docs/plan-format.md, "Why a task is unplaced") to the screen
where a coordinator fixes it, and what else could be done this week.

Links carry consultants' names or citizens' pseudonymous references as search terms, never a citizen's
name (URLs end up in logs).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from activities.models import Company, StaffType
from scheduler.models import UnplacedTask


@dataclass
class Fix:
    label: str
    url: str
    alternatives: list[tuple[str, str]] = field(default_factory=list)  # (text, url or "")


def _list(slug: str, query: str = "") -> str:
    url = reverse("web:data_list", args=[slug])
    return f"{url}?{urlencode({'q': query})}" if query else url


def _person(cause: dict, kind: str) -> dict | None:
    person = cause.get("person") or None
    return person if person and person.get("kind") == kind else None


def _object(cause: dict, kind: str) -> dict | None:
    obj = cause.get("object") or None
    return obj if obj and obj.get("kind") == kind else None


def _citizen_reference(task: UnplacedTask) -> str:
    citizens = list(task.citizens.all())
    return citizens[0].reference if len(citizens) == 1 else ""


def _course_fix(task: UnplacedTask, cause: dict) -> Fix:
    course = _object(cause, "course")
    params = cause.get("params") or {}
    fix = Fix(_("Ret holdets mødetider"), _list("holdtider", course["name"] if course else ""))
    if params.get("next_course_name"):
        fix.alternatives.append((_("Næste hold med plads: %(name)s") % {"name": params["next_course_name"]},
                                 reverse("web:data_new", args=["holddeltagere"])))
    return fix


def _consultant_fix(task: UnplacedTask, cause: dict, slug: str, label: str) -> Fix:
    person = _person(cause, "consultant")
    fix = Fix(label, _list(slug, person["name"] if person else ""))
    if task.kind != "group_session":  # a course session has its own time and facilitator
        fix.alternatives.append((_("Bestil en telefonsamtale i stedet, eller en samtale næste uge"), "#bestil"))
        # A request chooses its staff types (ActivityRequest.staff_types): when nobody of the rule's
        # staff type has time, another staff type may hold it.
        staff = (cause.get("params") or {}).get("staff") or []
        others = list(StaffType.objects.exclude(code__in=staff).order_by("name").values_list("name", flat=True))
        if staff and others:
            fix.alternatives.append((_("Bestil den hos en anden faggruppe: %(names)s") % {"names": ", ".join(others)},
                                     "#bestil"))
    return fix


def _company_name(cause: dict) -> str:
    """The company's name as a search term (the solver's cause may carry only its id)."""
    company = _object(cause, "company")
    if not company:
        return ""
    named = company.get("name") or Company.objects.filter(pk=company.get("id")).values_list("name", flat=True).first()
    return named or ""


def cause_fix(task: UnplacedTask) -> Fix | None:
    """The screen that removes the task's cause, or None where no screen of the coordinator's does."""
    cause = task.cause or {}
    code = cause.get("code")
    reference = _citizen_reference(task)
    if code == "site_closed":
        return Fix(_("Se centrets lukkedage"), _list("lukkedage"))
    if code in {"room_full", "room_none"}:
        return Fix(_("Se centrets lokaler"), _list("lokaler"))
    if code in {"citizen_course", "course_times", "fixed_time", "course_full"}:
        return _course_fix(task, cause)
    if code == "run" and not cause.get("person"):
        # The appointment alone is longer than the longest run: a course session is shortened on
        # its course; nothing on a consultant's screen would help.
        return _course_fix(task, cause) if task.kind == "group_session" else None
    if code == "consultant_absent":
        return _consultant_fix(task, cause, "fravaer", _("Se konsulentens fravær"))
    if code in {"consultant_hours", "consultant_full", "lunch", "run"}:
        return _consultant_fix(task, cause, "arbejdstider", _("Ret konsulentens arbejdstider"))
    if code == "employer_window":
        fix = Fix(_("Ret arbejdsgiverens tider"), _list("arbejdsgivertider", _company_name(cause)))
        fix.alternatives.append((_("Se borgerens praktik"), _list("praktikker", reference)))
        return fix
    if code in {"citizen_internship", "citizen_not_at_company"}:
        return Fix(_("Se borgerens praktik"), _list("praktikker", reference))
    if code in {"citizen_accommodation", "citizen_absent"} and reference:
        return Fix(_("Se borgerens aftalte hensyn"), _list("borgere", reference))
    if code == "deadline":
        return Fix(_("Find en tid efter fristen"), reverse("web:unplaced", args=[task.pk]))
    next_course = (cause.get("params") or {}).get("next_course_name")
    if next_course:  # no course of the theme runs this week
        return Fix(_("Meld borgeren på næste hold med plads: %(name)s") % {"name": next_course},
                   reverse("web:data_new", args=["holddeltagere"]))
    return None
