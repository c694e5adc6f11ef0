"""The incident's change page as the monitor's desk: what the engine found, and its review."""

import pytest
from django.urls import reverse

from tests.factories import AgreementFactory, ClauseFactory, IncidentFactory, ViolationFactory
from tracker.choices import ViolationStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def violation():
    clause = ClauseFactory(
        agreement=AgreementFactory(title="Sochi memorandum"), number="1", title="Ceasefire"
    )
    incident = IncidentFactory(place_name="Saraqib")
    return ViolationFactory(incident=incident, clause=clause, confidence="medium", reasons=["near an area"])


def incident_page(client, violation):
    return client.get(
        reverse("admin:incidents_incident_change", args=[violation.incident_id])
    ).content.decode()


def test_the_incident_page_lists_its_violations_with_clause_agreement_confidence_reasons_and_status(
    client, reporter, violation
):
    client.force_login(reporter)
    page = incident_page(client, violation)
    assert "Violations found by the engine (1)" in page
    assert "<bdi>§1</bdi> Ceasefire" in page and "Sochi memorandum" in page
    assert "Medium" in page and "near an area" in page and "Flagged" in page
    assert f"?incident__id__exact={violation.incident_id}" in page
    assert 'name="review"' not in page  # reporters cannot review


def test_analysts_get_review_buttons_that_confirm_through_the_service(client, analyst, violation):
    client.force_login(analyst)
    page = incident_page(client, violation)
    review_url = reverse("admin:tracker_violation_review", args=[violation.pk])
    assert f'formaction="{review_url}?next=' in page and 'value="confirmed"' in page

    back = reverse("admin:incidents_incident_change", args=[violation.incident_id])
    response = client.post(f"{review_url}?next={back}", {"review": "confirmed"})

    assert response.status_code == 302 and response["Location"] == back
    violation.refresh_from_db()
    assert violation.status == ViolationStatus.CONFIRMED and violation.reviewed_by == analyst
    assert "Confirmed by analyst on" in incident_page(client, violation)


def test_reporters_cannot_review_by_posting(client, reporter, violation):
    client.force_login(reporter)
    response = client.post(
        reverse("admin:tracker_violation_review", args=[violation.pk]), {"review": "confirmed"}
    )
    assert response.status_code == 403
    violation.refresh_from_db()
    assert violation.status == ViolationStatus.FLAGGED


def test_the_violations_list_filters_by_incident(client, reporter, violation):
    other = ViolationFactory(incident=IncidentFactory(place_name="Kafr Nabl"))
    client.force_login(reporter)
    url = reverse("admin:tracker_violation_changelist")
    for query in (f"?incident__id__exact={violation.incident_id}", f"?incident={violation.incident_id}"):
        page = client.get(url + query).content.decode()
        assert "Saraqib" in page and "Kafr Nabl" not in page, query
    assert other
