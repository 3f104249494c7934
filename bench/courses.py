"""Proposals for new holdforløb on a demo centre: `python -m bench.courses [--size L] [--weeks 8]`.

Builds a fresh SQLite file database (never touches var/db.sqlite3), seeds the demo and asks for the
proposals of every site for the coming week, as the "Nye hold" screen does (the week's own course places
first). Prints a Markdown table: time, sites and themes with waiting citizens, citizens waiting,
proposals, citizens seated by them, and the slowest site/theme.
"""
import argparse
import os
import platform
import time

from bench.demo_db import demo_database


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="L")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--weeks", type=int, default=8)
    parser.add_argument("--time-limit", type=float, default=10.0, help="CP-SAT seconds per site and theme")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--twice", action="store_true",
                        help="solve again and print whether the second answer proposes exactly the same courses")
    parser.add_argument("--shared", action="store_true",
                        help="the shared deterministic solve of planning's pointer, the screen and the API "
                             "(proposal_solve: one worker, PLANNER_COURSE_PROPOSAL_SECONDS of deterministic time); "
                             "--time-limit and --workers are ignored")
    parser.add_argument("--keep", help="directory for the database (default: a temporary one)")
    args = parser.parse_args()
    demo_database(keep=args.keep, size=args.size, seed=args.seed)

    from rooms.models import Site
    from scheduler.availability import coming_week_start
    from scheduler.courses.selectors import course_proposals_for_week

    week_start = coming_week_start()
    site_ids = list(Site.objects.order_by("pk").values_list("pk", flat=True))
    t0 = time.perf_counter()
    if args.shared:
        groups = course_proposals_for_week(site_ids=site_ids, week_start=week_start, weeks=args.weeks)
    else:
        groups = course_proposals_for_week(site_ids=site_ids, week_start=week_start, weeks=args.weeks,
                                           time_limit=args.time_limit, num_workers=args.workers, random_seed=1)
    total = time.perf_counter() - t0
    again = None
    if args.twice:
        def keys(found: list) -> list:
            return [(p.key, p.start_date, tuple(x.citizen_id for x in p.seats)) for g in found for p in g.proposals]

        if args.shared:
            second = course_proposals_for_week(site_ids=site_ids, week_start=week_start, weeks=args.weeks)
        else:
            second = course_proposals_for_week(site_ids=site_ids, week_start=week_start, weeks=args.weeks,
                                               time_limit=args.time_limit, num_workers=args.workers, random_seed=1)
        first_keys, second_keys = keys(groups), keys(second)
        again = sum(a != b for a, b in zip(first_keys, second_keys, strict=False)) + abs(
            len(first_keys) - len(second_keys))
    waiting = sum(g.waiting for g in groups)
    seated = sum(len(p.seats) for g in groups for p in g.proposals)
    proposals = sum(len(g.proposals) for g in groups)
    slowest = max(groups, key=lambda g: g.seconds, default=None)
    statuses: dict[str, int] = {}
    for g in groups:
        statuses[g.status] = statuses.get(g.status, 0) + 1
    why: dict[str, int] = {}
    for g in groups:
        for r in g.refused:
            why[r.code] = why.get(r.code, 0) + 1
    print(f"Python {platform.python_version()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}, "
          f"size {args.size}, week {week_start}, {args.weeks} weeks, "
          + ("shared deterministic solve" if args.shared else f"{args.time_limit} s/{args.workers} workers per group"))
    print("| measure | value |\n| --- | --- |")
    print(f"| time (all sites, facts + CP-SAT) | {total:.1f} s |")
    print(f"| of which CP-SAT (model + search, summed over groups) | {sum(g.seconds for g in groups):.1f} s |")
    print(f"| site × theme groups with waiting citizens | {len(groups)} ({statuses}) |")
    print(f"| citizens waiting | {waiting} |")
    print(f"| proposals | {proposals} |")
    print(f"| citizens seated by the proposals | {seated} |")
    print(f"| left out, by reason | {why} |")
    if again is not None:
        print(f"| solved twice: proposals that differ | {again} |")
    if slowest is not None:
        print(f"| slowest group | {slowest.site_name} {slowest.theme}: {slowest.seconds:.1f} s |")


if __name__ == "__main__":
    main()
