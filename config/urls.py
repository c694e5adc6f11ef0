from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView

from core.api import views as api_views

admin.site.site_header = _("Ceasefire Compliance Tracker")
admin.site.site_title = _("Compliance Tracker")
admin.site.index_title = _("Agreements, incidents and compliance")
admin.site.site_url = "/dashboard/"  # the admin's "View site"
# The app list stays on the admin's index and in the breadcrumbs; as a sidebar it took a quarter of
# a laptop's width from every list and form.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="reports:dashboard-index"), name="home"),
    path("admin/", admin.site.urls),
    path("account/", include("accounts.urls")),
    # set_language; prefer accounts:set-language, which also stores a signed-in user's choice.
    path("i18n/", include("django.conf.urls.i18n")),
    path("i18n/js/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("dashboard/", include("reports.urls")),
    path("api/v1/", include("config.api_router")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", api_views.APIDocsView.as_view(url_name="schema"), name="swagger-ui"),
    path("health/", api_views.HealthView.as_view(), name="health"),
]

# JSON, not HTML, for unknown URLs and crashes: API clients parse the body.
handler400 = "core.api.views.handler400"
handler404 = "core.api.views.handler404"
handler500 = "core.api.views.handler500"
