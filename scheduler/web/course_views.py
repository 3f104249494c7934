"""New holdforløb: the proposals for a site's waiting citizens, and accepting one (as shown or edited)."""
from datetime import date

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from rooms.models import Site
from scheduler.access import request_scope
from scheduler.audit import AuditAction, audit_record
from scheduler.courses.proposals import CourseProposal, ProposalGroup
from scheduler.courses.selectors import course_proposals_for_week
from scheduler.courses.services import AcceptedCourse, course_proposal_accept
from scheduler.errors import DomainError
from scheduler.web.access import coordinator_required, site_or_404
from scheduler.web.forms import CourseProposalForm
from scheduler.web.plan_views import _week, week_url
from scheduler.weeks import iso_week_label, week_title


def _members(group: ProposalGroup, proposal: CourseProposal) -> list[tuple[int, str, date]]:
    """Everyone who could be ticked: the proposal's seats, then the theme's other waiting citizens."""
    seated = {s.citizen_id for s in proposal.seats}
    return [(s.citizen_id, s.name, s.joined) for s in proposal.seats] + [
        (r.citizen_id, r.name, proposal.start_date) for r in group.refused if r.citizen_id not in seated
    ]


def _form(site: Site, group: ProposalGroup, proposal: CourseProposal, n: int) -> CourseProposalForm:
    return CourseProposalForm(
        site=site, members=_members(group, proposal), auto_id=f"id_p{n}_%s",
        initial={
            "name": proposal.name, "theme": proposal.theme, "staff_type": proposal.staff_type,
            "room_features": ",".join(proposal.room_features), "weekdays": list(proposal.weekdays),
            "start_time": proposal.start_time, "duration_minutes": proposal.duration_minutes,
            "start_date": proposal.start_date, "end_date": proposal.end_date, "facilitator": proposal.facilitator_id,
            "min_participants": proposal.min_participants, "max_participants": proposal.max_participants,
            "members": [f"{s.citizen_id}:{s.joined.isoformat()}" for s in proposal.seats],
        },
    )


@coordinator_required
@require_GET
def proposals(request: HttpRequest, site_code: str, week_code: str) -> HttpResponse:
    site = site_or_404(request, site_code)
    week_start = _week(week_code)
    groups = course_proposals_for_week(site_ids=[site.pk], week_start=week_start)
    shown = [(g, [(p, _form(site, g, p, 100 * i + j)) for j, p in enumerate(g.proposals)])
             for i, g in enumerate(groups)]
    audit_record(actor=request.user, action=AuditAction.VIEW, object_repr=f"Forslag til nye hold {site.code}",
                 citizen_ids={s.citizen_id for g in groups for p in g.proposals for s in p.seats}
                 | {r.citizen_id for g in groups for r in g.refused}, request=request)
    return render(request, "coordinator/course_proposals.html", {
        "site": site, "week_code": iso_week_label(week_start), "week_title": week_title(week_start),
        "week_url": week_url(site, week_start), "groups": shown,
    })


@coordinator_required
@require_POST
def proposal_accept(request: HttpRequest, site_code: str, week_code: str) -> HttpResponse:
    site = site_or_404(request, site_code)
    week_start = _week(week_code)
    # The citizens themselves are checked by the service (of this site); here only the shape of a value.
    posted = [m for m in map(_member, request.POST.getlist("members")) if m is not None]
    form = CourseProposalForm(request.POST, site=site, members=[(pk, "", joined) for pk, joined in posted])
    if form.is_valid():
        data = form.cleaned_data
        try:
            course = course_proposal_accept(scope=request_scope(request), accepted=AcceptedCourse(
                site_id=site.pk, theme=data["theme"], name=data["name"], weekdays=tuple(data["weekdays"]),
                start_time=data["start_time"], duration_minutes=data["duration_minutes"],
                start_date=data["start_date"], end_date=data["end_date"], staff_type=data["staff_type"],
                facilitator_id=data["facilitator"].pk if data["facilitator"] else None,
                min_participants=data["min_participants"], max_participants=data["max_participants"],
                members=tuple(data["members"]),
                room_features=tuple(c for c in data["room_features"].split(",") if c),
            ))
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("web:course_proposals", site.code, iso_week_label(week_start))
        messages.success(request, _("Holdet %(name)s er oprettet med %(n)d deltagere. Planlæg ugen igen for at få "
                                    "holdgangene med.") % {"name": course.name, "n": len(data["members"])})
        return redirect(week_url(site, week_start))
    messages.error(request, _("Holdet blev ikke oprettet: %(errors)s") % {
        "errors": "; ".join(f"{form.fields[k].label if k in form.fields else ''} {' '.join(v)}".strip()
                            for k, v in form.errors.items())})
    return redirect("web:course_proposals", site.code, iso_week_label(week_start))


def _member(value: str) -> tuple[int, date] | None:
    pk, _sep, joined = value.partition(":")
    try:
        return int(pk), date.fromisoformat(joined)
    except ValueError:
        return None
