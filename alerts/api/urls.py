from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("alert-rules", views.AlertRuleViewSet, basename="alertrule")
router.register("alert-deliveries", views.AlertDeliveryViewSet, basename="alertdelivery")

urlpatterns = router.urls
