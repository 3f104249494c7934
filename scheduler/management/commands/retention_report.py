"""Dry run: which citizens retention would erase now, and how many rows of each kind (no names)."""
from argparse import ArgumentParser

from django.core.management.base import BaseCommand

from scheduler.management.arguments import add_months_argument, months_argument
from scheduler.retention import retention_report


class Command(BaseCommand):
    help = "Vis hvilke borgeres data sletning efter opbevaringsperioden ville fjerne (intet slettes)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        add_months_argument(parser)

    def handle(self, *args: object, months: int | None, **options: object) -> None:
        months = months_argument(months)
        items = retention_report(months=months)
        self.stdout.write(f"Opbevaringsperiode: {months} måneder. Borgere der ville blive slettet: {len(items)}")
        for item in items:
            counts = ", ".join(f"{name}={count}" for name, count in item.counts.items() if count)
            self.stdout.write(f"- {item.reference} (sidste forløb sluttede {item.ended:%d.%m.%Y}): {counts}")
