"""Course places, CP-SAT against greedy, on a demo centre: `python -m bench.course_places [--size M] [--solve]`.

Builds a fresh SQLite file database (never touches var/db.sqlite3), seeds the demo and, for each method,
gives the coming week's course places (scheduler.planning.services.course_places_assign, in a savepoint
that is rolled back, as planning a draft does) and builds the week's Problem from them. Prints a
Markdown table per method: time of the course-place step, places given (citizen × theme) and citizens
given one, places still missing (the "no course place" notes) and citizens waiting, course sessions that
go to the planner and their seats, sessions dropped for too few participants; with --solve also the
group sessions the planner placed.
"""
import argparse
import os
import platform
import time

from bench.demo_db import demo_database


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="M")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--solve", action="store_true", help="also plan the week and count placed group sessions")
    parser.add_argument("--time-limit", type=float, default=60.0, help="planner seconds with --solve")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", help="directory for the database (default: a temporary one)")
    args = parser.parse_args()
    demo_database(keep=args.keep, size=args.size, seed=args.seed)
    from django.test import override_settings

    from rooms.models import Site
    from scheduler.availability import coming_week_start
    from scheduler.planning.proposals import proposals_applied
    from scheduler.planning.services import contact_consultants_assign, course_places_assign, plan_solve
    from scheduler.problem.builder import problem_build

    week_start = coming_week_start()
    site_ids = list(Site.objects.order_by("pk").values_list("pk", flat=True))
    print(f"Python {platform.python_version()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}, "
          f"size {args.size} seed {args.seed}, week {week_start}, {args.workers} workers")
    rows: dict[str, dict[str, str]] = {}
    for method in ("greedy", "cpsat"):
        with override_settings(PLANNER_NUM_WORKERS=args.workers), proposals_applied():
            contact_consultants_assign(site_ids=site_ids, week_start=week_start)
            t0 = time.perf_counter()
            created = course_places_assign(site_ids=site_ids, week_start=week_start, method=method)
            seconds = time.perf_counter() - t0
            built = problem_build(week_start=week_start, site_ids=site_ids, time_limit=args.time_limit,
                                  num_workers=args.workers, random_seed=1)
        missing = [n for n in built.notes if n.key.startswith("course:")]  # one per citizen and theme
        waiting = {z for n in missing for z in n.citizen_ids}
        sessions = [t for t in built.problem.tasks if t.kind == "group_session"]
        too_few = [n for n in built.notes if n.group_course_id and n.reason.startswith("For få")]
        row = {
            "course-place step": f"{seconds:.2f} s",
            "places given (citizens)": f"{len(created)} ({len({m.citizen_id for m in created})})",
            "places still missing (citizens waiting)": f"{len(missing)} ({len(waiting)})",
            "group sessions to the planner (seats)": f"{len(sessions)} ({sum(len(t.citizen_ids) for t in sessions)})",
            "sessions dropped: too few participants": str(len(too_few)),
        }
        if args.solve:
            solution, solve_seconds = plan_solve(built=built)
            ids = {t.id for t in sessions}
            placed = [p for p in solution.placements if p.task_id in ids]
            row["group sessions placed by the planner"] = f"{len(placed)} ({solve_seconds:.0f} s, {solution.status})"
        rows[method] = row
    print("| measure | greedy | CP-SAT |\n| --- | --- | --- |")
    for key in rows["greedy"]:
        print(f"| {key} | {rows['greedy'][key]} | {rows['cpsat'][key]} |")


if __name__ == "__main__":
    main()
