"""What an alert says: the JSON payload (schema v1, docs/alerts.md) and the email's text.

Built when it is sent, from the ids the alert recorded, for the readers of that delivery: the
rule's owner, and for an email the recipient too. Confidential sources are included only if
every one of them may see them; an external address (no user) never gets them.
"""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _

from agreements.models import Deadline
from core.choices import IncidentCategory
from core.i18n import localized
from imports.models import ImportJob
from incidents import gazetteer
from incidents.models import Source, may_see_confidential
from tracker.choices import Confidence
from tracker.models import Violation

from .choices import TEST_EVENT, AlertEvent
from .models import AlertDelivery

SCHEMA = "tracker.alert.v1"


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value else None


def confidential_allowed(readers: Iterable) -> bool:
    """True only if there are readers and every one may see confidential sources (None: an address)."""
    readers = list(readers)
    return bool(readers) and all(may_see_confidential(reader) for reader in readers)


def _sources(incident_ids: list[int], confidential: bool) -> dict[int, list[dict]]:
    sources = Source.objects.filter(incident_id__in=incident_ids)
    if not confidential:
        sources = sources.filter(confidential=False)
    by_incident = {}
    for source in sources.order_by("published_on", "id"):
        item = {
            "name": source.name,
            "url": source.url,
            "published_on": _iso(source.published_on),
            "reliability": source.reliability,
        }
        if confidential:
            item["confidential"] = source.confidential
        by_incident.setdefault(source.incident_id, []).append(item)
    return by_incident


def violation_items(ids: list[int], confidential: bool) -> list[dict]:
    violations = list(
        Violation.objects.filter(id__in=ids)
        .select_related("incident__perpetrator", "clause__agreement")
        .order_by("id")
    )
    sources = _sources([v.incident_id for v in violations], confidential)
    return [
        {
            "id": v.id,
            "status": v.status,
            "confidence": v.confidence,
            "reasons": v.reasons,
            "flagged_at": _iso(v.flagged_at),
            "reviewed_at": _iso(v.reviewed_at),
            "agreement": v.clause.agreement.slug,
            "clause": {"id": v.clause_id, "number": v.clause.number, "title": v.clause.title},
            "incident": {
                "id": v.incident_id,
                "occurred_at": _iso(v.incident.occurred_at),
                "category": v.incident.category,
                "place": v.incident.place_name,
                "admin1": v.incident.admin1,
                "latitude": v.incident.latitude,
                "longitude": v.incident.longitude,
                "perpetrator": v.incident.perpetrator.name if v.incident.perpetrator else None,
                "sources": sources.get(v.incident_id, []),
            },
        }
        for v in violations
    ]


def deadline_items(ids: list[int]) -> list[dict]:
    deadlines = Deadline.objects.filter(id__in=ids).select_related("agreement").order_by("due_at", "id")
    return [
        {
            "id": d.id,
            "agreement": d.agreement.slug,
            "clause": d.clause_id,
            "description": d.description,
            "due_at": _iso(d.due_at),
            "status": d.status,
            "missed_at": _iso(d.missed_at),
        }
        for d in deadlines
    ]


def import_items(ids: list[int]) -> list[dict]:
    return [
        {
            "id": job.id,
            "format": job.format,
            "file": job.file_name,
            "status": job.status,
            "rows_read": job.rows_read,
            "created": job.created,
            "updated": job.updated,
            "rejected": job.rejected,
            "message": job.message,
            "finished_at": _iso(job.finished_at),
        }
        for job in ImportJob.objects.filter(id__in=ids).order_by("id")
    ]


def items(event: str, ids: list[int], confidential: bool) -> list[dict]:
    if event in (AlertEvent.VIOLATION_FLAGGED, AlertEvent.VIOLATION_CONFIRMED):
        return violation_items(ids, confidential)
    if event in (AlertEvent.DEADLINE_MISSED, AlertEvent.DEADLINE_DUE_SOON):
        return deadline_items(ids)
    if event == AlertEvent.IMPORT_ERRORS:
        return import_items(ids)
    return []


def readers(delivery: AlertDelivery) -> list:
    """Whose visibility the delivery's content must respect."""
    if delivery.channel == "webhook":
        return [delivery.rule.owner]
    return [delivery.rule.owner, delivery.user]


def build_payload(delivery: AlertDelivery, also_for=None) -> dict:
    """The payload of one delivery (schema v1): at most ALERTS_MAX_ITEMS items, `count` is all.

    `also_for`: another reader (the API caller viewing a delivery's payload) whose visibility
    the content must respect too."""
    alert, rule = delivery.alert, delivery.rule
    ids = list(delivery.object_ids)
    shown = ids[: settings.ALERTS_MAX_ITEMS]
    return {
        "schema": SCHEMA,
        "event_id": str(delivery.event_id),
        "event": alert.event,
        "alert_id": str(alert.event_id),
        "occurred_at": _iso(alert.created_at),
        "test": alert.event == TEST_EVENT,
        "rule": {"id": rule.id, "name": rule.name},
        "count": len(ids),
        "truncated": len(shown) < len(ids),
        "items": items(
            alert.event, shown, confidential_allowed(readers(delivery) + ([also_for] if also_for else []))
        ),
    }


def _day(iso: str | None) -> str:
    return formats.date_format(dt.date.fromisoformat(iso[:10]), "j M Y") if iso else "?"


def _line(event: str, item: dict, descriptions: dict[int, str]) -> str:
    if "incident" in item:
        incident = item["incident"]
        return "- " + _(
            "%(agreement)s §%(clause)s: %(category)s at %(place)s on %(day)s (%(confidence)s confidence)"
        ) % {
            "agreement": item["agreement"],
            "clause": item["clause"]["number"],
            "category": _label(IncidentCategory, incident["category"]),
            "place": gazetteer.display_name(incident["place"]) if incident["place"] else "?",
            "day": _day(incident["occurred_at"]),
            "confidence": _label(Confidence, item["confidence"]),
        }
    if "due_at" in item:
        return "- " + _("%(agreement)s: %(description)s (due %(day)s)") % {
            "agreement": item["agreement"],
            "description": descriptions.get(item["id"], item["description"]),
            "day": _day(item["due_at"]),
        }
    return "- " + _("import %(id)s of %(file)s: %(status)s, %(rejected)s rows rejected") % item


def _label(choices, value: str) -> str:
    return str(dict(choices.choices).get(value, value))


def email_text(payload: dict) -> tuple[str, str]:
    """Subject and plain-text body of an alert email, in the active language (the reader's)."""
    label = _label(AlertEvent, payload["event"]) if payload["event"] in AlertEvent.values else _("Test alert")
    names = {"label": label, "count": payload["count"], "rule": payload["rule"]["name"]}
    subject = _("[Alert] %(label)s: %(count)s (%(rule)s)") % names
    lines = [_("%(label)s: %(count)s (rule “%(rule)s”).") % names, ""]
    # The payload (schema v1) names deadlines in English; the email in the reader's language.
    deadlines = Deadline.objects.filter(id__in=[item["id"] for item in payload["items"] if "due_at" in item])
    descriptions = {d.id: localized(d, "description") for d in deadlines}
    lines += [_line(payload["event"], item, descriptions) for item in payload["items"]]
    if payload["truncated"]:
        lines.append(
            _("... and %(more)s more: see the violations list.")
            % {"more": payload["count"] - len(payload["items"])}
        )
    if payload["test"]:
        lines.append(_("This is a test sent from the alert rule's page."))
    return subject, "\n".join(lines) + "\n"
