"""GeoJSON geometry without GDAL: validation, and kilometre-true buffers with shapely.

Areas are small (tens to hundreds of km), so a local equirectangular projection centred on
the area is accurate to well under 1 % and keeps every computation vectorised in numpy.
"""

import json
import math

import numpy as np
import shapely
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

ALLOWED_TYPES = ("Polygon", "MultiPolygon", "LineString", "MultiLineString", "Point", "MultiPoint")
KM_PER_DEGREE_LAT = 110.574
KM_PER_DEGREE_LON_AT_EQUATOR = 111.320


def _geometry_object(value):
    """The GeoJSON geometry dict in `value` (JSON text, a geometry or a Feature)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise ValidationError(_("Not valid JSON: %(error)s.") % {"error": exc}) from exc
    if not isinstance(value, dict):
        raise ValidationError(_('Expected a GeoJSON geometry object, such as {"type": "Point", ...}.'))
    if value.get("type") == "Feature":
        value = value.get("geometry") or {}
    if value.get("type") not in ALLOWED_TYPES:
        raise ValidationError(
            _("Geometry type %(type)s is not supported; use one of %(allowed)s.")
            % {"type": repr(value.get("type")), "allowed": ", ".join(ALLOWED_TYPES)}
        )
    return value


def _check_coordinates(geom):
    coords = shapely.get_coordinates(geom)
    if not np.isfinite(coords).all():
        raise ValidationError(_("Coordinates must be finite numbers."))
    lons, lats = coords[:, 0], coords[:, 1]
    if (np.abs(lons) > 180).any() or (np.abs(lats) > 90).any():
        raise ValidationError(
            _(
                "Coordinates are out of range: GeoJSON order is [longitude, latitude], "
                "longitude within ±180 and latitude within ±90."
            )
        )


def parse_geometry(value: str | dict) -> BaseGeometry:
    """Return a shapely geometry from a GeoJSON geometry (dict or JSON text); raise ValidationError."""
    value = _geometry_object(value)
    try:
        geom = shape(value)
    except Exception as exc:  # shapely raises several types for malformed coordinates
        raise ValidationError(
            _("Malformed %(type)s coordinates: %(error)s.") % {"type": value["type"], "error": exc}
        ) from exc
    if geom.is_empty:
        raise ValidationError(_("The geometry is empty."))
    _check_coordinates(geom)
    if not geom.is_valid:
        raise ValidationError(_("Invalid geometry: %(reason)s.") % {"reason": shapely.is_valid_reason(geom)})
    return geom


def normalize_geometry(value):
    """Validated GeoJSON dict ready to store (Features unwrapped, tuples as lists)."""
    return json.loads(json.dumps(mapping(parse_geometry(value))))


class LocalProjection:
    """Equirectangular projection in kilometres around an origin (lon0, lat0)."""

    def __init__(self, lon0, lat0):
        self.lon0 = lon0
        self.lat0 = lat0
        self.kx = KM_PER_DEGREE_LON_AT_EQUATOR * math.cos(math.radians(lat0))
        self.ky = KM_PER_DEGREE_LAT

    @classmethod
    def around(cls, geom):
        centre = geom.envelope.centroid
        return cls(centre.x, centre.y)

    def to_km(self, lons, lats):
        return (np.asarray(lons, dtype=float) - self.lon0) * self.kx, (
            np.asarray(lats, dtype=float) - self.lat0
        ) * self.ky

    def geometry_to_km(self, geom):
        return shapely.transform(geom, lambda xy: np.column_stack(self.to_km(xy[:, 0], xy[:, 1])))

    def geometry_to_degrees(self, geom):
        return shapely.transform(
            geom,
            lambda xy: np.column_stack((xy[:, 0] / self.kx + self.lon0, xy[:, 1] / self.ky + self.lat0)),
        )


def buffered_km(geom, buffer_km):
    """(projection, geometry in km) of `geom` widened by `buffer_km` on the ground."""
    projection = LocalProjection.around(geom)
    in_km = projection.geometry_to_km(geom)
    if buffer_km:
        in_km = in_km.buffer(float(buffer_km), quad_segs=16)
    return projection, in_km


def bounding_box(geom, buffer_km=0):
    """(min_lon, min_lat, max_lon, max_lat) in degrees of the geometry widened by buffer_km."""
    projection, in_km = buffered_km(geom, buffer_km)
    return projection.geometry_to_degrees(in_km).bounds
