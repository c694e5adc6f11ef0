"""Every error as JSON with a 4xx status: Django's validation and integrity errors included."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers, status
from rest_framework.views import exception_handler as drf_exception_handler


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The request conflicts with the current state of the record.")
    default_code = "conflict"


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(serializers.as_serializer_error(exc))
    elif isinstance(exc, (ProtectedError, RestrictedError)):
        # Say what blocks the deletion by kind and count only: the objects may be confidential.
        blocking = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
        kinds = sorted({str(obj._meta.verbose_name_plural) for obj in blocking if hasattr(obj, "_meta")})
        exc = Conflict(
            _("Cannot delete: other records (%(kinds)s) still refer to it.")
            % {"kinds": ", ".join(kinds) or _("related records")}
        )
    elif isinstance(exc, DataError):
        # Values the database refuses (out of range, NUL characters) that validation let through.
        exc = exceptions.ValidationError(
            {"detail": _("A value in the request is out of range or malformed.")}
        )
    elif isinstance(exc, IntegrityError):
        exc = Conflict(_("The change conflicts with existing records (a duplicate or a broken reference)."))
    elif isinstance(exc, (ValueError, TypeError, OverflowError)) and _is_input_error(exc):
        exc = exceptions.ValidationError({"detail": _("Malformed value in the request.")})
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    return drf_exception_handler(exc, context)


def _is_input_error(exc):
    """ValueErrors that Django raises while preparing a user value for a lookup."""
    return "expected" in str(exc) and "but got" in str(exc)
