"""Planning several weeks as one run ("Planlæg flere uger"), so that a task due "every N days" lands on a
sensible week of the run rather than at the last moment.

    planned = plan_weeks_create_drafts(week_start=monday, weeks=3, site_ids=[site.pk])

First the run decides which week each movable task goes to (`weeks_choose`): it reads the demand of
every week of the run as the forecast does (scheduler.demand.forecast: the tasks of earlier weeks held
on their due day), and a task due every N days (N ≥ 14) whose deadline falls in a later week of the run
may move to an earlier week — never past its deadline and never before half its interval has passed
since the one before (deadline − N/2), so talks do not bunch up. solver.week_spread chooses the weeks
against the contracted hours per site and staff type (scheduler.demand.forecast.available_hours): the
fewest hours over, the tightest week as loose as possible, and among equally free weeks the one before
the deadline week. Then each week is planned in turn with `plan_create_draft` (the usual draft per
week, replacing that week's draft): the tasks chosen for it are asked for that week (`bring_forward`),
and what the drafts of the earlier weeks hold counts as held (`assumed_held`), so a talk planned in week
1 is not asked for again in week 3.

Each draft records the run in `solver_info["weeks_run"]` (docs/plan-format.md): the run's weeks and the
tasks it brought forward into that week.
"""
from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings

from activities.models import ActivityRule, FrequencyType
from scheduler.availability import TZ
from scheduler.demand.demand import PENALTY_DUE, week_demand
from scheduler.demand.forecast import available_hours
from scheduler.models import AppointmentStatus, Plan
from scheduler.weeks import iso_week_label, started_week_check
from solver import week_spread as ws

MAX_WEEKS = 8
MIN_INTERVAL_DAYS = 14  # shorter rules are due every week anyway


@dataclass(frozen=True, slots=True)
class Moved:
    """A task the run put in an earlier week than the week of its deadline."""

    enrolment_id: int
    rule_id: int
    kind: str
    citizen_ids: tuple[int, ...]
    deadline: date
    from_week: int  # index in the run: the week of the deadline
    to_week: int


@dataclass(slots=True)
class WeeksChoice:
    mondays: list[date]
    bring_forward: list[dict[tuple[int, int], date]]  # per week: (enrolment, rule) -> earliest day
    moved: list[Moved] = field(default_factory=list)
    movable: int = 0
    status: str = ""
    seconds: float = 0.0
    load: dict[str, list[int]] = field(default_factory=dict)  # "site:staff type" -> minutes per week
    capacity: dict[str, list[int]] = field(default_factory=dict)


@dataclass(slots=True)
class WeeksPlanned:
    plans: list[Plan]
    choice: WeeksChoice


def weeks_choose(*, site_ids: list[int], week_start: date, weeks: int, time_limit: float = 5.0) -> WeeksChoice:
    """Which week of the run each movable task goes to (see the module docstring). Nothing is written."""
    mondays = [week_start + timedelta(weeks=w) for w in range(weeks)]
    choice = WeeksChoice(mondays, [{} for _ in mondays])
    every = {r.pk: r.frequency_value for r in ActivityRule.objects.filter(frequency_type=FrequencyType.EVERY_N_DAYS)}
    load: dict[str, list[int]] = defaultdict(lambda: [0] * weeks)
    tasks: list[ws.Movable] = []
    info: dict[int, tuple[object, int, date]] = {}  # task id -> (demand, deadline week, earliest day)
    seen: set[tuple[int, int]] = set()
    assumed: dict[int, dict[str, date]] = defaultdict(dict)
    for w, monday in enumerate(mondays):
        for d in week_demand(week_start=monday, site_ids=site_ids, assumed_held=assumed).demands:
            pools = tuple(f"{min(d.site_ids)}:{min(alt)}" for alt in d.staff_types)
            key = (d.enrolment_id or 0, d.rule_id or 0)
            n = every.get(d.rule_id or 0, 0)
            if w > 0 and d.enrolment_id and n >= MIN_INTERVAL_DAYS and d.penalty == PENALTY_DUE and key not in seen:
                seen.add(key)
                earliest = d.due_by - timedelta(days=n - n // 2)
                allowed = tuple(v for v in range(w + 1) if mondays[v] + timedelta(days=4) >= earliest)
                if len(allowed) > 1:
                    info[len(tasks)] = (d, w, earliest)
                    tasks.append(ws.Movable(len(tasks), d.duration_minutes, pools, allowed))
                    continue
            for p in pools:
                load[p][w] += d.duration_minutes
            if d.enrolment_id is not None:
                kinds = assumed[d.enrolment_id]
                if d.kind not in kinds or kinds[d.kind] < d.due_by:
                    kinds[d.kind] = d.due_by
    hours = available_hours(site_ids, mondays)
    capacity: dict[str, list[int]] = defaultdict(lambda: [0] * weeks)
    for (w, site_id, code), h in hours.items():
        capacity[f"{site_id}:{code}"][w] += round(h * 60)
    t0 = time.perf_counter()
    result = ws.spread(ws.SpreadRequest(
        weeks=weeks, load={p: tuple(v) for p, v in load.items()}, capacity={p: tuple(v) for p, v in capacity.items()},
        tasks=tuple(tasks), time_limit=time_limit,
    ))
    choice.seconds = time.perf_counter() - t0
    choice.status, choice.movable, choice.load, choice.capacity = result.status, len(tasks), result.load, dict(capacity)
    for task_id, to in sorted(result.week_of.items()):
        d, last, earliest = info[task_id]
        if to < last:
            choice.bring_forward[to][d.enrolment_id, d.rule_id] = earliest
            choice.moved.append(Moved(d.enrolment_id, d.rule_id, d.kind, d.citizen_ids, d.due_by, last, to))
    return choice


def _held_in(plan: Plan) -> dict[int, dict[str, date]]:
    """enrolment -> kind -> last day of a planned appointment in the draft."""
    out: dict[int, dict[str, date]] = defaultdict(dict)
    for enrolment_id, kind, start in plan.appointments.filter(
            status=AppointmentStatus.PLANNED, enrolment__isnull=False).values_list("enrolment_id", "kind", "start"):
        day = start.astimezone(TZ).date()
        if kind not in out[enrolment_id] or out[enrolment_id][kind] < day:
            out[enrolment_id][kind] = day
    return out


def _carry_over(plan: Plan, w: int, choice: WeeksChoice, deadline_week: dict[tuple[int, int], int]) -> None:
    """A task brought forward into week `w` that the week could not place is not "unplaced": its deadline
    is in a later week. It is taken off the draft's unplaced list and asked for again in the next week of
    the run (before its deadline week), or in its deadline week as usual (solver_info["weeks_run"]
    ["carried_over"])."""
    early = choice.bring_forward[w]
    if not early:
        return
    rows = [
        u for u in plan.unplaced.filter(enrolment__isnull=False, activity_rule__isnull=False)
        if (u.enrolment_id, u.activity_rule_id) in early
    ]
    carried = []
    for u in rows:
        key = (u.enrolment_id, u.activity_rule_id)
        if w + 1 < deadline_week.get(key, 0):
            choice.bring_forward[w + 1][key] = early[key]
        carried.append({"enrolment": key[0], "rule": key[1], "reason": u.reason})
    plan.unplaced.filter(pk__in=[u.pk for u in rows]).delete()
    plan.solver_info["weeks_run"]["carried_over"] = carried
    counts = plan.solver_info.get("counts") or {}
    if rows and "unplaced" in counts:
        counts["unplaced"] = max(0, counts["unplaced"] - len(rows))


def plan_weeks_create_drafts(
    *, week_start: date, weeks: int, site_ids: list[int], user: object | None = None, time_limit: float | None = None,
    num_workers: int | None = None, random_seed: int = 0, allow_started_week: bool = True,
    on_week: Callable[[int, Plan], None] | None = None, on_progress: Callable[..., bool] | None = None,
    spread: bool = True,
) -> WeeksPlanned:
    """Plan `weeks` weeks from `week_start` as one run and store one draft per week (see the module
    docstring). `time_limit` is per week. `on_week(index, plan)` is called after each week is stored (it
may raise PlanningCancelled to stop before the next week); `on_progress` is each week's solver callback."""
    from scheduler.planning.services import plan_create_draft

    site_ids = sorted(set(site_ids))
    started_week_check(week_start, allow=allow_started_week)
    choice = weeks_choose(site_ids=site_ids, week_start=week_start, weeks=weeks,
                          time_limit=min(5.0, float(time_limit or settings.PLANNER_TIME_LIMIT_SECONDS)))
    if not spread:  # every task at its last moment, only the earlier drafts counted as held (a baseline)
        choice.bring_forward, choice.moved = [{} for _ in choice.mondays], []
    deadline_week = {(m.enrolment_id, m.rule_id): m.from_week for m in choice.moved}
    labels = [iso_week_label(m) for m in choice.mondays]
    held: dict[int, dict[str, date]] = defaultdict(dict)
    plans: list[Plan] = []
    for w, monday in enumerate(choice.mondays):
        plan = plan_create_draft(
            week_start=monday, site_ids=site_ids, user=user, time_limit=time_limit, num_workers=num_workers,
            random_seed=random_seed, assumed_held={k: dict(v) for k, v in held.items()},
            bring_forward=choice.bring_forward[w], on_progress=on_progress,
        )
        plan.solver_info["weeks_run"] = {
            "weeks": labels, "index": w,
            "brought_forward": [
                {"enrolment": m.enrolment_id, "rule": m.rule_id, "kind": m.kind, "citizens": list(m.citizen_ids),
                 "deadline": m.deadline.isoformat(), "deadline_week": labels[m.from_week]}
                for m in choice.moved if m.to_week == w
            ],
        }
        _carry_over(plan, w, choice, deadline_week)
        plan.save(update_fields=["solver_info"])
        for enrolment_id, kinds in _held_in(plan).items():
            for kind, day in kinds.items():
                if kind not in held[enrolment_id] or held[enrolment_id][kind] < day:
                    held[enrolment_id][kind] = day
        plans.append(plan)
        if on_week is not None:
            on_week(w, plan)
    return WeeksPlanned(plans, choice)
