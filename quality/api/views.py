from django.core.exceptions import ValidationError as InvalidValue
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from incidents.ingest import RowError
from incidents.models import Incident
from safecity.core.api.pagination import DefaultCursorPagination

from .. import selectors, services
from ..choices import QualityKind
from .serializers import (
    DismissSerializer,
    PlaceSerializer,
    QualityItemSerializer,
    TimesSerializer,
)

# Kinds whose fix is a point a person chose.
PLACEABLE = {QualityKind.UNLOCATED, QualityKind.LOW_CONFIDENCE}


class QualityItemPagination(DefaultCursorPagination):
    ordering = ("-reported_at", "-id")


def _kind(kwargs) -> str:
    if kwargs["kind"] not in selectors.KIND_FILTERS:
        raise Http404
    return kwargs["kind"]


def _item(request, kwargs) -> Incident:
    try:
        _kind(kwargs)
        return selectors.quality_item_get(user=request.user, public_id=kwargs["public_id"])
    except (Incident.DoesNotExist, ValueError, InvalidValue) as exc:
        raise Http404 from exc


class QualityCountsView(APIView):
    """How many incidents in the caller's jurisdiction wait in each kind's queue."""

    token_resource = "incidents"

    @extend_schema(responses={200: {"type": "object", "additionalProperties": {"type": "integer"}}})
    def get(self, request):
        return Response(selectors.quality_counts(user=request.user))


class QualityItemsView(ListAPIView):
    """The incidents of one kind waiting for a person, newest first."""

    token_resource = "incidents"

    serializer_class = QualityItemSerializer
    pagination_class = QualityItemPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema's pass
            return Incident.objects.none()
        return selectors.quality_items(user=self.request.user, kind=_kind(self.kwargs))


class QualityDismissView(APIView):
    """Keep the incident as it is for this kind: it leaves the kind's queue."""

    token_resource = "incidents"

    write_permissions = {"post": ["incidents.change_incident"]}

    @extend_schema(request=DismissSerializer, responses={201: None})
    def post(self, request, kind, public_id):
        incident = _item(request, self.kwargs)
        params = DismissSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        services.quality_dismiss(
            incident=incident, kind=kind, note=params.validated_data["note"], user=request.user
        )
        return Response(status=status.HTTP_201_CREATED)


def _refused(exc: RowError) -> Response:
    errors = [{"field": p.field, "message": p.message} for p in exc.problems]
    return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)


class QualityPlaceView(APIView):
    """Put an unlocated or doubtfully located incident at a point (WGS84)."""

    token_resource = "incidents"

    write_permissions = {"post": ["incidents.change_incident"]}

    @extend_schema(request=PlaceSerializer, responses={200: QualityItemSerializer})
    def post(self, request, kind, public_id):
        if kind not in PLACEABLE:
            raise Http404
        incident = _item(request, self.kwargs)
        params = PlaceSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        try:
            incident = services.quality_place(
                incident=incident, **params.validated_data, user=request.user
            )
        except RowError as exc:
            return _refused(exc)
        return Response(QualityItemSerializer(incident).data)


class QualityTimesView(APIView):
    """Correct the lifecycle times of an incident whose timeline is impossible."""

    token_resource = "incidents"

    write_permissions = {"post": ["incidents.change_incident"]}

    @extend_schema(request=TimesSerializer, responses={200: QualityItemSerializer})
    def post(self, request, kind, public_id):
        if kind != QualityKind.TIMELINE:
            raise Http404
        incident = _item(request, self.kwargs)
        params = TimesSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        try:
            incident = services.quality_correct_times(
                incident=incident, times=params.validated_data, user=request.user
            )
        except RowError as exc:
            return _refused(exc)
        return Response(QualityItemSerializer(incident).data)
