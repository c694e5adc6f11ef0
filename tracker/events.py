"""What the engine announces, sent inside the transaction that made it happen.

A receiver (the alerts app) writes its own records in that same transaction, so what it decides
commits, or rolls back, with the change that caused it. Receivers must not do slow work here:
no network, no email; deliver after the commit.
"""

from django.dispatch import Signal

# ids: the violations this transaction flagged (new ones, and withdrawn ones flagged again).
violations_flagged = Signal()
# id: a violation an analyst just confirmed.
violation_confirmed = Signal()
# ids, now: deadlines this transaction moved to missed, and the moment the check ran for.
deadline_missed = Signal()
# ids, now: deadlines this transaction flagged as due soon, and the moment the check ran for.
deadline_due_soon = Signal()
