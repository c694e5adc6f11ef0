"""A request's FilterSet copies its filters one level deep and shares its form's fields: no
request sees another's values, parent or errors."""

import pytest

from incidents.filtersets import IncidentFilterSet
from incidents.models import Incident
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db


def test_method_filters_find_their_own_filterset_and_declared_ones_stay_untouched():
    IncidentFactory(weapons=["cluster_munitions"])
    other = IncidentFactory(weapons=["artillery"])
    first = IncidentFilterSet({"weapon": "cluster_munitions"}, queryset=Incident.objects.all())
    second = IncidentFilterSet({"weapon": "artillery"}, queryset=Incident.objects.all())
    assert list(second.qs) == [other]
    assert len(first.qs) == 1 and first.qs[0] != other
    assert second.filters["weapon"].parent is second and first.filters["weapon"].parent is first
    assert getattr(IncidentFilterSet.base_filters["weapon"], "parent", None) is None


def test_a_bad_value_does_not_leave_its_error_for_the_next_request():
    bad = IncidentFilterSet({"occurred_after": "not a date"}, queryset=Incident.objects.all())
    assert not bad.is_valid() and "occurred_after" in bad.errors
    good = IncidentFilterSet({"occurred_after": "2019-01-01"}, queryset=Incident.objects.all())
    assert good.is_valid() and not good.errors
    assert type(bad.form) is type(good.form) and bad.form.fields is not good.form.fields
