"""Commands a user runs every day print what matters, not warnings they cannot act on."""

import logging

from celery import current_app
from django.core import checks


def test_no_covering_index_warning_on_any_database(db):
    assert [
        m.id
        for m in checks.run_checks(databases=["default"])
        if m.id == "models.W040" and not m.is_silenced()
    ] == []


def test_the_broker_connection_names_its_host(caplog):
    with caplog.at_level(logging.WARNING, logger="kombu.connection"):
        current_app.connection_for_write().as_uri()
    assert "No hostname was supplied" not in caplog.text
