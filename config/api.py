"""The one REST router under /api/v1/."""

from rest_framework.routers import DefaultRouter

from cadre.api.views import CadreViewSet, NotificationViewSet, UnitViewSet

router = DefaultRouter()
router.register("units", UnitViewSet, basename="unit")
router.register("cadres", CadreViewSet, basename="cadre")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = router.urls
