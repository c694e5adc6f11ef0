"""Staff dashboards: every agreement at a glance, and one page per agreement.

All figures are SQL aggregates; the page gets them as JSON (json_script) and draws them with the
vendored Chart.js and Leaflet (no CDN, no map tiles: areas are GeoJSON outlines).
"""

import datetime as dt

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry import mapping, shape

from agreements.choices import DeadlineStatus
from agreements.geometry import buffered_km
from agreements.models import Agreement, Area, Deadline
from core.i18n import localized
from incidents.models import Incident
from tracker.choices import ViolationStatus
from tracker.models import Violation

from .build import daily_timeline, unknown_party
from .charts import top_series
from .choices import ReportFormat
from .formatting import day
from .models import CONFIDENTIAL_PERMISSION, Report

STANDING = [ViolationStatus.FLAGGED, ViolationStatus.CONFIRMED]
OPEN_DEADLINE = [DeadlineStatus.PENDING, DeadlineStatus.EXTENDED]
RECENT_DAYS = 30
DEFAULT_WINDOW_DAYS = 90
MAX_WINDOW_DAYS = 3660
MAP_LIMIT = 1000
LATEST_REPORTS = 10


def _by_key(rows, key):
    return {row[key]: row for row in rows}


@staff_member_required
def index(request):
    now = timezone.now()
    recent = Q(incident__occurred_at__gte=now - dt.timedelta(days=RECENT_DAYS))
    violations = _by_key(
        Violation.objects.filter(status__in=STANDING)
        .values("clause__agreement_id")
        .annotate(
            total=Count("id"),
            recent=Count("id", filter=recent),
            last=Max("incident__occurred_at"),
            # Reports of one happening count once (events app); a report in no event is one.
            events=Count(Coalesce("incident__event", Value(0) - F("incident_id")), distinct=True),
        ),
        "clause__agreement_id",
    )
    deadlines = _by_key(
        Deadline.objects.values("agreement_id").annotate(
            open=Count("id", filter=Q(status__in=OPEN_DEADLINE)),
            missed=Count("id", filter=Q(status=DeadlineStatus.MISSED)),
        ),
        "agreement_id",
    )
    agreements = Agreement.objects.annotate(clause_count=Count("clauses")).order_by("-signed_on", "title")
    rows = [
        {
            "agreement": a,
            "clauses": a.clause_count,
            "violations": violations.get(a.id, {}).get("total", 0),
            "events": violations.get(a.id, {}).get("events", 0),
            "recent": violations.get(a.id, {}).get("recent", 0),
            "last_violation": violations.get(a.id, {}).get("last"),
            "open_deadlines": deadlines.get(a.id, {}).get("open", 0),
            "missed_deadlines": deadlines.get(a.id, {}).get("missed", 0),
        }
        for a in agreements
    ]
    return render(
        request,
        "reports/dashboard/index.html",
        {
            **admin.site.each_context(request),
            "rows": rows,
            "recent_days": RECENT_DAYS,
            "title": _("Compliance dashboards"),
        },
    )


def _window(request, agreement_violations, now, tz):
    """(first day, last day, days) shown: `days` days up to `until`, or every violation by default.

    With neither, the window runs from the first to the latest violation (at least
    DEFAULT_WINDOW_DAYS, at most MAX_WINDOW_DAYS), so one current incident does not hide the years
    before it.
    """
    days, end = _int_param(request, "days"), _date_param(request, "until")
    if end is None:
        span = agreement_violations.aggregate(
            first=Min("incident__occurred_at"), last=Max("incident__occurred_at")
        )
        end = (span["last"] or now).astimezone(tz).date()
        if days is None and span["first"] is not None:
            days = max((end - span["first"].astimezone(tz).date()).days + 1, DEFAULT_WINDOW_DAYS)
    days = min(max(days or DEFAULT_WINDOW_DAYS, 7), MAX_WINDOW_DAYS)
    return end - dt.timedelta(days=days - 1), end, days


def _int_param(request, name):
    try:
        return int(request.GET[name])
    except (KeyError, ValueError):
        return None


def _date_param(request, name):
    try:
        return dt.date.fromisoformat(request.GET[name])
    except (KeyError, ValueError):
        return None


def _end_of(day, tz):
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)


def _next_due_dates(agreement):
    """Each clause's next open deadline, as the date it is due (not its due moment, the next midnight)."""
    next_due = {}
    for deadline in Deadline.objects.filter(
        agreement=agreement, clause__isnull=False, status__in=OPEN_DEADLINE
    ):
        next_due.setdefault(
            deadline.clause_id, deadline.extended_to or deadline.due_date
        )  # ordered by due_at
    return next_due


def _clause_status(violations, deadlines, recent_label):
    if deadlines.get("missed"):
        return _("Deadline missed"), "bad"
    if violations.get("recent"):
        return _("Violated in the %(recent)s") % {"recent": recent_label}, "bad"
    if violations.get("total"):
        return _("Violated earlier"), "warn"
    return _("No violations recorded"), "ok"


def _clause_rows(agreement, violations, window, tz):
    """Each clause as of the window's last day: nothing after it counts, 'recent' ends with it."""
    end = _end_of(window["last"], tz)
    recent = Q(incident__occurred_at__gte=end - dt.timedelta(days=RECENT_DAYS))
    counts = _by_key(
        violations.filter(incident__occurred_at__lt=end)
        .values("clause_id")
        .annotate(
            total=Count("id"),
            recent=Count("id", filter=recent),
            confirmed=Count("id", filter=Q(status=ViolationStatus.CONFIRMED)),
            last=Max("incident__occurred_at"),
        ),
        "clause_id",
    )
    deadlines = _by_key(
        Deadline.objects.filter(agreement=agreement, clause__isnull=False)
        .values("clause_id")
        .annotate(
            open=Count("id", filter=Q(status__in=OPEN_DEADLINE)),
            missed=Count("id", filter=Q(status=DeadlineStatus.MISSED)),
        ),
        "clause_id",
    )
    next_due = _next_due_dates(agreement)
    rows = []
    for clause in agreement.clauses.order_by("id"):
        v, d = counts.get(clause.id, {}), deadlines.get(clause.id, {})
        status, css = _clause_status(v, d, window["recent_label"])
        rows.append(
            {
                "clause": clause,
                "violations": v.get("total", 0),
                "recent": v.get("recent", 0),
                "confirmed": v.get("confirmed", 0),
                "last": v.get("last"),
                "open_deadlines": d.get("open", 0),
                "missed_deadlines": d.get("missed", 0),
                "next_due": next_due.get(clause.id),
                "status": status,
                "css": css,
            }
        )
    return rows


def _timeline(violations, first, last, tz):
    window = violations.filter(
        incident__occurred_at__gte=dt.datetime.combine(first, dt.time.min, tzinfo=tz),
        incident__occurred_at__lt=dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )
    timeline = daily_timeline(window, first, last, tz)
    return {"days": timeline["days"], "series": top_series(timeline["series"])}


def _deadline_points(agreement, tz):
    points = []
    for d in Deadline.objects.filter(agreement=agreement).select_related("clause").order_by("due_at"):
        if d.status == DeadlineStatus.MET:
            state = "met"
        elif d.status == DeadlineStatus.MISSED:
            state = "missed"
        elif d.status == DeadlineStatus.WAIVED:
            state = "waived"
        else:
            state = "due"
        points.append(
            {
                "id": d.id,
                "description": localized(d, "description"),
                "clause": d.clause.number if d.clause_id else None,
                "due": (d.extended_to or d.due_date).isoformat(),
                "due_label": day(d.extended_to or d.due_date),
                "due_ms": int(d.due_at.timestamp() * 1000),
                "state": state,
                "status_label": d.get_status_display(),
                "met_at": day(d.met_at.astimezone(tz).date()) if d.met_at else None,
            }
        )
    return points


def _area_features(agreement):
    areas = (
        Area.objects.filter(Q(agreements=agreement) | Q(clauses__agreement=agreement))
        .distinct()
        .order_by("name")
    )
    features, bbox = [], None
    for area in areas:
        projection, in_km = buffered_km(shape(area.geometry), area.buffer_km)
        outline = projection.geometry_to_degrees(in_km)
        features.append(
            {
                "type": "Feature",
                "geometry": mapping(outline),
                "properties": {"name": area.display_name, "buffer_km": float(area.buffer_km)},
            }
        )
        box = (area.min_lon, area.min_lat, area.max_lon, area.max_lat)
        bbox = (
            box
            if bbox is None
            else (min(bbox[0], box[0]), min(bbox[1], box[1]), max(bbox[2], box[2]), max(bbox[3], box[3]))
        )
    return {"type": "FeatureCollection", "features": features}, bbox


def _incident_url(incident_id):
    try:
        return reverse("admin:incidents_incident_change", args=[incident_id])
    except NoReverseMatch:  # the incidents admin is not registered (tests of this module alone)
        return None


def _map_points(agreement, violations, bbox, first, last, tz):
    """Incidents of the window that breach this agreement, or lie inside its areas' bounding box."""
    in_window = Q(
        occurred_at__gte=dt.datetime.combine(first, dt.time.min, tzinfo=tz),
        occurred_at__lt=dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )
    breaches = violations.filter(incident=OuterRef("pk"))
    near = Q(pk__in=[])
    if bbox is not None:
        near = Q(longitude__gte=bbox[0], latitude__gte=bbox[1], longitude__lte=bbox[2], latitude__lte=bbox[3])
    incidents = (
        Incident.objects.filter(in_window, latitude__isnull=False)
        .annotate(breach=Exists(breaches))
        .filter(Q(breach=True) | near)
        .select_related("perpetrator")
        .order_by("-occurred_at", "-id")[:MAP_LIMIT]
    )
    return [
        {
            "id": i.id,
            "lat": i.latitude,
            "lon": i.longitude,
            "violation": i.breach,
            "label": str(i),
            "perpetrator": i.perpetrator.display_name if i.perpetrator_id else unknown_party(),
            "killed": i.killed,
            "injured": i.injured,
            "url": _incident_url(i.id),
        }
        for i in incidents
    ]


@staff_member_required
def agreement_dashboard(request, slug):
    agreement = get_object_or_404(Agreement, slug=slug)
    now = timezone.now()
    tz = agreement.tz
    violations = Violation.objects.filter(clause__agreement=agreement, status__in=STANDING)
    first, last, days = _window(request, violations, now, tz)
    window = {
        "first": first,
        "last": last,
        "days": days,
        "recent_label": _("%(days)s days to %(date)s") % {"days": RECENT_DAYS, "date": day(last)},
    }
    areas, bbox = _area_features(agreement)
    reports = Report.objects.for_agreement(agreement).select_related("subscription", "delivery")[
        :LATEST_REPORTS
    ]
    can_download = request.user.has_perm("reports.view_report")
    can_read_confidential = request.user.has_perm(CONFIDENTIAL_PERMISSION)
    context = {
        **admin.site.each_context(request),
        "title": agreement.display_name,
        "agreement": agreement,
        "clauses": _clause_rows(agreement, violations, window, tz),
        "window": window,
        "recent_days": RECENT_DAYS,
        "reports": reports,
        "can_download": can_download,
        "can_read_confidential": can_read_confidential,
        "formats": ReportFormat.choices,
        "chart_data": {
            "timeline": _timeline(violations, first, last, tz),
            "deadlines": _deadline_points(agreement, tz),
            "map": {"areas": areas, "points": _map_points(agreement, violations, bbox, first, last, tz)},
        },
    }
    with timezone.override(tz):  # the page says "times in <the agreement's time zone>"
        return render(request, "reports/dashboard/agreement.html", context)


@staff_member_required
def report_download(request, pk, fmt):
    if not request.user.has_perm("reports.view_report"):
        raise PermissionDenied
    if fmt not in ReportFormat.values:
        raise Http404(_("Unknown format."))
    report = get_object_or_404(Report, pk=pk)
    if not report.readable_by(request.user):
        raise PermissionDenied
    body, content_type, filename = report.content(fmt)
    response = HttpResponse(body, content_type=content_type)
    if fmt != ReportFormat.HTML:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
