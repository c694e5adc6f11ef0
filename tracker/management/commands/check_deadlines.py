from django.core.management.base import BaseCommand

from tracker import services

from .scan_violations import parse_moment


class Command(BaseCommand):
    help = "Mark overdue deadlines missed and flag those due soon, as of now or of --at."

    def add_arguments(self, parser):
        parser.add_argument("--at", type=parse_moment, help="Check as of this ISO date-time (default: now).")
        parser.add_argument("--due-soon-days", type=int, help="Days ahead that count as due soon.")

    def handle(self, *args, at, due_soon_days, **options):
        changes = services.check_deadlines(now=at, due_soon_days=due_soon_days)
        labels = {"missed": "Missed", "due_soon": "Due soon", "no_longer_due_soon": "No longer due soon"}
        for key, label in labels.items():
            for deadline in changes[key]:
                self.stdout.write(f"{label}: {deadline}")
        if not any(changes.values()):
            self.stdout.write("No deadline changed.")
