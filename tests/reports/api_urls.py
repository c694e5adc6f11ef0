"""The reports API on its own, as the /api/v1 router will wire it (used with @pytest.mark.urls)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from reports.api.views import ReportViewSet

router = DefaultRouter()
router.register("reports", ReportViewSet, basename="report")

urlpatterns = [path("api/v1/", include(router.urls))]
