"""Operations for migrations that move a model from one app to another."""

from django.db import migrations


def move_content_types(old_app: str, new_app: str, models: list[str]) -> migrations.RunPython:
    """Give the models' content types their new app label, so that the permissions groups and
    users hold, and the admin's log entries, follow the models. A content type the new app
    already has (none, unless the move is run twice) is left alone."""

    def forwards(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        db = schema_editor.connection.alias
        for model in models:
            if not ContentType.objects.using(db).filter(app_label=new_app, model=model).exists():
                ContentType.objects.using(db).filter(app_label=old_app, model=model).update(app_label=new_app)

    def backwards(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        db = schema_editor.connection.alias
        ContentType.objects.using(db).filter(app_label=new_app, model__in=models).update(app_label=old_app)

    return migrations.RunPython(forwards, backwards, elidable=False)


def refuse_rows_outside(model: str, condition, what: str) -> migrations.RunPython:
    """Stop the migration, naming the rows, when some rows of `app_label.Model` do not meet
    `condition` (a Q), before a check constraint would fail on them with a bare database error:
    the operator corrects or deletes them (in the admin or the API), then migrates again."""
    app_label, model_name = model.split(".")

    def check(apps, schema_editor):
        Model = apps.get_model(app_label, model_name)
        bad = list(
            Model.objects.using(schema_editor.connection.alias)
            .exclude(condition)
            .values_list("pk", flat=True)[:50]
        )
        if bad:
            raise RuntimeError(
                f"{len(bad)}+ {model} rows have {what} outside 1900-2199 (ids {bad}). "
                "Correct or delete them, then run migrate again."
            )

    return migrations.RunPython(check, migrations.RunPython.noop, elidable=True)
