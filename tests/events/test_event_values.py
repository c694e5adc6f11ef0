"""An event's fields (lead, casualty figures, perpetrator, datasets), computed for many events at
once from arrays, against their plain definition one event at a time. Random reports with ties
in every key of the lead, explicit ends, unknown perpetrators and hand-entered reports."""

import datetime as dt
import math
import random
from collections import Counter

import numpy as np
import pytest

from events import rules, services
from incidents.choices import LOCATION_UNCERTAINTY_KM, DatePrecision, LocationPrecision
from incidents.models import INJURED_FIELDS, KILLED_FIELDS, Incident
from tests.factories import PartyFactory, UserFactory
from tracker import rules as engine_rules

pytestmark = pytest.mark.django_db

FIELDS = (
    "id",
    "occurred_at",
    "occurred_until",
    "date_precision",
    "location_precision",
    "latitude",
    "longitude",
    "category",
    "perpetrator_id",
    "source_dataset",
    "created_by__username",
    *KILLED_FIELDS,
    *INJURED_FIELDS,
)


def plain_values(rows):
    """The definition, for one event's member rows (dicts of FIELDS), in EVENT_FIELDS order."""

    def precision(row):
        radius = LOCATION_UNCERTAINTY_KM.get(row["location_precision"], math.inf)
        window = engine_rules.PRECISION_WINDOW_SECONDS.get(row["date_precision"], math.inf)
        if row["occurred_until"] is not None:
            window = (row["occurred_until"] - row["occurred_at"]).total_seconds()
        return (radius, window, row["perpetrator_id"] is None, row["id"])

    lead = min(rows, key=precision)
    killed = rules.casualty_summary([sum(r[f] for f in KILLED_FIELDS) for r in rows])
    injured = rules.casualty_summary([sum(r[f] for f in INJURED_FIELDS) for r in rows])
    parties = Counter(r["perpetrator_id"] for r in rows if r["perpetrator_id"])
    labels = {r["source_dataset"] or f"monitor:{r['created_by__username'] or '?'}" for r in rows}
    return (
        lead["id"],
        len(rows),
        lead["occurred_at"],
        lead["occurred_until"],
        lead["category"],
        lead["latitude"],
        lead["longitude"],
        lead["perpetrator_id"] or (parties.most_common(1)[0][0] if parties else None),
        sorted(labels),
        *killed,
        *injured,
    )


def random_reports(seed, count=120):
    rng = random.Random(seed)
    parties = [PartyFactory(name=f"Party {seed}-{i}").id for i in range(3)]
    users = [UserFactory(), UserFactory(), None]
    start = dt.datetime(2019, 4, 2, 9, 0, tzinfo=dt.UTC)
    incidents = []
    for i in range(count):
        at = start + dt.timedelta(hours=rng.randrange(48), microseconds=rng.choice([0, 0, 250_000]))
        until = at + dt.timedelta(hours=rng.choice([3, 24, 30])) if rng.random() < 0.25 else None
        dataset = rng.choice(["ucdp", "acled", "", ""])
        incidents.append(
            Incident(
                occurred_at=at,
                occurred_until=until,
                date_precision=rng.choice([DatePrecision.EXACT, DatePrecision.DAY, DatePrecision.WEEK]),
                location_precision=rng.choice([LocationPrecision.EXACT, LocationPrecision.NEAR]),
                latitude=35 + rng.random(),
                longitude=36 + rng.random(),
                category=rng.choice(["shelling", "air_strike"]),
                perpetrator_id=rng.choice([*parties, None, None]),
                source_dataset=dataset,
                external_id=f"{seed}-{i}" if dataset else "",
                created_by=None if dataset else rng.choice(users),
                **{field: rng.choice([0, 0, 1, 3, 7]) for field in (*KILLED_FIELDS, *INJURED_FIELDS)},
            )
        )
    Incident.objects.bulk_create(incidents)
    ids = sorted(Incident.objects.filter(external_id__startswith=f"{seed}-").values_list("id", flat=True))
    ids += sorted(Incident.objects.filter(external_id="").values_list("id", flat=True))
    rng.shuffle(ids)
    groups, at = [], 0
    while at < len(ids):
        size = rng.choice([2, 2, 3, 4, 6])
        groups.append(sorted(ids[at : at + size]))
        at += size
    return [g for g in groups if len(g) > 1]


@pytest.mark.parametrize("seed", range(4))
def test_the_event_values_are_the_plain_definition(seed):
    groups = random_reports(seed)
    members = services._read_members(np.array(sorted(m for g in groups for m in g), dtype=np.int64))
    rows = {
        values[0]: dict(zip(FIELDS, values, strict=True)) for values in Incident.objects.values_list(*FIELDS)
    }
    expected = [plain_values([rows[m] for m in group]) for group in groups]
    assert services._event_values(members, groups) == expected
    # The keys of the lead do tie here: the lowest id decides some events.
    assert any(
        len({(rows[m]["location_precision"], rows[m]["date_precision"]) for m in g}) == 1 for g in groups
    )
