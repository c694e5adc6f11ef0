"""Build a report's data for an agreement (or all agreements) and a period, from SQL aggregates.

Which violations count: a violation belongs to the period in which its *incident occurred*
(`Incident.occurred_at`), not when the engine flagged it, so a rescan or a late import never
moves an incident into another week. Flagged and confirmed violations are the "standing" ones
that the headline counts use; dismissed ones appear only in the review breakdown; withdrawn ones
(no longer matching) are left out. Casualties are summed over incidents, not violations, so an
incident breaching two clauses counts once.

Every number is a COUNT/SUM computed by the database; Python only reshapes the few aggregated
rows. The "most serious incidents" list is a LIMITed query.
"""

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Round, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agreements.choices import DeadlineStatus
from agreements.models import Agreement, Area, Deadline
from core.choices import IncidentCategory
from core.i18n import is_arabic, localized
from events.rules import lower_middle
from events.services import count_events
from incidents import gazetteer
from incidents.models import CASUALTY_FIELDS, INJURED_FIELDS, KILLED_FIELDS, Incident, Source
from tracker.choices import Confidence, ViolationStatus
from tracker.models import Violation

from .formatting import day
from .periods import period_bounds, previous_period

SCHEMA_VERSION = 1
STANDING = [ViolationStatus.FLAGGED, ViolationStatus.CONFIRMED]
REPORTED = [ViolationStatus.FLAGGED, ViolationStatus.CONFIRMED, ViolationStatus.DISMISSED]
OPEN_DEADLINE = [DeadlineStatus.PENDING, DeadlineStatus.EXTENDED]
MOST_SERIOUS_LIMIT = 10
DUE_NEXT_LIMIT = 10
MAP_GRID_DEGREES = 0.01  # points on the static map are grouped on a ~1 km grid


def build_report_data(
    *,
    agreement: Agreement | None,
    start: dt.date,
    end: dt.date,
    tz: dt.tzinfo,
    include_confidential: bool = False,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Everything a report shows, as JSON-ready data. `agreement` None means all agreements.

    `start` and `end` are dates (end inclusive) read in time zone `tz`. Written in the active
    language: labels, and names of parties, agreements, clauses, areas and deadlines (the Arabic
    one when there is one, else the English one); keys, slugs and codes stay as they are.
    """
    now = now or timezone.now()
    lo, hi = period_bounds(start, end, tz)
    prev_start, prev_end = previous_period(start, end)
    prev_lo, _ = period_bounds(prev_start, prev_end, tz)

    violations = Violation.objects.all()
    if agreement is not None:
        violations = violations.filter(clause__agreement=agreement)
    current = Q(incident__occurred_at__gte=lo, incident__occurred_at__lt=hi)
    standing = Q(status__in=STANDING)
    breakdowns, casualties = _breakdowns(violations, lo, hi, prev_lo)

    data = {
        "schema_version": SCHEMA_VERSION,
        "title": _title(agreement, start, end),
        "agreement": (
            {"slug": agreement.slug, "title": agreement.display_name, "timezone": agreement.timezone}
            if agreement is not None
            else None
        ),
        "period": {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "days": (end - start).days + 1,
            "timezone": str(tz),
            "previous_start": prev_start.isoformat(),
            "previous_end": prev_end.isoformat(),
        },
        "generated_at": now.isoformat(),
        "include_confidential": include_confidential,
        **breakdowns,
        "casualties": casualties,
        "deadlines": _deadlines(agreement, lo, hi, now, tz),
        "most_serious": _most_serious(violations, lo, hi, tz, include_confidential),
        "timeline": daily_timeline(violations.filter(current, standing), start, end, tz),
        "map_points": _map_points(violations.filter(current, standing)),
        "areas": _areas(agreement),
    }
    data["events"] = {
        "current": count_events(
            _incidents_with_violations(violations).filter(occurred_at__gte=lo, occurred_at__lt=hi)
        ),
        "previous": count_events(
            _incidents_with_violations(violations).filter(occurred_at__gte=prev_lo, occurred_at__lt=lo)
        ),
    }
    data["trend"] = _trend(data)
    data["summary"] = violations_in_events(data["totals"]["violations"], data["events"]["current"])
    return data


def unknown_party() -> str:
    return _("Unknown perpetrator")


def _name(row, field):
    """A name from a values() row in the active language: `<field>_ar` when reading Arabic and set."""
    return (is_arabic() and row.get(f"{field}_ar")) or row[field]


def violations_in_events(violations: int, events: int) -> str:
    """ "14 violations in 9 events": reports of one happening (events app) count once."""
    return ngettext("%(violations)s violation", "%(violations)s violations", violations) % {
        "violations": violations
    } + ngettext(" in %(events)s event", " in %(events)s events", events) % {"events": events}


def _title(agreement, start, end):
    subject = agreement.display_name if agreement is not None else _("All agreements")
    return _("%(subject)s: violations %(start)s to %(end)s") % {
        "subject": subject,
        "start": day(start, "d M Y"),
        "end": day(end, "d M Y"),
    }


METRICS = [
    "violations",
    "incidents",
    "previous_violations",
    "previous_incidents",
    "high",
    "medium",
    "low",
    "flagged",
    "confirmed",
    "dismissed",
]
CONFIDENCE_METRIC = {Confidence.HIGH: "high", Confidence.MEDIUM: "medium", Confidence.LOW: "low"}
STATUS_METRIC = {
    ViolationStatus.FLAGGED: "flagged",
    ViolationStatus.CONFIRMED: "confirmed",
    ViolationStatus.DISMISSED: "dismissed",
}


def _in_period(field, lo):
    return Case(
        When(**{f"{field}__gte": lo}, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


def _incidents_with_violations(violations):
    return Incident.objects.filter(Exists(violations.filter(incident=OuterRef("pk"), status__in=STANDING)))


def _breakdowns(violations, lo, hi, prev_lo):
    """Totals, the four breakdowns and the casualties of both periods, from two grouped queries.

    Scanning the two periods' violations once, grouped by every dimension at once, is several
    times cheaper than one query per breakdown; Python then only adds up the grouped counts.
    The first query counts violations (one per incident and clause, so per clause they are also
    incidents); the second counts incidents and sums casualties, one row per incident group, so
    an incident breaching several clauses counts once.
    """
    violation_groups = (
        violations.filter(
            incident__occurred_at__gte=prev_lo, incident__occurred_at__lt=hi, status__in=REPORTED
        )
        .annotate(current=_in_period("incident__occurred_at", lo))
        .values(
            "current",
            "confidence",
            "status",
            "clause_id",
            "clause__number",
            "clause__title",
            "clause__title_ar",
            "clause__agreement__slug",
            "incident__perpetrator_id",
            "incident__perpetrator__name",
            "incident__perpetrator__name_ar",
            "incident__admin1",
            "incident__admin2",
            "incident__category",
        )
        .annotate(n=Count("id"))
        .order_by()
    )
    incident_groups = (
        _incidents_with_violations(violations)
        .filter(occurred_at__gte=prev_lo, occurred_at__lt=hi)
        .annotate(current=_in_period("occurred_at", lo))
        .values(
            "current",
            "perpetrator_id",
            "perpetrator__name",
            "perpetrator__name_ar",
            "admin1",
            "admin2",
            "category",
        )
        # Aliases must differ from the fields they sum.
        # Casualties of reports in no event only: an event's are added once, below.
        .annotate(
            n=Count("id"),
            **{f"sum_{field}": Sum(field, filter=Q(event__isnull=True)) for field in CASUALTY_FIELDS},
        )
        .order_by()
    )
    grouped_reports = (
        _incidents_with_violations(violations)
        .filter(occurred_at__gte=prev_lo, occurred_at__lt=hi, event__isnull=False)
        .annotate(current=_in_period("occurred_at", lo))
        .values("id", "event", "current", *CASUALTY_FIELDS)
        .order_by()
    )
    category_labels = {value: str(label) for value, label in IncidentCategory.choices}
    sections = {name: {} for name in ("by_clause", "by_party", "by_area", "by_category")}
    totals = _empty_row()

    def targets(party_id, party_name, admin1, admin2, category):
        area_label = " / ".join(gazetteer.display_name(x) for x in (admin1, admin2) if x) or _("Not recorded")
        return [
            totals,
            _group(sections["by_party"], party_id, label=party_name or unknown_party()),
            _group(sections["by_area"], f"{admin1}/{admin2}", label=area_label),
            _group(sections["by_category"], category, label=category_labels.get(category, category)),
        ]

    for r in violation_groups:
        clause = _group(
            sections["by_clause"],
            r["clause_id"],
            label=f"§{r['clause__number']} {_name(r, 'clause__title')}",
            agreement=r["clause__agreement__slug"],
            number=r["clause__number"],
        )
        dims = (
            r["incident__perpetrator_id"],
            _name(r, "incident__perpetrator__name") if r["incident__perpetrator_id"] else None,
            r["incident__admin1"],
            r["incident__admin2"],
            r["incident__category"],
        )
        for row in [clause, *targets(*dims)]:
            _add_violations(row, r)
        if r["status"] in STANDING:  # a clause's incidents are its violations (unique incident x clause)
            clause["incidents" if r["current"] else "previous_incidents"] += r["n"]

    casualties = {f"{prefix}{field}": 0 for prefix in ("", "previous_") for field in CASUALTY_FIELDS}
    for r in incident_groups:
        dims = (
            r["perpetrator_id"],
            _name(r, "perpetrator__name") if r["perpetrator_id"] else None,
            r["admin1"],
            r["admin2"],
            r["category"],
        )
        for row in targets(*dims):
            row["incidents" if r["current"] else "previous_incidents"] += r["n"]
        prefix = "" if r["current"] else "previous_"
        for field in CASUALTY_FIELDS:
            casualties[f"{prefix}{field}"] += r[f"sum_{field}"] or 0
    _add_event_casualties(casualties, grouped_reports)
    _add_casualty_totals(casualties)

    def ordered(section, key):
        return [_finish(row) for row in sorted(sections[section].values(), key=key)]

    by_size = lambda row: (-row["violations"], row["label"])  # noqa: E731
    return {
        "totals": _finish(totals),
        "by_clause": ordered("by_clause", lambda row: (row["agreement"], row["key"])),
        "by_party": ordered("by_party", by_size),
        "by_area": ordered("by_area", by_size),
        "by_category": ordered("by_category", by_size),
    }, casualties


def _add_event_casualties(casualties, reports):
    """Each event's casualties once, not the sum of its reports: for the killed, the figures of
    the report whose number of killed is the lower middle of its reports' (the event's best
    estimate, see docs/events.md), and likewise for the injured; among its reports in the period."""
    by_event = defaultdict(list)
    for report in reports:
        by_event[(report["event"], report["current"])].append(report)
    for (_event, current), members in by_event.items():
        prefix = "" if current else "previous_"
        for fields in (KILLED_FIELDS, INJURED_FIELDS):
            middle = lower_middle(members, key=lambda m: (sum(m[f] for f in fields), m["id"]))
            for field in fields:
                casualties[f"{prefix}{field}"] += middle[field]


def _add_casualty_totals(casualties):
    """Killed and injured, whoever they were, in both periods."""
    for prefix in ("", "previous_"):
        for kind in ("killed", "injured"):
            casualties[f"{prefix}{kind}"] = sum(
                casualties[f"{prefix}{kind}_{who}"] for who in ("civilians", "combatants", "unknown")
            )


def _empty_row(**extra):
    return {**extra, **dict.fromkeys(METRICS, 0)}


def _group(section, key, **extra):
    if key not in section:
        section[key] = _empty_row(key=key, **extra)
    return section[key]


def _add_violations(row, r):
    if r["status"] not in STANDING:
        if r["current"]:
            row[STATUS_METRIC[r["status"]]] += r["n"]
        return
    if r["current"]:
        row["violations"] += r["n"]
        row[CONFIDENCE_METRIC[r["confidence"]]] += r["n"]
        row[STATUS_METRIC[r["status"]]] += r["n"]
    else:
        row["previous_violations"] += r["n"]


def _finish(row):
    row["change"] = row["violations"] - row["previous_violations"]
    return row


def _deadline_row(deadline, tz):
    def local(moment):
        return moment.astimezone(tz).isoformat() if moment else None

    return {
        "id": deadline.id,
        "agreement": deadline.agreement.slug,
        "clause": deadline.clause.number if deadline.clause_id else None,
        "description": localized(deadline, "description"),
        "due_at": local(deadline.due_at),
        "due_date": (deadline.extended_to or deadline.due_date).isoformat(),
        "status": deadline.status,
        "status_label": deadline.get_status_display(),
        "missed_at": local(deadline.missed_at),
        "met_at": local(deadline.met_at),
    }


def _deadlines(agreement, lo, hi, now, tz):
    deadlines = Deadline.objects.select_related("agreement", "clause")
    if agreement is not None:
        deadlines = deadlines.filter(agreement=agreement)
    missed = (
        deadlines.filter(due_at__gte=lo, due_at__lt=hi)
        .exclude(status=DeadlineStatus.WAIVED)
        .exclude(status=DeadlineStatus.MET, met_at__lte=F("due_at"))
        .exclude(status__in=OPEN_DEADLINE, due_at__gt=now)
    )
    overdue = deadlines.filter(due_at__lt=hi).filter(
        Q(status=DeadlineStatus.MISSED) | Q(status__in=OPEN_DEADLINE, due_at__lte=now)
    )
    due_next = deadlines.filter(status__in=OPEN_DEADLINE, due_at__gte=hi).order_by("due_at")[:DUE_NEXT_LIMIT]
    return {
        "missed_in_period": [_deadline_row(d, tz) for d in missed.order_by("due_at")],
        "overdue": [_deadline_row(d, tz) for d in overdue.order_by("due_at")],
        "due_next": [_deadline_row(d, tz) for d in due_next],
    }


def _most_serious(violations, lo, hi, tz, include_confidential):
    sources = Source.objects.all() if include_confidential else Source.objects.filter(confidential=False)
    casualties = sum((F(field) for field in CASUALTY_FIELDS[1:]), F(CASUALTY_FIELDS[0]))
    incidents = (
        _incidents_with_violations(violations)
        .filter(occurred_at__gte=lo, occurred_at__lt=hi)
        .annotate(casualties=casualties)
        .select_related("perpetrator")
        .prefetch_related(
            Prefetch("sources", queryset=sources.order_by("published_on", "id")),
            Prefetch(
                "violations",
                queryset=violations.filter(status__in=STANDING).select_related("clause", "clause__agreement"),
                to_attr="standing_violations",
            ),
        )
        .order_by("-casualties", "-occurred_at", "-id")[:MOST_SERIOUS_LIMIT]
    )
    rows = []
    for incident in incidents:
        rows.append(
            {
                "id": incident.id,
                "occurred_at": incident.occurred_at.astimezone(tz).isoformat(),
                "place": incident.display_place,
                "category": incident.category,
                "category_label": incident.get_category_display(),
                "perpetrator": incident.perpetrator.display_name
                if incident.perpetrator_id
                else unknown_party(),
                "killed": incident.killed,
                "injured": incident.injured,
                "status": incident.status,
                "description": incident.description,
                "clauses": sorted(
                    {f"{v.clause.agreement.slug} §{v.clause.number}" for v in incident.standing_violations}
                ),
                "sources": [
                    {
                        "name": s.name,
                        "url": s.url,
                        "confidential": s.confidential,
                        "published_on": s.published_on.isoformat() if s.published_on else None,
                        "reliability": s.reliability,
                    }
                    for s in incident.sources.all()
                ],
            }
        )
    return rows


def daily_timeline(violations: QuerySet, start: dt.date, end: dt.date, tz: dt.tzinfo) -> dict[str, Any]:
    """Violations per day per party, zero-filled: {"days": [...], "series": {party: [counts]}}.

    Parties are named in the active language."""
    rows = (
        violations.annotate(day=TruncDate("incident__occurred_at", tzinfo=tz))
        .values("day", "incident__perpetrator__name", "incident__perpetrator__name_ar")
        .annotate(count=Count("id"))
        .order_by("day")
    )
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    index = {day: i for i, day in enumerate(days)}
    series = {}
    for row in rows:
        day = row["day"]
        if isinstance(day, dt.datetime):
            day = day.date()
        party = _name(row, "incident__perpetrator__name") or unknown_party()
        series.setdefault(party, [0] * len(days))
        if day in index:
            series[party][index[day]] += row["count"]
    ordered = dict(sorted(series.items(), key=lambda item: (-sum(item[1]), item[0])))
    return {"days": [d.isoformat() for d in days], "series": ordered}


def _map_points(violations):
    step = Value(1 / MAP_GRID_DEGREES)
    rows = (
        violations.filter(incident__latitude__isnull=False)
        .annotate(
            lat=Round(F("incident__latitude") * step) / step,
            lon=Round(F("incident__longitude") * step) / step,
        )
        .values("lat", "lon")
        .annotate(incidents=Count("incident", distinct=True), violations=Count("id"))
        .order_by("-incidents", "lat", "lon")
    )
    return [
        {
            "lat": round(r["lat"], 4),
            "lon": round(r["lon"], 4),
            "incidents": r["incidents"],
            "violations": r["violations"],
        }
        for r in rows
    ]


def _areas(agreement):
    areas = Area.objects.all()
    if agreement is not None:
        areas = areas.filter(Q(agreements=agreement) | Q(clauses__agreement=agreement))
    return [
        {"slug": a.slug, "name": a.display_name, "geometry": a.geometry, "buffer_km": float(a.buffer_km)}
        for a in areas.distinct().order_by("name")
    ]


def _trend(data):
    totals, casualties = data["totals"], data["casualties"]

    def change(now_value, before):
        return {
            "current": now_value,
            "previous": before,
            "change": now_value - before,
            "change_percent": round(100.0 * (now_value - before) / before, 1) if before else None,
        }

    return {
        "violations": change(totals["violations"], totals["previous_violations"]),
        "incidents": change(totals["incidents"], totals["previous_incidents"]),
        "events": change(data["events"]["current"], data["events"]["previous"]),
        "killed": change(casualties["killed"], casualties["previous_killed"]),
        "injured": change(casualties["injured"], casualties["previous_injured"]),
    }
