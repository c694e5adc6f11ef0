from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("violations", views.ViolationViewSet)

urlpatterns = router.urls
