"""OpenAPI generation: every operation lists its error responses and its output formats."""

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension

ERROR_SCHEMA = {
    "type": "object",
    "description": "`detail` with a message, or field names mapped to lists of messages.",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}
ERROR_DESCRIPTIONS = {
    "400": "Malformed request: invalid field values, filters, cursor or page size.",
    "401": "Not authenticated: send `Authorization: Token <key>` or log in.",
    "403": "Authenticated, but the user's role lacks the permission.",
    "404": "No such record (or not visible to this user).",
    "405": "Method not allowed here.",
    "406": "The requested format is not offered here.",
    "409": "Conflicts with the record's state or with other records.",
    "415": "Unsupported request body type: send JSON.",
    "429": "Too many requests: throttled, retry after `Retry-After` seconds.",
}
GEOMETRY_SCHEMA = {
    "type": "object",
    "nullable": True,
    "description": "GeoJSON geometry, coordinates in [longitude, latitude] order (RFC 7946).",
    "properties": {"type": {"type": "string"}, "coordinates": {"type": "array", "items": {}}},
    "required": ["type", "coordinates"],
}
FEATURE_SCHEMA = {
    "type": "object",
    "required": ["type", "geometry", "properties"],
    "properties": {
        "type": {"type": "string", "enum": ["Feature"]},
        "id": {"type": "integer"},
        "geometry": GEOMETRY_SCHEMA,
        "properties": {"type": "object", "additionalProperties": True},
    },
}
FEATURE_COLLECTION_SCHEMA = {
    "type": "object",
    "required": ["type", "features"],
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "features": {"type": "array", "items": FEATURE_SCHEMA},
        "next": {"type": "string", "format": "uri", "nullable": True},
        "previous": {"type": "string", "format": "uri", "nullable": True},
    },
}
TEXT_SCHEMA = {"type": "string"}


class AutoSchema(openapi.AutoSchema):
    def _get_format_parameters(self):
        params = super()._get_format_parameters() if self.method == "GET" else []
        for param in params:
            formats = param["schema"]["enum"]
            param["description"] = (
                "Output format (or send the matching `Accept` header): "
                + ", ".join(formats)
                + ". Errors are always JSON."
            )
        return params

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, response in responses.items():
            if not code.startswith("2"):
                continue
            content = response.get("content", {})
            list_view = self._is_list_view()
            for media_type in list(content):
                if media_type == "application/geo+json":
                    content[media_type] = {
                        "schema": FEATURE_COLLECTION_SCHEMA if list_view else FEATURE_SCHEMA
                    }
                elif media_type in ("text/csv", "text/calendar"):
                    content[media_type] = {"schema": TEXT_SCHEMA}
        codes = ["400", "401", "403", "405", "406", "429"]
        if "{" in self.path:
            codes.append("404")
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            codes.append("409")
        if self.method in ("POST", "PUT", "PATCH"):
            codes.append("415")
        for code in sorted(codes):
            responses.setdefault(
                code,
                {
                    "description": ERROR_DESCRIPTIONS[code],
                    "content": {"application/json": {"schema": ERROR_SCHEMA}},
                },
            )
        return responses


class QueryStringTokenScheme(OpenApiAuthenticationExtension):
    target_class = "core.api.authentication.QueryStringTokenAuthentication"
    match_subclasses = True
    name = "tokenQuery"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "query",
            "name": "token",
            "description": "The API token in the query string; only the iCalendar feed accepts it.",
        }
