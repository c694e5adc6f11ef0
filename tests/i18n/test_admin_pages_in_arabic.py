"""The admin's pages of the demo scenario in Arabic: no English interface text outside the data.

Every Latin word on a page must come from the data (names, titles, slugs, descriptions, sources,
usernames) or be one of a few codes staff type as they are; anything else is an English text
that escaped translation.
"""

import html
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models

from accounts.language import set_language
from agreements.models import Agreement, Area, Clause, Deadline, Party
from incidents.models import Incident
from tracker import services
from tracker.models import Violation

# Codes and names that stay in Latin letters in Arabic text: formats and field names staff type
# (GeoJSON and its geometry types, admin1/admin2, CSV, UTF-8), datasets and products, the language
# switcher's "English", the map library's credit.
CODES = {
    "English",
    "GeoJSON",
    "Polygon",
    "MultiPolygon",
    "LineString",
    "Point",
    "type",
    "coordinates",
    "admin1",
    "admin2",
    "acled",
    "ucdp",
    "ACLED",
    "UCDP",
    "GED",
    "CSV",
    "UTF",
    "slug",
    "Leaflet",
}
WORD = re.compile(r"[A-Za-z][A-Za-z0-9]+")


def visible_words(page: str) -> set[str]:
    """Latin words in the text of a page, without scripts, styles and form values (data)."""
    page = re.sub(r"(?s)<(script|style|select|textarea)\b.*?</\1>", " ", page)
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return set(WORD.findall(text))


def data_words() -> set[str]:
    """Every Latin word in the stored data of the tracker's own apps, and the usernames."""
    words = set()
    for app in ("agreements", "incidents", "tracker", "imports", "auth"):
        for model in apps.get_app_config(app).get_models():
            fields = [
                f.name
                for f in model._meta.concrete_fields
                if isinstance(f, (models.CharField, models.TextField))
            ]
            for row in model.objects.values_list(*fields):
                for value in row:
                    words.update(WORD.findall(str(value or "")))
    return words


@pytest.fixture
def arabic_admin(client, superuser):
    call_command("load_demo", verbosity=0)
    services.scan_violations(full=True)
    set_language(superuser, "ar")
    client.force_login(superuser)
    return client


def test_the_admin_pages_have_no_english_interface_text(arabic_admin, superuser):
    sochi = Agreement.objects.get(slug="sochi-2018")
    incident = Incident.objects.filter(violations__isnull=False).first()
    pages = [
        "/admin/",
        "/admin/agreements/agreement/",
        f"/admin/agreements/agreement/{sochi.pk}/change/",
        "/admin/agreements/party/",
        f"/admin/agreements/party/{Party.objects.get(name='Turkey').pk}/change/",
        "/admin/agreements/area/",
        f"/admin/agreements/area/{Area.objects.first().pk}/change/",
        "/admin/agreements/clause/",
        f"/admin/agreements/clause/{Clause.objects.filter(agreement=sochi).first().pk}/change/",
        "/admin/agreements/deadline/",
        f"/admin/agreements/deadline/{Deadline.objects.first().pk}/change/",
        "/admin/incidents/incident/",
        "/admin/incidents/incident/add/",
        f"/admin/incidents/incident/{incident.pk}/change/",
        "/admin/incidents/source/",
        "/admin/incidents/actordecision/",
        "/admin/incidents/actordecision/triage/",
        "/admin/tracker/violation/",
        f"/admin/tracker/violation/{Violation.objects.first().pk}/change/",
        "/admin/tracker/jobrun/",
        "/admin/imports/importjob/",
        "/admin/imports/importjob/add/",
    ]
    allowed = data_words() | CODES
    left = {}
    for url in pages:
        response = arabic_admin.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert '<html lang="ar" dir="rtl">' in page, url
        english = visible_words(page) - allowed
        if english:
            left[url] = sorted(english)
    assert left == {}
