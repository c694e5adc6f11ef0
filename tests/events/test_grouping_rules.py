"""What makes two reports one event: each rule, its thresholds, and the constraints."""

import pytest

from events import services
from events.choices import PairState
from events.models import CandidatePair, Event
from incidents.models import Incident

pytestmark = pytest.mark.django_db


def grouped(*reports):
    events = {Incident.objects.get(id=r.id).event for r in reports}
    return len(events) == 1 and None not in events


def pair_of(a, b):
    return CandidatePair.objects.get(first_id=min(a.id, b.id), second_id=max(a.id, b.id))


def test_it_groups_two_datasets_reporting_one_strike(report):
    ucdp = report("ucdp", killed_civilians=4)
    acled = report("acled", km_north=3, hours=2, killed_civilians=7)
    counts = services.group_all()
    assert grouped(ucdp, acled)
    assert counts["events"] == 1
    pair = pair_of(ucdp, acled)
    assert pair.state == PairState.AUTO
    assert pair.score >= 0.8
    assert "same category" in pair.reasons and "time windows overlap" in pair.reasons
    event = Event.objects.get()
    assert event.reports == 2 and event.datasets == ["acled", "ucdp"]
    assert (event.killed, event.killed_min, event.killed_max) == (4, 4, 7)


def test_it_never_groups_two_reports_of_one_dataset(report):
    a, b = report("acled"), report("acled", km_north=1)
    services.group_all()
    assert not grouped(a, b)
    assert not CandidatePair.objects.exists()


def test_two_monitors_are_two_sources_and_one_monitor_is_one(report):
    a, b = report(""), report("", km_north=1)
    services.group_all()
    assert grouped(a, b)
    c = report("", km_north=2, created_by=Incident.objects.get(id=a.id).created_by)
    services.group_all()
    assert not grouped(a, c) or not grouped(b, c)


def test_it_needs_the_distance_within_the_combined_uncertainty(report):
    a = report("ucdp")
    far = report("acled", km_north=11)  # exact points: 10 km allowed
    services.group_all()
    assert not grouped(a, far)
    near_town = report("acled2", km_north=30, location_precision="near")  # 25 + 10 km allowed
    services.group_all()
    assert not CandidatePair.objects.filter(second=far).exists()
    # A candidate, but 30 of 35 km apart scores low: it waits for an analyst.
    assert pair_of(a, near_town).state == PairState.PENDING


def test_it_reads_time_windows_with_their_precision(report):
    a = report("ucdp")
    # The day's window ends 24 h after its start; a week starting 42 h later is 18 h after it.
    week = report("acled", hours=42, date_precision="week")
    services.group_all()
    assert pair_of(a, week).gap_hours == 18.0
    assert "time windows 18.0 hours apart" in pair_of(a, week).reasons


def test_a_week_window_covering_the_strike_matches(report):
    a = report("ucdp", hours=24 * 3)
    week = report("acled", date_precision="week")
    services.group_all()
    assert pair_of(a, week).gap_hours == 0


def test_windows_more_than_a_day_apart_do_not_match(report):
    a = report("ucdp")
    later = report("acled", hours=50)
    services.group_all()
    assert not CandidatePair.objects.exists()
    assert not grouped(a, later)


def test_incompatible_categories_or_parties_do_not_match(report, party):
    from tests.factories import PartyFactory

    a = report("ucdp")
    report("acled", category="patrol")
    report("acled2", perpetrator=PartyFactory())
    services.group_all()
    assert not CandidatePair.objects.exists()
    assert Incident.objects.get(id=a.id).event is None


def test_a_compatible_category_or_an_unknown_perpetrator_waits_for_an_analyst(report):
    a = report("ucdp", category="armed_clash", perpetrator=None)
    b = report("acled", km_north=4)
    services.group_all()
    pair = pair_of(a, b)
    assert pair.state == PairState.PENDING
    assert not grouped(a, b)
    assert "compatible categories" in pair.reasons


def test_vague_reports_are_never_candidates(report):
    report("ucdp")
    report("acled", location_precision="governorate")
    report("acled2", date_precision="month")
    services.group_all()
    assert not CandidatePair.objects.exists()


def test_an_event_holds_one_report_per_source(report):
    """A UCDP report matching two ACLED reports joins the closer one only."""
    ucdp = report("ucdp")
    close = report("acled", km_north=1)
    other = report("acled", km_north=6)
    services.group_all()
    assert grouped(ucdp, close)
    assert Incident.objects.get(id=other.id).event is None


def test_running_twice_changes_nothing(report):
    report("ucdp")
    report("acled", km_north=2)
    report("monitor", km_north=1)
    services.group_all()
    before = list(Incident.objects.values_list("id", "event"))
    counts = services.group_all()
    assert counts["pairs_new"] == counts["pairs_revised"] == counts["pairs_removed"] == 0
    assert counts["events_created"] == counts["events_changed"] == counts["events_removed"] == 0
    assert list(Incident.objects.values_list("id", "event")) == before
    assert Event.objects.get().reports == 3


def test_chunks_find_the_same_events_as_one_pass(report):
    for day in range(6):  # three days apart: each report has one clear match
        report("ucdp", hours=72 * day)
        report("acled", hours=72 * day + 3, km_north=2)
    services.group_all(chunks=1)
    one_pass = sorted(CandidatePair.objects.values_list("first_id", "second_id", "state"))
    CandidatePair.objects.all().delete()
    services.group_all(chunks=4)
    assert sorted(CandidatePair.objects.values_list("first_id", "second_id", "state")) == one_pass
    assert Event.objects.count() == 6


def test_two_equally_good_matches_wait_for_an_analyst(report):
    """Two villages a few km apart struck the same day: which ACLED report is which UCDP one?"""
    ucdp = report("ucdp")
    a = report("acled", km_north=2)
    b = report("acled", km_north=-2)
    services.group_all()
    assert pair_of(ucdp, a).state == pair_of(ucdp, b).state == PairState.PENDING
    assert "another report of the same source matches as well" in pair_of(ucdp, a).reasons
    assert Incident.objects.filter(event__isnull=False).count() == 0


def test_the_pairs_do_not_depend_on_the_order_of_the_rows():
    import numpy as np

    from events import rules
    from tracker.rules import IncidentArrays

    rng = np.random.default_rng(3)
    n = 3000
    columns = {
        "ids": np.arange(n),
        "lon": rng.uniform(36.0, 37.0, n),
        "lat": rng.uniform(35.0, 36.0, n),
        "starts": rng.uniform(1.55e9, 1.55e9 + 30 * 86400, n),
        "until": np.full(n, np.nan),
        "category": rng.integers(0, 3, n),
        "perpetrator": rng.integers(0, 3, n),
        "location_precision": rng.choice([0, 0, 1], n),
        "date_precision": np.ones(n),
    }
    source = rng.integers(1, 4, n)

    def pairs(order):
        arrays = IncidentArrays.from_codes(**{name: values[order] for name, values in columns.items()})
        found = rules.find_pairs(arrays, source[order])
        ids = arrays.ids
        return {
            (min(ids[a], ids[b]), max(ids[a], ids[b])): (score, ambiguous)
            for a, b, score, ambiguous in zip(
                found.first, found.second, found.score, found.ambiguous, strict=True
            )
        }

    in_order = pairs(np.arange(n))
    assert len(in_order) > 100
    assert pairs(rng.permutation(n)) == in_order


def test_the_casualty_figure_is_the_median_of_the_reports_with_their_range():
    from events.rules import casualty_summary

    assert casualty_summary([4, 9, 0]) == (4, 0, 9)
    assert casualty_summary([3, 10]) == (3, 3, 10)  # the lower middle one: a figure a report gives
    assert casualty_summary([]) == (0, 0, 0)
