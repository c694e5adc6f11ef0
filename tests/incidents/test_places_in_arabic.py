"""Places in Arabic: the incidents recorded with a Latin place name are found, and shown, in Arabic."""

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db


def test_a_search_in_arabic_finds_incidents_recorded_in_latin(client, analyst):
    saraqib = IncidentFactory(place_name="Saraqeb", admin1="Idlib")
    khan = IncidentFactory(place_name="", admin1="Idlib", admin2="Maarat al-Numan")
    IncidentFactory(place_name="Aleppo")
    client.force_login(analyst)
    found = client.get("/api/v1/incidents/", {"q": "سراقب"}).json()["results"]
    assert [row["id"] for row in found] == [saraqib.pk]
    found = client.get("/api/v1/incidents/", {"q": "معرة النعمان"}).json()["results"]
    assert [row["id"] for row in found] == [khan.pk]
    page = client.get(reverse("admin:incidents_incident_changelist"), {"q": "سراقب"}).content.decode()
    assert f"/admin/incidents/incident/{saraqib.pk}/change/" in page
    assert f"/admin/incidents/incident/{khan.pk}/change/" not in page


def test_an_incident_reads_in_arabic_with_its_place_in_arabic():
    incident = IncidentFactory(place_name="Khan Sheikhoun", category="shelling")
    with translation.override("ar"):
        assert str(incident).startswith("قصف مدفعي أو صاروخي في خان شيخون، ")
    assert str(incident).startswith("Shelling, artillery or missile attack at Khan Sheikhoun, ")
