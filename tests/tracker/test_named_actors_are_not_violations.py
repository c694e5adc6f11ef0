"""A named actor that is no registered party is never counted; the unidentified are, with a
lower confidence (issue 11, A)."""

import datetime as dt

import numpy as np
import pytest

from incidents.choices import ActorCase
from tests.factories import AreaFactory, ClauseFactory, IncidentFactory, PartyFactory, square
from tracker import rules, services
from tracker.models import Violation

SARAQIB = (36.8006, 35.8636)


def one_incident(perpetrator, case):
    return rules.IncidentArrays.from_codes(
        ids=[1],
        lon=[SARAQIB[0]],
        lat=[SARAQIB[1]],
        starts=[0.0],
        until=[np.nan],
        category=[rules.CATEGORY_CODES["shelling"]],
        perpetrator=[perpetrator],
        location_precision=[rules.LOCATION_CODES["exact"]],
        date_precision=[rules.DATE_CODES["day"]],
        actor_case=[rules.ACTOR_CASE_CODES[case]],
    )


@pytest.mark.parametrize("parties", [frozenset({7}), frozenset()])
def test_it_never_binds_a_named_unregistered_actor(parties):
    clause = rules.ClauseSpec(1, frozenset({"shelling"}), -np.inf, np.inf, parties, [])
    assert len(rules.match_clause(one_incident(np.nan, ActorCase.NAMED), clause).incident_ids) == 0
    unidentified = rules.match_clause(one_incident(np.nan, ActorCase.UNIDENTIFIED), clause)
    assert unidentified.confidence == ["medium"] and unidentified.reasons == [["perpetrator unknown"]]


@pytest.mark.django_db
def test_a_scan_flags_the_registered_and_the_unidentified_not_the_named():
    government = PartyFactory(name="Syrian government")
    ClauseFactory(
        areas=[AreaFactory(geometry=square(36.8, 35.86, 0.1))],
        obligated_parties=[government],
        prohibited_categories=["shelling"],
        agreement__in_force_from=dt.datetime(2018, 9, 17, tzinfo=dt.UTC),
    )
    registered = IncidentFactory(perpetrator=government)
    unidentified = IncidentFactory(perpetrator=None, actor_name="")
    named = IncidentFactory(perpetrator=None, actor_name="YPG")
    assert named.actor_case == ActorCase.NAMED

    services.scan_violations(full=True)

    flagged = set(Violation.objects.values_list("incident_id", flat=True))
    assert flagged == {registered.pk, unidentified.pk}
