from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
# The sub-resources first: "campaigns/<pk>/" would otherwise swallow "campaigns/kpis/".
router.register("campaigns/operations", views.SubOperationViewSet, basename="campaign-operation")
router.register("campaigns/battles", views.ClusterBattleViewSet, basename="campaign-battle")
router.register("campaigns/kpis", views.KpiItemViewSet, basename="campaign-kpi")
router.register("campaigns/sweeps", views.SweepViewSet, basename="campaign-sweep")
router.register(
    "campaigns/remediation-areas", views.RemediationAreaViewSet, basename="campaign-remediation"
)
router.register("campaigns", views.CampaignViewSet, basename="campaign")
urlpatterns = router.urls
