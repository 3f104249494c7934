"""Error shapes and the one place where exceptions become HTTP answers.

Every operation declares `ERRORS` (401/403/404/409/422/429) so clients and schemathesis know what can
come back; 429 is the guess throttle's answer to a caller whose address sent too many unknown bearer
tokens (config.middleware.TokenGuessThrottleMiddleware), with Retry-After. Field errors always look
like `{"detail": [{"field": "...", "message": "..."}]}` with Danish messages from the models' own
validation.
"""
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from config.middleware import CREDENTIAL_STATE_ATTR
from scheduler.errors import DomainError


class FieldError(Schema):
    field: str
    message: str


class ValidationErrorOut(Schema):
    detail: list[FieldError]


class ErrorOut(Schema):
    detail: str
    code: str | None = None
    extra: dict[str, Any] | None = None


ERRORS: dict[int, type[Schema]] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ValidationErrorOut,
    429: ErrorOut,
}


class ApiError(Exception):
    """An HTTP answer with a Danish message, raised from API code (not from services)."""

    def __init__(self, status: int, message: str, *, code: str = "", extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.extra = status, message, code, extra


class FieldErrors(Exception):
    """One or more bad fields (422)."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def not_found() -> ApiError:
    # The same answer for "does not exist" and "not yours": existence never leaks.
    return ApiError(404, _("Findes ikke."), code="not_found")


def forbidden() -> ApiError:
    return ApiError(403, _("Du har ikke adgang til denne handling."), code="forbidden")


def django_errors(exc: DjangoValidationError) -> list[tuple[str, str]]:
    if hasattr(exc, "error_dict"):
        return [
            ("__all__" if field == "__all__" else field, str(message))
            for field, errors in exc.message_dict.items()
            for message in errors
        ]
    return [("__all__", str(message)) for message in exc.messages]


def _loc_to_field(loc: Any) -> str:
    parts = [str(p) for p in loc if p not in ("body", "payload", "query", "path", "header", "form")]
    return ".".join(parts) or "__all__"


def install(api: NinjaAPI) -> None:
    def field_errors(request: HttpRequest, exc: FieldErrors) -> HttpResponse:
        body = {"detail": [{"field": f, "message": m} for f, m in exc.errors]}
        return api.create_response(request, body, status=422)

    def django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return field_errors(request, FieldErrors(django_errors(exc)))

    def ninja_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        items = [(_loc_to_field(err.get("loc", ())), str(err.get("msg", ""))) for err in exc.errors]
        return field_errors(request, FieldErrors(items or [("__all__", _("Ugyldigt input."))]))

    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        body = {"detail": exc.message, "code": exc.code or None, "extra": exc.extra}
        return api.create_response(request, body, status=exc.status)

    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400:
            # django-ninja's "Cannot parse request body": bad JSON is bad input like any other (422).
            return field_errors(request, FieldErrors([("body", _("Indholdet er ikke gyldig JSON."))]))
        if exc.status_code == 422:
            return field_errors(request, FieldErrors([("__all__", str(exc))]))
        return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)

    def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        if getattr(request, CREDENTIAL_STATE_ATTR, None) == "gone":
            # Only the holder of the token can get here: saying it was revoked leaks nothing.
            body = {"detail": _("API-nøglen er tilbagekaldt. Bed om en ny."), "code": "token_revoked"}
            return api.create_response(request, body, status=401)
        return api.create_response(request, {"detail": _("Log ind eller send et gyldigt token.")}, status=401)

    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        # The one mapping of the domain's errors: a conflict with the current state is 409 with the code,
        # anything else is the caller's input, 422 on the field it names.
        if exc.conflict:
            return api.create_response(request, {"detail": exc.message, "code": exc.code}, status=409)
        return field_errors(request, FieldErrors([(exc.field, exc.message)]))

    def integrity_error(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        # A unique constraint raced us (or a double booking): the request conflicts with current data.
        body = {"detail": _("Ændringen strider mod eksisterende data."), "code": "integrity_error"}
        return api.create_response(request, body, status=409)

    def data_error(request: HttpRequest, exc: DataError | OverflowError) -> HttpResponse:
        return field_errors(request, FieldErrors([("__all__", _("En værdi er uden for det tilladte område."))]))

    api.add_exception_handler(FieldErrors, field_errors)
    api.add_exception_handler(DjangoValidationError, django_validation)
    api.add_exception_handler(NinjaValidationError, ninja_validation)
    api.add_exception_handler(ApiError, api_error)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(AuthenticationError, auth_error)
    api.add_exception_handler(DomainError, domain_error)
    api.add_exception_handler(IntegrityError, integrity_error)
    api.add_exception_handler(DataError, data_error)
    api.add_exception_handler(OverflowError, data_error)
