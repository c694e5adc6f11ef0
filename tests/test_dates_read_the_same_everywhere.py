"""One date style on every page; no "midnight" for an incident known only to the day."""

import datetime as dt

import pytest
from django.urls import reverse

from incidents.choices import DatePrecision
from tests.factories import DeadlineFactory, IncidentFactory
from tracker import services
from tracker.models import JobRun

pytestmark = pytest.mark.django_db
DAMASCUS_MIDNIGHT = dt.datetime(2019, 4, 1, 21, 0, tzinfo=dt.UTC)  # 2 Apr 2019 00:00 in Damascus


def test_a_day_precision_incident_shows_its_day_without_a_time(client, superuser):
    IncidentFactory(occurred_at=DAMASCUS_MIDNIGHT, date_precision=DatePrecision.DAY, place_name="Kafr Nabl")
    IncidentFactory(
        occurred_at=dt.datetime(2019, 4, 3, 6, 30, tzinfo=dt.UTC), date_precision=DatePrecision.EXACT
    )
    client.force_login(superuser)
    page = client.get(reverse("admin:incidents_incident_changelist")).content.decode()
    assert "midnight" not in page
    assert ">2 Apr 2019<" in page and ">3 Apr 2019 09:30<" in page


def test_admin_dates_use_the_dashboards_style(client, superuser):
    deadline = DeadlineFactory(due_date=dt.date(2018, 10, 10))
    client.force_login(superuser)
    page = client.get(reverse("admin:agreements_deadline_changelist")).content.decode()
    assert "10 Oct 2018" in page and "Oct. 10, 2018" not in page
    assert str(deadline).endswith("(due 10 Oct 2018)")


def test_job_runs_show_their_counts_in_words(client, superuser):
    DeadlineFactory(due_date=dt.date(2018, 10, 10))
    services.check_deadlines(now=dt.datetime(2019, 1, 1, tzinfo=dt.UTC))
    client.force_login(superuser)
    page = client.get(reverse("admin:tracker_jobrun_changelist")).content.decode()
    assert "missed 1 · due soon 0 · no longer due soon 0" in page and "{&quot;" not in page
    run = JobRun.objects.get()
    detail = client.get(reverse("admin:tracker_jobrun_change", args=[run.pk])).content.decode()
    assert "due soon days 7" in detail
