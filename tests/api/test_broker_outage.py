"""A broker outage never turns a committed write into an error, and the work it scheduled is
done when the broker is back: evaluation by the periodic scan, imports by the dispatcher.

Runs a real Redis server of its own on a free port, stops it around the writes and starts it
again (the shared Redis of the other tests is never touched).
"""

import shutil
import socket
import subprocess
import time

import pytest
import redis
from celery import current_app

from imports.dispatch import dispatch_pending_imports
from imports.models import ImportJob
from incidents.models import Incident
from tests.api.test_imports import acled_file, post
from tests.factories import ClauseFactory
from tests.workers import require
from tracker import services
from tracker.models import Violation

pytestmark = pytest.mark.services


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    def __init__(self):
        require(shutil.which("redis-server"), "needs the redis-server program")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        for _ in range(50):
            try:
                client.ping()
                return client
            except redis.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def broker():
    """Celery sends to a private Redis for real (not eagerly) for the length of the test."""
    server = PrivateRedis()
    server.start()
    conf = current_app.conf
    saved = conf.broker_url, conf.task_always_eager
    conf.broker_url, conf.task_always_eager = server.url, False
    forget_connections()
    yield server
    if server.process.poll() is None:
        server.stop()
    conf.broker_url, conf.task_always_eager = saved
    forget_connections()


def forget_connections():
    """Celery keeps its broker connections; the next send opens new ones to the current URL."""
    current_app._pool = None
    current_app.amqp._producer_pool = None


def test_writes_succeed_while_the_broker_is_down_and_their_work_follows(
    broker, client, analyst, django_capture_on_commit_callbacks
):
    ClauseFactory(prohibited_categories=["shelling"])
    client.force_authenticate(analyst)
    broker.stop()

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(
            "/api/v1/incidents/",
            {"occurred_at": "2019-04-02T06:00:00Z", "category": "shelling", "place_name": "Saraqib"},
            format="json",
        )
        upload = post(client, acled_file([]))
    assert created.status_code == 201, created.content
    assert upload.status_code == 201, upload.content
    assert time.monotonic() - started < 15, "a write must not wait long on a dead broker"
    incident = Incident.objects.get(pk=created.json()["id"])
    job = ImportJob.objects.get(pk=upload.json()["id"])
    assert job.status == ImportJob.Status.PENDING and job.queued_at is None
    assert not Violation.objects.filter(incident=incident).exists()

    queue = broker.start()
    assert dispatch_pending_imports() == 1
    job.refresh_from_db()
    assert job.queued_at is not None
    assert queue.llen("celery") == 1  # the import is in the workers' queue
    assert dispatch_pending_imports() == 0  # sent once

    services.scan_violations()  # the periodic incremental scan
    assert Violation.objects.filter(incident=incident).exists()


def test_an_upload_goes_straight_to_the_workers_when_the_broker_is_up(
    broker, client, reporter, django_capture_on_commit_callbacks
):
    client.force_authenticate(reporter)
    with django_capture_on_commit_callbacks(execute=True):
        upload = post(client, acled_file([]))
    assert upload.status_code == 201
    assert ImportJob.objects.get(pk=upload.json()["id"]).queued_at is not None
    assert dispatch_pending_imports() == 0
