from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("imports", views.ImportJobViewSet, basename="import-job")
router.register("import-mappings", views.ImportMappingViewSet, basename="import-mapping")
urlpatterns = router.urls
