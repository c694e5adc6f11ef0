"""The API's URLs: each app's router under /api/v1/."""

from django.urls import include, path

from accounts.api.views import ObtainTokenView
from agreements.api.views import DeadlineCalendarView

app_name = "api"

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="token"),
    path("deadlines.ics", DeadlineCalendarView.as_view(), name="deadlines-ics"),
    path("", include("agreements.api.urls")),
    path("", include("incidents.api.urls")),
    path("", include("tracker.api.urls")),
    path("", include("events.api.urls")),
    path("", include("imports.api.urls")),
    path("", include("reports.api.urls")),
    path("", include("alerts.api.urls")),
]
