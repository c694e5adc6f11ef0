from django.urls import include, path

from agreements.api.views import DeadlineCalendarView

from . import views

app_name = "api"

urlpatterns = [
    path("auth/token/", views.ObtainTokenView.as_view(), name="token"),
    path("deadlines.ics", DeadlineCalendarView.as_view(), name="deadlines-ics"),
    path("", include("agreements.api.urls")),
    path("", include("incidents.api.urls")),
    path("", include("tracker.api.urls")),
]
