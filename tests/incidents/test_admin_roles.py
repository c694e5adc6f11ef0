"""What each role can do and see in the incidents admin."""

import pytest
from django.urls import reverse

from incidents.choices import IncidentStatus
from incidents.models import Incident
from tests.factories import IncidentFactory, SourceFactory

pytestmark = pytest.mark.django_db

WITNESS = "Witness A.K. (name withheld)"


@pytest.fixture
def incident():
    incident = IncidentFactory(status=IncidentStatus.UNDER_REVIEW)
    SourceFactory(incident=incident, name="Syrian Civil Defence")
    SourceFactory(incident=incident, name=WITNESS, confidential=True)
    return incident


def test_confidential_sources_are_hidden_from_reporters(client, reporter, incident):
    client.force_login(reporter)
    page = client.get(reverse("admin:incidents_incident_change", args=[incident.pk])).content.decode()
    assert "Syrian Civil Defence" in page
    assert WITNESS not in page
    listing = client.get(reverse("admin:incidents_source_changelist")).content.decode()
    assert WITNESS not in listing
    hidden = incident.sources.get(confidential=True)
    assert client.get(reverse("admin:incidents_source_history", args=[hidden.pk])).status_code in (302, 404)


def test_analysts_see_confidential_sources(client, analyst, incident):
    client.force_login(analyst)
    page = client.get(reverse("admin:incidents_incident_change", args=[incident.pk])).content.decode()
    assert WITNESS in page


def test_saving_as_a_reporter_keeps_hidden_sources(client, reporter, incident):
    client.force_login(reporter)
    url = reverse("admin:incidents_incident_change", args=[incident.pk])
    response = client.get(url)
    form = response.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update(
        {
            "occurred_at_0": "2019-04-02",
            "occurred_at_1": "09:00:00",
            "description": "Edited",
            "sources-TOTAL_FORMS": "1",
            "sources-INITIAL_FORMS": "1",
            "sources-MIN_NUM_FORMS": "0",
            "sources-MAX_NUM_FORMS": "1000",
            "sources-0-id": str(incident.sources.get(confidential=False).pk),
            "sources-0-incident": str(incident.pk),
            "sources-0-name": "Syrian Civil Defence",
            "sources-0-reliability": "F",
            "clause_links-TOTAL_FORMS": "0",
            "clause_links-INITIAL_FORMS": "0",
            "clause_links-MIN_NUM_FORMS": "0",
            "clause_links-MAX_NUM_FORMS": "1000",
        }
    )
    data["perpetrator"] = str(incident.perpetrator_id)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert incident.sources.filter(confidential=True).count() == 1
    assert Incident.objects.get().description == "Edited"


def test_reporters_cannot_verify(client, reporter, incident):
    client.force_login(reporter)
    url = reverse("admin:incidents_incident_changelist")
    client.post(url, {"action": "mark_verified", "_selected_action": [incident.pk]})
    assert Incident.objects.get().status == IncidentStatus.UNDER_REVIEW


def test_analysts_verify_in_bulk_with_history(client, analyst, incident):
    client.force_login(analyst)
    url = reverse("admin:incidents_incident_changelist")
    client.post(url, {"action": "mark_verified", "_selected_action": [incident.pk]})
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.VERIFIED
    assert incident.history.first().history_user == analyst
