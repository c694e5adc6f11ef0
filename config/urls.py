from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from core.api import views as api_views

admin.site.site_header = "Ceasefire Compliance Tracker"
admin.site.site_title = "Compliance Tracker"
admin.site.index_title = "Agreements, incidents and compliance"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("account/", include("accounts.urls")),
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
