"""python manage.py plan_week [--week 2026-W49] [--site CODE ...] [--time-limit S] [--workers N] [--seed N]
[--if-missing] [--weeks N]"""

import time
from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from scheduler.errors import DomainError
from scheduler.management.arguments import site_ids_argument, week_argument
from scheduler.models import Plan
from scheduler.planning.selectors import plan_exists_for_week, plan_summary
from scheduler.planning.services import plan_create_draft, week_diagnose
from scheduler.planning.weeks import MAX_WEEKS, plan_weeks_create_drafts
from scheduler.weeks import iso_week_label


class Command(BaseCommand):
    help = "Planlægger en uge for et eller flere centre og gemmer planen som kladde."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--week", help="ISO-uge, fx 2026-W49 (standard: kommende uge).")
        parser.add_argument(
            "--site",
            action="append",
            default=[],
            metavar="CODE",
            help="Centerkode; kan gentages (standard: alle centre).",
        )
        parser.add_argument(
            "--time-limit",
            type=float,
            default=None,
            help=f"Sekunder til løseren (standard {settings.PLANNER_TIME_LIMIT_SECONDS}).",
        )
        parser.add_argument(
            "--workers", type=int, default=None, help=f"CP-SAT-tråde (standard {settings.PLANNER_NUM_WORKERS})."
        )
        parser.add_argument("--seed", type=int, default=0, help="Tilfældighedsfrø for løseren.")
        parser.add_argument(
            "--diagnose",
            action="store_true",
            help="Når noget ikke er placeret: find opgaver, der hver for sig kan placeres, men ikke alle samtidig.",
        )
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="Gør intet, hvis ugen allerede har en kladde eller en offentliggjort plan.",
        )
        parser.add_argument(
            "--weeks",
            type=int,
            default=1,
            help="Planlæg så mange uger fra --week som én kørsel (1-8; standard 1): samtaler, der skal holdes "
                 "hver N. dag, lægges i en uge med ledige timer i stedet for i sidste øjeblik. En kladde pr. uge.",
        )
        parser.add_argument(
            "--allow-started-week",
            action="store_true",
            help="Planlæg også en uge, der er begyndt (aftaler, der er begyndt, bevares ved offentliggørelse).",
        )

    def handle(self, *args: object, **options: object) -> None:
        week_start = week_argument(options["week"])  # type: ignore[arg-type]
        site_ids = site_ids_argument(options["site"])  # type: ignore[arg-type]
        if not site_ids:
            self.stdout.write("Der er ingen centre at planlægge.")
            return
        label = iso_week_label(week_start)
        if options["if_missing"] and plan_exists_for_week(week_start=week_start, site_ids=site_ids):
            self.stdout.write(f"Uge {label} har allerede en plan; intet gjort.")
            return
        if options["weeks"] != 1:
            self._plan_weeks(week_start, site_ids, options)
            return
        started = time.perf_counter()
        try:
            plan = plan_create_draft(
                week_start=week_start,
                site_ids=site_ids,
                time_limit=options["time_limit"],
                num_workers=options["workers"],
                random_seed=options["seed"],
                allow_started_week=options["allow_started_week"],
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        elapsed = time.perf_counter() - started
        summary = plan_summary(plan=plan)
        write = self.stdout.write
        write(f"Kladde for uge {label} gemt (plan {plan.pk}, {elapsed:.1f} s, løserstatus {plan.solver_status}).")
        gap = f"{plan.gap:.1%}" if plan.gap is not None else "–"
        real_bound, real_gap = summary["real_bound"], summary["real_gap"]
        if real_gap is not None:
            write(f"  Højst {real_gap:.1%} fra den bedst mulige plan (grænse {real_bound}).")
        write(
            f"  Målfunktion {plan.objective:g}, bedste grænse {plan.best_bound if plan.best_bound is not None else '–'}"
            f", gab {gap} (kun de afprøvede starttider)"
        )
        placed, unplaced = summary["placed_by_kind"], summary["unplaced_by_kind"]
        write(f"  Placeret: {sum(placed.values())}")
        for kind, n in placed.items():
            write(f"    {kind:16} {n:5d}")
        write(f"  Ikke placeret: {sum(unplaced.values())}")
        for kind, n in unplaced.items():
            write(f"    {kind:16} {n:5d}")
        if summary["unplaced_reasons"]:
            write("  Årsager:")
            for reason, n in summary["unplaced_reasons"]:
                write(f"    {n:3d} × {reason}")
        if summary["unplaced_reasons"] and options["diagnose"]:
            diagnosis = week_diagnose(week_start=week_start, site_ids=site_ids)
            if diagnosis.feasible is False:
                write(f"  Analyse: {diagnosis.report}")
        if summary["moved"]:
            write(f"  Flyttet i forhold til den offentliggjorte plan: {len(summary['moved'])}")

    def _plan_weeks(self, week_start: date, site_ids: list[int], options: dict) -> None:
        weeks = options["weeks"]
        if not 1 <= weeks <= MAX_WEEKS:
            raise CommandError(f"--weeks skal være mellem 1 og {MAX_WEEKS}.")
        started = time.perf_counter()

        def done(index: int, plan: Plan) -> None:
            self.stdout.write(
                f"Kladde for uge {iso_week_label(plan.week_start)} gemt (plan {plan.pk}, løserstatus "
                f"{plan.solver_status}, {plan.appointments.count()} aftaler, {plan.unplaced.count()} ikke placeret)."
            )

        try:
            planned = plan_weeks_create_drafts(
                week_start=week_start, weeks=weeks, site_ids=site_ids, time_limit=options["time_limit"],
                num_workers=options["workers"], random_seed=options["seed"],
                allow_started_week=options["allow_started_week"], on_week=done,
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        choice = planned.choice
        self.stdout.write(
            f"{weeks} uger planlagt som én kørsel ({time.perf_counter() - started:.1f} s): "
            f"{len(choice.moved)} af {choice.movable} flytbare opgaver lagt før fristens uge."
        )
        for m in choice.moved:
            due, to = iso_week_label(choice.mondays[m.from_week]), iso_week_label(choice.mondays[m.to_week])
            self.stdout.write(f"  {m.kind} (forløb {m.enrolment_id}): frist {m.deadline:%d.%m.} i uge {due}, "
                              f"planlagt i uge {to}")
