from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("parties", views.PartyViewSet)
router.register("agreements", views.AgreementViewSet)
router.register("areas", views.AreaViewSet)
router.register("clauses", views.ClauseViewSet)
router.register("deadlines", views.DeadlineViewSet)

urlpatterns = router.urls
