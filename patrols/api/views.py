from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import CityRolesWrite
from incidents.models import Incident

from .. import services
from ..models import PatrolUnit, Position, ResponseStandard
from .serializers import PatrolUnitSerializer, PositionSerializer, ResponseStandardSerializer

MAX_PINGS = 10_000


class PatrolUnitViewSet(viewsets.ModelViewSet):
    serializer_class = PatrolUnitSerializer
    permission_classes = [permissions.IsAuthenticated, CityRolesWrite]
    filterset_fields = ["kind", "status", "home_zone"]

    def get_queryset(self):
        return PatrolUnit.objects.for_user(self.request.user).select_related("home_zone")


class ResponseStandardViewSet(viewsets.ModelViewSet):
    serializer_class = ResponseStandardSerializer
    permission_classes = [permissions.IsAuthenticated, CityRolesWrite]

    def get_queryset(self):
        from areas.scoping import scope_for

        standards = ResponseStandard.objects.select_related("area")
        return scope_for(self.request.user).filter(standards, "area__path")


class PositionsView(generics.ListAPIView):
    """GET: pings of units in scope (filters unit, since, until). POST: a batch of pings."""

    serializer_class = PositionSerializer

    def get_queryset(self):
        positions = Position.objects.filter(
            unit__in=PatrolUnit.objects.for_user(self.request.user)
        ).select_related("unit")
        params = self.request.query_params
        if params.get("unit"):
            positions = positions.filter(unit__code=params["unit"])
        if params.get("since"):
            positions = positions.filter(at__gte=params["since"])
        if params.get("until"):
            positions = positions.filter(at__lt=params["until"])
        return positions.order_by("-at")

    @extend_schema(
        parameters=[
            OpenApiParameter("unit", str, required=False),
            OpenApiParameter("since", OpenApiTypes.DATETIME, required=False),
            OpenApiParameter("until", OpenApiTypes.DATETIME, required=False),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=PositionSerializer(many=True), responses={200: OpenApiTypes.OBJECT})
    def post(self, request):
        if not isinstance(request.data, list):
            raise ValidationError({"detail": "send a JSON array of pings"})
        if len(request.data) > MAX_PINGS:
            raise ValidationError({"detail": f"at most {MAX_PINGS} pings per request"})
        report = services.positions_ingest(
            pings=request.data, units=PatrolUnit.objects.for_user(request.user)
        )
        return Response(report, status=status.HTTP_200_OK)


class SuggestedUnitsView(APIView):
    """The nearest available units for an incident, nearest first, with arrival estimates."""

    @extend_schema(
        parameters=[OpenApiParameter("limit", int, required=False)],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request, public_id):
        incident = Incident.objects.for_user(request.user).filter(public_id=public_id).first()
        if incident is None:
            raise Http404
        try:
            limit = max(1, min(50, int(request.query_params.get("limit", 5))))
        except ValueError:
            raise ValidationError({"limit": "a whole number"}) from None
        units = PatrolUnit.objects.for_user(request.user)
        return Response(
            {
                "incident": str(incident.public_id),
                "units": services.suggested_units(incident=incident, units=units, limit=limit),
            }
        )
