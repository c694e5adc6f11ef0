"""Saving or importing incidents regroups them into events, after the transaction commits.

Events are derived data: the periodic job (events.tasks.group_changed) also regroups whatever
changed since its last run, so a task lost while the broker was down is caught up.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from core.tasks import enqueue, enqueue_on_commit
from incidents.models import Incident
from incidents.signals import incidents_bulk_changed

from . import tasks


@receiver(post_save, sender=Incident, dispatch_uid="events_incident_saved")
def incident_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields is not None and set(update_fields) <= {"updated_at", "event"}):
        return
    enqueue_on_commit(tasks.group_incidents, incident_ids=[instance.id])


@receiver(post_delete, sender=Incident, dispatch_uid="events_incident_deleted")
def incident_deleted(sender, instance, **kwargs):
    """The reports left in its event are regrouped (the event may now be one report or none)."""
    if instance.event is not None:
        others = list(Incident.objects.filter(event=instance.event).values_list("id", flat=True))
        if others:
            enqueue_on_commit(tasks.group_incidents, incident_ids=others)


@receiver(incidents_bulk_changed, dispatch_uid="events_incidents_imported")
def incidents_imported(sender, updated_since, **kwargs):
    enqueue(tasks.group_changed, since=updated_since.isoformat())
