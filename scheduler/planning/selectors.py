"""Which plan is this week's, and what is in it: the reads shared by the web UI, the API, the commands
and the planning and publishing services."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from rooms.models import Site
from scheduler.errors import PlanningError
from scheduler.models import Appointment, AppointmentStatus, Citizen, Plan, PlanningWeights, PlanStatus, UnplacedTask
from scheduler.weeks import iso_week_label
from solver.problem import Weights

EXPORT_FORMAT_VERSION = 1


def planning_weights() -> Weights:
    """The installation's weights, or the planner's defaults when nobody has set them."""
    row = PlanningWeights.objects.filter(pk=1).first()
    return row.to_solver() if row is not None else Weights()


def plan_draft_get(*, week_start: date, site_ids: Iterable[int]) -> Plan | None:
    """The draft for the week that covers any of these sites (there is at most one per site)."""
    return (
        Plan.objects.filter(week_start=week_start, status=PlanStatus.DRAFT, sites__in=list(site_ids))
        .distinct()
        .order_by("-created_at")
        .first()
    )


def week_plans_with_status(*, week_start: date, status: str, site_ids: Iterable[int] | None = None) -> QuerySet[Plan]:
    """The week's plans in one status: for every site, or those covering any of `site_ids`."""
    plans = Plan.objects.filter(week_start=week_start, status=status)
    return plans if site_ids is None else plans.filter(sites__in=list(site_ids)).distinct()


def plan_published_get(*, week_start: date, site_ids: Iterable[int]) -> Plan | None:
    """The current published version for the week and these sites."""
    return (
        Plan.objects.filter(week_start=week_start, status=PlanStatus.PUBLISHED, sites__in=list(site_ids))
        .distinct()
        .order_by("-version", "-published_at")
        .first()
    )


def latest_plan(*, week_start: date, site_id: int) -> Plan | None:
    """The draft if there is one, else the published plan, for a week and a site."""
    plans = Plan.objects.filter(week_start=week_start, sites=site_id)
    return (
        plans.filter(status=PlanStatus.DRAFT).order_by("-created_at", "-pk").first()
        or plans.filter(status=PlanStatus.PUBLISHED).order_by("-version", "-pk").first()
    )


def plan_versions(week_start: date, site: Site | None = None) -> QuerySet[Plan]:
    """Every numbered version of a week (newest first), the published one and those it replaced."""
    plans = Plan.objects.filter(week_start=week_start, version__isnull=False)
    if site is not None:
        plans = plans.filter(sites=site)
    return plans.distinct().order_by("-version", "-published_at")


def week_plans(*, week_start: date, site_ids: Iterable[int]) -> tuple[list[Plan], list[Plan]]:
    """(drafts to replace, published plans) for the week that touch these sites.

    A draft that also covers sites outside the request is refused: replacing it would throw away
    another site's draft, keeping it would leave two drafts for one site. Planning splits such drafts
    first (scheduler.planning.services.plan_drafts_split), so this guards against a draft widened meanwhile.
    The message names no site: the caller may not be allowed to know the others.
    """
    site_ids = set(site_ids)
    plans = list(
        Plan.objects.filter(
            week_start=week_start, sites__in=site_ids, status__in=[PlanStatus.DRAFT, PlanStatus.PUBLISHED]
        )
        .distinct()
        .prefetch_related("sites")
        .order_by("-version", "-created_at")
    )
    drafts, published = [], []
    for plan in plans:
        covered = {s.id for s in plan.sites.all()}
        if plan.status == PlanStatus.DRAFT:
            if not covered <= site_ids:
                raise PlanningError(
                    _("Ugens kladde blev ændret til også at dække andre centre under planlægningen. "
                      "Start planlægningen igen."),
                    code="draft_covers_other_sites",
                )
            drafts.append(plan)
        else:
            published.append(plan)
    return drafts, published


def plan_exists_for_week(*, week_start: date, site_ids: Iterable[int] | None = None) -> bool:
    qs = Plan.objects.filter(week_start=week_start, status__in=[PlanStatus.DRAFT, PlanStatus.PUBLISHED])
    if site_ids is not None:
        qs = qs.filter(sites__in=list(site_ids))
    return qs.exists()


def plan_appointments(*, plan: Plan) -> QuerySet[Appointment]:
    return (
        plan.appointments.select_related("site", "room", "company", "group_course")
        .prefetch_related("consultants", "citizens")
        .order_by("start", "id")
    )


def plan_unplaced(*, plan: Plan) -> QuerySet[UnplacedTask]:
    return plan.unplaced.prefetch_related("citizens").order_by("due_by", "kind", "id")


def plan_real_gap(plan: Plan) -> tuple[float | None, float | None]:
    """(real bound, real gap) stored with the plan (solver_info, scheduler.planning.services): how far
    the plan may be from the best possible plan of the real problem. (None, None) for plans stored
    before it was recorded, for split-off parts and when a cancel interrupted the bound."""
    info = plan.solver_info or {}
    return info.get("real_bound"), info.get("real_gap")


def plan_summary(*, plan: Plan) -> dict[str, object]:
    """Counts per kind, unplaced reasons and solver figures: what `plan_week` prints and the UI shows."""
    placed = Counter(plan.appointments.filter(status=AppointmentStatus.PLANNED).values_list("kind", flat=True))
    unplaced_rows = list(plan.unplaced.values_list("kind", "reason"))
    info = plan.solver_info or {}
    return {
        "plan_id": plan.pk,
        "week": iso_week_label(plan.week_start),
        "status": plan.status,
        "solver_status": plan.solver_status,
        "objective": plan.objective,
        "best_bound": plan.best_bound,
        "gap": plan.gap,
        "real_bound": plan_real_gap(plan)[0],
        "real_gap": plan_real_gap(plan)[1],
        "placed_by_kind": dict(sorted(placed.items())),
        "unplaced_by_kind": dict(sorted(Counter(k for k, _ in unplaced_rows).items())),
        "unplaced_reasons": Counter(reason for _, reason in unplaced_rows).most_common(),
        # The appointments' own flags (scheduler.publishing.changes): what the export and the diff say.
        "moved": sorted(plan.appointments.filter(moved=True).values_list("task_key", flat=True)),
        "timings": info.get("timings", {}),
    }


def _iso(moment) -> str:  # noqa: ANN001 - aware datetime
    from scheduler.availability import TZ

    return moment.astimezone(TZ).isoformat()


def plan_export(*, plan: Plan) -> dict[str, object]:
    """The plan as plain JSON data (docs/plan-format.md). Citizens appear by id and reference only."""
    appointments = []
    for a in plan_appointments(plan=plan):
        appointments.append(
            {
                "uid": str(a.uid),
                "task_key": a.task_key,
                "kind": a.kind,
                "status": a.status,
                "sequence": a.sequence,
                "start": _iso(a.start),
                "end": _iso(a.end),
                "place": a.place,
                "site": {"id": a.site_id, "code": a.site.code} if a.site_id else None,
                "room": {"id": a.room_id, "name": a.room.name} if a.room_id else None,
                "company": {"id": a.company_id, "name": a.company.name} if a.company_id else None,
                "group_course": {"id": a.group_course_id, "name": a.group_course.name} if a.group_course_id else None,
                "consultants": [
                    {"id": c.id, "reference": c.reference} for c in sorted(a.consultants.all(), key=lambda c: c.id)
                ],
                "citizens": [
                    {"id": z.id, "reference": z.reference} for z in sorted(a.citizens.all(), key=lambda z: z.id)
                ],
                "pinned": a.pinned,
                "moved": a.moved,
                "rule": a.rule,
            }
        )
    unplaced = [
        {
            "task_key": u.task_key,
            "kind": u.kind,
            "reason": _pseudonymous(u.reason, u.citizens.all()),
            "cause": _pseudonymous_cause(u.cause, u.citizens.all()),
            "rule": u.rule,
            "due_by": u.due_by.isoformat() if u.due_by else None,
            "citizens": [{"id": z.id, "reference": z.reference} for z in sorted(u.citizens.all(), key=lambda z: z.id)],
        }
        for u in plan_unplaced(plan=plan)
    ]
    return {
        "format_version": EXPORT_FORMAT_VERSION,
        "plan": {
            "id": plan.pk,
            "week": iso_week_label(plan.week_start),
            "week_start": plan.week_start.isoformat(),
            "status": plan.status,
            "version": plan.version,
            "sites": [{"id": s.id, "code": s.code} for s in plan.sites.order_by("id")],
            "solver_status": plan.solver_status,
            "objective": plan.objective,
            "best_bound": plan.best_bound,
            "gap": plan.gap,
            "real_bound": plan_real_gap(plan)[0],
            "real_gap": plan_real_gap(plan)[1],
            "created_at": _iso(plan.created_at),
        },
        "appointments": appointments,
        "unplaced": unplaced,
    }


# The export names citizens by reference only (docs/plan-format.md); reasons name them in full for
# the coordinators who read them in the app.
def _pseudonymous(text: str, citizens: Iterable[Citizen]) -> str:
    for z in citizens:
        text = text.replace(z.full_name, z.reference)
    return text


def _pseudonymous_cause(cause: dict | None, citizens: Iterable[Citizen]) -> dict | None:
    if not cause or not isinstance(cause.get("person"), dict) or cause["person"].get("kind") != "citizen":
        return cause
    refs = {z.id: z.reference for z in citizens}
    person = {**cause["person"], "name": refs.get(cause["person"].get("id"), "")}
    return {**cause, "person": person}
