"""python manage.py publish_week [--week 2026-W49] [--site CODE] [--if-missing]"""
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rooms.models import Site
from scheduler.errors import DomainError
from scheduler.management.arguments import week_argument
from scheduler.models import Appointment, AppointmentStatus, Citizen, Consultant, PlanStatus
from scheduler.planning.selectors import plan_versions, week_plans_with_status
from scheduler.publishing.services import plan_diff, plan_publish_latest_draft
from scheduler.publishing.tokens import feed_token_issue
from scheduler.weeks import iso_week_label


class Command(BaseCommand):
    help = "Offentliggør den nyeste kladde for en uge som næste version (feeds, PDF'er og borgersider)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--week", help="ISO-uge, fx 2026-W49 (standard: kommende uge).")
        parser.add_argument("--site", metavar="CODE", help="Kun kladder for dette center.")
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="Gør intet, hvis ugen allerede er offentliggjort eller ikke har en kladde.",
        )
        parser.add_argument(
            "--allow-started-week",
            action="store_true",
            help="Offentliggør også en uge, der er begyndt: aftaler, der allerede er begyndt, bevares som de var.",
        )
        parser.add_argument(
            "--demo-links",
            action="store_true",
            help="Demo: lav nye links for én borger og én konsulent i ugen og skriv dem ud.",
        )

    def handle(self, *args: object, **options: object) -> None:
        week_start = week_argument(options["week"])  # type: ignore[arg-type]
        site = None
        if options["site"]:
            site = Site.objects.filter(code=options["site"]).first()
            if site is None:
                raise CommandError(f"Ukendt center: {options['site']}")
        label = iso_week_label(week_start)
        if options["if_missing"]:
            site_ids = None if site is None else [site.pk]
            published = week_plans_with_status(week_start=week_start, status=PlanStatus.PUBLISHED, site_ids=site_ids)
            drafts = week_plans_with_status(week_start=week_start, status=PlanStatus.DRAFT, site_ids=site_ids)
            if published.exists() or not drafts.exists():
                self.stdout.write(f"Uge {label}: intet at offentliggøre.")
                self._demo_links(options, week_start, site)
                return
        try:
            plan = plan_publish_latest_draft(week_start=week_start, site=site,
                                             allow_started_week=options["allow_started_week"])
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"Uge {label} offentliggjort som version {plan.version} (plan {plan.pk}).")
        started = (plan.solver_info or {}).get("started_week")
        if started:
            self.stdout.write(
                f"  Ugen var begyndt: {started['kept']} begyndte aftaler bevaret som offentliggjort, "
                f"{started['dropped']} nye aftaler i fortiden udeladt."
            )
        previous = plan_versions(week_start).filter(version=(plan.version or 1) - 1).first()
        if previous is not None:
            diff = plan_diff(previous, plan)
            self.stdout.write(
                f"  I forhold til version {previous.version}: {len(diff.added)} nye, {len(diff.moved)} flyttet, "
                f"{len(diff.cancelled)} aflyst, {len(diff.unchanged)} uændret."
            )
        else:
            self.stdout.write(f"  {plan.appointments.count()} aftaler.")
        self._demo_links(options, week_start, site)

    def _demo_links(self, options: dict, week_start: date, site: Site | None) -> None:
        """After `make run`: one citizen's page, PDF and feed, and one consultant's feed, ready to open."""
        if not options["demo_links"]:
            return
        plans = week_plans_with_status(week_start=week_start, status=PlanStatus.PUBLISHED,
                                       site_ids=None if site is None else [site.pk])
        appointments = Appointment.objects.filter(plan__in=plans, status=AppointmentStatus.PLANNED)
        citizen = Citizen.objects.filter(appointments__in=appointments).order_by("reference").first()
        consultant = Consultant.objects.filter(appointments__in=appointments).order_by("reference").first()
        code = iso_week_label(week_start)
        if citizen is not None:
            link = feed_token_issue(owner=citizen)
            self.stdout.write(f"  Demo-borger {citizen.reference}: side {link.page_url}?uge={code}")
            self.stdout.write(f"    PDF {link.pdf_url}?uge={code}")
            self.stdout.write(f"    Kalender {link.feed_url}")
        if consultant is not None:
            link = feed_token_issue(owner=consultant)
            self.stdout.write(f"  Demo-konsulent {consultant.reference}: kalender {link.feed_url}")
