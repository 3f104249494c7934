"""Planning services: give citizens a contact consultant and a course place, plan a week with the
solver and store the result as a draft Plan.

    plan = plan_create_draft(week_start=date(2026, 11, 30), site_ids=[1, 2], user=request.user)

A draft is made in three steps, each one function here: `plan_prepare` (split shared drafts, contact
consultants, course places, build the Problem) → solve → `plan_solution_check` + `plan_store` (the draft,
its unplaced tasks and its bookings, in one transaction). `plan_create_draft` runs them in a row (the
`plan_week` command); the background run (scheduler.planning.runs, for the web UI and the API) runs the
same steps with a cancellable solve in between, or solves independent parts on several workers and
merges them before the same `plan_store`. So every draft, however it was made, has the same rows.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils.translation import gettext as _

from activities.models import ActivityKind, ActivityRule, CourseMembership, GroupCourse
from scheduler.availability import TZ, active_internships, site_weeks, work_hours
from scheduler.causes import cause_json, solver_cause_json
from scheduler.courses.proposals import course_notes_explain
from scheduler.data_epoch import data_changed
from scheduler.demand.demand import active_enrolments, running_courses, week_demand
from scheduler.errors import PlanningCancelled, PlanningError, PlanVerificationError
from scheduler.models import (
    Appointment,
    Consultant,
    Enrolment,
    EnrolmentStatus,
    Plan,
    PlanStatus,
    UnplacedTask,
)
from scheduler.planning.bookings import plan_bookings_write
from scheduler.planning.proposals import proposals_applied, proposals_empty, proposals_made
from scheduler.planning.selectors import week_plans
from scheduler.problem.builder import BuiltProblem, citizen_free, problem_build, workplace_travel
from scheduler.publishing.changes import appointment_moved_mark
from scheduler.weeks import started_week_check
from solver.course_places import PlaceCourse, PlaceRequest, PlacesRequest, assign_places
from solver.diagnose import Diagnosis
from solver.problem import Solution, SolveStatus
from solver.relaxed import real_gap_of

ProgressFn = Callable[[int, int, float], None]

# Statuses that carry a complete plan (see solver.problem.Solution.status).
PLAN_STATUSES = frozenset(SolveStatus)
TALK_KINDS = (ActivityKind.START_TALK, ActivityKind.TALK, ActivityKind.CONTACT)


# -- contact consultants ----------------------------------------------------------------------------


def _contact_staff_type(rules: list[ActivityRule]) -> str:
    """The staff type of the talks the contact consultant holds in this phase (social when silent)."""
    ordered = sorted(rules, key=lambda r: (r.kind not in TALK_KINDS, not r.with_contact_consultant, r.id))
    for rule in ordered:
        if rule.with_contact_consultant:
            codes = sorted(st.code for st in rule.staff_types.all())
            if codes:
                return codes[0]
    return "social"


@transaction.atomic
def contact_consultants_assign(*, site_ids: Iterable[int], week_start: date) -> list[Enrolment]:
    """Give every active enrolment without a contact consultant one: of the staff type that holds its
    talks, serving the citizen's site, under their max caseload, the least loaded relative to it.
    An existing contact consultant is never changed. Returns the enrolments that got one."""
    enrolments = [e for e in active_enrolments(site_ids=site_ids, week_start=week_start) if not e.contact_consultant_id]
    if not enrolments:
        return []
    phase_ids = {e.current_phase_id for e in enrolments if e.current_phase_id}
    rules: dict[int, list[ActivityRule]] = defaultdict(list)
    for rule in ActivityRule.objects.filter(phase_id__in=phase_ids).prefetch_related("staff_types"):
        rules[rule.phase_id].append(rule)
    consultants = list(Consultant.objects.filter(active=True).prefetch_related("staff_types", "sites").order_by("id"))
    caseload = Counter(
        dict(
            Enrolment.objects.filter(status=EnrolmentStatus.ACTIVE, contact_consultant__isnull=False)
            .values_list("contact_consultant_id")
            .annotate(n=Count("id"))
        )
    )
    assigned: list[Enrolment] = []
    for e in enrolments:
        staff_type = _contact_staff_type(rules.get(e.current_phase_id or -1, []))
        site_id = e.citizen.site_id
        pool = [
            c
            for c in consultants
            if staff_type in {st.code for st in c.staff_types.all()}
            and (c.home_site_id == site_id or site_id in {s.id for s in c.sites.all()})
            and caseload[c.id] < c.max_caseload
        ]
        if not pool:
            continue  # the planner's reasons and the caseload weight take it from here
        best = min(pool, key=lambda c: (caseload[c.id] / max(1, c.max_caseload), caseload[c.id], c.id))
        e.contact_consultant = best
        e.save(update_fields=["contact_consultant"])
        caseload[best.id] += 1
        assigned.append(e)
    return assigned


# -- course places ----------------------------------------------------------------------------------


@transaction.atomic
def course_places_assign(
    *, site_ids: Iterable[int], week_start: date, method: str | None = None
) -> list[CourseMembership]:
    """Citizens whose phase asks for a group course of a theme, without a place on one, join a course
    of that theme at their site that runs this week, has room (max participants) and whose sessions
    fit the citizen's free time.

    Which course each one joins is chosen by `method` (default settings.PLANNER_COURSE_PLACES):
    "cpsat" decides all places at once (solver.course_places: the most citizens seated, the
    longest-waiting first, courses brought up to their minimum, fewer extra days in), "greedy" seats
    them one by one (fewest fitting courses first, courses short of their minimum filled first). The
    greedy pass is also the fallback when CP-SAT finds no answer in its time."""
    site_ids = list(site_ids)
    enrolments = active_enrolments(site_ids=site_ids, week_start=week_start)
    phase_ids = {e.current_phase_id for e in enrolments if e.current_phase_id}
    themes_by_phase: dict[int, set[str]] = defaultdict(set)
    for phase_id, theme in (
        ActivityRule.objects.filter(phase_id__in=phase_ids, kind=ActivityKind.GROUP_SESSION)
        .exclude(theme="")
        .values_list("phase_id", "theme")
    ):
        themes_by_phase[phase_id].add(theme)
    wanted = [(e, theme) for e in enrolments for theme in sorted(themes_by_phase.get(e.current_phase_id or -1, ()))]
    if not wanted:
        return []
    friday = week_start + timedelta(days=4)
    courses = running_courses(site_ids=site_ids, week_start=week_start)
    active = Q(left__isnull=True) | Q(left__gte=week_start)
    members: dict[int, set[int]] = defaultdict(set)  # course -> citizens
    courses_of: dict[int, set[int]] = defaultdict(set)  # citizen -> courses
    for course_id, citizen_id in CourseMembership.objects.filter(
        active, joined__lte=friday, course__end_date__gte=week_start
    ).values_list("course_id", "citizen_id"):
        members[course_id].add(citizen_id)
        courses_of[citizen_id].add(course_id)
    course_by_id = {c.id: c for c in GroupCourse.objects.filter(id__in={k for s in courses_of.values() for k in s})}
    course_by_id.update({c.id: c for c in courses})
    # A citizen already on a course of the theme keeps it.
    wanted = [
        (e, theme) for e, theme in wanted
        if not any(course_by_id[k].theme == theme for k in courses_of[e.citizen_id] if k in course_by_id)
    ]
    if not wanted:
        return []
    weeks = site_weeks(sites={e.citizen.site for e, _theme in wanted}, week_start=week_start)
    internships = active_internships(enrolment_ids=[e.id for e, _theme in wanted], week_start=week_start)

    hours_of = {e.id: work_hours(internships.get(e.id, []), week_start) for e, _theme in wanted}
    # With the trip from the workplace, as the planner will see it: a place is never given on a
    # course the citizen cannot reach from their internship.
    companies = {w.company_id for ws in hours_of.values() for w in ws}
    travel = workplace_travel(sites=[w.site for w in weeks.values()], company_ids=companies)
    free_of = {e.id: citizen_free(e.citizen, weeks[e.citizen.site_id], hours_of[e.id], travel) for e, _theme in wanted}

    def options(e: Enrolment, theme: str, with_room: bool, extra: GroupCourse | None = None) -> list[GroupCourse]:
        z = e.citizen
        held = [course_by_id[k] for k in courses_of[z.id] if k in course_by_id] + ([extra] if extra else [])
        taken = [(s.weekday, _span(s)) for k in held for s in k.sessions.all()]
        return [
            c
            for c in courses
            if c.theme == theme
            and c.site_id == z.site_id
            and (not with_room or len(members[c.id]) < c.max_participants)
            and c.sessions.all()
            and all(_fits(s, free_of[e.id], taken, z) for s in c.sessions.all())
        ]

    # Citizens with the fewest fitting courses choose first, so flexible ones do not take their only seat.
    wanted.sort(key=lambda item: (len(options(item[0], item[1], with_room=False)), item[0].start_date, item[0].id))
    places = None
    if (method or settings.PLANNER_COURSE_PLACES) == "cpsat":
        places = _places_cpsat(wanted, courses, members, courses_of, course_by_id, options, week_start)
    if places is None:
        places = []
        for e, theme in wanted:
            fitting = options(e, theme, with_room=True)
            if not fitting:
                continue  # the demand lists it as unplaced with the reason
            course = min(fitting, key=lambda c: (len(members[c.id]) >= c.min_participants, len(members[c.id]), c.id))
            members[course.id].add(e.citizen_id)
            courses_of[e.citizen_id].add(course.id)
            places.append((e, course))
    created: list[CourseMembership] = []
    for e, course in places:
        membership, made = CourseMembership.objects.get_or_create(
            course=course, citizen=e.citizen, defaults={"joined": week_start}
        )
        if not made:
            membership.joined, membership.left = week_start, None
            membership.save(update_fields=["joined", "left"])
        created.append(membership)
    return created


def _places_cpsat(
    wanted: list[tuple[Enrolment, str]],
    courses: list[GroupCourse],
    members: dict[int, set[int]],
    courses_of: dict[int, set[int]],
    course_by_id: dict[int, GroupCourse],
    options: Callable[..., list[GroupCourse]],
    week_start: date,
) -> list[tuple[Enrolment, GroupCourse]] | None:
    """The places CP-SAT chooses (solver.course_places), in the order of `wanted`; None when it found none
    in its time (the caller seats greedily then). Attendability is the greedy pass's own `options`."""
    fitting = [options(e, theme, with_room=False) for e, theme in wanted]
    requests = []
    for i, ((e, _theme), opts) in enumerate(zip(wanted, fitting, strict=True)):
        held = [course_by_id[k] for k in courses_of[e.citizen_id] if k in course_by_id]
        days_in = {s.weekday for k in held for s in k.sessions.all()}
        requests.append(PlaceRequest(
            id=i, citizen_id=e.citizen_id, options=tuple(c.id for c in opts),
            priority=(week_start - e.start_date).days, days_in=tuple(sorted(days_in)),
        ))
    # Two themes of one citizen: courses that fit one by one but not together.
    clashes = []
    by_citizen: dict[int, list[int]] = defaultdict(list)
    for i, (e, _theme) in enumerate(wanted):
        by_citizen[e.citizen_id].append(i)
    for items in by_citizen.values():
        for a_i, b_i in ((a, b) for a in items for b in items if a < b):
            e, theme_b = wanted[b_i]
            for a in fitting[a_i]:
                fit_b = {c.id for c in options(e, theme_b, with_room=False, extra=a)}
                clashes.extend((e.citizen_id, a.id, b.id) for b in fitting[b_i] if b.id not in fit_b)
    request = PlacesRequest(
        courses=tuple(
            PlaceCourse(
                id=c.id, seats=max(0, c.max_participants - len(members[c.id])),
                short=max(0, c.min_participants - len(members[c.id])),
                days=tuple(sorted({s.weekday for s in c.sessions.all()})),
            )
            for c in courses
        ),
        requests=tuple(requests),
        clashes=tuple(clashes),
        time_limit=settings.PLANNER_COURSE_PLACES_SECONDS,
    )
    result = assign_places(request)
    if not result.solved:
        return None
    by_id = {c.id: c for c in courses}
    return [(wanted[i][0], by_id[result.chosen[i]]) for i in range(len(wanted)) if i in result.chosen]


def _span(session) -> tuple[int, int]:  # noqa: ANN001 - CourseSession
    start = session.start_time.hour * 60 + session.start_time.minute
    return start, start + session.duration_minutes


def _fits(session, free: dict, taken: list, citizen) -> bool:  # noqa: ANN001
    s0, s1 = _span(session)
    # The citizen's other courses that day count towards their most hours a day too.
    that_day = sum(b - a for day, (a, b) in taken if day == session.weekday)
    if citizen.max_hours_per_day is not None and that_day + session.duration_minutes > citizen.max_hours_per_day * 60:
        return False
    if not any(a <= s0 and s1 <= b for a, b in free.get(session.weekday, [])):
        return False
    return not any(day == session.weekday and a < s1 and s0 < b for day, (a, b) in taken)


# -- planning a week --------------------------------------------------------------------------------


def plan_create_draft(
    *,
    week_start: date,
    site_ids: Iterable[int],
    user: object | None = None,
    time_limit: float | None = None,
    num_workers: int | None = None,
    random_seed: int = 0,
    on_progress: ProgressFn | None = None,
    allow_started_week: bool = True,
    assumed_held: dict[int, dict[str, date]] | None = None,
    bring_forward: dict[tuple[int, int], date] | None = None,
) -> Plan:
    """Plan the week for these sites and store it as the new draft (replacing the old draft).

    `allow_started_week=False` (what plan_week passes without --allow-started-week) refuses a week that has
    begun (scheduler.weeks.started_week_check). `assumed_held` and `bring_forward` are for a run of
    several weeks (scheduler.planning.weeks; scheduler.demand.demand.week_demand).

    Raises PlanningError (code "no_plan_yet") when the solver ends without any plan, PlanningCancelled
    when `on_progress` asked the solver to stop — nothing is stored then — and PlanVerificationError
    when the plan breaks a hard rule (a bug).
    """
    started_week_check(week_start, allow=allow_started_week)
    built = plan_prepare(
        week_start=week_start, site_ids=site_ids, time_limit=time_limit, num_workers=num_workers,
        random_seed=random_seed, assumed_held=assumed_held, bring_forward=bring_forward,
    )
    solution, solve_seconds = plan_solve(built=built, on_progress=on_progress)
    return plan_store(built=built, solution=solution, user=user, solve_seconds=solve_seconds, verified_violations=0)


def plan_prepare(
    *,
    week_start: date,
    site_ids: Iterable[int],
    time_limit: float | None = None,
    num_workers: int | None = None,
    random_seed: int = 0,
    assumed_held: dict[int, dict[str, date]] | None = None,
    bring_forward: dict[tuple[int, int], date] | None = None,
) -> BuiltProblem:
    """Split shared drafts (plan_drafts_split), choose contact consultants and course places (they shape
    the demand), then build the week's Problem. The choices are proposals: the Problem is built with
    them written in a savepoint that is rolled back, and they travel with the draft
    (`BuiltProblem.proposals`, stored by plan_store) until publishing writes them for good."""
    site_ids = sorted(set(site_ids))
    plan_drafts_split(week_start=week_start, site_ids=site_ids)
    with proposals_applied():
        proposals = proposals_made(lambda: (
            contact_consultants_assign(site_ids=site_ids, week_start=week_start),
            course_places_assign(site_ids=site_ids, week_start=week_start),
        ))
        built = problem_build(
            week_start=week_start,
            site_ids=site_ids,
            time_limit=time_limit,
            num_workers=num_workers,
            random_seed=random_seed,
            week_demand=week_demand(week_start=week_start, site_ids=site_ids, assumed_held=assumed_held,
                                    bring_forward=bring_forward) if assumed_held or bring_forward else None,
        )
        # The same solve as the "Nye hold" screen and the API (proposal_solve), not this run's.
        course_notes_explain(notes=built.notes, week_start=week_start)
    built.proposals = proposals
    return built


# -- drafts shared by several sites -----------------------------------------------------------------


@transaction.atomic
def plan_drafts_split(*, week_start: date, site_ids: Iterable[int]) -> list[Plan]:
    """Before planning `site_ids`, give every other site of a shared draft a draft of its own.

    Planning replaces whole drafts. A draft of the week that covers some of `site_ids` and other sites
    too (what `plan_week` without --site makes) would otherwise make planning site A either throw away
    site B's part or need a coordinator who may plan B. Instead B's part moves, as it is, to a new draft
    for B: its appointments (uid, sequence, pins, bookings), its unplaced tasks; A's part stays in the old
    draft, which planning A then replaces. Nothing moves in time and nothing is lost, so a run that is
    cancelled or fails afterwards leaves two intact drafts. The parts have no objective of their own
    (objective, bound and gap are cleared). Returns the new drafts.
    """
    wanted = set(site_ids)
    touching = Plan.objects.filter(week_start=week_start, status=PlanStatus.DRAFT, sites__in=wanted).values("pk")
    created: list[Plan] = []
    # Locked and read again: a split by a run for another site may have come first.
    for plan in Plan.objects.select_for_update().filter(pk__in=touching, status=PlanStatus.DRAFT).order_by("pk"):
        covered = set(plan.sites.values_list("pk", flat=True))
        others = covered - wanted
        if others and covered & wanted:
            created.append(_draft_split_off(plan, others))
    return created


def _part_site(site_id: int | None, course_site_id: int | None, citizen_site_ids: list[int]) -> int | None:
    """The site a planned or unplaced item belongs to: its own, its course's, else its citizens'."""
    return site_id or course_site_id or (min(citizen_site_ids) if citizen_site_ids else None)


def _draft_split_off(plan: Plan, others: set[int]) -> Plan:
    from scheduler.models import Booking

    kept = {key: value for key, value in plan.solver_info.items() if key in ("params", "weights")}
    part = Plan.objects.create(
        week_start=plan.week_start, status=PlanStatus.DRAFT, created_by=plan.created_by,
        solver_status=plan.solver_status, solver_info={"split_from": plan.pk, **kept},
    )
    part.sites.set(others)
    citizen_sites: dict[int, list[int]] = defaultdict(list)
    for appointment_id, site_id in Appointment.citizens.through.objects.filter(appointment__plan=plan).values_list(
            "appointment_id", "citizen__site_id"):
        citizen_sites[appointment_id].append(site_id)
    moving = [
        pk for pk, site_id, course_site_id in plan.appointments.values_list("pk", "site_id", "group_course__site_id")
        if _part_site(site_id, course_site_id, citizen_sites[pk]) in others
    ]
    Appointment.objects.filter(pk__in=moving).update(plan=part)
    Booking.objects.filter(appointment_id__in=moving).update(plan=part)
    unplaced_sites: dict[int, list[int]] = defaultdict(list)
    for task_id, site_id in UnplacedTask.citizens.through.objects.filter(unplacedtask__plan=plan).values_list(
            "unplacedtask_id", "citizen__site_id"):
        unplaced_sites[task_id].append(site_id)
    UnplacedTask.objects.filter(pk__in=[
        pk for pk, course_site_id in plan.unplaced.values_list("pk", "group_course__site_id")
        if _part_site(None, course_site_id, unplaced_sites[pk]) in others
    ]).update(plan=part)
    plan.sites.remove(*others)
    # Anyone editing the old draft with the version they saw gets a 409 and reloads.
    Plan.objects.filter(pk=plan.pk).update(
        objective=None, best_bound=None, gap=None, lock_version=F("lock_version") + 1,
        solver_info={**plan.solver_info, "split_into": [*plan.solver_info.get("split_into", []), part.pk]},
    )
    data_changed()  # rows moved by update(): cached plan reads must not show the old split
    return part


def plan_solve(*, built: BuiltProblem, on_progress: ProgressFn | None = None) -> tuple[Solution, float]:
    """Solve and verify; (solution, solve seconds). Stores nothing."""
    from solver.cpsat import solve

    t0 = time.perf_counter()
    solution = solve(built.problem, on_progress)
    solve_seconds = time.perf_counter() - t0
    plan_solution_check(built=built, solution=solution)
    return solution, solve_seconds


def week_diagnose(*, week_start: date, site_ids: Iterable[int], max_seconds: float = 10.0) -> Diagnosis:
    """Why due tasks stay unplaced although each could be placed alone: a feasibility-only model with one
    assumption per task (no objective) names a small set of tasks that cannot all fit together."""
    from solver.diagnose import diagnose

    built = problem_build(week_start=week_start, site_ids=sorted(set(site_ids)), num_workers=1)
    return diagnose(built.problem, max_time_seconds=max_seconds)


def plan_solution_check(*, built: BuiltProblem, solution: Solution) -> None:
    """Refuse to store a cancelled, missing or rule-breaking plan (raises a PlanningError)."""
    from solver.verify import verify

    if solution.cancelled:
        # A cancelled run leaves the previous draft and every published plan exactly as they were.
        raise PlanningCancelled(
            _("Annulleret: intet er gemt. Den tidligere kladde og offentliggjorte planer er urørte."),
            code="cancelled",
        )
    if solution.status not in PLAN_STATUSES:
        raise PlanningError(_("Ingen plan endnu: løseren fandt ingen plan inden for tidsgrænsen."), code="no_plan_yet")
    violations = verify(built.problem, solution)
    if violations:
        raise PlanVerificationError(
            _("Planen bryder en fast regel og er ikke gemt: %(first)s") % {"first": str(violations[0])},
            code="plan_verification_failed",
        )


def _json_safe(value: object) -> object:
    return json.loads(json.dumps(value, default=str))


@transaction.atomic
def plan_store(
    *,
    built: BuiltProblem,
    solution: Solution,
    user: object | None = None,
    solve_seconds: float = 0.0,
    verified_violations: int | None = None,
) -> Plan:
    """Replace the week's draft for these sites with the solution, in one transaction, ending with its
    occupancy rows (scheduler.planning.bookings), so the database refuses double bookings in it.

    Published plans are never touched. Appointments keep the uid (and sequence) of the same task in
    the published plan, else in the replaced draft, so calendars follow them across re-plans.
    """
    t0 = time.perf_counter()
    problem = built.problem
    week_start = problem.week_start
    # Read again inside the transaction: another run may have stored a draft meanwhile.
    drafts, published = week_plans(week_start=week_start, site_ids=built.site_ids)
    previous_appts = list(Appointment.objects.filter(plan__in=[*drafts, *published]).order_by("plan__status", "id"))
    uid_of: dict[str, uuid.UUID] = {}
    sequence_of: dict[str, int] = {}
    for a in previous_appts:  # drafts first, then published: the published identity wins
        if a.plan.status == PlanStatus.DRAFT and a.task_key in uid_of:
            continue
        uid_of[a.task_key] = a.uid
        sequence_of[a.task_key] = a.sequence
    # Read before the drafts (and their rows) are deleted.
    held = [_held_row(a) for a in built.held_cancelled]
    for plan in drafts:
        plan.delete()

    placed_keys = {p.task_id for p in solution.placements} | {row["task_key"] for row in held}
    removed = sorted({a.task_key for p in published for a in p.appointments.all()} - placed_keys)
    counts_placed = Counter(built.demands[p.task_id].kind for p in solution.placements)
    counts_unplaced = Counter(built.demands[u.task_id].kind for u in solution.unplaced)
    counts_unplaced.update(n.kind for n in built.notes)
    real = real_gap_of(solution.stats, solution.objective)
    info = {
        "params": {
            "num_workers": problem.params.num_workers,
            "random_seed": problem.params.random_seed,
            "max_time_seconds": problem.params.max_time_seconds,
            "start_step_slots": problem.params.start_step_slots,
        },
        "weights": asdict(problem.weights),
        "ortools_version": solution.stats.get("ortools_version") or _ortools_version(),
        "stats": solution.stats,
        "timings": {
            "build_seconds": round(built.build_seconds, 3),
            "solve_seconds": round(solve_seconds, 3),
        },
        "counts": {
            "tasks": len(problem.tasks),
            "placed": len(solution.placements),
            "unplaced": len(solution.unplaced) + len(built.notes),
            "placed_by_kind": dict(counts_placed),
            "unplaced_by_kind": dict(counts_unplaced),
        },
        "moved": [],  # set below from the stored rows (scheduler.publishing.changes)
        "removed": removed,
        "avoidable_objective": solution.avoidable_objective,
        # The bound for the real problem (every 15-minute start, no candidate caps; solver.relaxed):
        # the gap a coordinator is shown. `gap` (the model field) is against the candidate set.
        "real_bound": real[0],
        "real_gap": real[1],
        "verify": {"violations": verified_violations},
        "replaced_drafts": [p.id for p in drafts],
        "proposals": built.proposals or proposals_empty(),
        "published_versions": [p.version for p in published],
    }
    plan = Plan.objects.create(
        week_start=week_start,
        status=PlanStatus.DRAFT,
        created_by=user if getattr(user, "pk", None) else None,
        solver_status=str(solution.status),  # the plain value: exports and the API show it as is
        objective=solution.objective,
        best_bound=solution.best_bound,
        gap=solution.gap,
        solver_info={},
    )
    plan.sites.set(built.site_ids)

    tasks = problem.task_by_id()
    used_uids: set[uuid.UUID] = set()
    rows: list[Appointment] = []
    people: list[tuple[int, tuple[int, ...], tuple[int, ...]]] = []
    for row in held:  # a coordinator's cancellations stay as they are, with their identity
        consultant_ids, citizen_ids = row.pop("consultant_ids"), row.pop("citizen_ids")
        row["sequence"] = max(row["sequence"], sequence_of.get(row["task_key"], 0))
        used_uids.add(row["uid"])
        rows.append(Appointment(plan=plan, **row))
        people.append((len(rows) - 1, consultant_ids, citizen_ids))
    for p in solution.placements:
        task, d = tasks[p.task_id], built.demands[p.task_id]
        start = _local(problem.slot_to_datetime(p.start_slot))
        end = start + timedelta(minutes=d.duration_minutes)
        uid = uid_of.get(p.task_id)
        if uid is None or uid in used_uids:
            uid = uuid.uuid4()
        used_uids.add(uid)
        rows.append(
            Appointment(
                plan=plan,
                uid=uid,
                task_key=p.task_id,
                kind=d.kind,
                start=start,
                end=end,
                site_id=p.site_id if task.place == "site" else min(d.site_ids),
                room_id=p.room_id,
                company_id=d.company_id,
                place=d.place,
                group_course_id=d.group_course_id,
                pinned=task.pinned is not None,
                sequence=sequence_of.get(p.task_id, 0),
                rule=d.reason_rule[:200],
                enrolment_id=d.enrolment_id,
                activity_rule_id=d.rule_id,
                request_id=d.request_id,
            )
        )
        people.append((len(rows) - 1, tuple(p.consultant_ids), tuple(d.citizen_ids)))
    Appointment.objects.bulk_create(rows)  # PostgreSQL and SQLite >= 3.35 set the primary keys
    consultant_links, citizen_links = [], []
    for i, consultant_ids, citizen_ids in people:
        a = rows[i]
        consultant_links += [
            Appointment.consultants.through(appointment_id=a.id, consultant_id=k) for k in consultant_ids
        ]
        citizen_links += [Appointment.citizens.through(appointment_id=a.id, citizen_id=z) for z in citizen_ids]
    Appointment.consultants.through.objects.bulk_create(consultant_links)
    Appointment.citizens.through.objects.bulk_create(citizen_links)

    unplaced_rows: list[UnplacedTask] = []
    unplaced_citizens: list[tuple[int, ...]] = []
    # Tasks the solver left unplaced and tasks that never reached it (notes) are stored alike.
    unplaced = [
        (u.task_id, u.reason, solver_cause_json(problem, u.cause, TZ), built.demands[u.task_id])
        for u in solution.unplaced
    ]
    unplaced += [(n.key, n.reason, n.cause or cause_json("other"), n) for n in built.notes]
    for key, reason, cause, source in unplaced:
        unplaced_rows.append(
            UnplacedTask(
                plan=plan,
                task_key=key,
                kind=source.kind,
                reason=reason,
                cause=cause,
                rule=source.reason_rule[:200],
                due_by=source.due_by,
                enrolment_id=source.enrolment_id,
                request_id=source.request_id,
                group_course_id=source.group_course_id,
                activity_rule_id=source.rule_id,
            )
        )
        unplaced_citizens.append(tuple(source.citizen_ids))
    UnplacedTask.objects.bulk_create(unplaced_rows)
    links = [
        UnplacedTask.citizens.through(unplacedtask_id=row.id, citizen_id=z)
        for row, zids in zip(unplaced_rows, unplaced_citizens, strict=True)
        for z in zids
    ]
    UnplacedTask.citizens.through.objects.bulk_create(links)
    data_changed()  # bulk_create sends no signal

    plan_bookings_write(plan=plan)
    info["moved"] = appointment_moved_mark(plan=plan)
    info["timings"]["store_seconds"] = round(time.perf_counter() - t0, 3)
    plan.solver_info = _json_safe(info)
    plan.save(update_fields=["solver_info"])
    return plan


_HELD_FIELDS = (
    "uid", "task_key", "kind", "start", "end", "site_id", "room_id", "company_id", "place", "group_course_id",
    "status", "pinned", "sequence", "rule", "enrolment_id", "activity_rule_id", "request_id",
)


def _held_row(appointment: Appointment) -> dict[str, object]:
    row: dict[str, object] = {name: getattr(appointment, name) for name in _HELD_FIELDS}
    row["consultant_ids"] = tuple(sorted(c.pk for c in appointment.consultants.all()))
    row["citizen_ids"] = tuple(sorted(z.pk for z in appointment.citizens.all()))
    return row


def _local(naive: datetime) -> datetime:
    """The solver's naive wall-clock time in Copenhagen, made aware (right offset on both sides of DST)."""
    return naive.replace(tzinfo=TZ)


def _ortools_version() -> str:
    import ortools

    return ortools.__version__
