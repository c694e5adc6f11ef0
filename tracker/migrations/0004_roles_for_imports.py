from django.db import migrations


class Migration(migrations.Migration):
    """Give the roles their rights on import jobs (from Reporter on: start and see them)."""

    dependencies = [
        ("tracker", "0003_reports"),
        ("incidents", "0002_importjob"),
    ]

    # Roles are synced after every migrate now (core.roles), not by migrations.
    operations = []
