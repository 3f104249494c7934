"""python manage.py ugeskema_pdf --week 2026-W49 --site CODE -o FILE  (or --citizen REF / --consultant REF)"""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rooms.models import Site
from scheduler.models import Citizen, Consultant
from scheduler.publishing.pdf import citizen_week_pdf, consultant_week_pdf, site_week_pdf
from scheduler.publishing.ugeskema import site_citizens_for_week
from scheduler.weeks import parse_iso_week


class Command(BaseCommand):
    help = "Skriver ugeskemaer som PDF: alle borgere på et center (én side pr. borger), én borger eller en konsulent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--week", required=True, help="ISO-uge, fx 2026-W49.")
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--site", metavar="CODE", help="Alle borgere på centret.")
        who.add_argument("--citizen", metavar="REF", help="Én borger.")
        who.add_argument("--consultant", metavar="REF", help="Én konsulent.")
        parser.add_argument("-o", "--output", required=True, help="PDF-fil, der skrives.")
        parser.add_argument("--skip-empty", action="store_true",
                            help="Med --site: udelad borgere, der intet har i ugen.")

    def handle(self, *args: object, **options: object) -> None:
        try:
            week_start = parse_iso_week(options["week"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        if options["site"]:
            site = Site.objects.filter(code=options["site"]).first()
            if site is None:
                raise CommandError(f"Ukendt center: {options['site']}")
            body = site_week_pdf(site=site, week_start=week_start, skip_empty=options["skip_empty"])
            pages = site_citizens_for_week(site=site, week_start=week_start).count()
        elif options["citizen"]:
            citizen = Citizen.objects.filter(reference=options["citizen"]).first()
            if citizen is None:
                raise CommandError(f"Ukendt borger: {options['citizen']}")
            body, pages = citizen_week_pdf(citizen=citizen, week_start=week_start), 1
        else:
            consultant = Consultant.objects.filter(reference=options["consultant"]).first()
            if consultant is None:
                raise CommandError(f"Ukendt konsulent: {options['consultant']}")
            body, pages = consultant_week_pdf(consultant=consultant, week_start=week_start), 1
        path = Path(options["output"])
        path.write_bytes(body)
        self.stdout.write(f"Skrev {path} ({pages} sider, {len(body) // 1024} KB).")
