"""The public read mode (off by default) and the throttles."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import ClauseFactory, IncidentFactory, SourceFactory
from tracker.models import Violation

pytestmark = pytest.mark.django_db


def test_anonymous_reads_are_refused_by_default(client):
    assert client.get(reverse("api:agreement-list")).status_code == 401


def test_public_read_mode_shows_verified_incidents_and_confirmed_violations_only(client, settings):
    settings.TRACKER_API_PUBLIC_READ = True
    verified, draft = IncidentFactory(status="verified"), IncidentFactory(status="draft")
    SourceFactory(incident=verified, name="Open outlet")
    SourceFactory(incident=verified, name="Witness Abu Ahmad", confidential=True)
    clause = ClauseFactory()
    flagged_at = dt.datetime(2019, 4, 3, tzinfo=dt.UTC)
    confirmed = Violation.objects.create(
        incident=verified, clause=clause, confidence="high", status="confirmed", flagged_at=flagged_at
    )
    Violation.objects.create(
        incident=draft, clause=clause, confidence="high", status="confirmed", flagged_at=flagged_at
    )

    incidents = client.get(reverse("api:incident-list")).json()["results"]
    assert [i["id"] for i in incidents] == [verified.pk]
    assert [s["name"] for s in incidents[0]["sources"]] == ["Open outlet"]
    assert client.get(reverse("api:incident-detail", args=[draft.pk])).status_code == 404
    violations = client.get(reverse("api:violation-list")).json()["results"]
    assert [v["id"] for v in violations] == [confirmed.pk]
    assert client.get(reverse("api:clause-list")).status_code == 200
    # Never a write.
    assert client.post(reverse("api:party-list"), {"name": "X", "kind": "state"}).status_code == 401
    assert (
        client.patch(reverse("api:incident-detail", args=[verified.pk]), {"description": "x"}).status_code
        == 401
    )


def test_anonymous_clients_are_throttled(client, settings):
    settings.TRACKER_API_PUBLIC_READ = True
    settings.TRACKER_API_THROTTLE_RATES = {"anon": "3/minute", "user": "1000/minute"}
    codes = [client.get(reverse("api:party-list")).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]


def test_users_are_throttled(client, viewer, settings):
    settings.TRACKER_API_THROTTLE_RATES = {"anon": "3/minute", "user": "2/minute"}
    client.force_authenticate(viewer)
    codes = [client.get(reverse("api:party-list")).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert "detail" in client.get(reverse("api:party-list")).json()


def test_a_failing_throttle_cache_lets_requests_through(client, viewer, settings, monkeypatch):
    """Redis down must not take the API down: the throttle fails open, /health/ still answers."""
    from django.core.cache import cache

    def broken(*args, **kwargs):
        raise ConnectionError("Redis is down")

    settings.TRACKER_API_THROTTLE_RATES = {"anon": "3/minute", "user": "2/minute"}
    monkeypatch.setattr(cache, "get", broken)
    monkeypatch.setattr(cache, "set", broken)
    client.force_authenticate(viewer)
    assert [client.get(reverse("api:party-list")).status_code for _ in range(3)] == [200, 200, 200]
    assert client.get("/health/").status_code in (200, 503)
