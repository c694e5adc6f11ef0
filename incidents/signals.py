"""Signals other apps listen to. incidents never imports tracker: the engine subscribes here."""

from django.dispatch import Signal

# Sent after a bulk write that bypassed Model.save() (an import), once per batch, after commit.
# kwargs: updated_since (datetime): every incident created or updated by the batch has
# updated_at >= updated_since; count (int): how many incidents were written.
incidents_bulk_changed = Signal()
