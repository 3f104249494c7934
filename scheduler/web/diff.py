"""The publish summary in words, naming citizens, consultants and rooms: a view on
scheduler.publishing.changes (the one computation of what changed), not a second one."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from scheduler.models import Appointment, AppointmentStatus, Citizen, Plan
from scheduler.publishing.changes import Change, appointment_change, appointments_match, plan_reference, with_people


@dataclass
class DiffRow:
    change: str  # Danish: Ny, Flyttet, Ændret, Aflyst, Genoprettet – var aflyst
    appointment: Appointment  # the new one, or the old one of a vanished appointment
    what: list[str] = field(default_factory=list)

    @property
    def citizens(self) -> list[Citizen]:
        return list(self.appointment.citizens.all())


def _when(a: Appointment) -> str:
    start = timezone.localtime(a.start)
    return f"{formats.date_format(start, 'D d.m.')} {start:%H:%M}"


def _names(people: object) -> str:
    return ", ".join(sorted(p.name for p in people)) or "–"


def _place(a: Appointment) -> str:
    if a.room_id:
        return a.room.name
    return {"company": _("hos virksomheden"), "home": _("i borgerens hjem"), "phone": _("telefon/video")}.get(
        a.place, "–")


def _what_changed(before: Appointment, after: Appointment) -> list[str]:
    words = []
    if (before.start, before.end) != (after.start, after.end):
        words.append(_("Tid: %(a)s → %(b)s") % {"a": _when(before), "b": _when(after)})
    if _place(before) != _place(after) or before.site_id != after.site_id:
        words.append(_("Lokale: %(a)s → %(b)s") % {"a": _place(before), "b": _place(after)})
    if {c.pk for c in before.consultants.all()} != {c.pk for c in after.consultants.all()}:
        words.append(_("Konsulent: %(a)s → %(b)s") % {"a": _names(before.consultants.all()),
                                                       "b": _names(after.consultants.all())})
    if {z.pk for z in before.citizens.all()} != {z.pk for z in after.citizens.all()}:
        words.append(_("Deltagere ændret"))
    return words or [_("Andre oplysninger ændret")]


def plan_changes(plan: Plan) -> list[DiffRow]:
    """What publishing `plan` changes (a draft), or changed (a published version), against the published
    plan it is compared with; in time order."""
    previous = plan_reference(plan)
    current = list(with_people(plan.appointments.all()).order_by("start", "pk"))
    matched = appointments_match(current, previous)
    rows = []
    for a in current:
        before = matched.get(a.pk)
        change = appointment_change(before, a)
        if change == Change.ADDED:
            restored = before is not None and before.status == AppointmentStatus.CANCELLED
            rows.append(DiffRow(_("Genoprettet – var aflyst") if restored else _("Ny"), a,
                                [_("Tid: %(a)s") % {"a": _when(a)}]))
        elif change == Change.MOVED:
            words = _what_changed(before, a)
            label = _("Flyttet") if words[0].startswith(_("Tid:")) else _("Ændret")
            rows.append(DiffRow(label, a, words))
        elif change == Change.CANCELLED:
            reason = a.get_cancel_reason_display()
            rows.append(DiffRow(_("Aflyst"), a, [_("Var %(a)s") % {"a": _when(before)}]
                                + ([_("Årsag: %(r)s") % {"r": reason}] if reason else [])))
    used = {p.pk for p in matched.values()}
    rows += [DiffRow(_("Aflyst"), p, [_("Var %(a)s") % {"a": _when(p)}, _("Ikke med i den nye plan")])
             for p in previous if p.pk not in used and p.status == AppointmentStatus.PLANNED]
    rows.sort(key=lambda r: r.appointment.start)
    return rows


def changed_citizens(rows: list[DiffRow]) -> list[Citizen]:
    """The citizens whose ugeskema changed, in print order (last name, first name, reference)."""
    people = {z.pk: z for row in rows for z in row.citizens}
    return sorted(people.values(), key=lambda z: (z.last_name, z.first_name, z.reference))
