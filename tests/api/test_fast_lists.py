"""FastListSerializer gives exactly what DRF's serializers give, item by item."""

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.test import APIRequestFactory

from agreements.api import serializers as agreement_serializers
from agreements.models import (
    Agreement,
    AgreementLink,
    AgreementParty,
    Area,
    Clause,
    Deadline,
    Party,
    PartyAlias,
)
from core.api.serializers import FastListSerializer
from incidents.api.serializers import IncidentSerializer
from incidents.api.views import IncidentViewSet
from incidents.models import Incident
from tests.factories import (
    AgreementFactory,
    AreaFactory,
    ClauseFactory,
    DeadlineFactory,
    IncidentFactory,
    PartyFactory,
    SourceFactory,
    UserFactory,
)
from tracker.api.serializers import ViolationSerializer
from tracker.api.views import ViolationViewSet
from tracker.models import Violation

pytestmark = pytest.mark.django_db
UTC = dt.UTC


@pytest.fixture
def context(analyst):
    request = APIRequestFactory().get("/")
    request.user = analyst
    return {"request": request}


def assert_same(serializer_class, queryset, context, list_queryset=None):
    """The fast list (on the viewset's own queryset, if given) equals DRF item by item."""
    objects = list(list_queryset if list_queryset is not None else queryset)
    assert objects
    fast = serializer_class(objects, many=True, context=context)
    assert isinstance(fast, FastListSerializer)
    reference = [serializer_class(obj, context=context).data for obj in queryset]
    assert fast.data == reference


def test_incidents(context):
    party = PartyFactory(name="Syrian government")
    a = IncidentFactory(
        perpetrator=party,
        weapons=["cluster_munitions", "artillery"],
        place_name="سراقب",
        occurred_at=dt.datetime(2019, 4, 2, 9, 30, 15, 123456, tzinfo=UTC),
        occurred_until=dt.datetime(2019, 4, 3, tzinfo=dt.timezone(dt.timedelta(hours=3))),
    )
    SourceFactory(incident=a, published_on=None)
    SourceFactory(incident=a, confidential=True)
    b = IncidentFactory(perpetrator=None, latitude=None, longitude=None, status="draft")
    b.created_by = UserFactory(username="someone")
    b.save()
    assert_same(IncidentSerializer, Incident.objects.all(), context)
    assert_same(IncidentSerializer, Incident.objects.all(), context, IncidentViewSet.queryset.all())


def test_violations(context):
    incident = IncidentFactory(perpetrator=None, latitude=None, longitude=None)
    Violation.objects.create(
        incident=incident,
        clause=ClauseFactory(),
        confidence="low",
        reasons=["perpetrator unknown", {"k": 1}],
        flagged_at=dt.datetime(2019, 4, 3, tzinfo=UTC),
    )
    Violation.objects.create(
        incident=IncidentFactory(),
        clause=ClauseFactory(),
        confidence="high",
        status="confirmed",
        reviewed_by=UserFactory(username="rev"),
        reviewed_at=dt.datetime(2019, 4, 4, tzinfo=UTC),
        flagged_at=dt.datetime(2019, 4, 3, tzinfo=UTC),
    )
    assert_same(ViolationSerializer, Violation.objects.all(), context)
    assert_same(ViolationSerializer, Violation.objects.all(), context, ViolationViewSet.queryset.all())


def test_agreement_side(context):
    party = PartyFactory()
    PartyAlias.objects.create(party=party, name="HTS", dataset="acled")
    agreement = AgreementFactory(in_force_until=None)
    AgreementParty.objects.create(agreement=agreement, party=party, role="guarantor")
    AgreementLink.objects.create(agreement=agreement, title="Text", url="https://example.org")
    area = AreaFactory(buffer_km=Decimal("6.5"))
    agreement.areas.add(area)
    ClauseFactory(agreement=agreement, areas=[area], obligated_parties=[party])
    DeadlineFactory(due_time=dt.time(0, 1), met_at=dt.datetime(2018, 10, 1, tzinfo=UTC), status="met")
    for serializer_class, model in [
        (agreement_serializers.PartySerializer, Party),
        (agreement_serializers.AgreementSerializer, Agreement),
        (agreement_serializers.AreaSerializer, Area),
        (agreement_serializers.ClauseSerializer, Clause),
        (agreement_serializers.DeadlineSerializer, Deadline),
    ]:
        assert_same(serializer_class, model.objects.all(), context)
