"""Who may use which part of Django's admin.

Django's admin checks permissions per model, never per row, so it cannot keep a coordinator to their
own sites. Site-bound data (citizens, enrolments, consultants, rooms, courses, plans, ...) is therefore
maintained in the coordinator UI and the API, which are scoped, and the admin shows it to
administrators (superusers) only. Other staff — a coordinator given model permissions, say — reach only
the shared catalogue that every coordinator may edit through the API as well. Deny by default: a model
registered later (ours or a library's) is for superusers until it is listed here.
"""
from collections.abc import Callable
from typing import Any

from django.contrib.admin import AdminSite
from django.http import HttpRequest

SHARED_FOR_STAFF = frozenset({
    "activities.interventionmodel", "activities.phase", "activities.activityrule", "activities.company",
    "activities.employeravailability", "activities.outcome",
})
PERMISSION_METHODS = (
    "has_module_permission", "has_view_permission", "has_add_permission", "has_change_permission",
    "has_delete_permission",
)


def _superusers_only(check: Callable[..., bool]) -> Callable[..., bool]:
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> bool:
        user = request.user
        return bool(user.is_active and user.is_superuser) and check(request, *args, **kwargs)

    wrapped.superusers_only = True  # type: ignore[attr-defined]
    return wrapped


def admin_restrict(site: AdminSite) -> None:
    """Wrap the permission checks of every registered model outside SHARED_FOR_STAFF (idempotent)."""
    for model, model_admin in site._registry.items():
        if model._meta.label_lower in SHARED_FOR_STAFF:
            continue
        for name in PERMISSION_METHODS:
            check = getattr(model_admin, name)
            if not getattr(check, "superusers_only", False):
                setattr(model_admin, name, _superusers_only(check))
