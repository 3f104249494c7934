"""The one domain error base class. Each interface maps it once: the API in api/errors.py (422 with the
field, or 409 for a conflict), the web UI in scheduler/web/errors.py (a message on the page)."""


class DomainError(Exception):
    """A rule of the domain was broken. `message` is Danish and shown to users; `code` is for machines;
    `field` names the input it is about ("__all__": the request as a whole); `conflict` says the request
    clashes with the current state (another user's change, a double booking), not with its own input."""

    code = "domain_error"
    field = "__all__"
    conflict = False

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if field is not None:
            self.field = field


class PlanningError(DomainError):
    """Planning a week could not start or could not store a plan."""

    code = "planning_error"


class PlanVerificationError(PlanningError):
    """The solver returned a plan that breaks a hard rule: a bug, never stored."""

    code = "plan_verification_failed"


class PlanningCancelled(PlanningError):
    """The coordinator cancelled the run: nothing was stored."""

    code = "cancelled"
