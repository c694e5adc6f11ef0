from django.utils.translation import gettext as _
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation


class ContentNegotiation(DefaultContentNegotiation):
    """An unknown `?format=` is a 406 that lists the formats offered, not a bare 404."""

    def filter_renderers(self, renderers, format):
        offered = [r for r in renderers if r.format == format]
        if not offered:
            names = ", ".join(r.format for r in renderers if r.format != "api")
            raise NotAcceptable(
                _("Unknown format %(format)s; this endpoint offers: %(names)s.")
                % {"format": repr(format), "names": names}
            )
        return offered
