"""Changes to agreements' records that must not race: compare-and-set under a row lock."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from core.exceptions import StateConflict

from .choices import DeadlineStatus
from .models import Deadline


def mark_deadline_met(
    deadline_id: int, *, met_at: dt.datetime, evidence: str, now: dt.datetime | None = None
) -> Deadline:
    """Record that a deadline was met. Missed deadlines can be met late; waived ones cannot."""
    open_or_missed = [DeadlineStatus.PENDING, DeadlineStatus.EXTENDED, DeadlineStatus.MISSED]
    with transaction.atomic():
        deadline = Deadline.objects.select_for_update().select_related("agreement").get(id=deadline_id)
        if deadline.status not in open_or_missed:
            raise StateConflict(
                _("A deadline that is %(status)s cannot be marked met.")
                % {"status": deadline.get_status_display().lower()}
            )
        deadline.status = DeadlineStatus.MET
        deadline.met_at = met_at
        deadline.evidence = evidence
        deadline.due_soon = False
        deadline.save()
    return deadline
