"""Several workers grouping at once end where one would (PostgreSQL: real row locks)."""

import threading

import pytest
from django.db import connection, connections

from events import services
from events.models import CandidatePair, Event
from incidents.models import Incident

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_full_and_incremental_runs_agree_with_one_run(report):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time: there is no race to test")
    for day in range(8):
        report("ucdp", hours=72 * day)
        report("acled", hours=72 * day + 2, km_north=1)
        report("", hours=72 * day + 5, km_north=2)
    errors = []

    def run(job):
        try:
            job()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    jobs = [
        lambda: services.group_all(chunks=2),
        lambda: services.group_all(chunks=3),
        lambda: services.group_incidents(list(Incident.objects.values_list("id", flat=True))),
    ]
    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    together = (
        sorted(CandidatePair.objects.values_list("first_id", "second_id", "state")),
        sorted(Incident.objects.values_list("id", "event")),
    )
    assert Event.objects.count() == 8
    counts = services.group_all()
    assert counts["pairs_new"] == counts["pairs_revised"] == counts["events_created"] == 0
    assert (
        sorted(CandidatePair.objects.values_list("first_id", "second_id", "state")),
        sorted(Incident.objects.values_list("id", "event")),
    ) == together
