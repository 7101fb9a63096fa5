from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from areas.models import Area
from incidents.models import Incident
from safecity.core.api.schema import NOT_FOUND
from stats.api.views import FROM_PARAMETER, StatsView
from stats.selectors import child_area_path, child_areas
from stats.subjects import subject_for

from .. import services
from ..compliance import ARRIVAL_MARKS, compliance, compliance_of_areas
from ..coverage import coverage
from ..filtersets import PatrolUnitFilterSet, PositionFilterSet
from ..models import PatrolUnit, Position, ResponseStandard
from .serializers import (
    ComplianceParams,
    CoverageParams,
    PatrolUnitSerializer,
    PingSerializer,
    PositionSerializer,
    ResponseStandardSerializer,
)

MAX_PINGS = 10_000


class PatrolUnitViewSet(viewsets.ModelViewSet):
    serializer_class = PatrolUnitSerializer
    filterset_class = PatrolUnitFilterSet

    def get_queryset(self):
        return PatrolUnit.objects.for_user(self.request.user).select_related("home_zone")


class ResponseStandardViewSet(viewsets.ModelViewSet):
    serializer_class = ResponseStandardSerializer

    def get_queryset(self):
        from areas.scoping import scope_for

        standards = ResponseStandard.objects.select_related("area")
        return scope_for(self.request.user).filter(standards, "area__path")


class PositionsView(generics.ListAPIView):
    """GET: pings of units in scope (filters unit, since, until). POST: a batch of pings."""

    serializer_class = PositionSerializer
    filterset_class = PositionFilterSet
    # Named, not derived from the queryset, so the socket's pings ask for the same.
    write_permissions = {"post": ["patrols.add_position"]}

    def get_queryset(self):
        positions = Position.objects.filter(
            unit__in=PatrolUnit.objects.for_user(self.request.user)
        ).select_related("unit")
        return positions.order_by("-at")

    @extend_schema(request=PingSerializer(many=True), responses={200: OpenApiTypes.OBJECT})
    def post(self, request):
        if not isinstance(request.data, list):
            raise ValidationError({"detail": "send a JSON array of pings"})
        if len(request.data) > MAX_PINGS:
            raise ValidationError({"detail": f"at most {MAX_PINGS} pings per request"})
        report = services.positions_ingest(pings=request.data, user=request.user)
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


class ComplianceView(StatsView):
    """Response compliance of an area (default: your jurisdiction) over a window, and last
    year's; with ``by=children``, of each area inside it too."""

    params_class = ComplianceParams

    @extend_schema(
        parameters=[ComplianceParams, FROM_PARAMETER],
        responses={200: OpenApiTypes.OBJECT},
        summary="Response compliance: dispatch and arrival within the standard",
        description=(
            "Per phase (dispatch, arrive): incidents with that time, how many within their "
            "area's standard, the share (0–1), median and 90th percentile in seconds "
            "(nearest rank), and the same for the period a year earlier with the changes. "
            "Arrival also gives the shares within 1, 3 and 5 minutes."
        ),
    )
    def get(self, request):
        params = self.params(request)
        subject = subject_for(request.user, params)
        period = params["period"]
        result = {
            "area": subject.area_key or None,
            **compliance(area_key=subject.area_key, area_path=subject.area_path, period=period),
        }
        if params.get("by") == "children":
            children = child_areas(subject)
            figures = compliance_of_areas(
                areas={key: child_area_path(subject, key) for key in children}, period=period
            )
            result["children"] = [{**area, **figures[key]} for key, area in children.items()]
        return Response(result)

    def export_table(self, data):
        arrive_marks = [f"arrive_within_{minutes}min" for minutes in ARRIVAL_MARKS]
        headers = ["area", "name"]
        for phase in ("dispatch", "arrive"):
            headers += [
                f"{phase}_{name}"
                for name in ("incidents", "within_standard", "share", "median_seconds")
            ]
            headers += [f"{phase}_p90_seconds", f"{phase}_share_last_year"]
        headers += arrive_marks
        rows = []
        for item in [{"id": data["area"], "name": "", **data}, *data.get("children", [])]:
            row = [item["id"], item["name"]]
            for phase in ("dispatch", "arrive"):
                block = item[phase]
                row += [
                    block["incidents"],
                    block["within_standard"],
                    block["share"],
                    block["median_seconds"],
                    block["p90_seconds"],
                    block["yoy"]["share"],
                ]
            row += [item["arrive"][mark.removeprefix("arrive_")] for mark in arrive_marks]
            rows.append(row)
        return f"compliance-{data['period']['from']}-{data['period']['to']}", headers, rows


class CoverageView(APIView):
    """Unit-minutes per beat and h3 cell against incidents, and alignment per patrol zone."""

    @extend_schema(
        parameters=[CoverageParams],
        responses={200: OpenApiTypes.OBJECT, 404: NOT_FOUND},
        summary="Patrol coverage against incident density",
        description=(
            "Presence in unit-minutes from the GPS tracks (a ping counts until the unit's next "
            "one, capped) per h3 cell and beat, incidents per cell and beat, and per patrol "
            "zone: alignment (correlation of unit-minutes and incidents over its cells) and the "
            "share of its unit-minutes spent in its hotspot cells (the fewest cells holding half "
            "its incidents, or with hotspots=forecast half its expected incidents in the "
            "latest forecast)."
        ),
    )
    def get(self, request):
        params = CoverageParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        params = params.validated_data
        units = PatrolUnit.objects.for_user(request.user)
        incidents = Incident.objects.for_user(request.user)
        area = None
        if "area" in params:
            area = Area.objects.for_user(request.user).filter(pk=params["area"]).first()
            if area is None:
                raise Http404
            units = units.filter(home_path__startswith=area.path)
            incidents = incidents.filter(area_path__startswith=area.path)
        result = coverage(
            units=units,
            incidents=incidents,
            start=params["since"],
            end=params["until"],
            resolution=params.get("resolution"),
            hotspots=params.get("hotspots"),
        )
        return Response({"area": area.id if area else None, **result})
