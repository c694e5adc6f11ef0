"""No admin page shows a source that is, or ever was, confidential to those without the permission."""

import pytest
from django.urls import reverse

from tests.factories import IncidentFactory, SourceFactory

pytestmark = pytest.mark.django_db

WITNESS = "Witness Omega-5521"


@pytest.fixture
def renamed_witness():
    """A witness saved as confidential, then renamed and made public (each save recorded)."""
    source = SourceFactory(incident=IncidentFactory(), name=WITNESS, confidential=True)
    source.name = "Anonymous local witness"
    source.confidential = False
    source.save()
    assert source.history.count() == 2
    return source


def pages(source):
    first = source.history.earliest()
    return [
        reverse("admin:incidents_source_changelist"),
        reverse("admin:incidents_source_change", args=[source.pk]),
        reverse("admin:incidents_source_history", args=[source.pk]),
        reverse("admin:incidents_source_simple_history", args=[source.pk, first.history_id]),
        reverse("admin:incidents_incident_change", args=[source.incident_id]),
    ]


@pytest.mark.parametrize("role", ["viewer", "reporter"])
def test_no_version_of_a_once_confidential_source_reaches_them(client, request, role, renamed_witness):
    client.force_login(request.getfixturevalue(role))
    for url in pages(renamed_witness):
        response = client.get(url, follow=True)
        assert WITNESS not in response.content.decode(), url


def test_analysts_see_every_version(client, analyst, renamed_witness):
    client.force_login(analyst)
    first = renamed_witness.history.earliest()
    url = reverse("admin:incidents_source_simple_history", args=[renamed_witness.pk, first.history_id])
    assert WITNESS in client.get(url).content.decode()


def test_sources_never_confidential_stay_visible(client, viewer):
    source = SourceFactory(incident=IncidentFactory(), name="Syrian Civil Defence")
    client.force_login(viewer)
    assert client.get(reverse("admin:incidents_source_history", args=[source.pk])).status_code == 200
