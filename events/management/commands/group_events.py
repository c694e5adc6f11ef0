import argparse
import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from core.tasks import enqueue
from events import services, tasks


def parse_moment(value):
    """ISO date or datetime; naive values are UTC."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not an ISO date or date-time (e.g. 2019-01-01)."
        ) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


class Command(BaseCommand):
    help = "Group reports of the same happening into events. Incremental by default: what changed since the last run."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="Regroup every incident from scratch.")
        parser.add_argument("--since", type=parse_moment, help="Group what changed since this moment.")
        parser.add_argument(
            "--chunks",
            type=int,
            default=1,
            help="With --full: split the search for pairs into this many time chunks, and the events into as many parts.",
        )
        parser.add_argument(
            "--workers",
            action="store_true",
            help="With --full: send the chunks to the Celery workers (in parallel) instead of running them here.",
        )

    def handle(self, *args, full, since, chunks, workers, **options):
        if full and since:
            raise CommandError("Use --full or --since, not both.")
        if chunks < 1:
            raise CommandError("--chunks must be at least 1.")
        if workers:
            if not full:
                raise CommandError("--workers needs --full.")
            # Sent, not awaited: no result backend is configured, so there is no result to wait for.
            if not enqueue(tasks.group_all, chunks=chunks):
                raise CommandError(
                    "The broker cannot be reached: nothing was sent. Run it here without --workers."
                )
            self.stdout.write(
                f"Sent the regrouping to the workers in up to {chunks} chunk(s); it runs there in the background."
            )
            return
        counts = services.group_all(chunks=chunks) if full else services.group_changed(since=since)
        counts.setdefault("events", 0)
        self.stdout.write(
            "{pairs} candidate pair(s) ({pairs_new} new, {pairs_removed} removed); {events} event(s) of two or "
            "more reports ({events_created} created, {events_removed} removed); {incidents_moved} report(s) "
            "moved.".format(
                **{
                    "pairs": 0,
                    "pairs_new": 0,
                    "pairs_removed": 0,
                    "events_created": 0,
                    "events_removed": 0,
                    "incidents_moved": 0,
                    **counts,
                }
            )
        )
