"""The test suite. DATABASE_URL and REDIS_URL still choose PostgreSQL and Redis."""

import tempfile

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-not-secret"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks enqueued by saves run in-process; tests that need a real worker use send_task (and
# tests.workers can start workers that send their own tasks on to the queue: False here).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
# Uploads (imports through the API or the admin) go to a scratch folder, not var/media.
MEDIA_ROOT = tempfile.mkdtemp(prefix="tracker-test-media-")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests build 2018 deadlines and check them at chosen moments; tests of the check on save turn it on.
TRACKER_CHECK_DEADLINES_ON_SAVE = False
