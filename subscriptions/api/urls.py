from rest_framework.routers import DefaultRouter

from .views import InboxViewSet, SavedViewViewSet, SubscriptionViewSet

router = DefaultRouter()
router.register("views", SavedViewViewSet, basename="view")
router.register("subscriptions", SubscriptionViewSet, basename="subscription")
router.register("inbox", InboxViewSet, basename="inbox-item")
urlpatterns = router.urls
