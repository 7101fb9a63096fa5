from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from safecity.core.api.renderers import TableCSVRenderer, TableXLSXRenderer

from .. import movers, selectors, series
from ..answers import remembered
from ..compstat import COLUMNS, areas_for_tables, compstat_tables
from ..models import CompstatReport
from ..subjects import subject_for
from .serializers import (
    BreakdownParams,
    CompstatParams,
    MoversParams,
    SnapshotDetailSerializer,
    SnapshotSerializer,
    StatsParams,
    TimeseriesParams,
)

FROM_PARAMETER = OpenApiParameter(
    "from", str, description="custom window: first day (YYYY-MM-DD)", required=False
)


def _comparisons(item: dict) -> list:
    """The cells of an item's yoy and pop blocks, in COMPARISON_HEADERS order each."""
    return [item[part][name] for part in ("yoy", "pop") for name in COMPARISON_HEADERS]


COMPARISON_HEADERS = ["base", "change", "pct_change", "z", "flag"]


class StatsView(APIView):
    params_class = StatsParams
    # ?format=csv or ?format=xlsx gives the answer as a table (see export_table).
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, TableCSVRenderer, TableXLSXRenderer]

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
            "'significant' at |z| ≥ 3 (z = 2(√current − √base), counts only). When the period "
            "or its base lies wholly (flag 'no_data') or partly ('partial_data') before the "
            "source's first data (data_from) or after the last complete day, the block has "
            "neither pct_change nor z, and a reason ('before_first_data', 'after_last_data'). "
            "Windows end yesterday unless partial=today; today_so_far then names the time "
            "the last day of every compared period is counted up to."
        ),
    )
    def get(self, request):
        params = self.params(request)
        subject = subject_for(request.user, params)
        window, period, measures = params["window"], params["period"], params["measures"]
        cutoff = params["cutoff"]
        question = (subject.area_key, subject.category_key, window, period, tuple(measures))
        return Response(
            remembered(
                "summary",
                subject.source,
                (*question, cutoff),
                lambda: selectors.stats_summary(
                    subject=subject,
                    window=window,
                    period=period,
                    measures=measures,
                    cutoff=cutoff,
                ),
            )
        )

    def export_table(self, data):
        headers = ["measure", "current"]
        headers += [f"yoy_{h}" for h in COMPARISON_HEADERS]
        headers += [f"pop_{h}" for h in COMPARISON_HEADERS]
        rows = [
            [name, block["current"], *_comparisons(block)]
            for name, block in data["measures"].items()
        ]
        return f"summary-{data['period']['from']}-{data['period']['to']}", headers, rows


class TimeseriesView(StatsView):
    params_class = TimeseriesParams

    @extend_schema(
        parameters=[TimeseriesParams, FROM_PARAMETER],
        responses={200: OpenApiTypes.OBJECT},
        summary="A series with last year's aligned",
        description=(
            "Each bucket compares as a summary of its days does: a day with the same day a "
            "year earlier (29 February with 28 February), a whole ISO week or month with the "
            "whole one a year earlier, a clipped bucket with the same dates; its yoy block "
            "carries 'no_data'/'partial_data' flags as the summary's do."
        ),
    )
    def get(self, request):
        params = self.params(request)
        subject = subject_for(request.user, params)
        period, measure, interval = params["period"], params["measures"][0], params["interval"]
        cutoff = params["cutoff"]
        question = (subject.area_key, subject.category_key, period, measure, interval, cutoff)
        return Response(
            remembered(
                "timeseries",
                subject.source,
                question,
                lambda: series.stats_timeseries(
                    subject=subject,
                    period=period,
                    measure=measure,
                    interval=interval,
                    cutoff=cutoff,
                ),
            )
        )

    def export_table(self, data):
        headers = ["from", "to", data["measure"], "last_year", "pct_change", "flag"]
        rows = [
            [
                p["from"],
                p["to"],
                p["value"],
                p["last_year"],
                p["yoy"]["pct_change"],
                p["yoy"]["flag"],
            ]
            for p in data["points"]
        ]
        return f"timeseries-{data['interval']}-{data['period']['to']}", headers, rows


class BreakdownView(StatsView):
    params_class = BreakdownParams

    @extend_schema(
        parameters=[BreakdownParams, FROM_PARAMETER],
        responses={200: OpenApiTypes.OBJECT},
        summary="Children of an area or category, or the hour-by-weekday matrix",
    )
    def get(self, request):
        params = self.params(request)
        subject = subject_for(request.user, params)
        if params["by"] == "hour_weekday":
            matrix = remembered(
                "hour_weekday",
                subject.source,
                (subject.area_key, subject.category_key, params["period"]),
                lambda: selectors.hour_weekday_matrix(subject=subject, period=params["period"]),
            )
            return Response({"by": "hour_weekday", "measure": "count", **matrix})
        keys = (
            selectors.child_areas(subject)
            if params["by"] == "area"
            else selectors.child_categories(subject)
        )
        question = (
            subject.area_key,
            subject.category_key,
            params["window"],
            params["period"],
            params["measures"][0],
            params["by"],
            repr(keys),
            params["cutoff"],
        )
        rows = remembered(
            "breakdown",
            subject.source,
            question,
            lambda: selectors.stats_breakdown_keys(
                subject=subject,
                window=params["window"],
                period=params["period"],
                measure=params["measures"][0],
                keys=keys,
                by=params["by"],
                cutoff=params["cutoff"],
            ),
        )
        return Response(
            {
                "by": params["by"],
                "measure": params["measures"][0],
                "period": params["period"].as_dict(),
                "today_so_far": params["cutoff"].as_dict()
                if params["cutoff"].cuts(params["period"])
                else None,
                "rows": rows,
            }
        )

    def export_table(self, data):
        name = f"breakdown-{data['by']}-{data['period']['to']}"
        if data["by"] == "hour_weekday":
            headers = ["weekday", *[f"{hour:02d}" for hour in range(24)]]
            rows = [
                [day, *counts] for day, counts in zip(data["weekdays"], data["matrix"], strict=True)
            ]
            return name, headers, rows
        key = "code" if data["by"] == "category" else "id"
        headers = [key, "name", data["measure"]]
        headers += [f"yoy_{h}" for h in COMPARISON_HEADERS]
        headers += [f"pop_{h}" for h in COMPARISON_HEADERS]
        rows = [[row[key], row["name"], row["current"], *_comparisons(row)] for row in data["rows"]]
        return name, headers, rows


class MoversView(StatsView):
    params_class = MoversParams

    @extend_schema(
        parameters=[MoversParams, FROM_PARAMETER],
        responses={200: OpenApiTypes.OBJECT},
        summary="Top movers: child categories and areas that rose or fell most",
        description=(
            "For the area and window: the child categories and the child areas with the "
            "largest significant rises and falls against the same period last year "
            "(against=yoy) or the period before (pop), ranked by the Poisson z-score "
            "2(√current − √base), only those with |z| ≥ min_z (2). Each mover: id or code, "
            "name, name_en, current, base, change, pct_change, z, flag. Comparisons without "
            "data behind them (flag no_data or partial_data) have no z and never move."
        ),
    )
    def get(self, request):
        params = self.params(request)
        subject = subject_for(request.user, params)
        arguments = {
            "window": params["window"],
            "period": params["period"],
            "measure": params["measures"][0],
            "against": params["against"],
            "limit": params["limit"],
            "cutoff": params["cutoff"],
        }
        question = (subject.area_key, subject.category_key, *arguments.values())
        answer = remembered(
            "movers",
            subject.source,
            question,
            lambda: movers.stats_top_movers(subject=subject, **arguments),
        )
        return Response(answer)

    def export_table(self, data):
        headers = ["by", "direction", "key", "name", "current", "base", "change"]
        headers += ["pct_change", "z", "flag"]
        rows = []
        for by, key in (("categories", "code"), ("areas", "id")):
            for direction in ("rises", "falls"):
                for mover in data[by][direction]:
                    rows.append(
                        [by, direction, mover[key], mover["name"]]
                        + [mover[name] for name in headers[4:]]
                    )
        return f"movers-{data['against']}-{data['period']['to']}", headers, rows


def compstat_rows(tables: list[dict]) -> tuple[list[str], list[list]]:
    headers = ["area", "category", "label"]
    for window in COLUMNS:
        headers += [f"{window}_this_year", f"{window}_last_year", f"{window}_pct_change"]
    rows = []
    for table in tables:
        for row in table["rows"]:
            cells = [table["area"]["name"], row["category"] or "", row["label"]]
            for window in COLUMNS:
                cell = row[str(window)]
                cells += [cell["this_year"], cell["last_year"], cell["pct_change"]]
            rows.append(cells)
    return headers, rows


class CompstatView(StatsView):
    params_class = CompstatParams

    @extend_schema(
        parameters=[CompstatParams],
        responses={200: OpenApiTypes.OBJECT},
        summary="CompStat tables: week to date, 28 days, year to date vs last year",
    )
    def get(self, request):
        params = self.params(request)
        subject = subject_for(request.user, params)
        report = CompstatReport.objects.filter(code=params["report"]).first()
        if report is None:
            raise ValidationError({"report": f"unknown report {params['report']!r}"})
        areas = areas_for_tables(
            area_key=subject.area_key, area_path=subject.area_path, level=params.get("level")
        )
        end, measure = params["period"].end, params["measures"][0]
        tables = remembered(
            "compstat",
            subject.source,
            # Today too: which columns have data behind them depends on it.
            (report.pk, repr(report.rows), repr(areas), end, measure, params["cutoff"].today),
            lambda: compstat_tables(
                report=report,
                areas=areas,
                end=end,
                measure=measure,
                today=params["cutoff"].today,
            ),
        )
        return Response({"report": report.code, "name": report.name, "tables": tables})

    def export_table(self, data):
        headers, rows = compstat_rows(data["tables"])
        end = data["tables"][0]["end"] if data["tables"] else "empty"
        return f"compstat-{data['report']}-{end}", headers, rows


class SnapshotList(generics.ListAPIView):
    """Published CompStat snapshots of the areas in the user's jurisdiction."""

    serializer_class = SnapshotSerializer
    filterset_fields = ["week_ending", "area_key", "report__code"]

    def get_queryset(self):
        return selectors.compstat_snapshots(user=self.request.user)


class SnapshotDetail(generics.RetrieveAPIView):
    serializer_class = SnapshotDetailSerializer
    renderer_classes = StatsView.renderer_classes
    get_queryset = SnapshotList.get_queryset

    def export_table(self, data):
        headers, rows = compstat_rows([data["table"]])
        return f"compstat-{data['report']}-{data['week_ending']}-{data['area_key']}", headers, rows
