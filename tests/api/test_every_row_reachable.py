"""Following `next` from the first page to the last (and `previous` back) gives every row
exactly once, whatever the ordering and however many rows share its value (issue 11, C)."""

import base64
import datetime as dt
import itertools
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from rest_framework.test import APIRequestFactory, force_authenticate

from incidents.api.views import IncidentViewSet
from incidents.models import Incident
from tests.factories import ClauseFactory, IncidentFactory, PartyFactory
from tracker.api.views import ViolationViewSet
from tracker.models import Violation

ROWS = 5_000
# A cursor that loops must fail the test, not hang it.
MAX_REQUESTS = 2 * ROWS + 10


def _once(url, visited):
    assert url not in visited, f"the cursor loops: {url}"
    visited.add(url)
    return url


SHARED = dt.datetime(2019, 4, 2, 9, 0, tzinfo=dt.UTC)


def make_shared_rows(count):
    """`count` incidents and as many violations, every orderable date-time the same on all:
    (incident ids, violation ids)."""
    party = PartyFactory()
    clause = ClauseFactory()
    incidents = Incident.objects.bulk_create(IncidentFactory.build(perpetrator=party) for _ in range(count))
    Incident.objects.update(occurred_at=SHARED, created_at=SHARED, updated_at=SHARED)
    Violation.objects.bulk_create(
        Violation(incident=incident, clause=clause, confidence="high", flagged_at=SHARED)
        for incident in incidents
    )
    Violation.objects.update(updated_at=SHARED)
    return sorted(incident.pk for incident in incidents), sorted(
        Violation.objects.values_list("pk", flat=True)
    )


@pytest.fixture
def shared_rows(db):
    return make_shared_rows(ROWS)


def _orderings(viewset):
    return [None, *itertools.chain.from_iterable((f, f"-{f}") for f in viewset.ordering_fields)]


def _walk_paginator(viewset, user, query):
    """(ids forward, ids backward) walking the paginator itself, as the list views do."""
    factory, forward, backward = APIRequestFactory(), [], []
    url, rel, last, visited = "/?" + query, "next", None, set()
    for _ in range(MAX_REQUESTS):
        if url is None:
            break
        wsgi = factory.get(_once(url, visited))
        force_authenticate(wsgi, user)
        view = viewset(action_map={"get": "list"}, format_kwarg=None)
        request = view.initialize_request(wsgi)
        view.request = request
        queryset = view.filter_queryset(view.get_queryset())
        fields = view.paginator.position_fields(request, queryset, view)
        page = view.paginator.paginate_queryset(
            queryset.values(*dict.fromkeys(["pk", *fields])), request, view
        )
        ids = [row["pk"] for row in page]
        if rel == "next":
            forward += ids
            last = view.paginator.get_previous_link()
            url = view.paginator.get_next_link()
            if url is None:  # back from the last page: it, then every page before it
                url, rel, backward = last, "previous", ids
        else:
            backward = ids + backward
            url = view.paginator.get_previous_link()
    return forward, backward


def _short(url):
    return "/?" + urlsplit(url).query if url else None


@pytest.mark.parametrize("viewset", [IncidentViewSet, ViolationViewSet])
def test_every_ordering_walks_every_row_once_both_ways(shared_rows, superuser, viewset):
    expected = shared_rows[0] if viewset is IncidentViewSet else shared_rows[1]
    for ordering, page_size in itertools.product(_orderings(viewset), (50, 1000)):
        query = f"page_size={page_size}" + (f"&ordering={ordering}" if ordering else "")
        forward, backward = _walk_paginator(viewset, superuser, query)
        assert len(forward) == ROWS and sorted(forward) == expected, query
        assert forward == sorted(forward, reverse=(ordering or viewset.ordering[0]).startswith("-"))
        assert backward == forward, query


@pytest.mark.parametrize(("viewset", "ordering"), [(ViolationViewSet, None), (IncidentViewSet, "updated_at")])
def test_a_page_of_one_walks_every_row_once_both_ways(db, superuser, viewset, ordering):
    # 1,200 rows, not 5,000, to keep it to seconds: past DRF's 1,000-row offset cutoff all the same.
    incidents, violations = make_shared_rows(1_200)
    expected = incidents if viewset is IncidentViewSet else violations
    query = "page_size=1" + (f"&ordering={ordering}" if ordering else "")
    forward, backward = _walk_paginator(viewset, superuser, query)
    assert len(forward) == len(expected) and sorted(forward) == expected
    assert backward == forward


def _walk(client, url, key, items):
    """Ids following `next` to the end, then `previous` back to the start."""
    forward, backward, last, visited = [], [], None, set()
    for _ in range(MAX_REQUESTS):
        if url is None:
            break
        response = client.get(_once(url, visited))
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        forward += [key(item) for item in body[items]]
        last, url = url, body["next"]
    url, visited = last, set()
    for _ in range(MAX_REQUESTS):
        if url is None:
            break
        body = client.get(_once(url, visited)).json()
        backward = [key(item) for item in body[items]] + backward
        url = body["previous"]
    return forward, backward


def _links(response):
    parts = (part.split(";") for part in response.get("Link", "").split(",") if part)
    return {rel.strip(): url.strip(" <>") for url, rel in parts}


def _walk_csv(client, url):
    seen, visited = [], set()
    for _ in range(MAX_REQUESTS):
        if url is None:
            break
        response = client.get(_once(url, visited))
        seen += [int(line.split(",")[0]) for line in response.content.decode().splitlines()[2:]]
        url = _links(response).get('rel="next"')
    return seen


def test_json_geojson_and_csv_follow_next_and_previous_over_shared_values(client, shared_rows, superuser):
    client.force_authenticate(superuser)
    for path, ordering, expected in (
        ("api:violation-list", "", shared_rows[1]),
        ("api:incident-list", "&ordering=updated_at", shared_rows[0]),
    ):
        url = reverse(path) + "?page_size=1000" + ordering
        for suffix, items in (("", "results"), ("&format=geojson", "features")):
            forward, backward = _walk(client, url + suffix, lambda item: item["id"], items)
            assert len(forward) == ROWS and sorted(forward) == expected, url + suffix
            assert backward == forward
        # The CSV's first column is the row's id; its pages link on in the Link header.
        assert _walk_csv(client, url + "&format=csv") == forward


def test_the_cursor_carries_the_id_not_an_offset(client, superuser):
    make_shared_rows(3)
    client.force_authenticate(superuser)
    body = client.get(reverse("api:violation-list"), {"page_size": 1}).json()
    cursor = parse_qs(urlsplit(body["next"]).query)["cursor"][0]
    position = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))["p"]
    assert position == [SHARED.isoformat(), body["results"][0]["id"]]
