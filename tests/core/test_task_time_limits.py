"""Every task of ours can be sent: Celery refuses a soft time limit above the hard one, and the
project's defaults (CELERY_TASK_SOFT_TIME_LIMIT, CELERY_TASK_TIME_LIMIT) fill what a task leaves out."""

from config.celery import app


def test_no_task_has_a_soft_time_limit_above_its_hard_one():
    app.loader.import_default_modules()
    ours = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}
    assert "imports.tasks.dispatch_pending_imports" in ours
    wrong = {}
    for name, task in ours.items():
        soft = task.soft_time_limit or app.conf.task_soft_time_limit
        hard = task.time_limit or app.conf.task_time_limit
        if soft and hard and soft > hard:
            wrong[name] = (soft, hard)
    assert wrong == {}
