"""python manage.py seed_demo --size {S,M,L,XL} --seed N [--week 2026-W49] [--if-empty]"""
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scheduler.demo.centre import SIZES, coming_monday, demo_build, demo_clear, demo_exists
from scheduler.weeks import parse_iso_week


class Command(BaseCommand):
    help = "Bygger et realistisk demo-center (samme størrelse, seed og uge giver samme data)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=sorted(SIZES), default="S")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--week", help="Demo-ugen som ISO-uge, fx 2026-W49 (standard: kommende uge).")
        parser.add_argument("--if-empty", action="store_true", help="Gør intet, hvis der allerede er data.")

    def handle(self, *args: object, size: str, seed: int, week: str | None, if_empty: bool, **options: object) -> None:
        if if_empty and demo_exists():
            self.stdout.write("Der er allerede data; demo-centret bygges ikke igen.")
            return
        try:
            week_start = parse_iso_week(week) if week else coming_monday()
        except ValueError as error:
            raise CommandError(str(error)) from error
        started = time.perf_counter()
        demo_clear()
        counts = demo_build(size=size, seed=seed, week_start=week_start)
        iso = week_start.isocalendar()
        self.stdout.write(f"Demo-center {size} (seed {seed}) for uge {iso.week} {iso.year} bygget på "
                          f"{time.perf_counter() - started:.1f} s:")
        for label, count in counts.items():
            self.stdout.write(f"  {label:24} {count:6d}")
