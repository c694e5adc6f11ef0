"""Grouping reports as they arrive ends where regrouping everything does (the neighbourhood
search reads what a report may pair with, and no less)."""

import datetime as dt
import random

import numpy as np
import pytest
from django.utils import timezone

from events import services
from events.choices import PairState
from events.models import CandidatePair, Event
from events.store import in_boxes
from incidents.models import Incident
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db

PRECISIONS = [("exact", "day"), ("near", "day"), ("district", "day"), ("exact", "week"), ("exact", "days")]
CATEGORIES = ["air_strike", "shelling", "armed_clash", "territory_change", "patrol"]


def scene(rng, count, dataset_prefix, spread):
    start = dt.datetime(2019, 4, 1, tzinfo=dt.UTC)
    for i in range(count):
        place, when = rng.choice(PRECISIONS)
        occurred_at = start + dt.timedelta(hours=rng.uniform(0, 24 * 30))
        IncidentFactory(
            occurred_at=occurred_at,
            occurred_until=occurred_at + dt.timedelta(days=3) if when == "days" else None,
            date_precision=when,
            location_precision=place,
            latitude=35.0 + rng.uniform(0, spread),
            longitude=36.0 + rng.uniform(0, spread),
            category=rng.choice(CATEGORIES),
            perpetrator=None,
            source_dataset=f"{dataset_prefix}{rng.randrange(3)}",
            external_id=f"{dataset_prefix}{i}",
        )


def state():
    anchors = dict(Event.objects.values_list("id", "anchor_id"))
    return (
        sorted(CandidatePair.objects.values_list("first_id", "second_id", "state", "score", "ambiguous")),
        sorted(
            (i, anchors[e])
            for i, e in Incident.objects.filter(event__isnull=False).values_list("id", "event")
        ),
    )


def test_it_groups_new_reports_as_a_full_regrouping_would():
    rng = random.Random(5)
    scene(rng, 200, "old", spread=0.6)  # dense: every report has a few candidates
    scene(rng, 100, "old-far", spread=3.0)
    services.group_all()
    before = timezone.now()
    scene(rng, 15, "new", spread=0.6)
    scene(rng, 15, "new-far", spread=3.0)  # sparse: each searched on its own
    counts = services.group_changed(since=before)
    assert counts["incidents"] == 30 and counts["pairs_new"] > 0
    incremental = state()
    CandidatePair.objects.all().delete()
    Event.objects.all().delete()
    Incident.objects.update(event=None)
    services.group_all()
    assert state() == incremental


def test_a_new_report_pairs_with_a_week_long_one_that_began_days_before(report):
    week = report("ucdp", date_precision="week")
    services.group_all()
    before = timezone.now()
    later = report("acled", hours=24 * 6, km_north=2)
    services.group_changed(since=before)
    assert CandidatePair.objects.filter(first_id=week.id, second_id=later.id).exists()


def test_a_new_report_as_close_as_a_grouped_partner_makes_their_pair_wait(report):
    ucdp = report("ucdp")
    acled = report("acled", km_north=2)
    services.group_all()
    before = timezone.now()
    other = report("acled", km_north=-2)
    counts = services.group_changed(since=before)
    assert counts["pairs_new"] == 1 and counts["pairs_revised"] == 1
    pairs = dict(CandidatePair.objects.values_list("second_id", "state"))
    assert pairs == {acled.id: PairState.PENDING, other.id: PairState.PENDING}
    assert not Event.objects.exists()
    assert Incident.objects.get(id=ucdp.id).event is None


def test_a_point_is_in_the_boxes_that_hold_it_and_no_other():
    rng = np.random.default_rng(7)
    boxes, points = 300, 5000
    t_from = rng.uniform(0, 30 * 86_400, boxes)
    t_to = t_from + rng.uniform(0, 10 * 86_400, boxes)
    lat0 = rng.uniform(30, 37, boxes)
    lat1 = lat0 + rng.uniform(0, 1.5, boxes)
    lon0 = rng.uniform(35, 45, boxes)
    lon1 = lon0 + rng.uniform(0, 1.5, boxes)
    box_run = rng.integers(0, 4, boxes)
    run = rng.integers(0, 4, points)
    t = rng.uniform(-86_400, 41 * 86_400, points)
    t[:50] = t_to[:50]  # on an end: inside when it is closed, outside when not
    lat = rng.uniform(29, 39, points)
    lon = rng.uniform(34, 47, points)
    lat[:50], lon[:50], run[:50] = lat0[:50], lon1[:50], box_run[:50]
    for closed_end in (True, False):
        expected = (
            (run[:, None] == box_run[None, :])
            & (t[:, None] >= t_from[None, :])
            & ((t[:, None] <= t_to[None, :]) if closed_end else (t[:, None] < t_to[None, :]))
            & (lat[:, None] >= lat0[None, :])
            & (lat[:, None] <= lat1[None, :])
            & (lon[:, None] >= lon0[None, :])
            & (lon[:, None] <= lon1[None, :])
        ).any(axis=1)
        found = in_boxes(
            run, t, lat, lon, box_run, t_from, t_to, lat0, lat1, lon0, lon1, closed_end=closed_end
        )
        assert expected.sum() > 100
        assert np.array_equal(found, expected)


def test_every_point_in_a_box_has_one_of_the_cells_the_database_is_asked_for():
    from events.store import GRID_DEGREES, GRID_SECONDS, grid_keys

    rng = np.random.default_rng(11)
    boxes = 200
    t_from = rng.uniform(1.5e9, 1.6e9, boxes)
    t_to = t_from + rng.uniform(0, 10 * 86_400, boxes)
    lat0, lon0 = rng.uniform(-60, 60, boxes), rng.uniform(-170, 170, boxes)
    lat1, lon1 = lat0 + rng.uniform(0, 2, boxes), lon0 + rng.uniform(0, 2, boxes)
    run = rng.integers(0, 50, boxes)
    keys = grid_keys(run, t_from, t_to, lat0, lat1, lon0, lon1)
    # Points inside each box, on its corners and edges included, keyed as GRID_KEY_SQL does.
    share = rng.uniform(0, 1, (3, boxes, 20))
    share[:, :, 0], share[:, :, 1] = 0, 1
    t = t_from[:, None] + share[0] * (t_to - t_from)[:, None]
    lat = lat0[:, None] + share[1] * (lat1 - lat0)[:, None]
    lon = lon0[:, None] + share[2] * (lon1 - lon0)[:, None]
    cell = (
        (
            (run[:, None] * (1 << 18) + np.floor(t / GRID_SECONDS).astype(np.int64) + (1 << 17)) * (1 << 8)
            + np.floor(lat / GRID_DEGREES).astype(np.int64)
            + (1 << 7)
        )
        * (1 << 9)
        + np.floor(lon / GRID_DEGREES).astype(np.int64)
        + (1 << 8)
    )
    assert np.isin(cell, keys).all()
