"""Confidential sources never reach a user without `incidents.view_confidential_source`.

Walks every GET operation of the OpenAPI schema, in every format it offers, as users with and
without the permission (and anonymously in the public read mode), and also checks the write
paths: responses to creates and updates, and error messages.
"""

import datetime as dt
import json

import pytest
from django.urls import reverse

from incidents.models import Source
from tests.factories import (
    AreaFactory,
    ClauseFactory,
    ClauseLinkFactory,
    DeadlineFactory,
    IncidentFactory,
    SourceFactory,
)
from tracker.models import Violation

pytestmark = pytest.mark.django_db
SECRETS = ("Witness Abu Khaled", "https://secret.example/", "met at the checkpoint")


@pytest.fixture
def world(db):
    incident = IncidentFactory(status="verified")
    SourceFactory(incident=incident, name="SNHR", url="https://example.org/snhr")
    secret = SourceFactory(
        incident=incident, name=SECRETS[0], url=SECRETS[1] + "x", notes=SECRETS[2], confidential=True
    )
    clause = ClauseFactory(areas=[AreaFactory()])
    violation = Violation.objects.create(
        incident=incident,
        clause=clause,
        confidence="high",
        status="confirmed",
        flagged_at=dt.datetime(2019, 4, 3, tzinfo=dt.UTC),
    )
    deadline = DeadlineFactory(clause=clause)
    link = ClauseLinkFactory(incident=incident, clause=clause)
    ids = {
        "parties": incident.perpetrator_id,
        "agreements": clause.agreement_id,
        "areas": clause.areas.get().pk,
        "clauses": clause.pk,
        "deadlines": deadline.pk,
        "incidents": incident.pk,
        "violations": violation.pk,
        "clause-links": link.pk,
    }
    return {"incident": incident, "secret": secret, "ids": ids}


def get_operations(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        params = operations["get"].get("parameters", [])
        formats = next((p["schema"]["enum"] for p in params if p["name"] == "format"), [None])
        yield path, formats


def walk(client, world):
    """(url, format, response, body) of every GET operation in every format (a streamed
    response, such as an export, read to the end)."""
    operations = list(get_operations(client))
    assert len(operations) >= 15
    for path, formats in operations:
        resource = path.split("/")[3] if path.startswith("/api/v1/") else None
        url = path.replace("{id}", str(world["ids"].get(resource, 0)))
        for fmt in formats:
            response = client.get(url, {"format": fmt} if fmt else {})
            body = b"".join(response.streaming_content) if response.streaming else response.content
            yield url, fmt, response, body


def test_the_walk_finds_the_secret_for_a_user_with_the_permission(client, analyst, world):
    """The control: the walk reaches the source, so the tests below could fail."""
    client.force_authenticate(analyst)
    leaked = {(url, fmt) for url, fmt, _response, body in walk(client, world) if SECRETS[0].encode() in body}
    assert {
        ("/api/v1/incidents/", "json"),
        ("/api/v1/incidents/", "csv"),
        ("/api/v1/incidents/", "geojson"),
        ("/api/v1/incidents/export/", "json"),
        ("/api/v1/incidents/export/", "csv"),
        ("/api/v1/incidents/export/", "geojson"),
        (f"/api/v1/incidents/{world['ids']['incidents']}/", "json"),
        (f"/api/v1/incidents/{world['ids']['incidents']}/source-history/", None),
    } <= leaked


@pytest.mark.parametrize("role", ["viewer", "reporter", "anonymous_public"])
def test_no_endpoint_or_format_shows_it_without_the_permission(client, request, settings, world, role):
    if role == "anonymous_public":
        settings.TRACKER_API_PUBLIC_READ = True
    else:
        client.force_authenticate(request.getfixturevalue(role))
    statuses = set()
    for url, fmt, response, body in walk(client, world):
        statuses.add(response.status_code)
        for secret in SECRETS:
            assert secret.encode() not in body, (role, url, fmt)
    assert 200 in statuses
    # The non-confidential source is there: the filter hides only what it must.
    listed = client.get(reverse("api:incident-list")).json()["results"][0]
    assert [s["name"] for s in listed["sources"]] == ["SNHR"]


def test_writes_neither_reveal_nor_delete_hidden_sources(client, reporter, world):
    client.force_authenticate(reporter)
    incident, secret = world["incident"], world["secret"]
    url = reverse("api:incident-detail", args=[incident.pk])
    # Updating the sources as a whole leaves the hidden one alone.
    response = client.patch(url, {"sources": [{"name": "New outlet"}]}, format="json")
    assert response.status_code == 200, response.content
    assert all(s not in response.content.decode() for s in SECRETS)
    assert Source.objects.filter(pk=secret.pk).exists()
    assert set(incident.sources.values_list("name", flat=True)) == {"New outlet", SECRETS[0]}
    # Naming the hidden source's id gets the same answer as an id that does not exist.
    hidden = client.patch(url, {"sources": [{"id": secret.pk, "name": "x"}]}, format="json")
    missing = client.patch(url, {"sources": [{"id": 999999, "name": "x"}]}, format="json")
    assert hidden.status_code == missing.status_code == 400
    assert json.dumps(hidden.json()).replace(str(secret.pk), "N") == json.dumps(missing.json()).replace(
        "999999", "N"
    )
    assert all(s not in hidden.content.decode() for s in SECRETS)
    # A reporter may record a confidential witness, and the response does not echo it back.
    created = client.post(
        reverse("api:incident-list"),
        {
            "occurred_at": "2019-04-02",
            "category": "shelling",
            "sources": [{"name": "Witness Umm Ali", "confidential": True}, {"name": "Enab Baladi"}],
        },
        format="json",
    )
    assert created.status_code == 201
    assert [s["name"] for s in created.json()["sources"]] == ["Enab Baladi"]
    assert Source.objects.filter(name="Witness Umm Ali", confidential=True).exists()
    # Bulk responses too.
    bulk = client.post(
        reverse("api:incident-bulk"),
        [
            {
                "occurred_at": "2019-04-02",
                "category": "shelling",
                "sources": [{"name": "Witness Umm Ali", "confidential": True}],
            }
        ],
        format="json",
    )
    assert bulk.status_code == 201 and bulk.json()[0]["sources"] == []


def test_deleting_a_party_names_no_confidential_detail(client, superuser, world):
    client.force_authenticate(superuser)
    response = client.delete(reverse("api:party-detail", args=[world["ids"]["parties"]]))
    assert response.status_code == 409
    assert all(s not in response.content.decode() for s in SECRETS)
