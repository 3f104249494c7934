from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Revisionslog"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Admin changes to citizen data are logged through signals (see audit.signals).
        from audit import signals  # noqa: F401
