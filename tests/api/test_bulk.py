"""Bulk creation of incidents: all or nothing, errors by item index."""

import pytest
from django.db.models.signals import post_save
from django.urls import reverse

from incidents.models import Incident
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/incidents/bulk/"


def item(n, **extra):
    return {
        "occurred_at": f"2019-04-{n:02d}T10:00:00Z",
        "category": "shelling",
        "latitude": 35.8,
        "longitude": 36.6,
        "source_dataset": "acled",
        "external_id": f"SYR{n}",
        **extra,
    }


def test_it_creates_every_item_through_model_save(client, reporter):
    saved = []
    handler = lambda sender, instance, created, **kw: saved.append(instance.pk)  # noqa: E731
    post_save.connect(handler, sender=Incident)
    try:
        client.force_authenticate(reporter)
        response = client.post(URL, [item(1), item(2), item(3, sources=[{"name": "SOHR"}])], format="json")
    finally:
        post_save.disconnect(handler, sender=Incident)
    assert response.status_code == 201, response.content
    assert [i["external_id"] for i in response.json()] == ["SYR1", "SYR2", "SYR3"]
    assert Incident.objects.count() == 3 and len(saved) == 3
    assert Incident.objects.get(external_id="SYR3").sources.count() == 1
    assert reverse("api:incident-bulk") == URL


def test_one_bad_item_creates_nothing_and_names_the_item(client, reporter):
    client.force_authenticate(reporter)
    response = client.post(
        URL, [item(1), item(2, category="picnic"), item(3, latitude=120), "junk"], format="json"
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"1", "2", "3"}
    assert "category" in errors["1"] and "latitude" in errors["2"]
    assert Incident.objects.count() == 0


def test_duplicates_within_the_batch_or_with_the_database_are_errors(client, reporter):
    IncidentFactory(source_dataset="acled", external_id="SYR9")
    client.force_authenticate(reporter)
    response = client.post(URL, [item(1), item(1), item(9)], format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"1", "2"}
    assert Incident.objects.count() == 1


@pytest.mark.parametrize("body", [{}, [], "text", {"occurred_at": "2019-01-01"}])
def test_the_body_must_be_a_non_empty_list(client, reporter, body):
    client.force_authenticate(reporter)
    response = client.post(URL, body, format="json")
    assert response.status_code == 400
    assert "detail" in response.json()


def test_the_batch_size_is_limited(client, reporter, settings):
    settings.TRACKER_API_BULK_MAX = 2
    client.force_authenticate(reporter)
    assert client.post(URL, [item(1), item(2), item(3)], format="json").status_code == 400


def test_bulk_needs_the_add_permission(client, viewer):
    assert client.post(URL, [item(1)], format="json").status_code == 401
    client.force_authenticate(viewer)
    assert client.post(URL, [item(1)], format="json").status_code == 403
