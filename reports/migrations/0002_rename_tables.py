from django.db import migrations

from core.migration_ops import move_content_types

MODELS = ["reportsubscription", "report", "reportdelivery"]


class Migration(migrations.Migration):
    """The report tables take the reports app's names; permissions and admin log entries follow."""

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ("reports", "0001_initial"),
        ("tracker", "0006_reports_moved_to_reports_app"),
    ]

    operations = [
        migrations.AlterModelTable(name="reportsubscription", table=None),
        migrations.AlterModelTable(name="report", table=None),
        migrations.AlterModelTable(name="reportdelivery", table=None),
        migrations.RenameIndex(
            model_name="reportsubscription",
            new_name="reports_rep_active_f9bf27_idx",
            old_name="tracker_rep_active_420f21_idx",
        ),
        migrations.RenameIndex(
            model_name="report",
            new_name="reports_rep_agreeme_4409cb_idx",
            old_name="tracker_rep_agreeme_2d1e24_idx",
        ),
        migrations.RenameIndex(
            model_name="reportdelivery",
            new_name="reports_rep_status_0673cd_idx",
            old_name="tracker_rep_status_c09800_idx",
        ),
        move_content_types("tracker", "reports", MODELS),
    ]
