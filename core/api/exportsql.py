"""The rows of an export as text PostgreSQL builds: JSON items, GeoJSON features, CSV cells.

Compiled from the viewset's serializer with core.api.sqljson's field expressions, so the values
are those of the list's items. json_build_object is about a fifth slower per row than
concatenating the text on PostgreSQL 15, so the export and the list pages (core.api.sqljson)
write their JSON by concatenation: `'{"id":' || … || '}'` (compact for the export; the pages
keep the spacing json_build_object gave them, `{"id" : 1, …}`). Nested lists are one aggregate
with its ORDER BY (no window: the subquery is then flattened into the row's plan).
"""

import json

from django.db import models
from django.db.models import Expression, F, Func, Subquery
from rest_framework import relations, serializers

from . import sqljson

# Python's float(): what csv_cell leaves unescaped although it starts with + or - (a number).
_NUMBER = r"^\s*[+-]?((\d(_?\d)*(\.(\d(_?\d)*)?)?|\.\d(_?\d)*)(e[+-]?\d(_?\d)*)?|inf(inity)?|nan)\s*$"

# (item separator, key separator), as json.dumps takes them: the export's compact text, and
# json_build_object's and json_agg's spacing, which the list pages have always had.
COMPACT = (",", ":")
POSTGRESQL_SPACING = (", ", " : ")


def literal(text: str) -> str:
    """A SQL string literal, for a Django template (whose % must be doubled)."""
    return "'" + text.replace("'", "''").replace("%", "%%") + "'"


class _Inline(Func):
    """A template `sql` using its one argument `{x}` several times: compiled once, its
    parameters repeated (a subquery to name it would cost more than the repeats)."""

    sql = "{x}"
    output_field = models.TextField()

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return self.sql.replace("{x}", f"({sql})"), tuple(params) * self.sql.count("{x}")


def _safe_sql(text: str) -> str:
    """core.csv.csv_cell of a text: a leading `'` on text a spreadsheet would run as a formula
    (or that already looks escaped), never on a number; '' as NULL (an empty cell)."""
    return (
        f"CASE WHEN left(ltrim({text}, ''''), 1) IN ('=', '+', '-', '@', E'\\t', E'\\r')"
        f" AND {text} !~* '{_NUMBER}' THEN '''' || {text} ELSE NULLIF({text}, '') END"
    )


class SafeText(_Inline):
    sql = _safe_sql("{x}::text")


class JSONCell(_Inline):
    """csv_cell of a JSON value: text as SafeText, numbers and booleans as JSON writes them,
    lists joined with ';' (each item a cell), objects as JSON text."""

    sql = (
        "CASE jsonb_typeof(to_jsonb{x}) WHEN 'null' THEN NULL"
        f" WHEN 'string' THEN {_safe_sql('(to_jsonb{x} #>> ' + literal('{}') + ')')}"
        " WHEN 'array' THEN CASE WHEN jsonb_array_length(to_jsonb{x}) > 0 THEN"
        " NULLIF((SELECT string_agg(COALESCE(CASE jsonb_typeof(_e) WHEN 'null' THEN NULL"
        f"  WHEN 'string' THEN {_safe_sql('(_e #>> ' + literal('{}') + ')')} ELSE _e::text END, ''),"
        "  ';' ORDER BY _n) FROM jsonb_array_elements(to_jsonb{x}) WITH ORDINALITY AS _items(_e, _n)), '') END"
        " ELSE to_jsonb{x}::text END"
    )


class BoolText(_Inline):
    sql = "CASE WHEN {x} THEN 'true' WHEN NOT {x} THEN 'false' END"


class TextOf(_Inline):
    sql = "{x}::text"


class FloatText(_Inline):
    """sqljson.JSONFloat's text (36.0 for a whole number, as DRF and Python write it), inline."""

    sql = (
        "CASE WHEN {x}::float8 = trunc({x}::float8) AND abs({x}::float8) < 1e15"
        " THEN trunc({x}::float8)::bigint::text || '.0' ELSE to_json({x}::float8)::text END"
    )


class JSONString(_Inline):
    sql = "to_json({x})::text"


class Quoted(_Inline):
    """A text with nothing JSON escapes (an ISO date) as a JSON string."""

    sql = "'\"' || {x} || '\"'"


class OrNull(_Inline):
    sql = "COALESCE({x}, 'null')"


def csv_cell_sql(expression: Expression, field: serializers.Field) -> Expression:
    """The CSV cell (core.csv.csv_cell) of a serializer field whose JSON value is `expression`
    (as core.api.sqljson compiles it); NULL for an empty cell."""
    if isinstance(expression, (sqljson.ISODateTime, sqljson.ISODate)):
        return expression
    if isinstance(expression, sqljson.JSONFloat):
        return FloatText(*expression.source_expressions)
    if isinstance(field, serializers.BooleanField):
        return BoolText(expression)
    if isinstance(field, (serializers.IntegerField, relations.PrimaryKeyRelatedField)):
        return TextOf(expression)
    if isinstance(field, (serializers.CharField, serializers.ChoiceField)):
        return SafeText(expression)
    return JSONCell(expression)


def json_value_sql(
    expression: Expression, field: serializers.Field, nested, separators: tuple[str, str] = COMPACT
) -> Expression | None:
    """The JSON text (never NULL: `null`) of a serializer field whose value is `expression`."""
    if isinstance(expression, sqljson.JSONArraySubquery) and isinstance(field, serializers.ListSerializer):
        return nested_list_sql(field, nested[field.field_name], separators)
    if isinstance(expression, (sqljson.ISODateTime, sqljson.ISODate)):
        text = Quoted(expression)
    elif isinstance(expression, sqljson.JSONFloat):
        text = FloatText(*expression.source_expressions)
    elif isinstance(
        field, (serializers.BooleanField, serializers.IntegerField, relations.PrimaryKeyRelatedField)
    ):
        text = TextOf(expression)
    elif isinstance(field, (serializers.CharField, serializers.ChoiceField)):
        text = JSONString(expression)
    else:
        text = TextOf(expression)  # json or jsonb: its own text
    return OrNull(text)


class JSONText(Func):
    """The JSON text of an object, concatenated: `{"key":value,...}` from (key, JSON text) pairs."""

    output_field = models.TextField()

    def __init__(self, pairs: list[tuple[str, Expression]], separators: tuple[str, str] = COMPACT):
        self.keys = [key for key, _value in pairs]
        self.separators = separators
        super().__init__(*(value for _key, value in pairs))

    def as_sql(self, compiler, connection, **extra):
        item_separator, key_separator = self.separators
        parts, params = [], []
        for index, (key, expression) in enumerate(zip(self.keys, self.source_expressions, strict=True)):
            sql, value_params = compiler.compile(expression)
            opening = "{" if index == 0 else item_separator
            parts.append(f"{literal(opening + json.dumps(key) + key_separator)} || ({sql})")
            params.extend(value_params)
        if not parts:
            return "'{}'", ()
        return "(" + " || ".join(parts) + " || '}')", tuple(params)


class JoinedSubquery(Subquery):
    """The `cell` texts of the queryset's rows joined with `separator`, in the queryset's
    ordering, between `opening` and `closing`; `empty` (default NULL) when it has no rows."""

    output_field = models.TextField()

    def __init__(self, queryset, cell, separator, opening="", closing="", empty=None):
        ordering = queryset.query.order_by or queryset.model._meta.ordering or ["pk"]
        keys = {f"_o{i}": F(name.lstrip("-")) for i, name in enumerate(ordering)}
        order = ", ".join(
            f"_r._o{i}" + (" DESC" if name.startswith("-") else "") for i, name in enumerate(ordering)
        )
        joined = f"string_agg(_r._cell, {literal(separator)} ORDER BY {order})"
        if opening or closing:
            joined = f"{literal(opening)} || {joined} || {literal(closing)}"
        if empty is not None:
            joined = f"COALESCE({joined}, {literal(empty)})"
        super().__init__(
            queryset.order_by().values(_cell=cell, **keys),
            template=f"(SELECT {joined} FROM (%(subquery)s) _r)",
        )


def object_text_sql(
    serializer, model, overrides, nested, leave_out=(), separators: tuple[str, str] = COMPACT
) -> JSONText | None:
    """The JSON text of the serializer's item, or None when a field does not compile."""
    pairs = []
    for field in serializer._readable_fields:
        if field.field_name in leave_out:
            continue
        expression = sqljson._field_sql(field, model, overrides, nested)
        if expression is None:
            return None
        value = json_value_sql(expression, field, nested, separators)
        if value is None:
            return None
        pairs.append((field.field_name, value))
    return JSONText(pairs, separators)


def nested_list_sql(field, queryset, separators: tuple[str, str] = COMPACT) -> Expression | None:
    child = object_text_sql(field.child, queryset.model, {}, {}, separators=separators)
    if child is None:
        return None
    return JoinedSubquery(queryset, child, separators[0], "[", "]", empty="[]")


def _compiled(view):
    return (
        view.get_serializer(),
        view.queryset.model,
        getattr(view, "sql_json_fields", {}),
        view.sql_json_nested() if hasattr(view, "sql_json_nested") else {},
    )


def json_row_sql(view, separators: tuple[str, str] = COMPACT) -> Expression | None:
    """An item of the list as JSON text, or None when the serializer does not compile."""
    return object_text_sql(*_compiled(view), separators=separators)


class _Point(Func):
    """point_feature: a Point of [longitude, latitude] as JSON text, or null without both."""

    output_field = models.TextField()

    def as_sql(self, compiler, connection, **extra):
        lat, lat_params = compiler.compile(self.source_expressions[0])
        lon, lon_params = compiler.compile(self.source_expressions[1])
        return (
            f"CASE WHEN ({lat}) IS NULL OR ({lon}) IS NULL THEN 'null'"
            f" ELSE '{{\"type\":\"Point\",\"coordinates\":[' || ({lon}) || ',' || ({lat}) || ']}}' END",
            (*lat_params, *lon_params, *lon_params, *lat_params),
        )


def geojson_row_sql(view) -> Expression | None:
    """A Feature as the GeoJSON renderer writes it with `point_feature`: the item's id, a Point
    or null, every other field as a property. None for a view that does not name its point
    fields in `export_geojson_point`, or whose serializer does not compile."""
    point = getattr(view, "export_geojson_point", None)
    serializer, model, overrides, nested = _compiled(view)
    properties = object_text_sql(serializer, model, overrides, nested, leave_out=("id",))
    if point is None or properties is None:
        return None
    fields = serializer.fields
    lat, lon = (sqljson._field_sql(fields[name], model, overrides, nested) for name in point)
    identifier = sqljson._field_sql(fields["id"], model, overrides, nested)
    if not all(isinstance(value, sqljson.JSONFloat) for value in (lat, lon)):
        return None
    return JSONText(
        [
            ("type", OrNull(Quoted(models.Value("Feature")))),
            ("id", OrNull(TextOf(identifier))),
            ("geometry", _Point(FloatText(*lat.source_expressions), FloatText(*lon.source_expressions))),
            ("properties", properties),
        ]
    )


def csv_row_sql(view) -> list[Expression] | None:
    """The cells of the CSV columns (view.csv_columns) of a row, or None when a column has
    none: a serializer field that does not compile, or a column the view's `csv_row` adds
    without giving its SQL in `export_csv_sql()`."""
    serializer, model, overrides, nested = _compiled(view)
    extra = view.export_csv_sql() if hasattr(view, "export_csv_sql") else {}
    cells = []
    for name, _tag in view.csv_columns:
        if name in extra:
            cells.append(extra[name])
            continue
        field = serializer.fields.get(name)
        expression = None if field is None else sqljson._field_sql(field, model, overrides, nested)
        if expression is None:
            return None
        cells.append(csv_cell_sql(expression, field))
    return cells


class PythonJSONObject(Func):
    """The object as Python's json.dumps(..., ensure_ascii=False) writes it: `{"k": v, ...}`
    (PostgreSQL escapes strings exactly as Python does)."""

    output_field = models.TextField()

    def __init__(self, **pairs: Expression):
        self.keys = list(pairs)
        super().__init__(*pairs.values())

    def as_sql(self, compiler, connection, **extra):
        parts, params = [], []
        for key, expression in zip(self.keys, self.source_expressions, strict=True):
            sql, value_params = compiler.compile(expression)
            parts.append(f"{json.dumps(key)}: ' || COALESCE(to_json({sql})::text, 'null')")
            params.extend(value_params)
        return "('{" + " || ', ".join(parts) + " || '}')", tuple(params)
