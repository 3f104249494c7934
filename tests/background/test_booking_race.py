"""The database itself refuses a double booking: two threads race to book the same consultant slot.

PostgreSQL only (SQLite serialises writers, so there is no race to lose there)."""
import os
import threading
from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection

from scheduler.availability import TZ
from scheduler.models import Appointment, Booking, Plan
from scheduler.planning.bookings import DoubleBooking, appointment_book
from tests.api.conftest import make_citizen, make_consultant, make_site

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="needs PostgreSQL"),
]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_only_one_of_two_racing_bookings_of_a_consultant_wins():
    site = make_site("race")
    consultant = make_consultant(site, "race-k")
    plan = Plan.objects.create(week_start=date(2026, 11, 30))
    start = datetime.combine(date(2026, 12, 1), time(10)).replace(tzinfo=TZ)
    appointments = []
    for n in range(2):
        citizen = make_citizen(site, f"race-b{n}")
        a = Appointment.objects.create(plan=plan, task_key=f"talk:{n}", kind="talk", start=start,
                                       end=start + timedelta(hours=1), site=site)
        a.consultants.add(consultant)
        a.citizens.add(citizen)
        appointments.append(a)

    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def book(appointment: Appointment) -> None:
        try:
            barrier.wait()
            appointment_book(appointment=Appointment.objects.get(pk=appointment.pk))
            outcomes.append("booked")
        except DoubleBooking:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(a,)) for a in appointments]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["booked", "refused"]
    holders = set(Booking.objects.filter(resource_kind="consultant", resource_id=consultant.pk)
                  .values_list("appointment_id", flat=True))
    assert len(holders) == 1
