"""python manage.py export_plan --week 2026-W49 [--site CODE ...] [--draft] --format json [-o FILE]"""

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rooms.models import Site
from scheduler.planning.selectors import plan_draft_get, plan_export, plan_published_get
from scheduler.weeks import parse_iso_week


class Command(BaseCommand):
    help = "Skriver ugens plan som JSON (format: docs/plan-format.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--week", required=True, help="ISO-uge, fx 2026-W49.")
        parser.add_argument("--site", action="append", default=[], metavar="CODE", help="Centerkode (kan gentages).")
        parser.add_argument(
            "--draft", action="store_true", help="Eksportér kladden i stedet for den offentliggjorte plan."
        )
        parser.add_argument("--format", choices=["json"], default="json")
        parser.add_argument("-o", "--output", help="Fil at skrive til (standard: skærmen).")

    def handle(self, *args: object, **options: object) -> None:
        try:
            week_start = parse_iso_week(options["week"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        codes: list[str] = options["site"]  # type: ignore[assignment]
        sites = Site.objects.filter(code__in=codes) if codes else Site.objects.all()
        site_ids = list(sites.values_list("id", flat=True))
        if options["draft"]:
            plan = plan_draft_get(week_start=week_start, site_ids=site_ids)
        else:
            # Without --draft: the published plan, or the draft when nothing is published yet.
            plan = plan_published_get(week_start=week_start, site_ids=site_ids) or plan_draft_get(
                week_start=week_start, site_ids=site_ids
            )
        if plan is None:
            raise CommandError(f"Ingen plan for uge {options['week']}.")
        text = json.dumps(plan_export(plan=plan), ensure_ascii=False, indent=2)
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
            self.stdout.write(f"Plan {plan.pk} skrevet til {options['output']}.")
        else:
            self.stdout.write(text)
