import pytest

from incidents.signals import incidents_bulk_changed
from tests.imports.importing import ACLED_COLUMNS, acled_row, import_file, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def received():
    calls = []

    def receiver(sender, **kwargs):
        calls.append(kwargs)

    incidents_bulk_changed.connect(receiver)
    yield calls
    incidents_bulk_changed.disconnect(receiver)


@pytest.fixture
def path(tmp_path):
    return write_csv(tmp_path / "a.csv", ACLED_COLUMNS, [acled_row(event_id_cnty=f"S{n}") for n in range(8)])


def test_the_signal_is_sent_once_after_commit(path, received, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = import_file(path, "acled", batch_size=3)  # three staging batches, one signal

    assert len(received) == 1
    assert received[0]["count"] == 8
    assert received[0]["updated_since"] == result.started_at
    from incidents.models import Incident

    assert all(i.updated_at >= result.started_at for i in Incident.objects.all())


def test_no_signal_when_nothing_was_written(path, received, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        import_file(path, "acled")
    received.clear()

    with django_capture_on_commit_callbacks(execute=True):
        import_file(path, "acled")  # unchanged
        import_file(path, "acled", dry_run=True)

    assert received == []


def test_no_signal_before_commit(path, received, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        import_file(path, "acled")

    assert received == [] and len(callbacks) == 1
