from django.db import migrations

from core.migration_ops import move_content_types


class Migration(migrations.Migration):
    """The import jobs' table takes the imports app's name; permissions and admin log entries follow."""

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ("imports", "0001_initial"),
        ("incidents", "0004_importjob_moved_to_imports_app"),
    ]

    operations = [
        migrations.AlterModelTable(name="importjob", table=None),
        move_content_types("incidents", "imports", ["importjob"]),
    ]
