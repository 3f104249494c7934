"""Several weeks as one run against the same weeks planned one at a time, on a demo centre:
`python -m bench.plan_weeks [--size M] [--weeks 3] [--time-limit 20] [--site CODE]`.

Builds (or reuses with --keep) a SQLite demo database, plans the weeks from the coming week one at a
time (`plan_create_draft` per week, as `plan_week` for each week does: a later week does not see the
earlier drafts, so it asks again for what they hold), then week by week with the earlier drafts counted
as held but every task at its last moment (`spread=False`), then as one run (`plan_weeks_create_drafts`),
and prints for each:
tasks due every N days placed and unplaced, how many were placed before the week of their deadline,
and per week the planned hours of the busiest site and staff type against its contracted hours.
"""
import argparse
import os
import platform
import time
from collections import defaultdict

from bench.demo_db import demo_database


def _measure(plans: list, hours: dict, mondays: list) -> dict:
    from activities.models import FrequencyType
    from scheduler.models import Appointment, UnplacedTask

    every = {"activity_rule__frequency_type": FrequencyType.EVERY_N_DAYS}
    placed = Appointment.objects.filter(plan__in=plans, **every)
    early = sum(1 for p in plans for a in placed.filter(plan=p) if "planlagt tidligere" in a.rule)
    unplaced = UnplacedTask.objects.filter(plan__in=plans, **every).count()
    load: dict[tuple[int, int, str], float] = defaultdict(float)
    for a in Appointment.objects.filter(plan__in=plans, status="planned").prefetch_related("consultants__staff_types"):
        w = (a.start.date() - mondays[0]).days // 7
        minutes = (a.end - a.start).total_seconds() / 60
        for c in a.consultants.all():
            codes = [st.code for st in c.staff_types.all()] or ["?"]
            for code in codes:
                load[w, c.home_site_id, code] += minutes / 60 / len(codes)
    busiest = []
    for w in range(len(mondays)):
        shares = [load[key] / hours[key] for key in load if key[0] == w and hours.get(key)]
        busiest.append(max(shares, default=0.0))
    return {"placed": placed.count(), "early": early, "unplaced": unplaced, "busiest": busiest}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="M")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--weeks", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=20.0, help="CP-SAT seconds per week")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--site", action="append", default=[], help="site code (default: all)")
    parser.add_argument("--keep", help="directory for the database (default: a temporary one)")
    args = parser.parse_args()
    demo_database(keep=args.keep, size=args.size, seed=args.seed)

    from datetime import timedelta

    from rooms.models import Site
    from scheduler.availability import coming_week_start
    from scheduler.demand.forecast import available_hours
    from scheduler.planning.services import plan_create_draft
    from scheduler.planning.weeks import plan_weeks_create_drafts

    week_start = coming_week_start()
    sites = Site.objects.order_by("pk")
    if args.site:
        sites = sites.filter(code__in=args.site)
    site_ids = list(sites.values_list("pk", flat=True))
    mondays = [week_start + timedelta(weeks=w) for w in range(args.weeks)]
    hours = available_hours(site_ids, mondays)
    solve = {"time_limit": args.time_limit, "num_workers": args.workers, "random_seed": 1}
    print(f"Python {platform.python_version()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}, "
          f"size {args.size}, sites {len(site_ids)}, weeks {args.weeks} from {week_start}, "
          f"{args.time_limit} s/{args.workers} workers per week")
    t0 = time.perf_counter()
    one_by_one = [plan_create_draft(week_start=m, site_ids=site_ids, **solve) for m in mondays]
    single = _measure(one_by_one, hours, mondays)
    single["seconds"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    last = plan_weeks_create_drafts(week_start=week_start, weeks=args.weeks, site_ids=site_ids, spread=False, **solve)
    at_last = _measure(last.plans, hours, mondays)
    at_last["seconds"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    run = plan_weeks_create_drafts(week_start=week_start, weeks=args.weeks, site_ids=site_ids, **solve)
    together = _measure(run.plans, hours, mondays)
    together["seconds"] = time.perf_counter() - t0
    print(f"movable every-N-days tasks: {run.choice.movable}, moved to an earlier week: {len(run.choice.moved)} "
          f"(choice {run.choice.status}, {run.choice.seconds:.2f} s)")
    print("| planned | time | every-N-days placed | of which before their deadline week | every-N-days unplaced | "
          "busiest site × staff type, planned / contracted hours, per week |")
    print("| --- | --- | --- | --- | --- | --- |")
    rows = (("one week at a time (plan_week per week)", single),
            ("one week at a time, earlier drafts counted as held", at_last),
            (f"{args.weeks} weeks as one run", together))
    for name, m in rows:
        busiest = ", ".join(f"{b:.0%}" for b in m["busiest"])
        print(f"| {name} | {m['seconds']:.0f} s | {m['placed']} | {m['early']} | {m['unplaced']} | {busiest} |")


if __name__ == "__main__":
    main()
