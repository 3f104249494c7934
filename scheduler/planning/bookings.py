"""Occupancy rows (Booking): one per resource (consultant, citizen, room) and 15-minute slot of a planned
appointment. Their unique constraint makes the database itself refuse a double booking, even when two
coordinators change a plan at the same moment.

Written for every draft when it is stored (scheduler.planning.services.plan_store), for a published
version in its publishing transaction, and for one appointment when it is moved, placed or cancelled.
"""
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from scheduler.errors import DomainError
from scheduler.models import Appointment, AppointmentStatus, Booking, BookingResource, Plan

SLOT = timedelta(minutes=15)


class DoubleBooking(DomainError):
    code = "double_booking"
    conflict = True


def _slots(start: datetime, end: datetime) -> list[datetime]:
    first = start.astimezone(timezone.get_current_timezone())
    first = first.replace(minute=first.minute - first.minute % 15, second=0, microsecond=0)
    out, moment = [], first
    while moment < end:
        out.append(moment)
        moment += SLOT
    return out


def _booking_rows(appointment: Appointment) -> list[Booking]:
    resources: list[tuple[str, int]] = [(BookingResource.CONSULTANT, c.pk) for c in appointment.consultants.all()]
    resources += [(BookingResource.CITIZEN, z.pk) for z in appointment.citizens.all()]
    if appointment.room_id:
        resources.append((BookingResource.ROOM, appointment.room_id))
    return [
        Booking(plan_id=appointment.plan_id, appointment=appointment, resource_kind=kind, resource_id=rid,
                slot_start=slot)
        for kind, rid in resources
        for slot in _slots(appointment.start, appointment.end)
    ]


def appointment_book(*, appointment: Appointment) -> None:
    """(Re)write the appointment's occupancy rows; the unique constraint refuses a double booking."""
    try:
        with transaction.atomic():
            Booking.objects.filter(appointment=appointment).delete()
            if appointment.status == AppointmentStatus.PLANNED:
                Booking.objects.bulk_create(_booking_rows(appointment))
    except IntegrityError:
        raise DoubleBooking(
            _("Dobbeltbooking: en konsulent, borger eller et lokale er allerede optaget på det tidspunkt.")
        ) from None


@transaction.atomic
def plan_bookings_write(*, plan: Plan) -> int:
    """Occupancy rows for every planned appointment of a plan (idempotent)."""
    Booking.objects.filter(plan=plan).delete()
    rows: list[Booking] = []
    for appointment in plan.appointments.filter(status=AppointmentStatus.PLANNED).prefetch_related(
        "consultants", "citizens"
    ):
        rows += _booking_rows(appointment)
    Booking.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
