"""Permissions follow the roles; the review and mark-met actions; the incident status rule."""

import datetime as dt

import pytest
from django.urls import reverse

from agreements.choices import DeadlineStatus
from tests.factories import ClauseFactory, DeadlineFactory, IncidentFactory, PartyFactory
from tracker.choices import ViolationStatus
from tracker.models import Violation

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def make_violation(**kwargs):
    return Violation.objects.create(
        incident=IncidentFactory(),
        clause=ClauseFactory(),
        confidence="high",
        flagged_at=dt.datetime(2019, 4, 3, tzinfo=UTC),
        **kwargs,
    )


def test_a_logged_in_user_without_a_role_cannot_read(client, user_with_perms):
    IncidentFactory()
    client.force_authenticate(user_with_perms())
    for name in ("party", "agreement", "area", "clause", "deadline", "incident", "violation"):
        assert client.get(reverse(f"api:{name}-list")).status_code == 403, name
    assert client.get(reverse("api:deadlines-ics")).status_code == 403


def test_the_viewer_reads_everything_and_writes_nothing(client, viewer):
    client.force_authenticate(viewer)
    for name in ("party", "agreement", "area", "clause", "deadline", "incident", "violation"):
        assert client.get(reverse(f"api:{name}-list")).status_code == 200, name
    incident = IncidentFactory()
    assert (
        client.patch(reverse("api:incident-detail", args=[incident.pk]), {"description": "x"}).status_code
        == 403
    )
    assert client.post(reverse("api:party-list"), {"name": "X", "kind": "state"}).status_code == 403


def test_the_reporter_enters_incidents_but_not_agreements(client, reporter):
    client.force_authenticate(reporter)
    response = client.post(
        reverse("api:incident-list"),
        {
            "occurred_at": "2019-04-02",
            "category": "shelling",
            "latitude": 35.86,
            "longitude": 36.8,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert client.post(reverse("api:party-list"), {"name": "X", "kind": "state"}).status_code == 403


def test_only_verifiers_set_an_incident_to_verified(client, reporter, analyst):
    incident = IncidentFactory(status="draft")
    url = reverse("api:incident-detail", args=[incident.pk])
    client.force_authenticate(reporter)
    response = client.patch(url, {"status": "verified"}, format="json")
    assert response.status_code == 403
    assert "verify" in response.json()["detail"]
    assert client.patch(url, {"status": "under_review"}, format="json").status_code == 200
    create = client.post(
        reverse("api:incident-list"),
        {"occurred_at": "2019-04-02", "category": "shelling", "status": "rejected"},
        format="json",
    )
    assert create.status_code == 403
    client.force_authenticate(analyst)
    assert client.patch(url, {"status": "verified"}, format="json").status_code == 200
    client.force_authenticate(reporter)
    # Editing a verified incident without touching its status is fine; un-verifying is not.
    assert client.patch(url, {"description": "more detail"}, format="json").status_code == 200
    assert client.patch(url, {"status": "draft"}, format="json").status_code == 403


def test_the_analyst_confirms_and_dismisses(client, analyst, reporter):
    violation = make_violation()
    confirm = reverse("api:violation-confirm", args=[violation.pk])
    dismiss = reverse("api:violation-dismiss", args=[violation.pk])
    client.force_authenticate(reporter)
    assert client.post(confirm, {"note": "seen"}, format="json").status_code == 403
    client.force_authenticate(analyst)
    response = client.post(confirm, {"note": "two sources agree"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "confirmed" and response.json()["reviewed_by"] == "analyst"
    violation.refresh_from_db()
    assert violation.status == ViolationStatus.CONFIRMED and violation.review_note == "two sources agree"
    assert client.post(dismiss, {}, format="json").json()["status"] == "dismissed"


def test_a_withdrawn_violation_cannot_be_reviewed(client, analyst):
    violation = make_violation(status=ViolationStatus.WITHDRAWN)
    client.force_authenticate(analyst)
    response = client.post(reverse("api:violation-confirm", args=[violation.pk]), {}, format="json")
    assert response.status_code == 409
    assert "withdrawn" in response.json()["detail"]


def test_violations_are_read_only_even_for_a_superuser(client, superuser):
    violation = make_violation()
    client.force_authenticate(superuser)
    url = reverse("api:violation-detail", args=[violation.pk])
    assert client.patch(url, {"status": "confirmed"}, format="json").status_code == 405
    assert client.delete(url).status_code == 405


def test_the_coordinator_marks_a_deadline_met(client, coordinator, analyst):
    deadline = DeadlineFactory()
    url = reverse("api:deadline-mark-met", args=[deadline.pk])
    client.force_authenticate(analyst)
    assert client.post(url, {"evidence": "x"}, format="json").status_code == 403
    client.force_authenticate(coordinator)
    assert client.post(url, {}, format="json").status_code == 400  # evidence is required
    response = client.post(
        url, {"evidence": "Joint statement", "met_at": "2018-10-09T12:00:00Z"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "met" and response.json()["met_at"] == "2018-10-09T12:00:00Z"
    deadline.refresh_from_db()
    assert deadline.status == DeadlineStatus.MET and deadline.evidence == "Joint statement"


def test_a_waived_deadline_cannot_be_marked_met(client, coordinator):
    deadline = DeadlineFactory(status=DeadlineStatus.WAIVED)
    client.force_authenticate(coordinator)
    response = client.post(
        reverse("api:deadline-mark-met", args=[deadline.pk]), {"evidence": "x"}, format="json"
    )
    assert response.status_code == 409


def test_the_coordinator_manages_agreements(client, coordinator):
    client.force_authenticate(coordinator)
    party = PartyFactory()
    assert client.patch(reverse("api:party-detail", args=[party.pk]), {"short_name": "P"}).status_code == 200


def test_token_auth_and_the_token_endpoint(client, viewer):
    response = client.post(reverse("api:token"), {"username": "viewer", "password": "pw"}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert client.post(reverse("api:token"), {"username": "viewer", "password": "no"}).status_code == 400
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(reverse("api:incident-list")).status_code == 200
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get(reverse("api:incident-list")).status_code == 401


def test_session_auth_for_the_browsable_api(client, viewer):
    client.login(username="viewer", password="pw")
    response = client.get(reverse("api:incident-list"), HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"<html" in response.content.lower()


def test_drf_create_token_command(viewer):
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    call_command("drf_create_token", "viewer")
    assert Token.objects.filter(user=viewer).exists()


def test_a_role_change_reaches_the_api_within_the_permission_cache_delay(client, viewer, settings):
    from django.contrib.auth.models import Group
    from django.core.cache import caches

    client.force_authenticate(viewer)
    assert client.get(reverse("api:party-list")).status_code == 200
    viewer.groups.set([])
    fresh = type(viewer).objects.get(pk=viewer.pk)
    client.force_authenticate(fresh)
    assert client.get(reverse("api:party-list")).status_code == 200  # still cached
    caches["local"].clear()  # the delay has passed
    client.force_authenticate(type(viewer).objects.get(pk=viewer.pk))  # as each real request loads it
    assert client.get(reverse("api:party-list")).status_code == 403
    settings.TRACKER_API_PERMISSION_CACHE_SECONDS = 0
    fresh.groups.set([Group.objects.get(name="Viewer")])
    client.force_authenticate(type(viewer).objects.get(pk=viewer.pk))
    assert client.get(reverse("api:party-list")).status_code == 200  # no cache: at once


def test_a_deleted_token_stops_working_within_the_cache_delay(client, viewer, token_for):
    from django.core.cache import caches
    from rest_framework.authtoken.models import Token

    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(viewer)}")
    assert client.get(reverse("api:party-list")).status_code == 200
    Token.objects.filter(user=viewer).delete()
    caches["local"].clear()  # the delay has passed
    assert client.get(reverse("api:party-list")).status_code == 401
