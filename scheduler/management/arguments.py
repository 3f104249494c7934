"""Command-line arguments the management commands share: an ISO week and a list of site codes."""
from argparse import ArgumentParser
from datetime import date

from django.conf import settings
from django.core.management.base import CommandError

from rooms.models import Site
from scheduler.availability import coming_week_start
from scheduler.weeks import parse_iso_week


def week_argument(text: str | None) -> date:
    """The Monday of `--week` (e.g. 2026-W49), or of the coming week when none is given."""
    try:
        return parse_iso_week(text) if text else coming_week_start()
    except ValueError as error:
        raise CommandError(str(error)) from error


def site_ids_argument(codes: list[str]) -> list[int]:
    """Site ids for the `--site` codes (every site when none is given); unknown codes are an error."""
    sites = Site.objects.filter(code__in=codes) if codes else Site.objects.all()
    missing = set(codes) - set(sites.values_list("code", flat=True))
    if missing:
        raise CommandError(f"Ukendt center: {', '.join(sorted(missing))}")
    return list(sites.order_by("id").values_list("id", flat=True))


def add_months_argument(parser: ArgumentParser) -> None:
    parser.add_argument("--months", type=int, default=None,
                        help="Måneder efter forløbets afslutning (standard: RETENTION_MONTHS).")


def months_argument(months: int | None) -> int:
    """`--months`, else RETENTION_MONTHS; retention that is off is an error, not a silent no-op."""
    months = months or settings.RETENTION_MONTHS
    if not months:
        raise CommandError("Sletning er slået fra: sæt RETENTION_MONTHS eller brug --months.")
    return months
