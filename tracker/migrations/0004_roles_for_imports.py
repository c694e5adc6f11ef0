from django.db import migrations

from tracker.roles import sync_roles


class Migration(migrations.Migration):
    """Give the roles their rights on import jobs (from Reporter on: start and see them)."""

    dependencies = [
        ("tracker", "0003_reports"),
        ("incidents", "0002_importjob"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
