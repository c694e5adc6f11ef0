"""The site's root and the admin's "View site" lead somewhere, not to a 404."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_root_leads_to_the_dashboards(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/dashboard/"


def test_the_admins_view_site_link_leads_to_the_dashboards(client, superuser):
    client.force_login(superuser)
    assert 'href="/dashboard/">View site' in client.get(reverse("admin:index")).content.decode()
