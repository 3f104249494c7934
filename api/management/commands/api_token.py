"""Create or revoke bearer tokens for integrations: `api_token --user X [--name N]`, `api_token --revoke ID`."""
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from api.auth import api_token_create, api_token_revoke
from api.models import ApiToken


class Command(BaseCommand):
    help = "Opret et API-token til en bruger (vises én gang), eller tilbagekald et."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", help="Brugernavn")
        parser.add_argument("--name", default="integration", help="Tokenets navn")
        parser.add_argument("--revoke", type=int, help="Id på et token, der skal tilbagekaldes")

    def handle(self, *args: object, user: str | None, name: str, revoke: int | None, **options: object) -> None:
        if revoke is not None:
            token = ApiToken.objects.filter(pk=revoke).first()
            if token is None:
                raise CommandError(f"Intet token med id {revoke}.")
            api_token_revoke(token=token)
            self.stdout.write(f"Token {revoke} er tilbagekaldt.")
            return
        if not user:
            raise CommandError("Angiv --user eller --revoke.")
        account = get_user_model().objects.filter(username=user).first()
        if account is None:
            raise CommandError(f"Ingen bruger med brugernavnet {user}.")
        row, raw = api_token_create(user=account, name=name)
        self.stderr.write(f"Token {row.pk} oprettet til {user}. Gem det nu; det vises ikke igen:")
        self.stdout.write(raw)
