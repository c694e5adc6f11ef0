"""The site's URLs plus /bench/ok, the framework's ceiling that bench/api.py measures against."""

from django.http import HttpResponse
from django.urls import path

from config.urls import handler404, handler500  # noqa: F401
from config.urls import urlpatterns as site_urlpatterns


def ok(request):
    """Routing, middleware and a response: what any view costs at the least."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/ok", ok), *site_urlpatterns]
