import datetime as dt
import zoneinfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from agreements.models import Agreement
from reports.choices import ReportFormat
from reports.render import to_json
from reports.services import build_report_content


def _date(value):
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value!r}.") from exc


class Command(BaseCommand):
    help = (
        "Build a violation report by hand for an agreement (or all) and a period; nothing is stored or sent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--agreement", required=True, help='Agreement slug, or "all".')
        parser.add_argument("--start", required=True, help="First day, YYYY-MM-DD.")
        parser.add_argument("--end", required=True, help="Last day (inclusive), YYYY-MM-DD.")
        parser.add_argument("--format", default=ReportFormat.HTML, choices=ReportFormat.values)
        parser.add_argument("--output", help="File to write; standard output if omitted.")
        parser.add_argument(
            "--timezone", help="Time zone of the dates (default: the agreement's, or UTC for all)."
        )
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _name in settings.LANGUAGES],
            help="The language the report is written in (default: English).",
        )
        parser.add_argument(
            "--include-confidential",
            action="store_true",
            help="Show confidential sources too. The output must then be handled as confidential.",
        )

    def handle(self, *args, **options):
        agreement = None
        if options["agreement"] != "all":
            agreement = Agreement.objects.filter(slug=options["agreement"]).first()
            if agreement is None:
                known = ", ".join(Agreement.objects.values_list("slug", flat=True)) or "none"
                raise CommandError(f"No agreement {options['agreement']!r} (known: {known}, or 'all').")
        start, end = _date(options["start"]), _date(options["end"])
        if end < start:
            raise CommandError("--end must not come before --start.")
        try:
            tz = (
                zoneinfo.ZoneInfo(options["timezone"])
                if options["timezone"]
                else (agreement.tz if agreement else zoneinfo.ZoneInfo("UTC"))
            )
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise CommandError(f"Unknown time zone {options['timezone']!r}.") from exc
        content = build_report_content(
            agreement=agreement,
            start=start,
            end=end,
            tz=tz,
            include_confidential=options["include_confidential"],
            now=timezone.now(),
            pdf=options["format"] == ReportFormat.PDF,
            language=options["language"],
        )
        fmt = options["format"]
        if fmt == ReportFormat.PDF:
            body = content["pdf"]
        else:
            text = {"html": content["html"], "csv": content["csv"], "json": to_json(content["data"]) + "\n"}[
                fmt
            ]
            body = text.encode()
        if options["output"]:
            with open(options["output"], "wb") as out:
                out.write(body)
            totals = content["data"]["totals"]
            self.stderr.write(
                f"{content['title']}: {totals['violations']} violations in {totals['incidents']} incidents "
                f"-> {options['output']} ({fmt})"
            )
        elif fmt == ReportFormat.PDF:
            raise CommandError("A PDF needs --output FILE.")
        else:
            self.stdout.write(body.decode(), ending="")
