"""Benchmark: alerts decided and queued for 10,000 new violations, against the scan of those incidents.

Loads N incidents (10,000 by default) that each breach one clause into a scratch PostgreSQL
database (`tracker_bench_alerts`, or --database; dropped at the end unless --keep), then times, in one transaction
each (a scoped scan, as after an import):

- the scan of those incidents, flagging N violations, with no alert rule (the baseline);
- the same scan with alert rules (webhooks, a filtered one, emails to several recipients):
  the engine's signal, one alert, the rules' filters and one digest delivery per rule and
  recipient, and the task that sends them queued after the commit (to an in-memory broker).

    python bench/alerts.py [--rows 10000] [--repeat 3] [--database NAME] [--keep]
"""

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import drop_database, print_table, use_scratch_database

DATABASE = "tracker_bench_alerts"
UTC = dt.UTC


def square(lon, lat, half):
    ring = [
        [lon - half, lat - half],
        [lon + half, lat - half],
        [lon + half, lat + half],
        [lon - half, lat + half],
    ]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def build(rows):
    from agreements.models import Agreement, Area, Clause, Party
    from incidents.models import Incident

    party = Party.objects.create(name="Syrian government", kind="state")
    agreement = Agreement.objects.create(
        title="Sochi memorandum", slug="sochi-2018", in_force_from=dt.datetime(2018, 9, 17, tzinfo=UTC)
    )
    zone = Area.objects.create(name="Zone", slug="zone", geometry=square(36.8, 35.86, 0.5), buffer_km=0)
    clause = Clause.objects.create(
        agreement=agreement, number="3", title="Ceasefire", prohibited_categories=["shelling", "air_strike"]
    )
    clause.areas.set([zone])
    start = dt.datetime(2019, 1, 1, tzinfo=UTC)
    Incident.objects.bulk_create(
        [
            Incident(
                occurred_at=start + dt.timedelta(minutes=37 * i),
                longitude=36.8 + (i % 100) * 0.004 - 0.2,
                latitude=35.86 + (i // 100 % 100) * 0.004 - 0.2,
                category="shelling",
                perpetrator=party,
                status="verified",
            )
            for i in range(rows)
        ],
        batch_size=5000,
    )
    return party


def add_rules(party):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from alerts.models import AlertRule

    User = get_user_model()
    owner = User.objects.create(username="coordinator", email="coordinator@ngo.example")
    owner.groups.add(Group.objects.get(name="Coordinator"))
    team = [User.objects.create(username=f"analyst{i}", email=f"analyst{i}@ngo.example") for i in range(3)]
    hooks = [
        AlertRule(
            name=f"Partner {i}",
            owner=owner,
            events=["violation_flagged"],
            channel="webhook",
            webhook_url=f"https://hooks{i}.partner.example/tracker",
        )
        for i in range(3)
    ]
    AlertRule.objects.bulk_create(hooks)
    high = AlertRule.objects.create(
        name="High confidence by the government",
        owner=owner,
        events=["violation_flagged"],
        min_confidence="high",
        channel="webhook",
        webhook_url="https://hooks.partner.example/high",
    )
    high.parties.set([party])
    email = AlertRule.objects.create(
        name="Team", owner=owner, events=["violation_flagged"], channel="email", emails="desk@ngo.example"
    )
    email.recipients.set(team)


def reset():
    from alerts.models import Alert
    from tracker.models import Violation

    Alert.objects.all().delete()
    Violation.objects.all().delete()


def scan_once():
    from django.db import connection

    from incidents.models import Incident
    from tracker import services

    start = time.perf_counter()
    counts = services.scan(scope=Incident.objects.all())
    seconds = time.perf_counter() - start
    connection.close()
    return seconds, counts["created"]


def measure(repeat):
    times, created = [], 0
    for _ in range(repeat):
        reset()
        seconds, created = scan_once()
        times.append(seconds)
    return statistics.median(times), min(times), created


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    use_scratch_database(args.database)
    from celery import current_app

    current_app.conf.broker_url = "memory://"  # queued for real, sent nowhere
    current_app.conf.task_always_eager = False
    try:
        party = build(args.rows)
        base, base_best, created = measure(args.repeat)
        add_rules(party)
        with_alerts, with_best, _ = measure(args.repeat)
        from alerts.models import Alert, AlertDelivery

        alerts, deliveries = Alert.objects.count(), AlertDelivery.objects.count()
    finally:
        if not args.keep:
            drop_database(args.database)
    overhead = with_alerts - base
    print_table(
        f"Alerts for {created:,} new violations (median of {args.repeat}, best in brackets)",
        [
            {
                "measure": f"scan of {args.rows:,} incidents flagging {created:,} violations, no alert rule",
                "value": f"{base:.3f} s ({base_best:.3f} s)",
            },
            {
                "measure": f"the same scan with 5 rules: {alerts} alert, {deliveries} digest deliveries decided "
                "and their task queued",
                "value": f"{with_alerts:.3f} s ({with_best:.3f} s)",
            },
            {
                "measure": "alerts decided and queued, by difference",
                "value": f"{overhead:.3f} s = {100 * overhead / base:.0f} % of the scan",
            },
        ],
        ["measure", "value"],
    )


if __name__ == "__main__":
    main()
