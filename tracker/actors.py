"""Actor triage: the names the sources give that match no party, and an analyst's decisions.

A named actor that is no registered party is never counted as a violation (see rules.py): it
waits here until an analyst maps it to a party, marks it unidentified (the engine then binds it
with a lower confidence) or marks it as bound by no tracked agreement. Decisions are kept in
incidents.ActorDecision, so a re-import applies them (imports.services).
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Max, Min
from django.db.models.functions import Lower
from django.utils import timezone

from agreements.models import Party, PartyAlias
from core.tasks import enqueue_on_commit
from incidents.choices import ActorCase, ActorDecisionKind
from incidents.models import ActorDecision, Incident

from . import services


@dataclass
class NamedActor:
    name: str
    incidents: int
    datasets: list[str]
    first_seen: dt.datetime
    last_seen: dt.datetime


def named_actors() -> list[NamedActor]:
    """The named-but-unregistered actors still awaiting a decision, most frequent first: how
    many incidents name each, from which datasets, over which dates."""
    not_bound = ActorDecision.objects.filter(kind=ActorDecisionKind.NOT_BOUND).annotate(key=Lower("name"))
    waiting = (
        Incident.objects.filter(actor_case=ActorCase.NAMED)
        .annotate(key=Lower("actor_name"))
        .exclude(key__in=not_bound.values("key"))
    )
    datasets = {}
    for name, dataset in waiting.values_list("actor_name", "source_dataset").distinct():
        datasets.setdefault(name, set()).add(dataset or "hand-entered")
    rows = (
        waiting.values("actor_name")
        .annotate(incidents=Count("id"), first_seen=Min("occurred_at"), last_seen=Max("occurred_at"))
        .order_by("-incidents", "actor_name")
    )
    return [
        NamedActor(
            name=row["actor_name"],
            incidents=row["incidents"],
            datasets=sorted(datasets.get(row["actor_name"], ())),
            first_seen=row["first_seen"],
            last_seen=row["last_seen"],
        )
        for row in rows
    ]


def decide(name: str, kind: str, party: Party | None = None, user=None) -> ActorDecision:
    """Record the decision about `name` (replacing any earlier one); mapping to a party also
    makes `name` an alias of it. The incidents concerned are re-evaluated in one worker job."""
    name = name.strip()[: ActorDecision._meta.get_field("name").max_length]
    if (kind == ActorDecisionKind.PARTY) != (party is not None):
        raise ValueError("a party is given exactly when the name is mapped to one")
    with transaction.atomic():
        decision = ActorDecision.objects.select_for_update().filter(name__iexact=name).first()
        if decision is None:
            decision = ActorDecision(name=name)
        decision.kind, decision.party, decision.decided_by = kind, party, user
        decision.save()
        if party is not None and Party.match(name) is None:
            PartyAlias.objects.create(party=party, name=name, dataset="triage")
        # The incidents take the decision in the same transaction (cheap, and never lost if the
        # broker is down: their updated_at moves, so the incremental scan re-evaluates them);
        # the worker job re-evaluates them at once.
        classify_incidents(decision)
        from . import tasks  # imported here: tasks imports this module

        enqueue_on_commit(tasks.apply_actor_decision, name=name)
    return decision


def classify_incidents(decision: ActorDecision, now: dt.datetime | None = None) -> int:
    """Give the incidents naming the decision's name the case (and party) it decides, whatever an
    earlier decision gave them: mapped to a party, registered with it; unidentified, bound with a
    lower confidence; bound by no tracked agreement, named again (never counted). Incidents whose
    party was entered beside another name are not touched. Returns how many changed."""
    naming = Incident.objects.filter(actor_name__iexact=decision.name)
    decided_before = naming.filter(actor_case__in=[ActorCase.NAMED, ActorCase.UNIDENTIFIED]) | naming.filter(
        actor_case=ActorCase.REGISTERED, perpetrator__aliases__name__iexact=decision.name
    )
    now = now or timezone.now()
    if decision.kind == ActorDecisionKind.PARTY:
        changes = {"actor_case": ActorCase.REGISTERED, "perpetrator": decision.party}
        changed = decided_before.exclude(actor_case=ActorCase.REGISTERED, perpetrator=decision.party)
    elif decision.kind == ActorDecisionKind.UNIDENTIFIED:
        changes = {"actor_case": ActorCase.UNIDENTIFIED, "perpetrator": None}
        changed = decided_before.exclude(actor_case=ActorCase.UNIDENTIFIED)
    else:
        changes = {"actor_case": ActorCase.NAMED, "perpetrator": None}
        changed = decided_before.exclude(actor_case=ActorCase.NAMED)
    return Incident.objects.filter(pk__in=list(changed.values_list("pk", flat=True))).update(
        **changes, updated_at=now
    )


def apply_actor_decision(name: str, now: dt.datetime | None = None) -> dict[str, int]:
    """Give the incidents that name `name` the decided party or case (classify_incidents), then
    re-evaluate every incident naming it. Idempotent: a second run changes nothing."""
    decision = ActorDecision.objects.filter(name__iexact=name).first()
    if decision is None:
        return {"changed": 0}
    counts = {"changed": classify_incidents(decision, now=now)}
    ids = list(Incident.objects.filter(actor_name__iexact=name).values_list("id", flat=True))
    if ids:
        counts.update(services.evaluate(incident_ids=ids, now=now))
    return counts
