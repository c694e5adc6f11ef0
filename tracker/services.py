"""The ORM side of the compliance engine. Every function is idempotent and returns counts."""
from django.utils import timezone

from agreements.choices import DeadlineStatus
from agreements.models import Deadline

from .choices import ViolationStatus
from .models import Violation


class ReviewConflict(Exception):
    """The record is not in a state that allows this change (someone else got there first)."""


def review_violation(violation_id, *, status, user, note="", now=None):
    """Confirm or dismiss a violation: compare-and-set, so two analysts cannot both win."""
    if status not in (ViolationStatus.CONFIRMED, ViolationStatus.DISMISSED):
        raise ValueError(f"A review sets confirmed or dismissed, not {status!r}.")
    now = now or timezone.now()
    reviewable = [ViolationStatus.FLAGGED, ViolationStatus.CONFIRMED, ViolationStatus.DISMISSED]
    updated = Violation.objects.filter(id=violation_id, status__in=reviewable).update(
        status=status, reviewed_by=user, reviewed_at=now, review_note=note, updated_at=now
    )
    if not updated:
        raise ReviewConflict("This violation was withdrawn by the engine or no longer exists.")
    return Violation.objects.get(id=violation_id)


def mark_deadline_met(deadline_id, *, met_at, evidence, now=None):
    """Record that a deadline was met. Missed deadlines can be met late; waived ones cannot."""
    open_or_missed = [DeadlineStatus.PENDING, DeadlineStatus.EXTENDED, DeadlineStatus.MISSED]
    deadline = Deadline.objects.get(id=deadline_id)
    if deadline.status not in open_or_missed:
        raise ReviewConflict(f"A {deadline.get_status_display().lower()} deadline cannot be marked met.")
    deadline.status = DeadlineStatus.MET
    deadline.met_at = met_at
    deadline.evidence = evidence
    deadline.due_soon = False
    deadline.save()
    return deadline
