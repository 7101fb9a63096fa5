"""The forecast API: the latest forecast's cells and the latest evaluation, for an area in the
user's jurisdiction and a category, parsed as the statistics API parses them."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from safecity.core.api.schema import NOT_FOUND
from stats.subjects import DEFAULT_SOURCE, subject_for

from ..forecast.selectors import evaluation_as_dict, forecast_for, latest_evaluation
from ..forecast.services import category_groups
from ..models import HORIZONS


class ForecastParams(serializers.Serializer):
    area = serializers.IntegerField(
        required=False, help_text=_("Area id: its whole subtree (default: your jurisdiction)")
    )
    category = serializers.CharField(
        required=False, help_text=_("A top-level category code (default: all categories)")
    )
    horizon = serializers.ChoiceField(
        choices=HORIZONS, default=7, help_text=_("Days forecast: 7 or 28")
    )


class EvaluationParams(serializers.Serializer):
    area = serializers.IntegerField(
        required=False, help_text=_("Area id (default: your jurisdiction)")
    )
    category = serializers.CharField(
        required=False, help_text=_("Category code (default: all categories)")
    )
    horizon = serializers.IntegerField(
        required=False, min_value=1, help_text=_("Only backtests of this horizon (days)")
    )


def _params(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ForecastView(APIView):
    @extend_schema(
        parameters=[ForecastParams],
        responses={200: OpenApiTypes.OBJECT, 404: NOT_FOUND},
        summary="Expected incidents per h3 cell for the next 7 or 28 days",
        description=(
            "The latest nightly forecast of a category group (all categories, or one top-level "
            "category), as a GeoJSON FeatureCollection of h3 cells in the area (by the area "
            "holding each cell's centre), most expected first, each with `expected`, `rank` "
            "and `hot` (the top ANALYSIS_FORECAST_HOT_SHARE of the area's cells); with "
            "`generated_at`, `data_last_day` (the forecast is for the days after it), "
            "`resolution`, `horizon_days`, `expected_total` and the model's `params`. The "
            "model: recency-weighted kernel density with an ETAS-style self-exciting part "
            "(README, analysis/forecast). 404 when no forecast has been made yet."
        ),
    )
    def get(self, request):
        params = _params(ForecastParams, request)
        subject = subject_for(request.user, params)
        code = params.get("category", "")
        groups = [group for group, _ in category_groups(DEFAULT_SOURCE)]
        if code not in groups:
            raise ValidationError(
                {"category": f"forecasts are made for all categories or one of {groups[1:]}"}
            )
        answer = forecast_for(subject=subject, category=code, horizon=params["horizon"])
        if answer is None:
            return Response({"detail": gettext("No forecast has been made yet.")}, status=404)
        return Response(answer)


class EvaluationView(APIView):
    @extend_schema(
        parameters=[EvaluationParams],
        responses={200: OpenApiTypes.OBJECT, 404: NOT_FOUND},
        summary="The latest backtest of the forecast against the naive baselines",
        description=(
            "The latest stored rolling-origin backtest (nightly, or `manage.py "
            "evaluate_forecast`) of exactly this area and category: per method (`model`, "
            "`last_28_days`, `last_365_days`), share of the area (`1%`, `5%`) and figure "
            "(`pai`, `pei`, `hit_rate`) the mean, sd, min and max over the origins; the "
            "`headline` (model PAI at 5% against the better baseline's, and their ratio) and "
            "each origin's scores. PAI = hit rate / share of the area (Chainey); PEI = PAI / "
            "the highest PAI attainable at that share. 404 when none is stored."
        ),
    )
    def get(self, request):
        params = _params(EvaluationParams, request)
        subject = subject_for(request.user, params)
        code = params.get("category", "")
        evaluation = latest_evaluation(
            subject=subject, category=code, horizon=params.get("horizon")
        )
        if evaluation is None:
            return Response({"detail": gettext("No evaluation has been stored yet.")}, status=404)
        return Response(evaluation_as_dict(evaluation))
