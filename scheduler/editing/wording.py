"""Danish wording of the solver verifier's violations (`solver.verify.Code`), for coordinators.

The one place that turns a violation into words a person reads: a move, a hand placement or a
check that breaks a hard rule is refused with the message for its code. Placeholders are filled
from the violation's params; the form field is the violation's own (`solver.verify.Field`).
"""
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from solver.verify import Code, Violation

_WORDING = {
    Code.UNKNOWN_TASK: _("Aktiviteten skal ikke længere planlægges i denne uge. Planlæg ugen igen."),
    Code.PLACED_TWICE: _("Aktiviteten er placeret to gange."),
    Code.OUTSIDE_WINDOW: _("Tidspunktet ligger uden for det tidsrum, hvor aktiviteten skal holdes."),
    Code.NOT_WITHIN_ONE_DAY: _("Aftalen skal ligge inden for én dag."),
    Code.FIXED_START_MOVED: _("Holdet har et fast tidspunkt."),
    Code.PINNED_MOVED: _("Aftalen er fastlåst."),
    Code.EXTERNAL_ABSENT: _("Virksomhedens kontaktperson er ikke til stede da."),
    Code.GROUP_SIZE: _("Holdet har for få eller for mange deltagere."),
    Code.CONSULTANT_COUNT: _("Forkert antal konsulenter til aktiviteten (%(count)s valgt, %(required)s skal med)."),
    Code.CONSULTANT_TWICE: _("Den samme konsulent er valgt to gange."),
    Code.UNKNOWN_CONSULTANT: _("Ukendt konsulent."),
    Code.CONSULTANT_STAFF_TYPE: _("Konsulenten %(name)s har ikke den faggruppe, aktiviteten kræver."),
    Code.CONSULTANT_NOT_ALLOWED: _("Konsulenten %(name)s må ikke holde denne aktivitet."),
    Code.CONSULTANT_NO_TASK_SITE: _("Konsulenten %(name)s dækker ikke centret."),
    Code.CONSULTANT_NOT_AT_SITE: _("Konsulenten %(name)s dækker ikke centret."),
    Code.CONSULTANT_UNAVAILABLE: _(
        "Konsulenten %(name)s er ikke på arbejde, er fraværende eller har en anden aftale (inkl. rejsetid)."
    ),
    Code.CITIZEN_UNAVAILABLE: _("Borgeren kan ikke på det tidspunkt (praktik, skånehensyn eller fast fravær)."),
    Code.SITE_NOT_ALLOWED: _("Aktiviteten kan ikke holdes på det center."),
    Code.SITE_CLOSED: _("Centret i %(site_name)s er lukket på det tidspunkt."),
    Code.NO_ROOM: _("Vælg et lokale."),
    Code.ROOM_WRONG_SITE: _("Lokalet ligger ikke på centret."),
    Code.ROOM_TOO_SMALL: _("Lokalet er for lille: der er plads til %(capacity)s, aktiviteten kræver %(needed)s."),
    Code.ROOM_LACKS_FEATURES: _("Lokalet mangler de faciliteter, aktiviteten kræver."),
    Code.ROOM_OFF_SITE: _("Aktiviteten holdes ikke på centret og skal ikke have et lokale."),
    Code.CONSULTANT_DOUBLE_BOOKED: _("Konsulenten %(name)s har en anden aftale på det tidspunkt."),
    Code.CITIZEN_DOUBLE_BOOKED: _("Borgeren har en anden aftale på det tidspunkt."),
    Code.ROOM_DOUBLE_BOOKED: _("Lokalet er optaget på det tidspunkt."),
    Code.CITIZEN_DAY_LIMIT: _(
        "Borgeren får flere timer den dag, end skånehensynet tillader (%(minutes)s af højst %(limit)s minutter)."
    ),
    Code.CONSULTANT_CONTRACT: _("Konsulenten %(name)s får flere timer end sin kontrakt."),
    Code.CONSULTANT_TRAVEL: _(
        "Konsulenten %(name)s kan ikke nå frem: der skal være %(minutes)s minutters rejsetid mellem aftalerne."
    ),
    Code.CONSULTANT_LUNCH: _("Konsulenten %(name)s får ingen frokostpause på %(minutes)s minutter den dag."),
    Code.CONSULTANT_RUN: _(
        "Konsulenten %(name)s får %(minutes)s minutters aftaler i træk uden pause (højst %(limit)s minutter)."
    ),
    Code.CITIZEN_RUN: _(
        "Borgeren får %(minutes)s minutters aftaler i træk uden pause, mere end skånehensynet tillader "
        "(højst %(limit)s minutter)."
    ),
    Code.UNPLACED_TWICE: _("Planen er ikke sammenhængende. Planlæg ugen igen."),
    Code.PLACED_AND_UNPLACED: _("Planen er ikke sammenhængende. Planlæg ugen igen."),
    Code.UNPLACED_WITHOUT_REASON: _("Planen er ikke sammenhængende. Planlæg ugen igen."),
    Code.TASK_MISSING: _("Planen er ikke sammenhængende. Planlæg ugen igen."),
}


def violation_message(violation: Violation) -> tuple[str, str]:
    """(form field, Danish message) for a violation; field "start" when it names none."""
    field = violation.field.value if violation.field is not None else "start"
    wording = _WORDING.get(violation.code)
    if wording is None:  # a code newer than this table: still refuse, in general terms
        return field, gettext("Flytningen bryder en fast regel.")
    return field, str(wording) % dict(violation.params)
