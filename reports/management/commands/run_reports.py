import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reports.services import run_due_reports


class Command(BaseCommand):
    help = "Build the due scheduled reports and send waiting deliveries, without a worker. Safe to rerun."

    def add_arguments(self, parser):
        parser.add_argument("--at", help="Pretend it is this moment (ISO datetime, default now).")

    def handle(self, *args, **options):
        now = timezone.now()
        if options["at"]:
            try:
                now = dt.datetime.fromisoformat(options["at"])
            except ValueError as exc:
                raise CommandError(f"Not an ISO datetime: {options['at']!r}.") from exc
            if timezone.is_naive(now):
                now = timezone.make_aware(now, dt.UTC)
        counts = run_due_reports(now=now)
        self.stdout.write(", ".join(f"{key}: {value}" for key, value in counts.items()))
