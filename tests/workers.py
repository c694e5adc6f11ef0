"""Real services for the tests that need them: a Redis broker and Celery worker processes.

They skip on a machine without PostgreSQL or Redis, and fail instead when CI=true.
"""

import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection

from config.celery import app as project_app

IN_CI = os.environ.get("CI", "").lower() == "true"


def require(condition, reason):
    if not condition:
        if IN_CI:
            pytest.fail(f"{reason} (CI=true: a missing service is a failure)")
        pytest.skip(reason)


def redis_url():
    return os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"


def redis_is_up(url):
    import redis

    try:
        return redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


def database_url():
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Workers:
    """Start Celery worker processes on a private queue; send them tasks by name."""

    def __init__(self):
        require(connection.vendor == "postgresql", "needs PostgreSQL (set DATABASE_URL) for worker processes")
        self.broker = redis_url()
        require(redis_is_up(self.broker), f"needs Redis at {self.broker}")
        self.queue = f"test-{uuid.uuid4().hex[:8]}"
        self.app = Celery("tests", broker=self.broker)
        self.processes = []

    def start(self, name, eager=True, **environ):
        """A worker; `eager=False`: the tasks it sends go to the queue, for any worker to take,
        instead of running inside the task that sends them. `environ`: more environment variables
        for its settings (TRACKER_SCAN_INCIDENTS_PER_COMMIT="5000"...)."""
        env = dict(
            os.environ,
            DATABASE_URL=database_url(),
            REDIS_URL=self.broker,
            DJANGO_SETTINGS_MODULE="config.settings.test",
            CELERY_TASK_ALWAYS_EAGER="true" if eager else "false",
            **environ,
        )
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool",
                "solo",
                "-Q",
                self.queue,
                "-n",
                f"{name}-{self.queue}@%h",
                "--without-gossip",
                "--without-mingle",
                "--loglevel",
                "WARNING",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def send(self, task, **kwargs):
        return self.app.send_task(task, kwargs=kwargs, queue=self.queue)

    def kill(self, process):
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
        with self.app.connection_for_write() as conn:
            conn.default_channel.queue_delete(self.queue)
        # Celery("tests") became the current app, which shared tasks follow: give it back, or
        # later tests send their tasks to this (perhaps stopped) broker instead of running them.
        project_app.set_current()


def wait_for(predicate, timeout=60, interval=0.2, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout}s waiting for {what}.")
