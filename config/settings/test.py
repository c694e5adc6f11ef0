"""The test suite. DATABASE_URL and REDIS_URL still choose PostgreSQL and Redis."""

import tempfile

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-not-secret"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks enqueued by saves run in-process; tests that need a real worker use send_task.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# Uploads (imports through the API or the admin) go to a scratch folder, not var/media.
MEDIA_ROOT = tempfile.mkdtemp(prefix="tracker-test-media-")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests build 2018 deadlines and check them at chosen moments; tests of the check on save turn it on.
TRACKER_CHECK_DEADLINES_ON_SAVE = False
