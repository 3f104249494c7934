"""Telling the people a change affects: after version N>1 of a week is published, a list per consultant and
per citizen of what changed for them (new, moved, cancelled, restored, with the old and new time and place),
printable as short letters in Danish, and sent by e-mail where the person has an address and their site
allows it (rooms.Site.change_emails).

The comparison is the one behind every "moved" (scheduler.publishing.changes): the version against the
versions it replaced. Sending runs as a django-q2 task after the publication commits, at most once per
person and version (ChangeNotice), and every sent message is in the audit log.
"""
from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import formats, translation

from activities.models import ActivityKind
from audit.models import AuditAction
from audit.records import audit_record
from scheduler.models import Appointment, AppointmentStatus, ChangeNotice, Citizen, Consultant, Plan, PlanStatus
from scheduler.publishing.changes import Change, appointment_change, appointments_match, plan_reference, with_people
from scheduler.publishing.feeds import TZ, appointment_location, citizen_label
from scheduler.weeks import iso_week_label


class What(StrEnum):
    NEW = "new"
    MOVED = "moved"
    CANCELLED = "cancelled"
    RESTORED = "restored"


WHAT_DA = {What.NEW: "Ny aftale", What.MOVED: "Flyttet", What.CANCELLED: "Aflyst", What.RESTORED: "Genoptaget"}


@dataclass(frozen=True)
class ChangeLine:
    what: What
    kind: str  # the activity's Danish name
    old_start: datetime | None
    old_place: str
    new_start: datetime | None
    new_place: str
    with_whom: str  # consultants for a citizen; citizens' initials or reference for a consultant

    def text(self) -> str:
        parts = [f"{WHAT_DA[self.what]}: {self.kind}"]
        if self.with_whom:
            parts[0] += f" ({self.with_whom})"
        if self.old_start is not None and self.what in (What.MOVED, What.CANCELLED):
            parts.append(f"før {_when(self.old_start)}" + (f", {self.old_place}" if self.old_place else ""))
        if self.new_start is not None and self.what != What.CANCELLED:
            prefix = "nu " if self.what == What.MOVED else ""
            parts.append(f"{prefix}{_when(self.new_start)}" + (f", {self.new_place}" if self.new_place else ""))
        return " – ".join(parts)


@dataclass
class PersonChanges:
    person: Consultant | Citizen
    lines: list[ChangeLine] = field(default_factory=list)

    @property
    def is_citizen(self) -> bool:
        return isinstance(self.person, Citizen)


@dataclass
class PlanChanges:
    plan: Plan
    consultants: list[PersonChanges] = field(default_factory=list)
    citizens: list[PersonChanges] = field(default_factory=list)


def _when(moment: datetime) -> str:
    with translation.override("da"):
        local = moment.astimezone(TZ)
        return f"{formats.date_format(local, 'l j. F')} kl. {local:%H.%M}"


def _line(what: What, before: Appointment | None, after: Appointment | None, *, for_citizen: bool) -> ChangeLine:
    shown = after or before
    if for_citizen:
        with_whom = ", ".join(c.name for c in shown.consultants.all())
    else:
        with_whom = ", ".join(citizen_label(z) for z in shown.citizens.all())
    return ChangeLine(
        what=what, kind=str(ActivityKind(shown.kind).label),
        old_start=before.start if before else None,
        old_place=appointment_location(before, for_citizen=for_citizen) if before else "",
        new_start=after.start if after else None,
        new_place=appointment_location(after, for_citizen=for_citizen) if after else "",
        with_whom=with_whom,
    )


def _per_person(what: What, before: Appointment | None, after: Appointment | None,
                add: Callable[[Consultant | Citizen, ChangeLine], None]) -> None:
    """Who hears what: a person only in the old appointment lost it, one only in the new gained it."""
    old_people = set([*before.consultants.all(), *before.citizens.all()] if before else [])
    new_people = set([*after.consultants.all(), *after.citizens.all()] if after else [])
    for person in old_people | new_people:
        kind = what
        if what == What.MOVED and person not in new_people:
            kind = What.CANCELLED
        elif what == What.MOVED and person not in old_people:
            kind = What.NEW
        line = _line(kind, before if kind != What.NEW else None, after if kind != What.CANCELLED else None,
                     for_citizen=isinstance(person, Citizen))
        if kind == What.CANCELLED and before is None:
            continue
        add(person, line)


def plan_change_lists(*, plan: Plan) -> PlanChanges:
    """What changed for each consultant and citizen in a published version against the versions it replaced
    (empty for version 1 and for drafts). People sorted by name, lines by time."""
    result = PlanChanges(plan=plan)
    if plan.status == PlanStatus.DRAFT or (plan.version or 1) <= 1:
        return result
    previous = plan_reference(plan)
    if not previous:
        return result
    current = list(with_people(plan.appointments.select_related("site", "company", "room__site")).order_by("start"))
    matched = appointments_match(current, previous)
    by_person: dict[tuple[str, int], PersonChanges] = {}

    def add(person: Consultant | Citizen, line: ChangeLine) -> None:
        key = ("citizen" if isinstance(person, Citizen) else "consultant", person.pk)
        by_person.setdefault(key, PersonChanges(person=person)).lines.append(line)

    for a in current:
        before = matched.get(a.pk)
        change = appointment_change(before, a)
        if change == Change.ADDED:
            restored = before is not None and before.status == AppointmentStatus.CANCELLED
            _per_person(What.RESTORED if restored else What.NEW, None, a, add)
        elif change == Change.MOVED:
            _per_person(What.MOVED, before, a, add)
        elif change == Change.CANCELLED:
            _per_person(What.CANCELLED, before, None, add)
    used = {p.pk for p in matched.values()}
    for before in previous:
        if before.pk not in used and before.status == AppointmentStatus.PLANNED:
            _per_person(What.CANCELLED, before, None, add)
    for (kind, _pk), changes in sorted(by_person.items(), key=lambda item: str(item[1].person)):
        changes.lines.sort(key=lambda line: line.new_start or line.old_start)
        (result.citizens if kind == "citizen" else result.consultants).append(changes)
    return result


def site_change_lists(*, plan: Plan, site_id: int) -> PlanChanges:
    """`plan_change_lists` as one site's coordinators may see it: the site's citizens, and the consultants
    who work there (their home site or a site they serve)."""
    changes = plan_change_lists(plan=plan)
    consultants = [
        c for c in changes.consultants
        if c.person.home_site_id == site_id or any(s.pk == site_id for s in c.person.sites.all())
    ]
    return PlanChanges(plan=plan, consultants=consultants,
                       citizens=[c for c in changes.citizens if c.person.site_id == site_id])


def change_letter(*, changes: PersonChanges, plan: Plan) -> tuple[str, str]:
    """(subject, body) of the short Danish letter or e-mail to one person."""
    week = iso_week_label(plan.week_start)
    number = week.split("W")[1].lstrip("0")
    person = changes.person
    site = person.site if changes.is_citizen else person.home_site
    greeting = f"Kære {person.first_name}" if changes.is_citizen else f"Kære {person.name}"
    subject = f"Ændringer i dit ugeskema, uge {number}"
    lines = [
        greeting, "",
        f"Der er ændringer i {'dit ugeskema' if changes.is_citizen else 'din kalender'} for uge {number} "
        f"(version {plan.version}):", "",
        *(f"• {line.text()}" for line in changes.lines), "",
        "Har du spørgsmål, så kontakt os" + (f" på tlf. {site.phone}" if site and site.phone else "") + ".", "",
        "Venlig hilsen", site.name if site else "",
    ]
    return subject, "\n".join(lines).rstrip() + "\n"


def change_letters_pdf(*, plan: Plan, citizens: bool = True, site_id: int | None = None) -> bytes:
    """The change letters of a version, one person a page (citizens or consultants), for printing; with
    `site_id` only the people of that site (`site_change_lists`)."""
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

    from scheduler.publishing.pdf import letter_styles

    styles = letter_styles()
    changes = plan_change_lists(plan=plan) if site_id is None else site_change_lists(plan=plan, site_id=site_id)
    people = changes.citizens if citizens else changes.consultants
    story = []
    for i, person_changes in enumerate(people):
        subject, body = change_letter(changes=person_changes, plan=plan)
        if i:
            story.append(PageBreak())
        story += [Paragraph(escape(subject), styles["title"]), Spacer(1, 6 * mm)]
        story += [Paragraph(escape(line) or "&nbsp;", styles["body"]) for line in body.splitlines()]
    if not story:
        story = [Paragraph("Ingen ændringer for nogen i denne version.", styles["body"])]
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, title=f"Ændringsbreve {iso_week_label(plan.week_start)}",
                      leftMargin=20 * mm, rightMargin=20 * mm, topMargin=20 * mm, bottomMargin=20 * mm,
                      invariant=1).build(story)
    return out.getvalue()


def _mail_allowed(changes: PersonChanges) -> str | None:
    person = changes.person
    site = person.site if changes.is_citizen else person.home_site
    if not person.email or site is None or not site.change_emails:
        return None
    return person.email


def plan_change_notices_send(*, plan_id: int) -> int:
    """E-mail every affected person with an address whose site allows it; at most once per person and
    version (a repeated delivery of the task sends nothing). Returns how many were sent."""
    plan = Plan.objects.filter(pk=plan_id, status__in=[PlanStatus.PUBLISHED, PlanStatus.SUPERSEDED]).first()
    if plan is None:
        return 0
    changes = plan_change_lists(plan=plan)
    sent = 0
    for person_changes in [*changes.citizens, *changes.consultants]:
        email = _mail_allowed(person_changes)
        if email is None or not person_changes.lines:
            continue
        person = person_changes.person
        owner = {"citizen": person} if person_changes.is_citizen else {"consultant": person}
        try:
            with transaction.atomic():
                ChangeNotice.objects.create(plan=plan, email=email, **owner)
                subject, body = change_letter(changes=person_changes, plan=plan)
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])
        except IntegrityError:
            continue  # already sent for this version
        citizen_ids = [person.pk] if person_changes.is_citizen else sorted(_citizen_ids(plan, person))
        audit_record(actor=None, action=AuditAction.EXPORT, citizen_ids=citizen_ids,
                     object_repr=f"Ændringsbesked pr. e-mail, {iso_week_label(plan.week_start)} version "
                                 f"{plan.version}, {'borger' if person_changes.is_citizen else 'konsulent'} "
                                 f"{person.reference}")
        sent += 1
    return sent


def _citizen_ids(plan: Plan, consultant: Consultant) -> set[int]:
    ids = Appointment.citizens.through.objects.filter(
        appointment__plan=plan, appointment__consultants=consultant).values_list("citizen_id", flat=True)
    return set(ids)


def change_notices_after_publish(plan: Plan) -> None:
    """Once a version N>1 has committed, ask the worker to send its change e-mails (best effort: a broker
    that is down leaves them for `plan_change_notices_send`, which is safe to run again)."""
    if (plan.version or 1) <= 1:
        return

    def enqueue() -> None:
        from django_q.tasks import async_task

        async_task("scheduler.tasks.change_notices_task", plan.pk, task_name=f"change-notices-{plan.pk}",
                   group="notices")

    transaction.on_commit(enqueue, robust=True)
