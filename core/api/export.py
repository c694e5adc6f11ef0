"""The whole list in one streamed response: `GET /api/v1/<list>/export/?format=json|csv|geojson`.

A researcher who wants every incident should not follow a thousand `next` links. The export
takes the list's filters, ordering, permissions and public read rules (it is the same viewset:
`get_queryset()` and `filter_queryset()`), and streams every row in the list's order in one
response, in constant memory: JSON (an array of the list's items), CSV (the list's columns,
header and HXL row once) or GeoJSON (one FeatureCollection).

One path per database, chosen in one place (`exporter_for`):

- PostgreSQL: `COPY (SELECT …) TO STDOUT` of text the database builds, a row at a time, which
  Python only joins into chunks. The JSON items, GeoJSON features and CSV cells are compiled
  from the list's own serializer with core.api.sqljson's field expressions (core.api.exportsql);
  CSV rows are written by `COPY … (FORMAT csv)`, with the same formula neutralisation as
  core.csv.csv_cell. A viewset whose serializer does not compile takes the portable path.
- Any other database: the rows in batches through the serializer and the renderers' per-item
  code (`csv_row`, `geojson_feature`, core.csv.SafeWriter), a batch in memory at a time.

Both give the items of the list pages; tests/api/test_export.py checks them against following
`next` through the list.
"""

import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator
from itertools import islice

from django.db import connections
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import NotAcceptable
from rest_framework.utils.encoders import JSONEncoder

from core.csv import SafeWriter

from . import exportsql
from .pagination import CursorPagination
from .renderers import CSVRenderer, GeoJSONRenderer, JSONRenderer

CHUNK_BYTES = 256 * 1024  # what one write to the client carries
BATCH_ROWS = 1000  # rows in memory at a time on the portable path
EXPORT_FORMATS = ("json", "csv", "geojson")


# How each format opens, separates and closes its items.
def _frame(fmt: str, view) -> tuple[bytes, bytes, bytes]:
    if fmt == "json":
        return b"[", b",", b"]"
    if fmt == "geojson":
        return b'{"type": "FeatureCollection", "features": [', b", ", b"]}"
    out = io.StringIO()
    writer = SafeWriter(out, lineterminator="\r\n")
    writer.writerow([name for name, _tag in view.csv_columns])
    writer.writerow([tag for _name, tag in view.csv_columns])
    return out.getvalue().encode(), b"", b""


def _chunks(opening: bytes, separator: bytes, closing: bytes, items: Iterable[bytes]) -> Iterator[bytes]:
    """The items framed and joined, in chunks of about CHUNK_BYTES."""
    parts, size, first = [opening], len(opening), True
    for item in items:
        if not first and separator:
            parts.append(separator)
        parts.append(item)
        first = False
        size += len(item)
        if size >= CHUNK_BYTES:
            yield b"".join(parts)
            parts, size = [], 0
    parts.append(closing)
    yield b"".join(parts)


class PostgresExporter:
    """COPY (SELECT …) TO STDOUT of the text of each row, built by the database."""

    def rows(self, view, queryset, fmt) -> Iterator[bytes] | None:
        if fmt == "csv":
            cells = exportsql.csv_row_sql(view)
            if cells is None:
                return None
            rows = queryset.values(**{f"_c{i}": cell for i, cell in enumerate(cells)})
            return self._copy(rows, "(FORMAT csv)", csv=True)
        expression = exportsql.geojson_row_sql(view) if fmt == "geojson" else exportsql.json_row_sql(view)
        if expression is None:
            return None
        return self._copy(queryset.values(_doc=expression), "", csv=False)

    @staticmethod
    def _copy(rows, options, csv):
        sql, params = rows.query.sql_with_params()
        connection = connections[rows.db]

        def generate():
            connection.ensure_connection()
            with connection.connection.cursor() as cursor:
                with cursor.copy(f"COPY ({sql}) TO STDOUT {options}", params) as copy:
                    for row in copy:
                        row = bytes(row)
                        if csv:
                            yield row[:-1] + b"\r\n"  # the API's CSV ends lines with CRLF
                        else:
                            # COPY's text format doubles backslashes: the only escape in JSON
                            # text, which holds no control character.
                            yield row[:-1].replace(b"\\\\", b"\\")

        return generate()


class PortableExporter:
    """The rows through the serializer, a batch at a time."""

    def rows(self, view, queryset, fmt) -> Iterator[bytes]:
        encode = {"json": self._json, "csv": self._csv, "geojson": self._geojson}[fmt]
        rows = iter(queryset.iterator(chunk_size=BATCH_ROWS))
        while batch := list(islice(rows, BATCH_ROWS)):
            yield from encode(view, view.get_serializer(batch, many=True).data)

    @staticmethod
    def _json(view, items):
        for item in items:
            yield JSONRenderer().render(item)

    @staticmethod
    def _csv(view, items):
        to_row = getattr(view, "csv_row", None) or (lambda item: item)
        out = io.StringIO()
        writer = SafeWriter(out, lineterminator="\r\n")
        for item in items:
            row = to_row(item)
            writer.writerow([row.get(name) for name, _tag in view.csv_columns])
        yield out.getvalue().encode()

    @staticmethod
    def _geojson(view, items):
        for item in items:
            geometry, properties = view.geojson_feature(item)
            feature = {
                "type": "Feature",
                "id": item.get("id"),
                "geometry": geometry,
                "properties": properties,
            }
            yield json.dumps(feature, cls=JSONEncoder, ensure_ascii=False).encode()


def _in_utc(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The chunks, each made in UTC as the API speaks (the view's own override has ended by
    the time a streamed response is read)."""
    while True:
        with timezone.override(dt.UTC):
            chunk = next(chunks, None)
        if chunk is None:
            return
        yield chunk


def exporter_for(connection) -> PostgresExporter | PortableExporter:
    """The one place the export chooses its path."""
    return PostgresExporter() if connection.vendor == "postgresql" else PortableExporter()


CONTENT_TYPES = {
    "json": JSONRenderer.media_type,
    "csv": f"{CSVRenderer.media_type}; charset=utf-8",
    "geojson": GeoJSONRenderer.media_type,
}


def export_response(view, request) -> StreamingHttpResponse:
    """Every row of the view's filtered list, in its order, streamed in the requested format."""
    fmt = request.accepted_renderer.format
    if fmt == "api":
        fmt = "json"
    if fmt not in EXPORT_FORMATS:
        raise NotAcceptable(
            _("The export offers these formats: %(formats)s.") % {"formats": ", ".join(EXPORT_FORMATS)}
        )
    queryset = view.filter_queryset(view.get_queryset())
    # The order of the list's pages, primary key last, so the export is `next` followed to the end.
    queryset = queryset.order_by(*CursorPagination().keyset_ordering(request, queryset, view))
    rows = None
    if getattr(view, "sql_json", False):
        rows = exporter_for(connections[queryset.db]).rows(view, queryset, fmt)
    if rows is None:
        rows = PortableExporter().rows(view, queryset, fmt)
    response = StreamingHttpResponse(
        _in_utc(_chunks(*_frame(fmt, view), rows)), content_type=CONTENT_TYPES[fmt]
    )
    name = view.queryset.model._meta.verbose_name_plural.replace(" ", "-")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


class ExportMixin:
    """An `export` action on a list viewset (see the module docstring)."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "format", OpenApiTypes.STR, enum=list(EXPORT_FORMATS), description="Default json."
            )
        ],
        responses={200: OpenApiResponse(description="Every row of the filtered list, streamed.")},
        description="Every row of the list, with its filters and ordering, in one streamed response: "
        "a JSON array of the list's items, CSV (the list's columns) or a GeoJSON FeatureCollection. "
        "Same permissions and rules as the list.",
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def export(self, request):
        return export_response(self, request)
