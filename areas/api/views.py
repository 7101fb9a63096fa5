from django.conf import settings
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response

from safecity.core.api.renderers import GeoJSONRenderer
from safecity.core.api.serializers import FeatureCollectionSerializer, FeatureSerializer

from .. import selectors
from ..filtersets import AreaFilterSet
from ..geometry import MAP_ZOOMS
from ..locator import locate_point
from ..models import Area
from ..scoping import scope_for
from .serializers import (
    AreaDetailSerializer,
    AreaSerializer,
    AreaTreeNodeSerializer,
    area_feature,
)

JSON_RENDERERS = [JSONRenderer, BrowsableAPIRenderer]


class _MapSerializer(serializers.Serializer):
    zoom = serializers.IntegerField(
        min_value=MAP_ZOOMS.start,
        max_value=MAP_ZOOMS.stop - 1,
        required=False,
        help_text="With format=geojson: the web-map zoom the boundaries are simplified for "
        "(default AREA_MAP_DEFAULT_ZOOM); the JSON detail holds the stored boundary",
    )


def _map_zoom(request) -> int:
    params = _MapSerializer(data=request.query_params)
    params.is_valid(raise_exception=True)
    return params.validated_data.get("zoom", settings.AREA_MAP_DEFAULT_ZOOM)


class AreaViewSet(viewsets.ReadOnlyModelViewSet):
    """The area tree of the caller's jurisdiction. ``?format=geojson`` returns boundaries."""

    filterset_class = AreaFilterSet
    pagination_class = None
    renderer_classes = [*JSON_RENDERERS, GeoJSONRenderer]

    def get_queryset(self):
        return Area.objects.for_user(self.request.user).select_related("parent")

    def get_serializer_class(self):
        return AreaDetailSerializer if self.action == "retrieve" else AreaSerializer

    @extend_schema(
        parameters=[_MapSerializer],
        responses={
            (200, "application/json"): AreaSerializer(many=True),
            (200, "application/geo+json"): FeatureCollectionSerializer,
        },
    )
    def list(self, request, *args, **kwargs):
        # Tree order, each parent's children in their official order.
        queryset = self.filter_queryset(self.get_queryset())
        if request.accepted_renderer.format == "geojson":
            areas = selectors.in_official_order(queryset.defer("geometry"))
            geometries = selectors.area_map_geometries(areas, zoom=_map_zoom(request))
            features = [area_feature(area, geometries.get(area.pk)) for area in areas]
            return Response({"type": "FeatureCollection", "features": features})
        areas = selectors.in_official_order(queryset)
        return Response(self.get_serializer(areas, many=True).data)

    @extend_schema(
        parameters=[_MapSerializer],
        responses={
            (200, "application/json"): AreaDetailSerializer,
            (200, "application/geo+json"): FeatureSerializer,
        },
    )
    def retrieve(self, request, *args, **kwargs):
        area = self.get_object()
        if request.accepted_renderer.format == "geojson":
            geometries = selectors.area_map_geometries([area], zoom=_map_zoom(request))
            return Response(area_feature(area, geometries.get(area.pk)))
        return Response(self.get_serializer(area).data)

    @extend_schema(responses=AreaTreeNodeSerializer(many=True), filters=False)
    @action(detail=False, filterset_class=None, renderer_classes=JSON_RENDERERS)
    def tree(self, request):
        """The caller's areas nested as a tree, each node with its children."""
        return Response(selectors.area_tree(user=request.user))

    @extend_schema(
        parameters=[
            OpenApiParameter("lon", OpenApiTypes.DOUBLE, required=True),
            OpenApiParameter("lat", OpenApiTypes.DOUBLE, required=True),
        ],
        responses=AreaSerializer(many=True),
        filters=False,
    )
    @action(detail=False, filterset_class=None, renderer_classes=JSON_RENDERERS)
    def locate(self, request):
        """The smallest area of each level containing a point, within the caller's scope."""
        params = _PointSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        located = locate_point(params.validated_data["lon"], params.validated_data["lat"])
        scope = scope_for(request.user)
        ids = [ref.id for ref in located.by_kind.values() if scope.covers(ref.path)]
        areas = Area.objects.filter(pk__in=ids).order_by("path")
        return Response(AreaSerializer(areas, many=True).data)

    def get_object(self):
        try:
            return selectors.area_get(user=self.request.user, area_id=self.kwargs["pk"])
        except (Area.DoesNotExist, ValueError) as exc:
            raise Http404 from exc


class _PointSerializer(serializers.Serializer):
    lon = serializers.FloatField(min_value=-180, max_value=180)
    lat = serializers.FloatField(min_value=-90, max_value=90)
