from django.contrib import admin, messages
from django.http import HttpRequest

from api.auth import api_token_create, api_token_revoke
from api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__username"]
    fields = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def save_model(self, request: HttpRequest, obj: ApiToken, form: object, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        row, raw = api_token_create(user=obj.user, name=obj.name)
        obj.pk, obj.token_hash, obj.prefix = row.pk, row.token_hash, row.prefix
        # Shown once: only the hash is stored.
        messages.warning(request, f"Nyt API-token (vises kun denne ene gang): {raw}")

    @admin.action(description="Tilbagekald valgte tokens")
    def revoke(self, request: HttpRequest, queryset: object) -> None:
        for token in queryset:
            api_token_revoke(token=token)
