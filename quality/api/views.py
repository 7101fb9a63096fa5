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
from safecity.core.api.schema import FIELD_CONFLICT

from .. import selectors, services
from ..choices import QualityKind
from .serializers import (
    CategorySerializer,
    DismissSerializer,
    MergeSerializer,
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


def _item(request, kwargs, public_id=None) -> Incident:
    try:
        _kind(kwargs)
        return selectors.quality_item_get(
            user=request.user, public_id=public_id or kwargs["public_id"]
        )
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


class QualityFixView(APIView):
    """A fix of one kind's item: checked, then done by ``fix`` through the services."""

    token_resource = "incidents"
    write_permissions = {"post": ["incidents.change_incident"]}
    kind: QualityKind
    params_class = None

    def post(self, request, kind, public_id):
        if kind != self.kind:
            raise Http404
        incident = _item(request, self.kwargs)
        params = {}
        if self.params_class is not None:
            checked = self.params_class(data=request.data)
            checked.is_valid(raise_exception=True)
            params = checked.validated_data
        try:
            incident = self.fix(incident, params)
        except RowError as exc:
            return _refused(exc)
        return Response(QualityItemSerializer(incident).data)


class QualityCategoryView(QualityFixView):
    """Give an incident filed under an import's fallback category its real category."""

    kind = QualityKind.DEFAULT_CATEGORY
    params_class = CategorySerializer

    @extend_schema(request=CategorySerializer, responses={200: QualityItemSerializer})
    def post(self, request, kind, public_id):
        return super().post(request, kind, public_id)

    def fix(self, incident, params):
        return services.quality_set_category(
            incident=incident, category=params["category"], user=self.request.user
        )


class QualityRefileView(QualityFixView):
    """Hand an incident to the jurisdiction its point lies in."""

    kind = QualityKind.OUTSIDE_JURISDICTION
    # Refused, with the field that says why, for an incident that lies in no area.
    write_conflicts = {"400": FIELD_CONFLICT}

    @extend_schema(request=None, responses={200: QualityItemSerializer})
    def post(self, request, kind, public_id):
        return super().post(request, kind, public_id)

    def fix(self, incident, params):
        return services.quality_refile(incident=incident, user=self.request.user)


class QualityMergeView(QualityFixView):
    """Record a suspected duplicate as a repeat of another incident: statistics count the
    event once."""

    kind = QualityKind.DUPLICATE
    params_class = MergeSerializer

    @extend_schema(request=MergeSerializer, responses={200: QualityItemSerializer})
    def post(self, request, kind, public_id):
        return super().post(request, kind, public_id)

    def fix(self, incident, params):
        into = _item(self.request, self.kwargs, public_id=params["into"])
        return services.quality_merge(duplicate=incident, into=into, user=self.request.user)


class QualityPartnersView(ListAPIView):
    """The incidents a suspected duplicate may repeat."""

    token_resource = "incidents"
    serializer_class = QualityItemSerializer
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Incident.objects.none()
        if self.kwargs["kind"] != QualityKind.DUPLICATE:
            raise Http404
        incident = _item(self.request, self.kwargs)
        return selectors.duplicate_partners(user=self.request.user, incident=incident)
