from rest_framework.routers import SimpleRouter

from . import imports, views

router = SimpleRouter()
router.register("incidents", views.IncidentViewSet)
router.register("clause-links", views.ClauseLinkViewSet)
router.register("imports", imports.ImportJobViewSet, basename="import")

urlpatterns = router.urls
