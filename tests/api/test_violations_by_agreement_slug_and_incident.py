import pytest
from rest_framework.test import APIClient

from tests.factories import AgreementFactory, ClauseFactory, IncidentFactory, ViolationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(superuser):
    api = APIClient()
    api.force_authenticate(superuser)
    return api


def ids(client, **params):
    response = client.get("/api/v1/violations/", params)
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_violations_filter_by_agreement_slug_as_well_as_id(client):
    sochi = ClauseFactory(agreement=AgreementFactory(slug="sochi-2018"))
    moscow = ClauseFactory(agreement=AgreementFactory(slug="moscow-2020"))
    v1, v2 = ViolationFactory(clause=sochi), ViolationFactory(clause=moscow)

    assert ids(client, agreement="sochi-2018") == {v1.pk}
    assert ids(client, agreement=f"sochi-2018,{moscow.agreement_id}") == {v1.pk, v2.pk}
    assert client.get("/api/v1/violations/", {"agreement": "no such;thing"}).status_code == 400


def test_violations_filter_by_incident(client):
    incident = IncidentFactory()
    mine = ViolationFactory(incident=incident)
    ViolationFactory()
    assert ids(client, incident=incident.pk) == {mine.pk}
