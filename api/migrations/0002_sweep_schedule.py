"""The periodic sweep that marks planning runs of dead workers as failed (django-q2 Schedule)."""
from django.db import migrations


def create(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name="solve-runs-sweep",
        defaults={"func": "scheduler.tasks.solve_runs_sweep_task", "schedule_type": "I", "minutes": 1,
                  "repeats": -1},
    )


def remove(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name="solve-runs-sweep").delete()


class Migration(migrations.Migration):
    dependencies = [("api", "0001_initial"), ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more")]
    operations = [migrations.RunPython(create, remove)]
