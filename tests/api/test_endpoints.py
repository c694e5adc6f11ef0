"""Every model through the generic API test: a few lines each."""

import datetime as dt

from agreements.models import Agreement, Area, Clause, Deadline, Party
from incidents.models import ClauseLink, Incident
from reports.models import Report
from reports.services import generate_report
from tests.api.base import APIViewTest
from tests.factories import (
    AgreementFactory,
    AreaFactory,
    ClauseFactory,
    ClauseLinkFactory,
    DeadlineFactory,
    IncidentFactory,
    PartyFactory,
    ReportSubscriptionFactory,
    square,
)
from tracker.models import Violation


class TestParties(APIViewTest):
    basename, model = "party", Party
    update_data = {"short_name": "HTS"}

    def make_object(self):
        return PartyFactory()

    def create_data(self):
        return {
            "name": "Hay'at Tahrir al-Sham",
            "kind": "armed_group",
            "aliases": [{"name": "HTS", "dataset": "acled"}, {"name": "هيئة تحرير الشام", "dataset": ""}],
        }

    def check_created(self, obj, data, body):
        assert sorted(obj.aliases.values_list("name", flat=True)) == sorted(
            a["name"] for a in data["aliases"]
        )


class TestAgreements(APIViewTest):
    basename, model = "agreement", Agreement
    update_data = {"status": "collapsed"}

    def make_object(self):
        return AgreementFactory()

    def create_data(self):
        russia, turkey = PartyFactory(name="Russia", kind="state"), PartyFactory(name="Turkey", kind="state")
        return {
            "title": "Sochi memorandum",
            "slug": "sochi-2018",
            "signed_on": "2018-09-17",
            "parties": [{"party": russia.pk, "role": "guarantor"}, {"party": turkey.pk, "role": "guarantor"}],
            "links": [{"title": "Text", "url": "https://example.org/sochi"}],
            "areas": [AreaFactory().pk],
        }

    def check_created(self, obj, data, body):
        assert obj.party_roles.count() == 2 and obj.links.count() == 1 and obj.areas.count() == 1
        assert obj.timezone == "Asia/Damascus"


class TestAreas(APIViewTest):
    basename, model = "area", Area
    update_data = {"name": "Demilitarized zone (revised)"}

    def make_object(self):
        return AreaFactory()

    def create_data(self):
        return {
            "name": "M4 corridor",
            "slug": "m4",
            "buffer_km": "6.00",
            "geometry": {"type": "LineString", "coordinates": [[36.4, 35.8], [36.9, 35.85]]},
        }

    def check_created(self, obj, data, body):
        assert obj.min_lon < 36.4 and obj.max_lon > 36.9  # the buffer widens the stored bounding box
        assert body["bbox"] == [obj.min_lon, obj.min_lat, obj.max_lon, obj.max_lat]


class TestClauses(APIViewTest):
    basename, model = "clause", Clause
    update_data = {"title": "Ceasefire along the line of contact"}

    def make_object(self):
        return ClauseFactory()

    def create_data(self):
        return {
            "agreement": AgreementFactory().pk,
            "number": "8",
            "title": "Heavy weapons withdrawn",
            "kind": "weapons_withdrawal",
            "prohibited_categories": ["heavy_weapons_presence", "shelling"],
            "obligated_parties": [PartyFactory().pk],
            "areas": [AreaFactory().pk],
        }

    def check_created(self, obj, data, body):
        assert obj.prohibited_categories == ["heavy_weapons_presence", "shelling"]
        assert obj.obligated_parties.count() == 1 and obj.areas.count() == 1


class TestDeadlines(APIViewTest):
    basename, model = "deadline", Deadline
    update_data = {"evidence": "Turkish MoD statement"}

    def make_object(self):
        return DeadlineFactory()

    def create_data(self):
        return {
            "clause": ClauseFactory().pk,
            "description": "Radical groups out of the zone",
            "due_date": "2018-10-15",
        }

    def check_created(self, obj, data, body):
        assert obj.agreement_id == obj.clause.agreement_id  # taken from the clause
        assert obj.due_at == dt.datetime(2018, 10, 15, 21, 0, tzinfo=dt.UTC)  # midnight in Damascus


class TestIncidents(APIViewTest):
    basename, model = "incident", Incident
    update_data = {"description": "Cluster munitions on the local council", "killed_civilians": 2}
    extra_create_perms = ["incidents.add_source"]

    def make_object(self):
        return IncidentFactory()

    def create_data(self):
        return {
            "occurred_at": "2019-04-02T09:00:00Z",
            "place_name": "سراقب",
            "admin1": "Idlib",
            "latitude": 35.8636,
            "longitude": 36.8006,
            "category": "shelling",
            "weapons": ["cluster_munitions"],
            "target_type": "council_building",
            "killed_civilians": 1,
            "sources": [{"name": "SNHR", "url": "https://example.org/snhr", "reliability": "B"}],
        }

    def check_created(self, obj, data, body):
        assert obj.sources.count() == 1 and obj.weapons == ["cluster_munitions"]
        assert obj.created_by is not None and body["created_by"] == obj.created_by.username
        assert obj.status == "draft"


class TestClauseLinks(APIViewTest):
    basename, model = "clauselink", ClauseLink
    update_data = {"note": "Shelling inside the zone, confirmed by two outlets"}

    def make_object(self):
        return ClauseLinkFactory()

    def create_data(self):
        return {"incident": IncidentFactory().pk, "clause": ClauseFactory().pk, "note": "Logged by a monitor"}

    def check_created(self, obj, data, body):
        super().check_created(obj, data, body)
        assert body["agreement"] == obj.clause.agreement_id
        assert obj.created_by is not None and body["created_by"] == obj.created_by.username


class TestViolations(APIViewTest):
    basename, model = "violation", Violation
    read_only = True
    update_data = {"status": "confirmed"}

    def make_object(self):
        return Violation.objects.create(
            incident=IncidentFactory(),
            clause=ClauseFactory(areas=[AreaFactory(geometry=square(36.8, 35.86))]),
            confidence="high",
            flagged_at=dt.datetime(2019, 4, 3, tzinfo=dt.UTC),
        )


class TestReports(APIViewTest):
    basename, model = "report", Report
    read_only = True
    update_data = {"title": "Edited"}

    def make_object(self):
        subscription = ReportSubscriptionFactory(agreement=AgreementFactory())
        report, _ = generate_report(
            subscription,
            dt.date(2019, 4, 1),
            dt.date(2019, 4, 7),
            now=dt.datetime(2019, 4, 8, tzinfo=dt.UTC),
        )
        return report
