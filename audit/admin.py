"""The audit log in the admin (read-only, administrators only), and reads of citizen data in the admin
recorded like every other screen's."""
from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from audit.models import AuditAction, AuditEvent
from audit.signals import citizen_ids_of


class AuditedAdminMixin:
    """Record who opened which citizens' rows: a change form (one object) or a list page (the rows on
    it). Changes are recorded from the admin's LogEntry (audit.signals). A list page that shows no
    citizen data (appointments by time and room, courses) sets `audit_list_reads = False`."""

    audit_list_reads = True

    def _audit_read(self, request: HttpRequest, pks: list[Any], what: str) -> None:
        from audit.records import audit_record

        label = self.model._meta.label_lower  # type: ignore[attr-defined]
        audit_record(actor=request.user, action=AuditAction.VIEW, citizen_ids=citizen_ids_of(label, pks),
                     object_repr=f"admin {label} {what}", request=request)

    def changeform_view(self, request: HttpRequest, object_id: str | None = None, form_url: str = "",
                        extra_context: dict | None = None) -> HttpResponse:
        response = super().changeform_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
        if request.method == "GET" and object_id and response.status_code == 200:
            self._audit_read(request, [object_id], object_id)
        return response

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)  # type: ignore[misc]
        changelist = getattr(response, "context_data", {}).get("cl") if response.status_code == 200 else None
        if request.method == "GET" and changelist is not None and self.audit_list_reads:
            self._audit_read(request, [obj.pk for obj in changelist.result_list], "liste")
        return response


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "object_repr", "citizen_ids", "ip", "masked"]
    list_filter = ["action", "masked"]
    search_fields = ["actor", "object_repr", "citizen_ids"]
    date_hierarchy = "at"

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
