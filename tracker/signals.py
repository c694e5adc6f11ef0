"""Saving what the engine reads schedules its re-evaluation, after the transaction commits.

Changes that alter a clause indirectly (its areas, parties, agreement) also touch the clause's
updated_at, so the periodic incremental scan catches them even if a task was lost or the broker
was down when it was sent (core.tasks).
"""

from django.conf import settings
from django.db import transaction
from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver
from django.utils import timezone

from agreements.models import Agreement, Area, Clause, Deadline
from core.tasks import enqueue, enqueue_on_commit
from incidents.models import Incident
from incidents.signals import incidents_bulk_changed

from . import services, tasks

# The deadline check saves only these fields; its own saves must not start another check.
CHECK_FIELDS = {"status", "due_soon", "missed_at", "due_at"}


def _reevaluate_clauses(clauses):
    clause_ids = list(clauses.values_list("id", flat=True))
    if clause_ids:
        Clause.objects.filter(id__in=clause_ids).update(updated_at=timezone.now())
        enqueue_on_commit(tasks.evaluate, clause_ids=clause_ids)


@receiver(post_save, sender=Incident, dispatch_uid="tracker_incident_saved")
def incident_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        enqueue_on_commit(tasks.evaluate, incident_ids=[instance.id])


@receiver(post_save, sender=Clause, dispatch_uid="tracker_clause_saved")
def clause_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        enqueue_on_commit(tasks.evaluate, clause_ids=[instance.id])


@receiver(m2m_changed, sender=Clause.areas.through, dispatch_uid="tracker_clause_areas")
@receiver(m2m_changed, sender=Clause.obligated_parties.through, dispatch_uid="tracker_clause_parties")
def clause_relations_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if isinstance(instance, Clause):
        _reevaluate_clauses(Clause.objects.filter(id=instance.id))
    elif pk_set:
        _reevaluate_clauses(Clause.objects.filter(id__in=pk_set))


@receiver(m2m_changed, sender=Agreement.areas.through, dispatch_uid="tracker_agreement_areas")
def agreement_areas_changed(sender, instance, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear") and isinstance(instance, Agreement):
        _reevaluate_clauses(instance.clauses.all())


@receiver(post_save, sender=Agreement, dispatch_uid="tracker_agreement_saved")
def agreement_saved(sender, instance, created, raw=False, **kwargs):
    if not raw and not created:
        _reevaluate_clauses(instance.clauses.all())


@receiver(post_save, sender=Area, dispatch_uid="tracker_area_saved")
def area_saved(sender, instance, created, raw=False, **kwargs):
    if not raw and not created:
        _reevaluate_clauses(
            Clause.objects.filter(areas=instance) | Clause.objects.filter(agreement__areas=instance)
        )


@receiver(incidents_bulk_changed, dispatch_uid="tracker_incidents_imported")
def incidents_imported(sender, updated_since, **kwargs):
    enqueue(tasks.scan_violations, since=updated_since.isoformat())


@receiver(post_save, sender=Deadline, dispatch_uid="tracker_deadline_saved")
def deadline_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    """A deadline saved with a past due date is missed at once, not at the next periodic check."""
    if raw or not settings.TRACKER_CHECK_DEADLINES_ON_SAVE:
        return
    if update_fields and set(update_fields) <= CHECK_FIELDS:
        return
    # One check per transaction, however many deadlines it saves (the demo saves a dozen).
    pending = transaction.get_connection().run_on_commit
    if not any(callback is _check_deadlines_now for _, callback, _ in pending):
        transaction.on_commit(_check_deadlines_now)


def _check_deadlines_now():
    services.check_deadlines()
