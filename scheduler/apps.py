from django.apps import AppConfig


class SchedulerConfig(AppConfig):
    name = "scheduler"
    verbose_name = "Planlægning"

    def ready(self) -> None:
        # The admin registered every app's models before this runs (django.contrib.admin comes first).
        from django.contrib import admin

        from scheduler.admin_access import admin_restrict

        admin_restrict(admin.site)

        # Every process that writes (web, worker, management commands) must invalidate cached answers.
        from scheduler import data_epoch

        data_epoch.connect()
