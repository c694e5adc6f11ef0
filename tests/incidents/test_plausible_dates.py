"""No date outside what the tracker takes as plausible gets in, by the API, the admin or SQL;
and every page shows any date the database can hold."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from incidents.models import Incident
from tests.factories import AgreementFactory, ClauseFactory, IncidentFactory
from tracker.models import Violation

pytestmark = pytest.mark.django_db


def post_incident(client, user, occurred_at):
    client.force_authenticate(user)
    return client.post(
        "/api/v1/incidents/", {"occurred_at": occurred_at, "category": "shelling"}, format="json"
    )


@pytest.mark.parametrize(
    "when",
    ["9999-12-31T23:30:00Z", "0001-01-01T00:00:00Z", "1899-12-31T23:59:59Z", "2300-01-01T00:00:00Z"],
)
def test_the_api_refuses_an_implausible_incident_time(when, reporter):
    from rest_framework.test import APIClient

    response = post_incident(APIClient(), reporter, when)
    assert response.status_code == 400, response.content
    assert "occurred_at" in response.json()


def test_the_api_refuses_an_incident_in_the_future_but_allows_clock_skew(reporter):
    from rest_framework.test import APIClient

    client = APIClient()
    soon = (timezone.now() + dt.timedelta(hours=3)).isoformat()
    later = (timezone.now() + dt.timedelta(days=3)).isoformat()
    assert post_incident(client, reporter, soon).status_code == 201
    assert post_incident(client, reporter, later).json()["occurred_at"] == [
        "An incident cannot be in the future."
    ]


def test_the_api_refuses_an_implausible_deadline(coordinator):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(coordinator)
    clause = ClauseFactory(agreement=AgreementFactory())
    response = client.post(
        "/api/v1/deadlines/",
        {
            "agreement": clause.agreement_id,
            "clause": clause.pk,
            "description": "Withdrawal",
            "due_date": "9999-12-31",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "due_date" in response.json()


def test_the_admin_form_says_why(client, analyst):
    client.force_login(analyst)
    response = client.post(
        reverse("admin:incidents_incident_add"),
        {
            "occurred_at_0": "1800-01-01",
            "occurred_at_1": "10:00",
            "category": "shelling",
            "date_precision": "day",
            "location_precision": "exact",
            "status": "draft",
            "sources-TOTAL_FORMS": "0",
            "sources-INITIAL_FORMS": "0",
            "clause_links-TOTAL_FORMS": "0",
            "clause_links-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "cannot be earlier than 1 January 1900" in response.content.decode()
    assert not Incident.objects.exists()


def test_the_database_refuses_what_validation_would(db):
    incident = IncidentFactory.build(
        occurred_at=dt.datetime(9999, 12, 31, 23, 30, tzinfo=dt.UTC), perpetrator=None
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Incident.objects.bulk_create([incident])


def test_pages_show_the_latest_storable_time_in_any_time_zone(client, superuser, settings):
    """The last moment the database takes, shown in Damascus time (the next day, UTC+3)."""
    settings.TIME_ZONE = "Asia/Damascus"
    edge = IncidentFactory.build(
        occurred_at=dt.datetime(2199, 12, 31, 23, 30, tzinfo=dt.UTC), perpetrator=None
    )
    Incident.objects.bulk_create([edge])  # past validation's "not in the future", as SQL could
    incident = Incident.objects.get()
    Violation.objects.create(
        incident=incident, clause=ClauseFactory(), confidence="high", flagged_at=timezone.now()
    )
    client.force_login(superuser)
    for url in [
        reverse("admin:incidents_incident_changelist"),
        reverse("admin:incidents_incident_change", args=[incident.pk]),
        reverse("admin:incidents_incident_history", args=[incident.pk]),
        reverse("admin:tracker_violation_changelist"),
        reverse("reports:dashboard-index"),
    ]:
        assert client.get(url).status_code == 200, url
