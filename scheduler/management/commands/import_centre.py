"""`python manage.py import_centre FILE [--dry-run]`: load or update a centre (docs/import-format.md)."""
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scheduler.imports import ImportFailed, centre_document_parse, centre_import


class Command(BaseCommand):
    help = "Importér et center fra en JSON-fil (se docs/import-format.md). Alt eller intet gemmes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Kontrollér filen uden at gemme noget.")

    def handle(self, *args: object, file: Path, dry_run: bool, **options: object) -> None:
        try:
            raw = file.read_bytes()
        except OSError:
            raise CommandError(f"Filen kan ikke læses: {file}") from None
        try:
            # The same checks and the same errors as POST /api/import (one "path: message" line each).
            result = centre_import(document=centre_document_parse(raw), dry_run=dry_run)
        except ImportFailed as failed:
            for path, message in failed.errors:
                self.stderr.write(f"{path}: {message}")
            raise CommandError(failed.message) from None
        self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
