"""The planning core's models, one module per aggregate; everything is re-exported here so
`from scheduler.models import Plan` keeps working (and the app label and migrations stay the same)."""
from scheduler.models.agreements import Agreement, AgreementKind, MeetingNote, Responsible, RetentionStep
from scheduler.models.attendance import MISSED, Attendance, AttendanceStatus
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
    CancelReason,
    Plan,
    PlanStatus,
    UnplacedTask,
)
from scheduler.models.progress import (
    INDICATOR_BY_CODE,
    INDICATORS,
    ProgressGroup,
    ProgressMeasurement,
    ProgressScore,
)
from scheduler.models.reports import ProgressReport
from scheduler.models.runs import SolvePart, SolveRun, SolveRunStatus
from scheduler.models.tokens import FeedInputChange, FeedKind, FeedToken
from scheduler.models.weights import PlanningWeights

__all__ = [
    "Absence",
    "AbsenceReason",
    "ActivityRequest",
    "Agreement",
    "AgreementKind",
    "Appointment",
    "Attendance",
    "AttendanceStatus",
    "AppointmentStatus",
    "CancelReason",
    "Booking",
    "ChangeNotice",
    "BookingResource",
    "Citizen",
    "CitizenUnavailability",
    "Consultant",
    "Coordinator",
    "Enrolment",
    "EnrolmentStatus",
    "INDICATORS",
    "INDICATOR_BY_CODE",
    "FeedKind",
    "FeedInputChange",
    "FeedToken",
    "MISSED",
    "MeetingNote",
    "Plan",
    "PlanStatus",
    "PlanningWeights",
    "PreferredTime",
    "ProgressGroup",
    "ProgressMeasurement",
    "ProgressReport",
    "ProgressScore",
    "RequestStatus",
    "Responsible",
    "RetentionStep",
    "SolvePart",
    "SolveRun",
    "SolveRunStatus",
    "UnplacedTask",
    "WorkingHours",
]
