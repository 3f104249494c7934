"""The web UI's one mapping of domain errors: the Danish message on the next page, after `prefix`."""
from django.contrib import messages
from django.http import HttpRequest

from scheduler.errors import DomainError


def domain_error_show(request: HttpRequest, error: DomainError, prefix: str = "") -> None:
    messages.error(request, f"{prefix}{error.message}")
