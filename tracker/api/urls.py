from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("violations", views.ViolationViewSet)
router.register("actors", views.ActorViewSet, basename="actor")

urlpatterns = router.urls
