from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("parties", views.PartyViewSet)
router.register("agreements", views.AgreementViewSet)
router.register("areas", views.AreaViewSet)
router.register("clauses", views.ClauseViewSet)
# deadlines: registered by tracker.api.urls, which adds the mark-met action of the engine.

urlpatterns = router.urls
