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

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Sum, Value
from django.db.models.functions import Round, TruncDate
from django.utils import timezone

from agreements.choices import DeadlineStatus
from agreements.models import Area, Deadline
from incidents.choices import IncidentCategory
from incidents.models import Incident, Source
from tracker.choices import Confidence, ViolationStatus
from tracker.models import Violation

from .periods import period_bounds, previous_period

SCHEMA_VERSION = 1
STANDING = [ViolationStatus.FLAGGED, ViolationStatus.CONFIRMED]
REPORTED = [ViolationStatus.FLAGGED, ViolationStatus.CONFIRMED, ViolationStatus.DISMISSED]
OPEN_DEADLINE = [DeadlineStatus.PENDING, DeadlineStatus.EXTENDED]
CASUALTY_FIELDS = [
    "killed_civilians",
    "killed_combatants",
    "killed_unknown",
    "injured_civilians",
    "injured_combatants",
    "injured_unknown",
]
MOST_SERIOUS_LIMIT = 10
DUE_NEXT_LIMIT = 10
UNKNOWN_PARTY = "Unknown perpetrator"
MAP_GRID_DEGREES = 0.01  # points on the static map are grouped on a ~1 km grid


def build_report_data(*, agreement, start, end, tz, include_confidential=False, now=None):
    """Everything a report shows, as JSON-ready data. `agreement` None means all agreements.

    `start` and `end` are dates (end inclusive) read in time zone `tz`.
    """
    now = now or timezone.now()
    lo, hi = period_bounds(start, end, tz)
    prev_start, prev_end = previous_period(start, end)
    prev_lo, _ = period_bounds(prev_start, prev_end, tz)

    violations = Violation.objects.all()
    if agreement is not None:
        violations = violations.filter(clause__agreement=agreement)
    current = Q(incident__occurred_at__gte=lo, incident__occurred_at__lt=hi)
    previous = Q(incident__occurred_at__gte=prev_lo, incident__occurred_at__lt=lo)
    standing = Q(status__in=STANDING)
    both_periods = violations.filter(
        incident__occurred_at__gte=prev_lo, incident__occurred_at__lt=hi, status__in=REPORTED
    )
    breakdown = _breakdown_annotations(current, previous, standing)

    totals = both_periods.aggregate(**breakdown)
    by_clause = (
        both_periods.values("clause_id", "clause__number", "clause__title", "clause__agreement__slug")
        .annotate(**breakdown)
        .order_by("clause__agreement__slug", "clause_id")
    )
    by_party = (
        both_periods.values("incident__perpetrator_id", "incident__perpetrator__name")
        .annotate(**breakdown)
        .order_by("-violations", "incident__perpetrator__name")
    )
    by_area = (
        both_periods.values("incident__admin1", "incident__admin2")
        .annotate(**breakdown)
        .order_by("-violations", "incident__admin1", "incident__admin2")
    )
    by_category = (
        both_periods.values("incident__category")
        .annotate(**breakdown)
        .order_by("-violations", "incident__category")
    )

    category_labels = dict(IncidentCategory.choices)
    data = {
        "schema_version": SCHEMA_VERSION,
        "title": _title(agreement, start, end),
        "agreement": (
            {"slug": agreement.slug, "title": agreement.title, "timezone": agreement.timezone}
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
        "totals": _row(totals),
        "by_clause": [
            _row(
                r,
                key=r["clause_id"],
                label=f"§{r['clause__number']} {r['clause__title']}",
                agreement=r["clause__agreement__slug"],
                number=r["clause__number"],
            )
            for r in by_clause
        ],
        "by_party": [
            _row(
                r, key=r["incident__perpetrator_id"], label=r["incident__perpetrator__name"] or UNKNOWN_PARTY
            )
            for r in by_party
        ],
        "by_area": [
            _row(
                r,
                key=f"{r['incident__admin1']}/{r['incident__admin2']}",
                label=" / ".join(x for x in (r["incident__admin1"], r["incident__admin2"]) if x)
                or "Not recorded",
            )
            for r in by_area
        ],
        "by_category": [
            _row(
                r,
                key=r["incident__category"],
                label=category_labels.get(r["incident__category"], r["incident__category"]),
            )
            for r in by_category
        ],
        "casualties": _casualties(violations, lo, hi, prev_lo),
        "deadlines": _deadlines(agreement, lo, hi, now, tz),
        "most_serious": _most_serious(violations, lo, hi, tz, include_confidential),
        "timeline": _timeline(violations.filter(current, standing), start, end, tz),
        "map_points": _map_points(violations.filter(current, standing)),
        "areas": _areas(agreement),
    }
    data["trend"] = _trend(data)
    return data


def _title(agreement, start, end):
    subject = agreement.title if agreement is not None else "All agreements"
    return f"{subject}: violations {start:%d %b %Y} to {end:%d %b %Y}"


def _breakdown_annotations(current, previous, standing):
    cur = current & standing
    return {
        "violations": Count("id", filter=cur),
        "incidents": Count("incident", filter=cur, distinct=True),
        "previous_violations": Count("id", filter=previous & standing),
        "previous_incidents": Count("incident", filter=previous & standing, distinct=True),
        "high": Count("id", filter=cur & Q(confidence=Confidence.HIGH)),
        "medium": Count("id", filter=cur & Q(confidence=Confidence.MEDIUM)),
        "low": Count("id", filter=cur & Q(confidence=Confidence.LOW)),
        "flagged": Count("id", filter=current & Q(status=ViolationStatus.FLAGGED)),
        "confirmed": Count("id", filter=current & Q(status=ViolationStatus.CONFIRMED)),
        "dismissed": Count("id", filter=current & Q(status=ViolationStatus.DISMISSED)),
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


def _row(aggregate, **extra):
    row = dict(extra)
    row.update({metric: aggregate[metric] or 0 for metric in METRICS})
    row["change"] = row["violations"] - row["previous_violations"]
    return row


def _incidents_with_violations(violations):
    return Incident.objects.filter(Exists(violations.filter(incident=OuterRef("pk"), status__in=STANDING)))


def _casualties(violations, lo, hi, prev_lo):
    current = Q(occurred_at__gte=lo, occurred_at__lt=hi)
    previous = Q(occurred_at__gte=prev_lo, occurred_at__lt=lo)
    sums = {}
    for field in CASUALTY_FIELDS:
        # Aliases must differ from the field names they sum.
        sums[f"current_{field}"] = Sum(field, filter=current)
        sums[f"previous_{field}"] = Sum(field, filter=previous)
    aggregated = (
        _incidents_with_violations(violations)
        .filter(occurred_at__gte=prev_lo, occurred_at__lt=hi)
        .aggregate(**sums)
    )
    totals = {key.removeprefix("current_"): value or 0 for key, value in aggregated.items()}
    for prefix in ("", "previous_"):
        for kind in ("killed", "injured"):
            totals[f"{prefix}{kind}"] = sum(
                totals[f"{prefix}{kind}_{who}"] for who in ("civilians", "combatants", "unknown")
            )
    return totals


def _deadline_row(deadline, tz):
    def local(moment):
        return moment.astimezone(tz).isoformat() if moment else None

    return {
        "id": deadline.id,
        "agreement": deadline.agreement.slug,
        "clause": deadline.clause.number if deadline.clause_id else None,
        "description": deadline.description,
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
                "place": incident.place_name or incident.admin2 or incident.admin1,
                "category": incident.category,
                "category_label": incident.get_category_display(),
                "perpetrator": incident.perpetrator.name if incident.perpetrator_id else UNKNOWN_PARTY,
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


def _timeline(violations, start, end, tz):
    """Violations per day per party, zero-filled: {"days": [...], "series": {party: [counts]}}."""
    rows = (
        violations.annotate(day=TruncDate("incident__occurred_at", tzinfo=tz))
        .values("day", "incident__perpetrator__name")
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
        party = row["incident__perpetrator__name"] or UNKNOWN_PARTY
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
        {"slug": a.slug, "name": a.name, "geometry": a.geometry, "buffer_km": float(a.buffer_km)}
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
        "killed": change(casualties["killed"], casualties["previous_killed"]),
        "injured": change(casualties["injured"], casualties["previous_injured"]),
    }
