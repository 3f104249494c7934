"""Erase citizens' data that many months after their enrolment ended (what retention_report lists)."""
from argparse import ArgumentParser

from django.core.management.base import BaseCommand

from scheduler.management.arguments import add_months_argument, months_argument
from scheduler.retention import retention_run


class Command(BaseCommand):
    help = "Slet borgeres data når opbevaringsperioden (RETENTION_MONTHS) er udløbet."

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_months_argument(parser)

    def handle(self, *args: object, months: int | None, **options: object) -> None:
        months = months_argument(months)
        done = retention_run(months=months)
        self.stdout.write(f"Slettet: {len(done)} borgere.")
        for item in done:
            self.stdout.write(f"- {item.reference} (sluttede {item.ended:%d.%m.%Y})")
