"""List pages built by PostgreSQL: the list path of every viewset with `sql_json = True` there.

On a 50-row page of incidents, Python spends most of the request turning database rows into
model instances, datetimes and dicts, then back into JSON text. On PostgreSQL the list action of
a viewset with `sql_json = True` asks the database for each row's JSON text instead (text
concatenated from each field's JSON, core.api.exportsql, with the spacing `json_build_object`
gave the pages; nested lists as one ordered `string_agg`) and embeds those texts in a JSON page
unchanged (orjson.Fragment); CSV and GeoJSON pages decode them into the
items their renderers take. The page, its cursor and links are the paginator's own (core.api.pagination).

The SQL is compiled from the viewset's serializer, field by field, so it follows the serializer
and cannot drift from it: model fields along a chain of foreign keys, `RelatedValueField`
annotations, primary-key relations, and nested lists the viewset names in `sql_json_nested`.
A field it cannot compile (a method field, a decimal, a property) must be given in
`sql_json_fields`; if one is missing, the view quietly keeps the Python path.
tests/api/test_sql_json.py checks that both paths give the same pages for every such viewset.

Pages are kept (per process, TRACKER_API_PAGE_CACHE_SECONDS) under a key that includes the
database snapshot, `pg_current_snapshot()`: it changes whenever a writing transaction starts
or ends anywhere in the database, so a kept page is served only while the data it was built
from is exactly the data a new query would see. A page is kept only if the snapshot was the
same before and after it was built, and never inside a transaction (whose own writes the
snapshot does not show).
"""

import hashlib
import time

import orjson
import psycopg
from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import FieldDoesNotExist
from django.db import connections, models
from django.db.models import F, Func, Subquery, Value, Window
from django.db.models.functions import RowNumber
from django.http import HttpResponse
from rest_framework import relations, serializers
from rest_framework.settings import api_settings

from .permissions import is_public_request
from .renderers import CSVRenderer, GeoJSONRenderer, JSONRenderer
from .serializers import _RelatedValue


class JSONObject(Func):
    """json_build_object(key, value, ...): a json value with the keys in the given order."""

    function = "json_build_object"
    output_field = models.JSONField()

    def __init__(self, pairs):
        expressions = []
        for key, value in pairs:
            expressions.extend((Value(key), value))
        super().__init__(*expressions)


class JSONArraySubquery(Subquery):
    """The subquery's `_doc` values as one json array, in its `_n` order ([] when empty)."""

    template = "(SELECT COALESCE(json_agg(_r._doc ORDER BY _r._n), '[]'::json) FROM (%(subquery)s) _r)"
    output_field = models.JSONField()


class ISODateTime(Func):
    """DRF's datetime text in UTC: 2019-04-01T06:30:00Z, microseconds only when there are some."""

    template = (
        "replace(to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), '.000000', '')"
        " || 'Z'"
    )
    output_field = models.TextField()


class JSONFloat(Func):
    """A float as DRF writes it: whole numbers with ".0" (PostgreSQL would write 36, not 36.0)."""

    template = (
        "(SELECT CASE WHEN v = trunc(v) AND abs(v) < 1e15 THEN (trunc(v)::bigint::text || '.0')::json"
        " ELSE to_json(v) END FROM (SELECT (%(expressions)s)::float8 AS v) AS float_value)"
    )
    output_field = models.JSONField()


class ISODate(Func):
    template = "to_char(%(expressions)s, 'YYYY-MM-DD')"
    output_field = models.TextField()


# Serializer field classes whose output is the model value as JSON has it.
_PLAIN = {
    serializers.IntegerField: (models.IntegerField, models.ForeignKey),
    serializers.BigIntegerField: (models.IntegerField, models.ForeignKey),
    serializers.BooleanField: (models.BooleanField,),
    serializers.FloatField: (models.FloatField,),
    serializers.CharField: (models.CharField, models.TextField),
    serializers.ChoiceField: (models.CharField, models.IntegerField),
    serializers.URLField: (models.CharField,),
    serializers.EmailField: (models.CharField,),
    serializers.SlugField: (models.CharField,),
    serializers.ModelField: (models.IntegerField, models.CharField, models.TextField, models.BooleanField),
}


def _model_field(model, source_attrs):
    """(lookup path, model field) of a serializer source like `incident.occurred_at`, or None."""
    field = None
    for i, name in enumerate(source_attrs):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if i < len(source_attrs) - 1:
            if not (field.many_to_one or field.one_to_one) or field.related_model is None:
                return None
            model = field.related_model
    if field is None or not field.concrete:
        return None
    return "__".join(source_attrs), field


def _nested_list_sql(field, queryset):
    """The nested serializer's items over `queryset`, in its ordering, as one json array."""
    child = object_sql(field.child, queryset.model, {}, {})
    if child is None:
        return None
    ordering = [
        F(name[1:]).desc() if name.startswith("-") else F(name).asc()
        for name in (queryset.query.order_by or queryset.model._meta.ordering or ["pk"])
    ]
    return JSONArraySubquery(
        queryset.order_by().values(_doc=child, _n=Window(RowNumber(), order_by=ordering))
    )


def _is_iso(field):
    return getattr(field, "format", "iso-8601") == "iso-8601"


def _model_value_sql(field, path, model_field):
    """The JSON value of a serializer field reading model field `model_field` at `path`, or None."""
    kind = type(field)
    if kind is serializers.DateTimeField and isinstance(model_field, models.DateTimeField):
        return ISODateTime(F(path)) if _is_iso(field) and not hasattr(field, "timezone") else None
    if kind is serializers.DateField and type(model_field) is models.DateField:
        return ISODate(F(path)) if _is_iso(field) else None
    if (
        isinstance(field, serializers.ListField)
        and type(field.child) in (serializers.ChoiceField, serializers.JSONField)
        and isinstance(model_field, models.JSONField)
    ):
        return F(path)
    if kind is serializers.BigIntegerField and (
        getattr(field, "coerce_to_string", None) or api_settings.COERCE_BIGINT_TO_STRING
    ):
        return None
    if kind is serializers.FloatField and isinstance(model_field, models.FloatField):
        return JSONFloat(F(path))
    if kind not in _PLAIN or not isinstance(model_field, _PLAIN[kind]):
        return None
    if isinstance(model_field, models.ForeignKey) and kind not in (
        serializers.IntegerField,
        serializers.BigIntegerField,
    ):
        return None
    return F(path)


def _field_sql(field, model, overrides, nested):
    """An expression giving this serializer field's JSON value, or None when it has none."""
    name = field.field_name
    if name in overrides:
        return overrides[name]
    if isinstance(field, serializers.ListSerializer):
        return _nested_list_sql(field, nested[name]) if name in nested else None
    if isinstance(field, _RelatedValue):
        return F(field.annotation)
    if isinstance(field, relations.PrimaryKeyRelatedField) and len(field.source_attrs) == 1:
        return F(field.source_attrs[0] + "_id") if field.pk_field is None else None
    if not field.source_attrs or field.source == "*":
        return None
    found = _model_field(model, field.source_attrs)
    return None if found is None else _model_value_sql(field, *found)


def object_sql(serializer, model, overrides, nested):
    """A json_build_object expression for the serializer's readable fields, or None."""
    pairs = []
    for field in serializer._readable_fields:
        value = _field_sql(field, model, overrides, nested)
        if value is None:
            return None
        pairs.append((field.field_name, value))
    return JSONObject(pairs)


def page_text_expression(view):
    """The JSON text of a row as the view's serializer would render it, or None if it can't be
    compiled.

    Concatenated text (exportsql) rather than json_build_object: a page of incidents takes
    PostgreSQL 0.15-0.35 ms of CPU less (of about 1), the sources being one ordered aggregate
    with no window and each float formatted without a subquery. Same bytes: json_build_object's
    spacing (tests/api/test_sql_json.py).
    """
    from . import exportsql  # which builds on this module's field expressions

    return exportsql.json_row_sql(view, exportsql.POSTGRESQL_SPACING)


_COMPILED = {}
# Pages larger than this (a page_size near the maximum) are built every time: the cache is
# bounded by its number of entries, so this bounds its memory too.
MAX_KEPT_PAGE_BYTES = 256 * 1024


def rows_sql(view, using, variant):
    """(sql, params) selecting `_pk` and `_json`, the JSON text of the row as the view's
    serializer would render it, for every row of the view's queryset; or None when the
    serializer can't be compiled.

    Compiling the expression is the costly part of the ORM here, so it is done once per view
    class and `variant` (its `sql_json_variant()`: what the user may see changes the SQL) and
    database.
    """
    key = (type(view), variant, using)
    if key not in _COMPILED:
        expression = page_text_expression(view)
        if expression is None:
            _COMPILED[key] = None
        else:
            rows = view.queryset.using(using).order_by().values(_pk=F("pk"), _json=expression)
            sql, params = rows.query.sql_with_params()
            # Its few parameters (the JSON keys...) written into the text: the page query is then
            # sent with only the keyset's, typed by the columns they are compared with.
            literal = connections[using].ops.compose_sql(sql, params)
            _COMPILED[key] = (literal.replace("%", "%%"), ())
    return _COMPILED[key]


def listed_rows(view):
    """The view's list queryset, filtered, with none of its class queryset's annotations (and,
    with `view.selecting_rows` set meanwhile, none of what only its serializer needs).

    The keyset query selects only the rows' ids and positions. The annotations (names of related
    rows, for the items) would add LEFT JOINs that PostgreSQL removes, but only after choosing
    its plan: with them it passes over the covering index of a filtered list (an index-only
    scan) for a slower one. A class queryset with conditions of its own is kept as it is.
    """
    annotated = view.queryset
    view.selecting_rows = True
    if not annotated.query.where:
        view.queryset = annotated.model._default_manager.all()
    try:
        return view.filter_queryset(view.get_queryset())
    finally:
        view.queryset = annotated
        view.selecting_rows = False


def page_rows(compiled, keyset, order, using):
    """The rows of `keyset` (a sliced `.values()` queryset ordered by `order`) as dicts, each
    with its JSON text under `_json`: one query, the keyset's rows joined to `compiled`, the
    items' SQL (rows_sql)."""
    items_sql, items_params = compiled
    keyset_sql, keyset_params = keyset.query.sql_with_params()
    connection = connections[using]
    quote = connection.ops.quote_name
    ordering = ", ".join(
        f"k.{quote(name.lstrip('-'))} {'DESC' if name.startswith('-') else 'ASC'}" for name in order
    )
    sql = (
        f"SELECT k.*, t._json FROM ({keyset_sql}) k JOIN ({items_sql}) t ON t._pk = k.pk ORDER BY {ordering}"
    )
    # Prepared (server-side parameters, psycopg's statement cache on the connection): PostgreSQL
    # plans a page query once per connection and filter shape, not on every request; the plan
    # took as long as running it.
    started = time.monotonic()
    with connection.cursor() as cursor, connection.wrap_database_errors:
        with psycopg.Cursor(cursor.cursor.connection) as prepared:
            # Binary results: psycopg's own loaders read them in C. Django's loader of date-times
            # (text, in Python) took longer per page than the rest of reading it; the binary one
            # gives the same instants in the connection's time zone (the API's positions, UTC).
            prepared.execute(sql, (*keyset_params, *items_params), prepare=True, binary=True)
            names = [column.name for column in prepared.description]
            rows = [dict(zip(names, row)) for row in prepared.fetchall()]
    if connection.queries_logged:  # shown in debug tools (and the tests) like the ORM's queries
        connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})
    return rows


def _page_items(renderer, request):
    """How a page's JSON texts become the renderer's items, or None for a renderer this path
    does not serve (indented JSON, the browsable API, iCalendar)."""
    if type(renderer) is JSONRenderer:
        if renderer.get_indent(request.accepted_media_type, {}) is None:
            return orjson.Fragment  # embedded in the page unchanged
        return None
    if isinstance(renderer, (CSVRenderer, GeoJSONRenderer)):
        return orjson.loads  # the serializer's item, as the renderer expects it
    return None


def sql_list_response(view, request):
    """The list page built by PostgreSQL, as DRF would give it; or None when this view, renderer
    or database is not served here, and DRF's serializers build it instead."""
    renderer = request.accepted_renderer
    item = _page_items(renderer, request)
    if not view.sql_json or view.paginator is None or item is None:
        return None
    using = view.queryset.db
    if connections[using].vendor != "postgresql":
        return None
    variant = view.sql_json_variant()
    compiled = rows_sql(view, using, variant)
    if compiled is None:
        return None

    def build():
        queryset = listed_rows(view)
        position = view.paginator.position_fields(request, queryset, view)
        rows = view.paginator.paginate_queryset(
            queryset.values(*dict.fromkeys(["pk", *position])),
            request,
            view=view,
            fetch=lambda keyset, order: page_rows(compiled, keyset, order, using),
        )
        data, link = view.paginator.page_body([item(row["_json"]) for row in rows])
        return renderer.render(data, request.accepted_media_type, view.get_renderer_context()), link

    # Everything about the request that changes the page besides its URL.
    variant = f"{variant}:{is_public_request(request, view)}:{request.accepted_media_type}"
    body, link = cached_page(view, request, variant, using, build)
    content_type = renderer.media_type + (f"; charset={renderer.charset}" if renderer.charset else "")
    response = HttpResponse(body, content_type=content_type)
    if link:
        response["Link"] = link
    return response


def snapshot(connection):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_snapshot()::text")
        return cursor.fetchone()[0]


def cached_page(view, request, variant, using, build):
    """`build()` (the page's body and Link header), or the same kept for this request and
    database snapshot (see the module docstring)."""
    seconds = settings.TRACKER_API_PAGE_CACHE_SECONDS
    connection = connections[using]
    if not seconds or connection.in_atomic_block or not connection.get_autocommit():
        return build()
    before = snapshot(connection)
    parts = (type(view).__module__, type(view).__qualname__, variant, before, request.build_absolute_uri())
    key = "api-page:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()
    cache = caches["api-pages"]
    page = cache.get(key)
    if page is None:
        page = build()
        if len(page[0]) <= MAX_KEPT_PAGE_BYTES and snapshot(connection) == before:
            cache.set(key, page, seconds)
    return page
