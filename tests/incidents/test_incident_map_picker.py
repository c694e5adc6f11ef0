"""The incident form's map picker and place lookup (the browser side is in tests/reports/test_screens_browser.py)."""

import pytest
from django.urls import reverse

from incidents.models import Incident
from tests.factories import AreaFactory, IncidentFactory

pytestmark = pytest.mark.django_db


def test_the_incident_form_has_the_map_picker_with_vendored_leaflet(client, reporter):
    client.force_login(reporter)
    page = client.get(reverse("admin:incidents_incident_add")).content.decode()
    assert 'class="map-picker"' in page and "Find on the map" in page
    assert (
        "/static/core/vendor/leaflet-1.9.4/leaflet.js" in page and "/static/incidents/map_picker.js" in page
    )
    assert reverse("admin:incidents_incident_places") in page


def test_the_place_lookup_answers_names_and_points(client, reporter):
    client.force_login(reporter)
    url = reverse("admin:incidents_incident_places")
    places = client.get(url, {"q": "Saraqeb"}).json()["places"]
    assert places[0] == {
        "name": "Saraqib",
        "latitude": 35.86447,
        "longitude": 36.80591,
        "admin1": "Idlib",
        "admin2": "Idlib",
        "name_ar": "سراقب",
        "label": "Saraqib",
        "admin1_label": "Idlib",
        "admin2_label": "Idlib",
    }
    assert client.get(url, {"lat": "35.44", "lon": "36.65"}).json()["place"]["name"] == "Khan Shaykhun"
    assert client.get(url, {"lat": "nowhere"}).status_code == 400


def test_the_lookup_and_areas_are_for_staff_only(client):
    assert client.get(reverse("admin:incidents_incident_places"), {"q": "Saraqeb"}).status_code == 302


def test_the_picker_gets_the_agreement_areas_as_geojson(client, reporter):
    AreaFactory(name="Demilitarized zone")
    client.force_login(reporter)
    areas = client.get(reverse("admin:incidents_incident_areas")).json()
    assert areas["type"] == "FeatureCollection"
    assert [f["properties"]["name"] for f in areas["features"]] == ["Demilitarized zone"]


def test_coordinates_typed_by_hand_fill_governorate_and_district(client, superuser):
    incident = IncidentFactory(admin1="", admin2="", latitude=35.0, longitude=36.0)
    client.force_login(superuser)
    url = reverse("admin:incidents_incident_change", args=[incident.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update(
        {
            "occurred_at_0": "2019-04-02",
            "occurred_at_1": "09:00:00",
            "latitude": "35.441",
            "longitude": "36.651",
            "perpetrator": str(incident.perpetrator_id),
            **{
                f"{prefix}-{key}": value
                for prefix in ("sources", "clause_links")
                for key, value in EMPTY_FORMSET
            },
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    incident = Incident.objects.get()
    assert (incident.admin1, incident.admin2) == ("Idlib", "Maarat al-Numan")


EMPTY_FORMSET = [
    ("TOTAL_FORMS", "0"),
    ("INITIAL_FORMS", "0"),
    ("MIN_NUM_FORMS", "0"),
    ("MAX_NUM_FORMS", "1000"),
]


def test_the_place_lookup_finds_arabic_names_and_answers_in_the_readers_language(client, reporter):
    client.force_login(reporter)
    url = reverse("admin:incidents_incident_places")
    places = client.get(url, {"q": "خان شيخون"}, HTTP_ACCEPT_LANGUAGE="ar").json()["places"]
    assert [(p["name"], p["label"], p["admin2_label"]) for p in places] == [
        ("Khan Shaykhun", "خان شيخون", "معرة النعمان")
    ]
    # Spelling variants of alef and the article: اريحا finds أريحا, معرة النعمان its town.
    assert [p["name"] for p in client.get(url, {"q": "اريحا"}).json()["places"]] == ["Ariha"]
    assert client.get(url, {"q": "معرة النعمان"}).json()["places"][0]["name"] == "Ma`arrat an Nu`man"
