import datetime as dt

import pytest

from tests.factories import IncidentFactory, PartyFactory, UserFactory

UTC = dt.UTC
KM_LAT = 1 / 110.574  # degrees of latitude per km


@pytest.fixture
def party(db):
    return PartyFactory(name="Syrian Arab Army")


@pytest.fixture
def report(party):
    """A report maker: the same strike as another dataset would give it, shifted as asked."""

    def make(dataset="ucdp", km_north=0.0, hours=0, **fields):
        values = {
            "occurred_at": dt.datetime(2019, 4, 2, 9, 0, tzinfo=UTC) + dt.timedelta(hours=hours),
            "latitude": 35.8636 + km_north * KM_LAT,
            "longitude": 36.8006,
            "perpetrator": party,
            "source_dataset": dataset,
            "external_id": f"{dataset}-{make.count}",
            "category": "air_strike",
            "killed_civilians": 0,
        }
        make.count += 1
        values.update(fields)
        if not values["source_dataset"]:
            values["external_id"] = ""
            values.setdefault("created_by", UserFactory())
        return IncidentFactory(**values)

    make.count = 0
    return make
