from rest_framework.routers import SimpleRouter

from tracker.api_reports import ReportViewSet

from . import views

router = SimpleRouter()
router.register("deadlines", views.DeadlineViewSet)
router.register("violations", views.ViolationViewSet)
router.register("reports", ReportViewSet, basename="report")

urlpatterns = router.urls
