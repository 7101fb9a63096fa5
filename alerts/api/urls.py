from rest_framework.routers import DefaultRouter

from .views import AlertRuleViewSet, AlertViewSet

router = DefaultRouter()
router.register("alerts/rules", AlertRuleViewSet, basename="alert-rule")
router.register("alerts", AlertViewSet, basename="alert")
urlpatterns = router.urls
