"""What imports announce, sent inside the transaction that records it (see tracker.events)."""

from django.dispatch import Signal

# job_id: an ImportJob that just finished (done, aborted or failed); receivers read its counts.
import_finished = Signal()
