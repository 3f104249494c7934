"""The one domain error base class. The API maps it to HTTP once; views show `message` to the user."""


class DomainError(Exception):
    """A rule of the domain was broken. `message` is Danish and shown to users; `code` is for machines."""

    code = "domain_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class PlanningError(DomainError):
    """Planning a week could not start or could not store a plan."""

    code = "planning_error"


class PlanVerificationError(PlanningError):
    """The solver returned a plan that breaks a hard rule: a bug, never stored."""

    code = "plan_verification_failed"


class PlanningCancelled(PlanningError):
    """The coordinator cancelled the run: nothing was stored."""

    code = "cancelled"
