from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("incidents", views.IncidentViewSet)
router.register("clause-links", views.ClauseLinkViewSet)

urlpatterns = router.urls
