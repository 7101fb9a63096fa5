from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from areas.models import Area
from areas.scoping import scope_for
from incidents.models import Category

from .. import selectors
from ..models import ALL_CATEGORIES, EVERYWHERE
from ..registry import get_source
from .serializers import SOURCE, BreakdownParams, StatsParams, TimeseriesParams

FROM_PARAMETER = OpenApiParameter(
    "from", str, description="custom window: first day (YYYY-MM-DD)", required=False
)


def subject_for(request, params: dict) -> selectors.Subject:
    """The area and category asked for, within the user's jurisdiction (else 404)."""
    scope = scope_for(request.user)
    source = get_source(SOURCE)
    if "area" in params:
        area = Area.objects.filter(pk=params["area"]).only("id", "path").first()
        if area is None or not scope.covers(area.path):
            raise Http404(_("No such area in your jurisdiction."))
        area_key, area_path = area.id, area.path
    elif scope.everything:
        area_key, area_path = EVERYWHERE, ""
    elif scope.path:
        area_key, area_path = int(scope.path.rstrip("/").rsplit("/", 1)[-1]), scope.path
    else:
        raise Http404(_("You have no jurisdiction to report on."))
    category_key, category_path = ALL_CATEGORIES, ""
    if params.get("category"):
        category = Category.objects.filter(code=params["category"]).first()
        if category is None:
            raise ValidationError({"category": f"unknown category code {params['category']!r}"})
        category_key, category_path = category.id, category.path
    return selectors.Subject(source, area_key, area_path, category_key, category_path)


class StatsView(APIView):
    params_class = StatsParams

    def params(self, request) -> dict:
        serializer = self.params_class(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class SummaryView(StatsView):
    @extend_schema(
        parameters=[StatsParams, FROM_PARAMETER],
        responses={200: OpenApiTypes.OBJECT},
        summary="Current, 同比 and 环比",
        description=(
            "Per measure: current, and yoy/pop blocks {base, change, pct_change, z, flag}; "
            "pct_change is null and flag 'new' when the base is 0; flag 'notable' at |z| ≥ 2, "
            "'significant' at |z| ≥ 3 (z = 2(√current − √base), counts only)."
        ),
    )
    def get(self, request):
        params = self.params(request)
        subject = subject_for(request, params)
        return Response(
            selectors.stats_summary(
                subject=subject,
                window=params["window"],
                period=params["period"],
                measures=params["measures"],
            )
        )


class TimeseriesView(StatsView):
    params_class = TimeseriesParams

    @extend_schema(
        parameters=[TimeseriesParams, FROM_PARAMETER],
        responses={200: OpenApiTypes.OBJECT},
        summary="A series with last year's aligned",
    )
    def get(self, request):
        params = self.params(request)
        subject = subject_for(request, params)
        return Response(
            selectors.stats_timeseries(
                subject=subject,
                period=params["period"],
                measure=params["measures"][0],
                interval=params["interval"],
            )
        )


class BreakdownView(StatsView):
    params_class = BreakdownParams

    @extend_schema(
        parameters=[BreakdownParams, FROM_PARAMETER],
        responses={200: OpenApiTypes.OBJECT},
        summary="Children of an area or category, or the hour-by-weekday matrix",
    )
    def get(self, request):
        params = self.params(request)
        subject = subject_for(request, params)
        if params["by"] == "hour_weekday":
            return Response(selectors.hour_weekday_matrix(subject=subject, period=params["period"]))
        keys = (
            selectors.child_areas(subject)
            if params["by"] == "area"
            else selectors.child_categories(subject)
        )
        rows = selectors.stats_breakdown_keys(
            subject=subject,
            window=params["window"],
            period=params["period"],
            measure=params["measures"][0],
            keys=keys,
            by=params["by"],
        )
        return Response(
            {
                "by": params["by"],
                "measure": params["measures"][0],
                "period": params["period"].as_dict(),
                "rows": rows,
            }
        )
