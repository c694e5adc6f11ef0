"""After a full regrouping the store refreshes the planner's statistics (events.store analyze):
VACUUM only where it may run, whatever the caller's transaction handling."""

import pytest
from django.db import connection, transaction

from events.store import events_store_for


@pytest.mark.django_db(transaction=True)
def test_analyze_inside_a_transaction_opened_by_hand():
    """Autocommit turned off (a transaction without atomic): no VACUUM, which would fail there."""
    transaction.set_autocommit(False)
    try:
        events_store_for(connection).analyze()
    finally:
        transaction.rollback()
        transaction.set_autocommit(True)


@pytest.mark.django_db
def test_analyze_inside_an_atomic_block():
    with transaction.atomic():
        events_store_for(connection).analyze()


@pytest.mark.django_db(transaction=True)
def test_analyze_in_autocommit():
    events_store_for(connection).analyze()
