import argparse
import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from tracker import services


def parse_moment(value):
    """ISO date or datetime; naive values are UTC."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not an ISO date or date-time (e.g. 2019-01-01 or 2019-01-01T12:00+03:00)."
        ) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


class Command(BaseCommand):
    help = "Flag incidents that breach clauses. Incremental by default: what changed since the last scan."

    def add_arguments(self, parser):
        parser.add_argument(
            "--full", action="store_true", help="Re-evaluate every incident against every clause."
        )
        parser.add_argument("--since", type=parse_moment, help="Re-evaluate what changed since this moment.")
        parser.add_argument(
            "--chunks",
            type=int,
            default=1,
            help="A full scan in this many id ranges, one after another (each reads only its range).",
        )

    def handle(self, *args, full, since, chunks, **options):
        if full and since:
            raise CommandError("Use --full or --since, not both.")
        if chunks < 1:
            raise CommandError("--chunks takes a whole number from 1.")
        counts = services.scan_violations(full=full, since=since, chunks=chunks)
        self.stdout.write(
            "Scanned {incidents} incident(s) against {clauses} clause(s): {created} new violation(s), "
            "{reflagged} re-flagged, {updated} updated, {withdrawn} withdrawn.".format(**counts)
        )
