"""An upload by a user who reads Arabic: its row errors and summary are written in Arabic."""

import pytest
from django.urls import reverse

from accounts.language import set_language
from imports.models import ImportJob
from tests.imports.importing import acled_row
from tests.imports.test_admin import import_admin, upload  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_uploaders_language_writes_the_errors_and_the_summary(
    client, superuser, django_capture_on_commit_callbacks
):
    set_language(superuser, "ar")
    client.force_login(superuser)
    rows = [acled_row(event_id_cnty="A"), acled_row(event_id_cnty="B", latitude="95")]
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, rows)

    job = ImportJob.objects.get()
    assert job.summary.startswith("قُرئ 2 صفاً: أُنشئ 1، وحُدّث 0، ودون تغيير 0، ومرفوض 1")
    with job.error_report.open("rb") as report:
        assert "95 خارج النطاق (من -90 إلى 90)" in report.read().decode()
    page = client.get(reverse("admin:imports_importjob_change", args=[job.pk])).content.decode()
    assert "تنزيل تقرير الأخطاء" in page
