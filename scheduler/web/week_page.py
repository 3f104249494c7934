"""The state of the week screen (view, staff-type filter, day, selected block) and the grid it shows.

The state travels in the query string and in hidden fields of every form on the screen, so the view,
the filters and the selected block survive an action in the panel, a full-page post without
JavaScript and the return from a planning run.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from activities.models import StaffType
from rooms.models import Room, Site
from scheduler.availability import site_weeks
from scheduler.models import Appointment, Consultant, Plan
from scheduler.planning.selectors import plan_appointments
from scheduler.web.grid import LANE_KINDS, WeekRows, hour_marks, week_grid, week_rows
from scheduler.weeks import iso_week_label


@dataclass(frozen=True)
class WeekState:
    view: str = "konsulent"
    staff: str = ""
    day: int | None = None
    selected: int | None = None

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> WeekState:
        """Unknown or malformed values fall back to the defaults (the state is a convenience, not input)."""
        view = data.get("visning", "konsulent")
        staff = data.get("faggruppe", "")
        day = data.get("dag", "")
        selected = data.get("valgt", "")
        return cls(
            view=view if view in LANE_KINDS else "konsulent",
            staff=staff if staff in {StaffType.SOCIAL, StaffType.JOB, StaffType.HEALTH} else "",
            day=int(day) if day in {"0", "1", "2", "3", "4"} else None,
            selected=int(selected) if str(selected).isdigit() and len(str(selected)) < 12 else None,
        )

    def params(self, **over: Any) -> dict[str, str]:
        state = replace(self, **over)
        params = {"visning": state.view} if state.view != "konsulent" else {}
        if state.staff:
            params["faggruppe"] = state.staff
        if state.day is not None:
            params["dag"] = str(state.day)
        if state.selected is not None:
            params["valgt"] = str(state.selected)
        return params

    def query(self, **over: Any) -> str:
        params = self.params(**over)
        return "?" + urlencode(params) if params else ""

    def hidden(self) -> list[tuple[str, str]]:
        """The view and filters as hidden form fields (without the selection: each form names its own)."""
        return list(self.params(selected=None).items())


def week_url(site: Site, week_start: date, state: WeekState | None = None, **over: Any) -> str:
    url = reverse("web:week", args=[site.code, iso_week_label(week_start)])
    if state is not None:
        url += state.query(**over)
    return url


def site_appointments(plan: Plan, site: Site):  # noqa: ANN201 - a queryset
    # A plan may cover several sites; this screen shows one (off-site visits by the citizen's site).
    return plan_appointments(plan=plan).filter(
        Q(site=site) | Q(site__isnull=True, citizens__site=site)
    ).distinct()


def site_consultants(site: Site):  # noqa: ANN201 - a queryset
    return Consultant.objects.filter(Q(home_site=site) | Q(sites=site), active=True).distinct().order_by("name")


LANE_LABELS = {"konsulent": _("Konsulent"), "lokale": _("Lokale"), "borger": _("Borger")}
STAFF_LABELS = {StaffType.SOCIAL: "Social", StaffType.JOB: "Job", StaffType.HEALTH: "Sundhed"}


def grid_context(*, plan: Plan, site: Site, state: WeekState, changed: int | None = None) -> dict[str, Any]:
    """What templates/coordinator/_week_grid.html needs: the week at a glance, or one day in detail."""
    appointments = list(site_appointments(plan, site))
    consultants = list(site_consultants(site).prefetch_related("staff_types"))
    if state.staff:
        of_type = set(Consultant.objects.filter(staff_types__code=state.staff).values_list("pk", flat=True))
        appointments = [a for a in appointments if any(c.pk in of_type for c in a.consultants.all())]
        consultants = [c for c in consultants if state.staff in {t.code for t in c.staff_types.all()}]
    days = week_grid(appointments=appointments, week_start=plan.week_start, lane_kind=LANE_KINDS[state.view],
                     consultants=consultants, rooms=Room.objects.filter(site=site, active=True).order_by("name"))
    closed = site_weeks(sites=[site], week_start=plan.week_start)[site.pk].closed_reason
    subtitles = {f"consultant-{pk}": " · ".join(STAFF_LABELS.get(t.code, t.name) for t in c.staff_types.all())
                 for pk, c in ((c.pk, c) for c in consultants)}
    rows: WeekRows = week_rows(days=days, closed_reason=closed, subtitles=subtitles)
    base = week_url(site, plan.week_start)
    return {
        "day_heads": [(d, title, reason, base + state.query(day=d, selected=None))
                      for d, _moment, title, reason in rows.days],
        "state_query_week": base + state.query(day=None, selected=None),
        "block_query": state.query(selected=None), "hours": hour_marks(),
        "lane_label": LANE_LABELS[state.view],
        "appointments": appointments, "rows": rows, "state": state, "changed": changed,
        "day": days[state.day] if state.day is not None else None,
        "day_closed": closed.get(state.day, "") if state.day is not None else "",
        "selected_id": state.selected,
    }


def appointment_in_site(appointment: Appointment, site: Site) -> bool:
    return appointment.site_id == site.pk or (
        appointment.site_id is None and any(z.site_id == site.pk for z in appointment.citizens.all()))
