"""GeoJSON (RFC 7946), CSV with an HXL hashtag row, and iCalendar.

A viewset that offers GeoJSON defines `geojson_feature(item) -> (geometry, properties)` over its
serialized items; one that offers CSV defines `csv_columns`, a list of (column, HXL tag), and may
define `csv_row(item) -> dict`. Errors are never rendered by these: the base viewset switches
them to JSON (see TrackerViewSetMixin.finalize_response).
"""

import io
import json

import orjson
from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder

from core.csv import SafeWriter


def _items(data):
    if isinstance(data, dict) and "results" in data:
        return data["results"], True
    if isinstance(data, list):
        return data, True
    return [data], False


class GeoJSONRenderer(renderers.BaseRenderer):
    media_type = "application/geo+json"
    format = "geojson"
    charset = None  # RFC 7946: UTF-8, no charset parameter

    def render(self, data, accepted_media_type=None, renderer_context=None):
        view = (renderer_context or {}).get("view")
        items, many = _items(data)
        features = []
        for item in items:
            geometry, properties = view.geojson_feature(item)
            features.append(
                {"type": "Feature", "id": item.get("id"), "geometry": geometry, "properties": properties}
            )
        if many:
            body = {"type": "FeatureCollection", "features": features}
            if isinstance(data, dict):
                body["next"] = data.get("next")
                body["previous"] = data.get("previous")
        else:
            body = features[0]
        return json.dumps(body, cls=JSONEncoder, ensure_ascii=False).encode("utf-8")


class CSVRenderer(renderers.BaseRenderer):
    """Header row, then the HXL hashtag row (https://hxlstandard.org), then one row per item."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        view = (renderer_context or {}).get("view")
        columns = view.csv_columns
        to_row = getattr(view, "csv_row", None) or (lambda item: item)
        items, _ = _items(data)
        out = io.StringIO()
        writer = SafeWriter(out, lineterminator="\r\n")
        writer.writerow([name for name, _tag in columns])
        writer.writerow([tag for _name, tag in columns])
        for item in items:
            row = to_row(item)
            writer.writerow([row.get(name) for name, _tag in columns])
        return out.getvalue().encode("utf-8")


class ICalendarRenderer(renderers.BaseRenderer):
    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data, cls=JSONEncoder).encode("utf-8")


class JSONRenderer(renderers.JSONRenderer):
    """DRF's compact JSON, encoded by orjson (several times faster on a full page).

    Types orjson does not take natively (datetimes, decimals, lazy strings) go through DRF's
    own encoder, so the output is the same as DRF's. Indented output (`; indent=4` in the
    Accept header) is left to DRF.
    """

    _fallback = JSONEncoder()

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}) is None:
            try:
                return orjson.dumps(
                    data,
                    default=self._fallback.default,
                    option=orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS,
                )
            except (TypeError, orjson.JSONEncodeError):
                pass  # e.g. integers beyond 64 bits: DRF's encoder copes
        return super().render(data, accepted_media_type, renderer_context)


def point_feature(item, lat="latitude", lon="longitude"):
    """GeoJSON Point in [longitude, latitude] order, or None when the place has no coordinates."""
    if item.get(lat) is None or item.get(lon) is None:
        return None
    return {"type": "Point", "coordinates": [item[lon], item[lat]]}
