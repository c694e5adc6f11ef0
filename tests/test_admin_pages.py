"""Every admin page loads, for every registered model: list, add, change, history."""

import datetime as dt

import pytest
from django.contrib import admin
from django.urls import reverse

from agreements.models import AgreementLink, AgreementParty, PartyAlias
from incidents.models import ClauseLink
from tests.factories import (
    AreaFactory,
    ClauseFactory,
    DeadlineFactory,
    IncidentFactory,
    PartyFactory,
    SourceFactory,
)
from tracker.models import JobRun, Violation

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_of_everything(superuser):
    party = PartyFactory(name="حكومة سوريا")  # Unicode names are fine
    PartyAlias.objects.create(party=party, name="Government of Syria")
    clause = ClauseFactory(areas=[AreaFactory()], obligated_parties=[party])
    AgreementParty.objects.create(agreement=clause.agreement, party=party)
    AgreementLink.objects.create(agreement=clause.agreement, title="Text", url="https://example.org/text")
    DeadlineFactory(clause=clause)
    incident = IncidentFactory(perpetrator=party, place_name="سراقب")
    SourceFactory(incident=incident)
    ClauseLink.objects.create(incident=incident, clause=clause)
    Violation.objects.create(
        incident=incident, clause=clause, confidence="high", flagged_at=dt.datetime.now(dt.UTC)
    )
    JobRun.objects.create(kind="scan_full", started_at=dt.datetime.now(dt.UTC))


def registered():
    return [pytest.param(model, id=model._meta.label) for model in admin.site._registry]


@pytest.mark.parametrize("model", registered())
def test_admin_pages_load(client, superuser, one_of_everything, model):
    client.force_login(superuser)
    opts = model._meta
    prefix = f"admin:{opts.app_label}_{opts.model_name}"
    assert client.get(reverse(f"{prefix}_changelist")).status_code == 200
    assert client.get(reverse(f"{prefix}_changelist"), {"q": "سراقب"}).status_code == 200
    if admin.site._registry[model].has_add_permission(type("R", (), {"user": superuser})()):
        assert client.get(reverse(f"{prefix}_add")).status_code == 200
    obj = model._default_manager.first()
    if obj is not None:
        assert client.get(reverse(f"{prefix}_change", args=[obj.pk])).status_code == 200
        assert client.get(reverse(f"{prefix}_history", args=[obj.pk])).status_code == 200


def test_the_admin_index_loads(client, superuser):
    client.force_login(superuser)
    assert client.get(reverse("admin:index")).status_code == 200
