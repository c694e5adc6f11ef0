"""Static PNG charts for reports, drawn with matplotlib's Agg canvas (no display, no pyplot state).

The map draws the agreement's areas (with their kilometre buffers) and the incidents: no tiles,
no network, so a report renders the same offline and in a mail client.

Titles, legends and axis labels are in the active language. matplotlib (3.11) lays text out
with libraqm, so Arabic is shaped and ordered right to left by itself; it only needs a font that
has it (Amiri, `fonts.py`). In Arabic the charts are mirrored: value axis and legend on the right
of the timeline, legend on the left of the map. Time still runs left to right, as on the
dashboards.
"""

import datetime as dt
import io
import math

import matplotlib
from django.utils.translation import get_language, get_language_bidi
from django.utils.translation import gettext as _
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import num2date
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter
from shapely.geometry import shape

from agreements.geometry import buffered_km

from . import fonts
from .formatting import SHORT_DAY, day, number

MAX_SERIES = 7
PALETTE = ["#c0392b", "#2471a3", "#d68910", "#7d3c98", "#1e8449", "#a04000", "#5d6d7e", "#aab7b8"]
DPI = 100


RLM = "\u200f"  # right-to-left mark: a label starting with it is laid out right to left


def _rtl(text, rtl):
    return RLM + text if rtl else text


def _styled():
    """matplotlib settings of a chart in the active language (fonts, minus sign)."""
    return matplotlib.rc_context(
        {
            "font.family": fonts.chart_families(get_language_bidi()),
            "text.language": get_language(),
            "axes.unicode_minus": False,
        }
    )


def _png(figure):
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    # No timestamp in the metadata: the same data gives the same bytes.
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def top_series(series, limit=MAX_SERIES):
    """Keep the `limit` largest series; sum the others into "Other parties"."""
    items = list(series.items())
    if len(items) <= limit:
        return dict(items)
    kept = dict(items[: limit - 1])
    rest = [values for _, values in items[limit - 1 :]]
    kept[_("Other parties")] = [sum(column) for column in zip(*rest)]
    return kept


def timeline_png(timeline: dict) -> bytes:
    """Violations per day, stacked by perpetrator, as a PNG."""
    with _styled():
        return _timeline_png(timeline, rtl=get_language_bidi())


def _timeline_png(timeline, rtl):
    days = [dt.date.fromisoformat(d) for d in timeline["days"]]
    series = top_series(timeline["series"])
    figure = Figure(figsize=(8, 3.2))
    ax = figure.add_subplot()
    bottoms = [0] * len(days)
    for i, (party, counts) in enumerate(series.items()):
        ax.bar(
            days, counts, bottom=bottoms, label=_rtl(party, rtl), color=PALETTE[i % len(PALETTE)], width=0.8
        )
        bottoms = [b + c for b, c in zip(bottoms, counts)]
    ax.set_title(_rtl(_("Violations per day, by perpetrator"), rtl))
    ax.set_ylabel(_rtl(_("Violations"), rtl))
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: number(int(value))))
    ax.xaxis.set_major_formatter(
        FuncFormatter(lambda value, _pos: _rtl(day(num2date(value).date(), SHORT_DAY), rtl))
    )
    if rtl:
        ax.yaxis.tick_right()
        ax.yaxis.set_label_position("right")
    if series:
        if rtl:
            ax.legend(
                fontsize=8,
                loc="upper right",
                bbox_to_anchor=(-0.02, 1.0),
                frameon=False,
                markerfirst=False,
                alignment="right",
            )
        else:
            ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    else:
        ax.text(
            0.5,
            0.5,
            _rtl(_("No violations in this period"), rtl),
            ha="center",
            va="center",
            transform=ax.transAxes,
        )
    figure.autofmt_xdate()
    # Fixed margins: tight_layout would draw the figure twice.
    if rtl:
        figure.subplots_adjust(left=0.25, right=0.93, top=0.9, bottom=0.22)
    else:
        figure.subplots_adjust(left=0.08, right=0.78, top=0.9, bottom=0.22)
    return _png(figure)


def _outline_in_degrees(area):
    geometry = shape(area["geometry"])
    projection, in_km = buffered_km(geometry, area["buffer_km"])
    return projection.geometry_to_degrees(in_km)


def _polygons(geometry):
    if geometry.geom_type == "Polygon":
        return [geometry]
    if geometry.geom_type in ("MultiPolygon", "GeometryCollection"):
        return [g for g in geometry.geoms if g.geom_type == "Polygon"]
    return []


def map_png(points: list[dict], areas: list[dict]) -> bytes:
    """The incidents (grouped points) over the areas' outlines with their buffers, as a PNG."""
    with _styled():
        return _map_png(points, areas, rtl=get_language_bidi())


def _map_png(points, areas, rtl):
    figure = Figure(figsize=(6, 6))
    ax = figure.add_subplot()
    for i, area in enumerate(areas):
        outline = _outline_in_degrees(area)
        colour = PALETTE[(i + 1) % len(PALETTE)]
        polygons = _polygons(outline)
        for j, polygon in enumerate(polygons):
            xs, ys = polygon.exterior.xy
            ax.fill(xs, ys, alpha=0.12, color=colour)
            ax.plot(xs, ys, color=colour, linewidth=1, label=_rtl(area["name"], rtl) if j == 0 else None)
        if not polygons and outline.geom_type in ("LineString", "Point"):
            xs, ys = outline.xy
            ax.plot(xs, ys, color=colour, linewidth=1, label=_rtl(area["name"], rtl))
    if points:
        sizes = [12 + 10 * min(p["incidents"], 20) for p in points]
        ax.scatter(
            [p["lon"] for p in points],
            [p["lat"] for p in points],
            s=sizes,
            color="#c0392b",
            alpha=0.75,
            edgecolors="black",
            linewidths=0.4,
            zorder=3,
            label=_rtl(_("Incidents"), rtl),
        )
    else:
        ax.text(
            0.5, 0.5, _rtl(_("No located incidents"), rtl), ha="center", va="center", transform=ax.transAxes
        )
    _frame(ax, points, areas)
    bottom, top = ax.get_ylim()
    # A degree of longitude is shorter than one of latitude away from the equator.
    ax.set_aspect(1 / max(math.cos(math.radians((bottom + top) / 2)), 0.1))
    degrees = FuncFormatter(lambda value, _pos: number(round(value, 2)))
    ax.xaxis.set_major_formatter(degrees)
    ax.yaxis.set_major_formatter(degrees)
    ax.set_xlabel(_rtl(_("Longitude"), rtl))
    ax.set_ylabel(_rtl(_("Latitude"), rtl))
    ax.set_title(_rtl(_("Incidents with violations"), rtl))
    ax.grid(True, linewidth=0.3)
    if areas or points:
        if rtl:
            ax.legend(fontsize=8, loc="upper left", frameon=True, markerfirst=False, alignment="right")
        else:
            ax.legend(fontsize=7, loc="upper right", frameon=True)
    figure.subplots_adjust(left=0.13, right=0.97, top=0.94, bottom=0.11 if rtl else 0.09)
    return _png(figure)


def _frame(ax, points, areas, min_span=0.4, pad=0.1):
    """Fit the view to the points and areas, never tighter than `min_span` degrees."""
    lons = [p["lon"] for p in points]
    lats = [p["lat"] for p in points]
    for area in areas:
        min_lon, min_lat, max_lon, max_lat = _outline_in_degrees(area).bounds
        lons += [min_lon, max_lon]
        lats += [min_lat, max_lat]
    if not lons:
        return
    for values, setter in ((lons, ax.set_xlim), (lats, ax.set_ylim)):
        low, high = min(values), max(values)
        span = max(high - low, min_span)
        middle = (low + high) / 2
        setter(middle - span * (0.5 + pad), middle + span * (0.5 + pad))
