"""The analysis API: hot spots, emerging hot spots and near repeats of an area, category and
window, scoped as the statistics API is (``subject_for``: out of jurisdiction is a 404).
``?format=geojson`` gives the cells as a FeatureCollection, ``?format=csv`` or ``xlsx`` as a
table."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response

from safecity.core.api.renderers import GeoJSONRenderer, TableCSVRenderer, TableXLSXRenderer
from stats.api.views import FROM_PARAMETER, StatsView
from stats.subjects import subject_for

from ..results import (
    cells_geojson,
    cells_table,
    emerging_answer,
    hotspot_answer,
    knox_rows,
    near_repeat_answer,
)
from .serializers import EmergingParams, HotspotParams, NearRepeatParams


class AnalysisView(StatsView):
    token_resource = "stats"
    renderer_classes = [
        JSONRenderer,
        BrowsableAPIRenderer,
        GeoJSONRenderer,
        TableCSVRenderer,
        TableXLSXRenderer,
    ]

    def answer(self, request, compute) -> Response:
        params = self.params(request)
        subject = subject_for(request.user, params)
        data = compute(subject, params)
        if request.accepted_renderer.format == "geojson":
            return Response(cells_geojson(data))
        return Response(data)

    def export_table(self, data):
        headers, rows = cells_table(data)
        return f"{self.export_name}-{data['period']['from']}-{data['period']['to']}", headers, rows


class HotspotsView(AnalysisView):
    params_class = HotspotParams
    export_name = "hotspots"

    @extend_schema(
        parameters=[HotspotParams, FROM_PARAMETER],
        responses={200: OpenApiTypes.OBJECT},
        summary="Getis-Ord Gi* hot spots over h3 cells",
        description=(
            "Gi* z and two-sided p per h3 cell (binary weights: cells within k rings, the cell "
            "itself included) over the cells holding events and their k-ring neighbours; with "
            "fdr, Benjamini–Hochberg adjusted p (p_tested). class ±3/±2/±1: hot/cold at "
            "99/95/90% confidence. Cells listed: those with events or significant; classes "
            "counts every cell tested."
        ),
    )
    def get(self, request):
        return self.answer(
            request,
            lambda subject, params: hotspot_answer(
                subject=subject,
                period=params["period"],
                resolution=params["resolution"],
                k=params["k"],
                fdr=params["fdr"],
            ),
        )


class EmergingView(AnalysisView):
    params_class = EmergingParams
    export_name = "emerging"

    @extend_schema(
        parameters=[EmergingParams, FROM_PARAMETER],
        responses={200: OpenApiTypes.OBJECT},
        summary="Emerging hot spots: Gi* per step, Mann–Kendall trend, Esri's categories",
        description=(
            "Steps: 7-day blocks ending on the window's last day, or calendar months; at least "
            "6. Categories new, consecutive, intensifying, persistent, diminishing, sporadic, "
            "oscillating, historical (each _hot or _cold), or none; the rules are in the README."
        ),
    )
    def get(self, request):
        return self.answer(
            request,
            lambda subject, params: emerging_answer(
                subject=subject,
                period=params["period"],
                step=params["step"],
                resolution=params["resolution"],
                k=params["k"],
                fdr=params["fdr"],
            ),
        )


class NearRepeatView(AnalysisView):
    params_class = NearRepeatParams
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, TableCSVRenderer, TableXLSXRenderer]

    @extend_schema(
        parameters=[NearRepeatParams, FROM_PARAMETER],
        responses={200: OpenApiTypes.OBJECT},
        summary="Near repeats: the Knox test over distance × time bands (Monte Carlo)",
        description=(
            "Pairs of events of the category (default: the first near-repeat category) per "
            "distance band × time band, against permutations of the times: observed, expected, "
            "Knox ratio and p = (1 + permutations at least as high) / (1 + permutations). The "
            "zone is the farthest distance and longest time of a cell with ratio > 1, p ≤ 0.05."
        ),
    )
    def get(self, request):
        return self.answer(
            request,
            lambda subject, params: near_repeat_answer(
                subject=subject,
                period=params["period"],
                bands=params["bands"],
                seed=params.get("seed"),
            ),
        )

    def export_table(self, data):
        headers, rows = knox_rows(data)
        return f"near-repeat-{data['period']['from']}-{data['period']['to']}", headers, rows
