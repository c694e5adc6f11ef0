"""python manage.py import_incidents PATH --format acled|ucdp|tracker [--dry-run] [--on-error skip|abort]"""

import os
import shutil
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from imports.base import ImportFileError
from imports.formats import FORMATS
from imports.jobs import finish, record_result
from imports.models import ImportJob
from imports.services import run_import

SHOWN_ERRORS = 20


class Command(BaseCommand):
    help = "Import incidents from an ACLED, UCDP GED or tracker CSV file (re-importing updates, never duplicates)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The CSV file.")
        parser.add_argument("--format", required=True, choices=FORMATS)
        parser.add_argument("--dry-run", action="store_true", help="Check and count, write nothing.")
        parser.add_argument(
            "--on-error",
            choices=("skip", "abort"),
            default="skip",
            help="skip: import the valid rows and report the bad ones (default); abort: import nothing "
            "if any row is bad.",
        )
        parser.add_argument(
            "--create-parties",
            action="store_true",
            help="Create a party (with the actor's name as an alias) for each actor no party matches.",
        )
        parser.add_argument(
            "--errors", metavar="CSV", help="Write every rejected row (line, column, reason) here."
        )
        parser.add_argument("--batch-size", type=int, default=10_000, help="Rows staged per round trip.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(
        self,
        *args,
        path,
        format,
        dry_run,
        on_error,
        create_parties,
        errors,
        batch_size,
        no_progress,
        **options,
    ):
        if not os.path.isfile(path):
            raise CommandError(f"No such file: {path}")
        job = ImportJob.objects.create(
            source_path=os.path.abspath(path),
            format=format,
            on_error=on_error,
            dry_run=dry_run,
            create_parties=create_parties,
            status=ImportJob.Status.RUNNING,
            started_at=timezone.now(),
            bytes_total=os.path.getsize(path),
        )
        bar = None if no_progress else _progress_bar(path, format)
        try:
            result = run_import(
                path,
                format,
                on_error=on_error,
                dry_run=dry_run,
                create_parties=create_parties,
                progress=_progress_on(bar) if bar is not None else None,
                batch_size=batch_size,
            )
        except ImportFileError as exc:
            finish(job, ImportJob.Status.FAILED, message=str(exc))
            raise CommandError(f"{path}: {exc}") from None
        except BaseException as exc:
            finish(job, ImportJob.Status.FAILED, message=f"{type(exc).__name__}: {exc}")
            raise
        finally:
            if bar is not None:
                bar.close()
        job.bytes_read = job.bytes_total
        record_result(job, result)
        self._report(result, job, errors)
        if result.aborted:
            raise CommandError("Import aborted: nothing was written.")

    def _report(self, result, job, errors_path):
        """The summary, the first rejected rows, and where the full error report is."""
        for line in result.summary_lines():
            self.stdout.write(line)
        if result.rejected:
            self.stdout.write(
                f"Rejected rows (line, column: reason), first {min(SHOWN_ERRORS, result.rejected)}:"
            )
            for error in result.errors[:SHOWN_ERRORS]:
                self.stdout.write(f"  line {error.line}, {error.column or '(row)'}: {error.reason}")
        if result.error_report:
            if errors_path:
                shutil.move(result.error_report, errors_path)
                self.stdout.write(f"Full error report: {errors_path}")
            else:
                os.unlink(result.error_report)  # the job keeps its copy under MEDIA_ROOT
                self.stdout.write(f"Full error report: {job.error_report.path}")
        self.stdout.write(f"Took {result.seconds:.1f} s. Recorded as import #{job.pk}.")


def _progress_bar(path, format):
    return tqdm(
        total=os.path.getsize(path),
        unit="B",
        unit_scale=True,
        desc=f"import {format}",
        file=sys.stderr,
    )


def _progress_on(bar):
    """A run_import progress callback that moves the bar."""

    def progress(rows, done, total):
        bar.total = total
        bar.n = done
        bar.set_postfix_str(f"{rows:,} rows", refresh=False)
        bar.refresh()

    return progress
