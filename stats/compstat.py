"""CompStat tables: report rows by category, columns week to date, 28 days and year to date,
each with this year, last year and the change — read from the rollups."""

from datetime import date, timedelta

from django.db.models import Q, Sum
from django.utils import timezone

from areas.models import Area
from areas.selectors import in_official_order

from .compare import compare, number
from .coverage import coverage_gap
from .models import ALL_CATEGORIES, EVERYWHERE, CompstatReport, CompstatSnapshot
from .registry import get_source
from .selectors import first_data_day
from .windows import Window, last_complete_day, window_period, year_before

COLUMNS = (Window.WEEK_TO_DATE, Window.ROLLING_28, Window.YEAR_TO_DATE)
DEFAULT_REPORT = "default"
# The shipped default, in the order city bureaus report (installed by a data migration).
DEFAULT_ROWS = [
    (None, "警情总数", "All incidents"),
    ("criminal", "刑事案件", "Criminal cases"),
    ("theft", "盗窃", "Theft"),
    ("theft_burglary", "入室盗窃", "Burglary"),
    ("theft_ebike", "盗窃电动车", "E-bike theft"),
    ("fraud_telecom", "电信网络诈骗", "Telecom and online fraud"),
    ("robbery", "抢劫", "Robbery"),
    ("assault", "伤害", "Assault"),
    ("fight", "打架斗殴", "Fights"),
    ("provocation", "寻衅滋事", "Provocation"),
    ("traffic_accident", "交通事故", "Traffic accidents"),
    ("drunk_driving", "酒驾醉驾", "Drunk driving"),
    ("fire_safety", "火灾及隐患", "Fire and hazards"),
    ("dispute", "矛盾纠纷", "Disputes"),
    ("non_police_12345", "转12345非警务", "Non-police, to 12345"),
]


def default_report_install(report_model) -> None:
    """Create the default report if missing; written against the model passed (migrations)."""
    report_model.objects.get_or_create(
        code=DEFAULT_REPORT,
        defaults={
            "name": "平安城市 CompStat 周报",
            "name_en": "Safe City CompStat weekly",
            "rows": [
                {"category": code, "label": label, "label_en": label_en}
                for code, label, label_en in DEFAULT_ROWS
            ],
        },
    )


def compstat_tables(
    *,
    report: CompstatReport,
    areas: list[dict],
    end: date,
    measure: str = "count",
    today: date | None = None,
) -> list[dict]:
    """One table per area ({"key", "path", "name"}), all from one rollup query. A column whose
    days reach before the first data or past the last complete day before ``today`` (default:
    today) has its cells flagged 'no_data' or 'partial_data' instead of given a change."""
    source = get_source("incidents")
    categories = dict(
        source.category_model.objects.filter(
            code__in=[row["category"] for row in report.rows if row["category"]]
        ).values_list("code", "id")
    )
    periods = {}
    for window in COLUMNS:
        current = window_period(window, end)
        periods[f"{window}__this"] = current
        periods[f"{window}__last"] = year_before(window, current)
    first_day = first_data_day(source)
    last_day = last_complete_day(today or timezone.localdate())
    gaps = {
        window: coverage_gap(
            (periods[f"{window}__this"], periods[f"{window}__last"]), first_day, last_day
        )
        for window in COLUMNS
    }
    category_keys = [
        ALL_CATEGORIES if row["category"] is None else categories.get(row["category"])
        for row in report.rows
    ]
    span = Q()
    for period in periods.values():
        span |= Q(day__range=(period.start, period.end))
    sums = (
        source.rollup.objects.filter(
            area_key__in=[area["key"] for area in areas],
            category_key__in=[key for key in category_keys if key is not None],
        )
        .filter(span)
        .values("area_key", "category_key")
        .annotate(
            **{
                name: Sum(measure, filter=Q(day__range=(period.start, period.end)))
                for name, period in periods.items()
            }
        )
    )
    found = {(row["area_key"], row["category_key"]): row for row in sums}
    kind = source.measures[measure].kind
    tables = []
    for area in areas:
        rows = []
        for definition, key in zip(report.rows, category_keys, strict=True):
            values = found.get((area["key"], key), {})
            cells = {}
            for window in COLUMNS:
                this_year = number(values.get(f"{window}__this"))
                block = compare(this_year, values.get(f"{window}__last"), kind, gaps[window])
                cells[str(window)] = {
                    "this_year": this_year,
                    "last_year": block["base"],
                    "pct_change": block["pct_change"],
                    "flag": block["flag"],
                }
                if "reason" in block:
                    cells[str(window)]["reason"] = block["reason"]
            rows.append(
                {
                    "category": definition["category"],
                    "label": definition["label"],
                    "label_en": definition.get("label_en", ""),
                    **cells,
                }
            )
        tables.append(
            {
                "area": {"id": area["key"] or None, "name": area["name"]},
                "report": report.code,
                "measure": measure,
                "end": end.isoformat(),
                "columns": {
                    str(window): {
                        "this_year": periods[f"{window}__this"].as_dict(),
                        "last_year": periods[f"{window}__last"].as_dict(),
                    }
                    for window in COLUMNS
                },
                "rows": rows,
            }
        )
    return tables


def areas_for_tables(*, area_key: int, area_path: str, level: str | None) -> list[dict]:
    """The area itself, or every area of ``level`` (district, station) inside it."""
    if level is None:
        if area_key == EVERYWHERE:
            return [{"key": EVERYWHERE, "path": "", "name": str(_everywhere_name())}]
        area = Area.objects.get(pk=area_key)
        return [{"key": area.id, "path": area.path, "name": area.name}]
    areas = Area.objects.filter(kind=level)
    if area_path:
        areas = areas.filter(path__startswith=area_path)
    return [
        {"key": area.id, "path": area.path, "name": area.name} for area in in_official_order(areas)
    ]


def _everywhere_name():
    from django.utils.translation import gettext_lazy as _

    return _("全市")


def last_full_week_end(today: date | None = None) -> date:
    """The Sunday that ended the last complete Monday-to-Sunday week."""
    today = today or timezone.localdate()
    return today - timedelta(days=today.weekday() + 1)


def compstat_publish(*, week_ending: date | None = None, report_code: str = DEFAULT_REPORT) -> int:
    """Freeze the week's CompStat tables for the city, each district and each station.

    Idempotent: a snapshot already published is left as it was. Returns how many were new.
    """
    report = CompstatReport.objects.get(code=report_code)
    week_ending = week_ending or last_full_week_end()
    areas = areas_for_tables(area_key=EVERYWHERE, area_path="", level=None)
    # The whole city (every area, and incidents placed in none), then each unit under it.
    for level in ("district", "station"):
        areas += areas_for_tables(area_key=EVERYWHERE, area_path="", level=level)
    published = set(
        CompstatSnapshot.objects.filter(report=report, week_ending=week_ending).values_list(
            "area_key", flat=True
        )
    )
    todo = [area for area in areas if area["key"] not in published]
    tables = compstat_tables(report=report, areas=todo, end=week_ending)
    snapshots = [
        CompstatSnapshot(
            report=report,
            week_ending=week_ending,
            area_key=area["key"],
            area_path=area["path"],
            area_name=area["name"],
            table=table,
        )
        for area, table in zip(todo, tables, strict=True)
    ]
    CompstatSnapshot.objects.bulk_create(snapshots, ignore_conflicts=True)
    return len(snapshots)
