from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from safecity.core.api.schema import CONFLICT
from safecity.core.api.serializers import model_errors

from .. import filtersets, selectors, services
from .serializers import (
    CampaignSerializer,
    ClusterBattleSerializer,
    InspectionSerializer,
    KpiItemSerializer,
    KpiReportSerializer,
    RemediationAreaSerializer,
    SubOperationSerializer,
    SweepSerializer,
)


def _closed(exc: Exception) -> Response:
    """409 for a write to a closed campaign, in English whatever the caller's language (the
    pages show the same message in theirs)."""
    with translation.override("en"):
        detail = str(exc)
    return Response({"detail": detail}, status=status.HTTP_409_CONFLICT)


class CampaignViewSet(viewsets.ModelViewSet):
    serializer_class = CampaignSerializer
    filterset_fields = ["status", "kind"]

    def get_queryset(self):
        return selectors.campaigns_for_user(self.request.user)

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"])
    def summary(self, request, pk=None):
        """Results: battles, sweeps, reported counters, remediation, KPI states, incidents."""
        return Response(services.campaign_summary(campaign=self.get_object(), user=request.user))


class CampaignPartViewSet(viewsets.ModelViewSet):
    """A part of a campaign, written through the one service that checks where it lies."""

    def handle_exception(self, exc):
        if isinstance(exc, services.CampaignClosed):
            return _closed(exc)
        return super().handle_exception(exc)

    def perform_create(self, serializer):
        serializer.instance = services.campaign_part_save(
            user=self.request.user,
            model=serializer.Meta.model,
            fields=serializer.validated_data,
        )

    def perform_update(self, serializer):
        serializer.instance = services.campaign_part_save(
            user=self.request.user,
            model=serializer.Meta.model,
            fields=serializer.validated_data,
            part=serializer.instance,
        )

    def perform_destroy(self, instance):
        services.campaign_part_delete(user=self.request.user, part=instance)


class SubOperationViewSet(CampaignPartViewSet):
    serializer_class = SubOperationSerializer
    filterset_class = filtersets.SubOperationFilterSet

    def get_queryset(self):
        return selectors.operations_for_user(self.request.user)


class ClusterBattleViewSet(CampaignPartViewSet):
    serializer_class = ClusterBattleSerializer
    filterset_class = filtersets.ClusterBattleFilterSet

    def get_queryset(self):
        return selectors.battles_for_user(self.request.user)


class KpiItemViewSet(CampaignPartViewSet):
    """The responsibility list; units report progress on counter items."""

    serializer_class = KpiItemSerializer
    write_permissions = {"reports": ["campaigns.add_kpireport"]}
    filterset_class = filtersets.KpiItemFilterSet

    def get_queryset(self):
        return selectors.kpis_for_user(self.request.user)

    @extend_schema(methods=["GET"], responses={200: KpiReportSerializer(many=True)})
    @extend_schema(
        methods=["POST"],
        request=KpiReportSerializer,
        responses={201: KpiReportSerializer, 409: CONFLICT},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        serializer_class=KpiReportSerializer,
        pagination_class=None,
    )
    def reports(self, request, pk=None):
        """GET: the item's progress reports. POST: report progress (units in scope)."""
        item = self.get_object()
        if request.method == "GET":
            return Response(KpiReportSerializer(item.reports.all(), many=True).data)
        serializer = KpiReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            report = services.kpi_report_create(
                item=item, reporter=request.user, **serializer.validated_data
            )
        except services.CampaignClosed as exc:
            return _closed(exc)
        except DjangoValidationError as exc:
            raise ValidationError(model_errors(exc)) from None
        return Response(KpiReportSerializer(report).data, status=status.HTTP_201_CREATED)


class SweepViewSet(CampaignPartViewSet):
    """Concentrated sweeps, entered by the units that held them."""

    serializer_class = SweepSerializer
    filterset_class = filtersets.SweepFilterSet

    def get_queryset(self):
        return selectors.sweeps_for_user(self.request.user)


class RemediationAreaViewSet(CampaignPartViewSet):
    serializer_class = RemediationAreaSerializer
    write_permissions = {"inspections": ["campaigns.add_remediationinspection"]}
    filterset_class = filtersets.RemediationAreaFilterSet

    def get_queryset(self):
        return selectors.remediations_for_user(self.request.user)

    @extend_schema(methods=["GET"], responses={200: InspectionSerializer(many=True)})
    @extend_schema(
        methods=["POST"],
        request=InspectionSerializer,
        responses={201: InspectionSerializer, 409: CONFLICT},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        serializer_class=InspectionSerializer,
        pagination_class=None,
    )
    def inspections(self, request, pk=None):
        area = self.get_object()
        if request.method == "GET":
            return Response(InspectionSerializer(area.inspections.all(), many=True).data)
        serializer = InspectionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            inspection = services.inspection_create(
                area=area, inspector=request.user, **serializer.validated_data
            )
        except services.CampaignClosed as exc:
            return _closed(exc)
        except DjangoValidationError as exc:
            raise ValidationError(model_errors(exc)) from None
        return Response(InspectionSerializer(inspection).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"])
    def stats(self, request, pk=None):
        """Incidents inside the polygon since listing, against the same dates last year."""
        return Response(
            services.remediation_incident_stats(area=self.get_object(), user=request.user)
        )
