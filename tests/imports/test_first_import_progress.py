"""An upload's progress is seen on its page while it runs, on a first import too (which reads
the whole file inside its transaction, imports/direct.py)."""

import pytest
from django.core.files.base import ContentFile
from django.db import connection

from imports import blocks as blocks_module
from imports import jobs
from imports import services as service
from imports.models import ImportJob
from tests.factories import IncidentFactory
from tests.imports.importing import ACLED_COLUMNS, acled_row, write_csv
from tests.imports.test_fast_path import BLOCK_BYTES, postgres_only

pytestmark = [pytest.mark.django_db(transaction=True), postgres_only]


def progress_seen_by_others(tmp_path, settings, monkeypatch):
    """Run an upload of 60 rows in blocks; returns (rows reported, rows_read another connection
    saw on the job just after) at each report while the file is read."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    monkeypatch.setattr(blocks_module, "BLOCK_BYTES", BLOCK_BYTES)
    monkeypatch.setattr(jobs, "PROGRESS_EVERY_SECONDS", 0)
    # Report after every block, not every half second.
    monkeypatch.setattr(
        service._Progress, "report", lambda self, rows: self.progress(rows, self.position(), self.bytes_total)
    )
    path = write_csv(tmp_path / "a.csv", ACLED_COLUMNS, [acled_row(event_id_cnty=f"P{n}") for n in range(60)])
    job = ImportJob(format="acled", on_error="skip", status=ImportJob.Status.PENDING)
    job.file.save("a.csv", ContentFile(path.read_bytes()))
    observer, seen = connection.copy(), []
    original = jobs.run_import

    def observed(*args, progress, **kwargs):
        def watching(rows, done, total):
            progress(rows, done, total)
            if done < total:
                with observer.cursor() as cursor:
                    cursor.execute(
                        f"SELECT rows_read FROM {ImportJob._meta.db_table} WHERE id = %s", [job.pk]
                    )
                    seen.append((rows, cursor.fetchone()[0]))

        return original(*args, progress=progress and watching, **kwargs)

    monkeypatch.setattr(jobs, "run_import", observed)
    try:
        assert jobs.run_import_job(job.pk).status == ImportJob.Status.DONE
    finally:
        observer.close()
    assert len(seen) > 2
    return seen


def test_the_progress_of_a_later_import_is_seen_while_it_runs(tmp_path, settings, monkeypatch):
    IncidentFactory(source_dataset="acled", external_id="stored")  # not a first import: staging
    seen = progress_seen_by_others(tmp_path, settings, monkeypatch)
    assert all(rows == saved for rows, saved in seen)


def test_the_progress_of_a_first_import_is_seen_while_it_runs(tmp_path, settings, monkeypatch):
    seen = progress_seen_by_others(tmp_path, settings, monkeypatch)
    assert all(rows == saved for rows, saved in seen), seen
