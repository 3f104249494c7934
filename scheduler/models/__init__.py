"""The planning core's models, one module per aggregate; everything is re-exported here so
`from scheduler.models import Plan` keeps working (and the app label and migrations stay the same)."""
from scheduler.models.enrolments import ActivityRequest, Enrolment, EnrolmentStatus, RequestStatus
from scheduler.models.notices import ChangeNotice
from scheduler.models.people import (
    Absence,
    AbsenceReason,
    Citizen,
    CitizenUnavailability,
    Consultant,
    Coordinator,
    PreferredTime,
    WorkingHours,
)
from scheduler.models.plans import (
    Appointment,
    AppointmentStatus,
    Booking,
    BookingResource,
    Plan,
    PlanStatus,
    UnplacedTask,
)
from scheduler.models.runs import SolvePart, SolveRun, SolveRunStatus
from scheduler.models.tokens import FeedInputChange, FeedKind, FeedToken
from scheduler.models.weights import PlanningWeights

__all__ = [
    "Absence",
    "AbsenceReason",
    "ActivityRequest",
    "Appointment",
    "AppointmentStatus",
    "Booking",
    "ChangeNotice",
    "BookingResource",
    "Citizen",
    "CitizenUnavailability",
    "Consultant",
    "Coordinator",
    "Enrolment",
    "EnrolmentStatus",
    "FeedKind",
    "FeedInputChange",
    "FeedToken",
    "Plan",
    "PlanStatus",
    "PlanningWeights",
    "PreferredTime",
    "RequestStatus",
    "SolvePart",
    "SolveRun",
    "SolveRunStatus",
    "UnplacedTask",
    "WorkingHours",
]
