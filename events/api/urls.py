from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("events", views.EventViewSet)
router.register("event-pairs", views.CandidatePairViewSet)

urlpatterns = router.urls
