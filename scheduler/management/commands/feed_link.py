"""python manage.py feed_link --consultant REF | --citizen REF | --room ID | --site CODE | --group-course ID

Issues a fresh secret link (the previous one stops working) and prints it. The secret is shown once:
only its hash is stored. A citizen's link ends with their last enrolment, so for a citizen without a running
enrolment the command refuses (a clear error instead of a link that is dead when handed out)."""
from django.core.management.base import BaseCommand, CommandError, CommandParser

from activities.models import GroupCourse
from rooms.models import Room, Site
from scheduler.models import Citizen, Consultant, FeedKind
from scheduler.publishing.tokens import citizen_link_refusal, feed_token_issue


class Command(BaseCommand):
    help = "Laver et nyt personligt kalenderlink (det gamle holder op med at virke) og skriver det ud."

    def add_arguments(self, parser: CommandParser) -> None:
        owner = parser.add_mutually_exclusive_group(required=True)
        owner.add_argument("--consultant", metavar="REF", help="Medarbejderreference.")
        owner.add_argument("--citizen", metavar="REF", help="Borgerreference.")
        owner.add_argument("--room", type=int, metavar="ID", help="Lokale-id.")
        owner.add_argument("--site", metavar="CODE", help="Centerkode.")
        owner.add_argument("--group-course", type=int, metavar="ID", help="Hold-id.")

    def handle(self, *args: object, **options: object) -> None:
        lookups = [
            ("consultant", Consultant, "reference"),
            ("citizen", Citizen, "reference"),
            ("room", Room, "pk"),
            ("site", Site, "code"),
            ("group_course", GroupCourse, "pk"),
        ]
        for option, model, field in lookups:
            value = options.get(option)
            if value is None:
                continue
            owner = model.objects.filter(**{field: value}).first()
            if owner is None:
                raise CommandError(f"Findes ikke: {option} {value}")
            break
        if isinstance(owner, Citizen) and (refusal := citizen_link_refusal(owner)):
            # Checked before issuing: issuing revokes the citizen's current link.
            raise CommandError(refusal)
        link = feed_token_issue(owner=owner)
        self.stdout.write(f"Kalender (abonnement): {link.feed_url}")
        self.stdout.write(f"Kalender (webcal):     {link.webcal_url}")
        if link.feed_token.kind == FeedKind.CITIZEN:
            self.stdout.write(f"Borgerside:            {link.page_url}")
            self.stdout.write(f"PDF-ugeskema:          {link.pdf_url}")
        elif link.feed_token.kind == FeedKind.CONSULTANT:
            self.stdout.write(f"PDF-ugeskema:          {link.pdf_url}")
        self.stdout.write("Det tidligere link virker ikke længere.")
