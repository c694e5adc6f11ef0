"""Deciding alerts (inside the transaction that caused them) and delivering them (after it).

Never twice, never lost:
- decide() runs in the transaction that flagged, confirmed or missed something (a receiver of
  tracker.events / imports.events): it writes one Alert and one AlertDelivery per (rule,
  recipient) there, so they commit or roll back with their cause. Everything one transaction
  decided is one alert, so a rule gets one digest per scan batch or import, not one per row.
- deliver() claims a delivery by compare-and-set (pending and due -> sending), so two workers
  cannot both send it; a delivery left "sending" by a killed worker is claimed again once its
  claim is stale (ALERTS_STALE_CLAIM_SECONDS); receivers drop a repeat by its event_id.
- A failed attempt is retried with exponential backoff until give_up_at (a day after it was
  decided), then marked failed and the rule's owner is emailed. The periodic deliver_due task
  picks up whatever is due, so a broker outage delays deliveries but loses none.
"""

import datetime as dt
import json
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.language import language_for
from agreements.choices import DeadlineStatus
from agreements.models import Clause, Deadline
from imports.models import ImportJob
from tracker.choices import Confidence
from tracker.models import Violation

from . import payloads, webhooks
from .choices import TEST_EVENT, AlertEvent, Channel, DeliveryStatus
from .models import Alert, AlertDelivery, AlertRule

log = logging.getLogger(__name__)

# Ids closer than this are read as one range (a batch just inserted has consecutive ids).
ID_GAP = 1000
VIOLATION_EVENTS = (AlertEvent.VIOLATION_FLAGGED, AlertEvent.VIOLATION_CONFIRMED)
# A rule is told only about what its owner may read.
EVENT_PERMISSION = {
    AlertEvent.VIOLATION_FLAGGED: "tracker.view_violation",
    AlertEvent.VIOLATION_CONFIRMED: "tracker.view_violation",
    AlertEvent.DEADLINE_MISSED: "agreements.view_deadline",
    AlertEvent.DEADLINE_DUE_SOON: "agreements.view_deadline",
    AlertEvent.IMPORT_ERRORS: "imports.view_importjob",
}
CONFIDENCE_AT_LEAST = {
    Confidence.LOW: [Confidence.LOW, Confidence.MEDIUM, Confidence.HIGH],
    Confidence.MEDIUM: [Confidence.MEDIUM, Confidence.HIGH],
    Confidence.HIGH: [Confidence.HIGH],
}


# --- Deciding --------------------------------------------------------------------------------------


def _id_ranges(ids: Sequence[int], gap: int = ID_GAP) -> list[tuple[int, int]]:
    """Sorted ids as few (first, last) ranges: a batch just inserted is one range."""
    ranges = []
    for i in sorted(ids):
        if ranges and i - ranges[-1][1] <= gap:
            ranges[-1][1] = i
        else:
            ranges.append([i, i])
    return [(first, last) for first, last in ranges]


@dataclass(frozen=True)
class ViolationFacts:
    """What rules filter violations on, for one alert's violations: read by id ranges, not id lists."""

    by_id: dict[int, tuple[str, int, int, int | None]]  # id: confidence, clause, agreement, perpetrator
    clause_areas: dict[int, frozenset[int]]  # the areas where each clause applies

    @classmethod
    def load(cls, ids: Sequence[int]) -> "ViolationFacts":
        wanted, by_id = set(ids), {}
        for first, last in _id_ranges(ids):
            rows = Violation.objects.filter(id__range=(first, last)).values_list(
                "id", "confidence", "clause_id", "clause__agreement_id", "incident__perpetrator_id"
            )
            by_id.update((row[0], row[1:]) for row in rows if row[0] in wanted)
        clause_ids = {facts[1] for facts in by_id.values()}
        clause_areas = {}
        for clause in Clause.objects.filter(id__in=clause_ids).prefetch_related("areas", "agreement__areas"):
            areas = clause.areas.all() or clause.agreement.areas.all()
            clause_areas[clause.id] = frozenset(area.id for area in areas)
        return cls(by_id, clause_areas)


def _violation_matches(rule: AlertRule, event: str, ids: list[int], facts: ViolationFacts) -> list[int]:
    confidences = set(
        CONFIDENCE_AT_LEAST[rule.min_confidence if event == AlertEvent.VIOLATION_FLAGGED else "low"]
    )
    agreements = {a.id for a in rule.agreements.all()}
    clauses = {c.id for c in rule.clauses.all()}
    parties = {p.id for p in rule.parties.all()}
    areas = {a.id for a in rule.areas.all()}
    matched = []
    for violation_id in ids:
        if violation_id not in facts.by_id:
            continue
        confidence, clause_id, agreement_id, perpetrator_id = facts.by_id[violation_id]
        if (
            confidence in confidences
            and (not agreements or agreement_id in agreements)
            and (not clauses or clause_id in clauses)
            and (not parties or perpetrator_id in parties)
            and (not areas or areas & facts.clause_areas.get(clause_id, frozenset()))
        ):
            matched.append(violation_id)
    return matched


def _deadline_filter(rule: AlertRule, event: str, now: dt.datetime) -> Q | None:
    condition = Q()
    if event == AlertEvent.DEADLINE_DUE_SOON:
        condition &= Q(due_at__lte=now + dt.timedelta(days=rule.due_within_days))
    if agreements := [a.id for a in rule.agreements.all()]:
        condition &= Q(agreement_id__in=agreements)
    if clauses := [c.id for c in rule.clauses.all()]:
        condition &= Q(clause_id__in=clauses)
    if parties := [p.id for p in rule.parties.all()]:
        condition &= Q(agreement__parties__in=parties)
    return condition or None


def matching_ids(
    rule: AlertRule, event: str, ids: list[int], now: dt.datetime, facts: ViolationFacts | None = None
) -> list[int]:
    """Which of `ids` (violations, deadlines or import jobs, as `event` says) the rule wants."""
    if event not in rule.events or not owner_may_read(rule, event):
        return []
    if event in VIOLATION_EVENTS:
        return _violation_matches(rule, event, ids, facts or ViolationFacts.load(ids))
    if event in (AlertEvent.DEADLINE_MISSED, AlertEvent.DEADLINE_DUE_SOON):
        condition = _deadline_filter(rule, event, now)
        if condition is None:
            return ids
        found = set(Deadline.objects.filter(condition, id__in=ids).values_list("id", flat=True))
        return [i for i in ids if i in found]
    return ids  # imports concern no agreement: every rule asking for them gets them


def owner_may_read(rule: AlertRule, event: str) -> bool:
    return rule.owner.is_active and rule.owner.has_perm(EVENT_PERMISSION[event])


def active_rules() -> QuerySet[AlertRule]:
    return (
        AlertRule.objects.filter(active=True)
        .select_related("owner")
        .prefetch_related("agreements", "clauses", "parties", "areas", "recipients")
    )


def recipients(rule: AlertRule) -> list[tuple[str, int | None]]:
    """(address or URL, user id) of each recipient of the rule."""
    if rule.channel == Channel.WEBHOOK:
        return [(rule.webhook_url, None)] if rule.webhook_url else []
    found = {user.email.lower(): user.id for user in rule.recipients.all() if user.email}
    for address in rule.email_list:
        found.setdefault(address.lower(), None)
    return sorted(found.items())


def _alert(event: str, key: str, ids: list[int], now: dt.datetime) -> tuple[Alert, bool]:
    """The alert for `key`, created once (a savepoint: a concurrent one may have made it)."""
    try:
        with transaction.atomic():
            return Alert.objects.create(event=event, key=key, object_ids=ids, created_at=now), True
    except IntegrityError:
        return Alert.objects.get(key=key), False


def create_deliveries(alert: Alert, wanted: dict[AlertRule, list[int]], now: dt.datetime) -> int:
    """One delivery per (rule, recipient); existing ones are left alone. Sent after commit."""
    give_up_at = now + dt.timedelta(hours=settings.ALERTS_RETRY_FOR_HOURS)
    rows = [
        AlertDelivery(
            alert=alert,
            rule=rule,
            channel=rule.channel,
            recipient=address,
            user_id=user_id,
            object_ids=ids,
            next_attempt_at=now,
            give_up_at=give_up_at,
            created_at=now,
        )
        for rule, ids in wanted.items()
        for address, user_id in recipients(rule)
    ]
    AlertDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def decide(
    event: str, ids: Sequence[int], key: str | None = None, now: dt.datetime | None = None
) -> Alert | None:
    """Record the alert for `ids` and its deliveries to every rule that wants some of them.

    Called inside the transaction that caused the event. `key` names the cause when it can
    recur (a deadline, an import); by default each call is an alert of its own.
    """
    now = now or timezone.now()
    ids = list(ids)
    rules = [rule for rule in active_rules() if event in rule.events]
    if not rules:
        return None
    facts = ViolationFacts.load(ids) if event in VIOLATION_EVENTS else None
    wanted = {}
    for rule in rules:
        matched = matching_ids(rule, event, ids, now, facts)
        if matched:
            wanted[rule] = matched
    if not wanted:
        return None
    alert, _ = _alert(event, key or f"{event}:{uuid.uuid4()}", ids, now)
    create_deliveries(alert, wanted, now)
    return alert


def decide_deadlines_due(now: dt.datetime | None = None, ids: Sequence[int] | None = None) -> list[int]:
    """Alert once per deadline (and due date) that falls due within a rule's `due_within_days`.

    The engine flags deadlines due soon once, some days ahead; a rule asking for "due within 1
    day" is served by this periodic check as well as by the engine's signal. Returns the ids of
    the alerts that have deliveries.
    """
    now = now or timezone.now()
    rules = [rule for rule in active_rules() if AlertEvent.DEADLINE_DUE_SOON in rule.events]
    if not rules:
        return []
    longest = max(rule.due_within_days for rule in rules)
    deadlines = Deadline.objects.filter(
        status__in=[DeadlineStatus.PENDING, DeadlineStatus.EXTENDED],
        due_at__gt=now,
        due_at__lte=now + dt.timedelta(days=longest),
    )
    if ids is not None:
        deadlines = deadlines.filter(id__in=list(ids))
    alert_ids = []
    for deadline_id, due_at in deadlines.values_list("id", "due_at"):
        with transaction.atomic():
            wanted = {
                rule: matched
                for rule in rules
                if (matched := matching_ids(rule, AlertEvent.DEADLINE_DUE_SOON, [deadline_id], now))
            }
            if wanted:
                key = f"{AlertEvent.DEADLINE_DUE_SOON}:{deadline_id}:{due_at.isoformat()}"
                alert, _ = _alert(AlertEvent.DEADLINE_DUE_SOON, key, [deadline_id], now)
                create_deliveries(alert, wanted, now)
                alert_ids.append(alert.id)
    return alert_ids


def import_had_errors(job_id: int) -> bool:
    return ImportJob.objects.filter(
        Q(rejected__gt=0) | Q(status__in=[ImportJob.Status.ABORTED, ImportJob.Status.FAILED]), id=job_id
    ).exists()


# --- Delivering ------------------------------------------------------------------------------------


def retry_delay(attempts: int) -> dt.timedelta:
    """Backoff after the `attempts`-th failure: doubling from ALERTS_FIRST_RETRY_SECONDS, at most 4 h."""
    seconds = settings.ALERTS_FIRST_RETRY_SECONDS * 2 ** (attempts - 1)
    return dt.timedelta(seconds=min(seconds, 4 * 3600))


def _due(now: dt.datetime) -> Q:
    stale = now - dt.timedelta(seconds=settings.ALERTS_STALE_CLAIM_SECONDS)
    return Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=DeliveryStatus.SENDING, claimed_at__lt=stale
    )


def due_deliveries(now: dt.datetime, alert_id: int | None = None) -> list[int]:
    """Ids of deliveries to attempt now: new ones, retries whose backoff is over, stale claims."""
    queryset = AlertDelivery.objects.filter(_due(now))
    if alert_id is not None:
        queryset = queryset.filter(alert_id=alert_id)
    return list(queryset.order_by("id").values_list("id", flat=True))


def _send(delivery: AlertDelivery, now: dt.datetime) -> int | None:
    payload = payloads.build_payload(delivery)
    if delivery.channel == Channel.WEBHOOK:
        body = json.dumps(payload, separators=(",", ":")).encode()
        return webhooks.post(
            delivery.recipient, body, delivery.rule.secret, str(delivery.event_id), int(now.timestamp())
        )
    # A user reads it in their language; an address with no user in the rule owner's.
    with translation.override(language_for(delivery.user or delivery.rule.owner)):
        subject, text = payloads.email_text(payload)
    send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [delivery.recipient], fail_silently=False)
    return None


def _tell_owner(delivery: AlertDelivery) -> None:
    owner = delivery.rule.owner
    if not owner.email:
        return
    names = {
        "rule": delivery.rule.name,
        "recipient": delivery.recipient,
        "attempts": delivery.attempts,
        "error": delivery.last_error,
    }
    with translation.override(language_for(owner)):
        subject = _("[Alert] Delivery failed: %(rule)s") % names
        text = (
            _(
                "An alert of the rule “%(rule)s” could not be delivered to %(recipient)s after %(attempts)s "
                "attempts; we have stopped trying.\n\nLast error: %(error)s\n\nThe rule's delivery log in "
                "the admin can send it again.\n"
            )
            % names
        )
    try:
        send_mail(
            subject,
            text,
            settings.DEFAULT_FROM_EMAIL,
            [owner.email],
            fail_silently=False,
        )
    except Exception:  # the owner's mail failing must not undo the delivery's record
        log.exception("Could not tell the owner of rule %s that a delivery failed", delivery.rule_id)


def deliver(delivery_id: int, *, now: dt.datetime | None = None) -> str | None:
    """Attempt one delivery once. Returns its new status, or None if it was not ours to attempt."""
    now = now or timezone.now()
    claimed = AlertDelivery.objects.filter(_due(now), pk=delivery_id).update(
        status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    delivery = AlertDelivery.objects.select_related("alert", "rule__owner", "user").get(pk=delivery_id)
    mine = AlertDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.SENDING, claimed_at=now)
    try:
        status = _send(delivery, now)
    except Exception as exc:
        return _failed(delivery, mine, exc, now)
    mine.update(
        status=DeliveryStatus.SENT, sent_at=now, response_status=status, last_error="", next_attempt_at=None
    )
    return DeliveryStatus.SENT


def _failed(delivery: AlertDelivery, mine: QuerySet, exc: Exception, now: dt.datetime) -> str:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    retry_at = now + retry_delay(delivery.attempts)
    response_status = getattr(exc, "status", None)
    log.warning("Alert delivery %s failed (attempt %s): %s", delivery.pk, delivery.attempts, error)
    if retry_at <= delivery.give_up_at and not isinstance(exc, webhooks.UnsafeURL):
        mine.update(
            status=DeliveryStatus.PENDING,
            next_attempt_at=retry_at,
            last_error=error,
            response_status=response_status,
        )
        return DeliveryStatus.PENDING
    if mine.update(
        status=DeliveryStatus.FAILED, next_attempt_at=None, last_error=error, response_status=response_status
    ):
        delivery.last_error = error
        _tell_owner(delivery)
    return DeliveryStatus.FAILED


def send_again(delivery_id: int, now: dt.datetime | None = None) -> bool:
    """The "send again" action: a sent or failed delivery goes out once more (same event_id)."""
    now = now or timezone.now()
    return bool(
        AlertDelivery.objects.filter(
            pk=delivery_id, status__in=[DeliveryStatus.SENT, DeliveryStatus.FAILED]
        ).update(
            status=DeliveryStatus.PENDING,
            attempts=0,
            next_attempt_at=now,
            give_up_at=now + dt.timedelta(hours=settings.ALERTS_RETRY_FOR_HOURS),
            last_error="",
        )
    )


def send_test(rule: AlertRule, now: dt.datetime | None = None) -> Alert:
    """The "send a test" action: an alert with no items to every recipient of the rule."""
    now = now or timezone.now()
    with transaction.atomic():
        alert, _ = _alert(TEST_EVENT, f"{TEST_EVENT}:{uuid.uuid4()}", [], now)
        create_deliveries(alert, {rule: []}, now)
    return alert


def send_alert(alert_id: int, now: dt.datetime | None = None) -> dict[str, int]:
    """Attempt every due delivery of one alert, inline (the command and tests; tasks fan out)."""
    counts = {"sent": 0, "pending": 0, "failed": 0}
    for delivery_id in due_deliveries(now or timezone.now(), alert_id=alert_id):
        status = deliver(delivery_id, now=now)
        if status:
            counts[status] += 1
    return counts
