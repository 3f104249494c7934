from django.db import migrations

from activities.reference_data import install_reference_data


def forwards(apps, schema_editor):  # noqa: ANN001, ANN201
    install_reference_data(apps.get_model)


class Migration(migrations.Migration):
    dependencies = [("activities", "0002_initial"), ("rooms", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
