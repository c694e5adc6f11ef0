"""The grouping on real data: UCDP GED Syria and an ACLED-format file re-reporting part of it."""

import csv
import os

import pytest
from django.core.management import call_command

from events.models import CandidatePair
from incidents.models import Incident
from tests.imports.importing import UCDP_FILE, import_file

pytestmark = [
    pytest.mark.django_db,
    # As every test of the shared data: it lives beside the checkout (../shared), not in it.
    pytest.mark.skipif(not UCDP_FILE.exists(), reason=f"real UCDP file not found at {UCDP_FILE}"),
]


def test_a_second_dataset_is_grouped_with_the_first_where_it_clearly_reports_the_same(tmp_path):
    quiet = open(os.devnull, "w")
    call_command("load_demo", stdout=quiet)  # the parties, with the names both datasets give them
    ucdp = tmp_path / "ucdp.csv"
    with (
        UCDP_FILE.open(encoding="utf-8", newline="") as source,
        ucdp.open("w", encoding="utf-8", newline="") as part,
    ):
        lines = source.readlines()
        part.writelines(lines[:801])  # the header and 800 events
    acled = tmp_path / "acled.csv"
    call_command("write_second_dataset", str(ucdp), str(acled), "--seed", "5", stdout=quiet)
    import_file(ucdp, "ucdp", batch_size=1000)
    import_file(acled, "acled", batch_size=1000)
    call_command("group_events", "--full", "--chunks", "2", stdout=quiet)

    with acled.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    ucdp_ids = dict(Incident.objects.filter(source_dataset="ucdp").values_list("external_id", "event"))
    acled_events = dict(Incident.objects.filter(source_dataset="acled").values_list("external_id", "event"))
    re_reports = [r for r in rows if r["ucdp_id"]]
    right = sum(
        1
        for r in re_reports
        if acled_events[r["event_id_cnty"]] and acled_events[r["event_id_cnty"]] == ucdp_ids[r["ucdp_id"]]
    )
    wrong = sum(
        1
        for r in re_reports
        if acled_events[r["event_id_cnty"]] and acled_events[r["event_id_cnty"]] != ucdp_ids[r["ucdp_id"]]
    )
    extras_grouped = sum(1 for r in rows if not r["ucdp_id"] and acled_events[r["event_id_cnty"]])
    assert right >= 0.25 * len(re_reports)  # the clear ones; the ambiguous ones wait for an analyst
    assert wrong <= 0.15 * right
    assert extras_grouped <= 0.1 * (len(rows) - len(re_reports))
    assert CandidatePair.objects.filter(state="pending").exists()
    # No event holds two reports of one dataset.
    for event in set(acled_events.values()) - {None}:
        datasets = list(Incident.objects.filter(event=event).values_list("source_dataset", flat=True))
        assert len(datasets) == len(set(datasets))
