"""python manage.py dump_problem [--week 2026-W49] [--site CODE ...] [--assign] -o FILE.json

Writes the planner's input for a week as JSON (solver.serialize.problem_to_dict), so the solver
can be benchmarked on real centre data without Django: ``python -m bench.solver --problem-file
FILE.json``. Reads only, unless --assign runs the same preparation as plan_week first (new
citizens get a contact consultant, group courses get their places)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scheduler.errors import DomainError
from scheduler.management.arguments import site_ids_argument, week_argument
from scheduler.problem.builder import problem_build
from scheduler.weeks import iso_week_label
from solver.serialize import problem_to_dict


class Command(BaseCommand):
    help = "Gemmer løserens input for en uge som JSON (til benchmarks af løseren)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--week", help="ISO-uge, fx 2026-W49 (standard: kommende uge).")
        parser.add_argument(
            "--site", action="append", default=[], metavar="CODE", help="Centerkode; kan gentages (standard: alle)."
        )
        parser.add_argument("-o", "--output", required=True, help="JSON-fil at skrive.")
        parser.add_argument(
            "--assign",
            action="store_true",
            help="Tildel kontaktpersoner og holdpladser først, som plan_week gør (skriver i databasen).",
        )

    def handle(self, *args: object, **options: object) -> None:
        week_start = week_argument(options["week"])  # type: ignore[arg-type]
        site_ids = site_ids_argument(options["site"])  # type: ignore[arg-type]
        if not site_ids:
            raise CommandError("Der er ingen centre.")
        try:
            if options["assign"]:
                from scheduler.planning.services import contact_consultants_assign, course_places_assign

                contact_consultants_assign(site_ids=site_ids, week_start=week_start)
                course_places_assign(site_ids=site_ids, week_start=week_start)
            built = problem_build(week_start=week_start, site_ids=site_ids)
        except DomainError as error:
            raise CommandError(error.message) from error
        problem = built.problem
        path = Path(str(options["output"]))
        path.write_text(json.dumps(problem_to_dict(problem), ensure_ascii=False), encoding="utf-8")
        self.stdout.write(
            f"Uge {iso_week_label(week_start)}: {len(problem.tasks)} opgaver, {len(problem.consultants)} konsulenter, "
            f"{len(problem.citizens)} borgere, {len(problem.sites)} centre → {path} "
            f"({built.build_seconds:.1f} s at bygge)"
        )
