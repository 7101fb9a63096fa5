"""CompStat: tables by report row and window, weekly frozen snapshots, and table exports.

Every expected number is counted here, in Python, from the incidents the test ingests.
"""

import csv
import io
from datetime import date, timedelta
from urllib.parse import urlencode

import openpyxl
import pytest
from django.utils import timezone

from areas.models import Area
from incidents.ingest import incidents_ingest
from stats.compstat import compstat_publish, last_full_week_end
from stats.models import EVERYWHERE, CompstatReport, CompstatSnapshot, DirtyDay
from stats.services import rollups_recompute_dirty
from stats.tasks import publish_compstat
from stats.windows import Period
from tests.stats import test_api
from tests.stats.test_api import END, YTD, YTD_LAST_YEAR, Spec, in_category, ingest_row, local

pytestmark = pytest.mark.django_db

# The statistics API tests' city (two districts with a station each) and users.
city_areas = test_api.city_areas
analyst = test_api.analyst
commander = test_api.commander

# END (Friday 31 May 2024) closes every window asked for: the week to date starts on Monday.
WTD = Period(date(2024, 5, 27), END)
WTD_LAST_YEAR = Period(date(2023, 5, 27), date(2023, 5, 31))
D28 = Period(date(2024, 5, 4), END)
D28_LAST_YEAR = Period(date(2023, 5, 4), date(2023, 5, 31))
COLUMN_PERIODS = {
    "wtd": (WTD, WTD_LAST_YEAR),
    "28d": (D28, D28_LAST_YEAR),
    "ytd": (YTD, YTD_LAST_YEAR),
}
# A full Monday-to-Sunday week that contains END, for the snapshots.
WEEK_ENDING = date(2024, 6, 2)
WEEK = Period(date(2024, 5, 27), WEEK_ENDING)
WEEK_LAST_YEAR = Period(date(2023, 5, 27), date(2023, 6, 2))
STATION_PLACE = {"a": "a_station", "b": "b_station"}

SPECS = [
    # This week to date.
    Spec("W1", local(2024, 5, 27, 0, 10), "a_station", "theft_burglary"),
    Spec("W2", local(2024, 5, 29, 14, 0), "b_only", "fraud_telecom_romance"),
    Spec("W3", local(2024, 5, 31, 23, 50), "b_station", "theft_ebike"),
    Spec("W4", local(2024, 5, 30, 9, 0), "outside", "fight"),
    Spec("W5", local(2024, 5, 28, 18, 0), "a_only", "theft_burglary"),
    # The Sunday before the week: in the 28 days, not in the week to date.
    Spec("S1", local(2024, 5, 26, 23, 30), "a_only", "theft_burglary"),
    # The first day of the 28 days, a day inside them, and the day just before them.
    Spec("M1", local(2024, 5, 4, 8, 0), "a_station", "traffic_accident_injury"),
    Spec("M2", local(2024, 5, 15, 21, 0), "b_only", "drunk_driving"),
    Spec("M3", local(2024, 5, 3, 20, 0), "b_station", "dispute_family"),
    # Earlier this year.
    Spec("E1", local(2024, 1, 5, 9, 15), "a_station", "robbery"),
    Spec("E2", local(2024, 2, 29, 13, 0), "b_station", "theft_pickpocket"),
    Spec("E3", local(2024, 3, 1, 0, 30), "a_only", "assault"),
    Spec("E4", local(2024, 4, 2, 8, 0), "b_only", "theft_burglary"),
    # The same dates last year.
    Spec("L1", local(2023, 5, 27, 10, 0), "a_station", "theft_burglary"),
    Spec("L2", local(2023, 5, 31, 23, 59), "b_station", "theft_burglary"),
    Spec("L3", local(2023, 5, 26, 12, 0), "a_only", "fraud_telecom_investment"),
    Spec("L4", local(2023, 5, 4, 7, 0), "b_only", "fight"),
    Spec("L5", local(2023, 2, 28, 12, 0), "a_station", "theft_ebike"),
    Spec("L6", local(2023, 1, 1, 0, 5), "b_only", "provocation"),
    Spec("L7", local(2023, 3, 3, 3, 0), "a_only", "theft_burglary"),
    # After END: only in the snapshot week (ending Sunday 2 June) or in none of the windows.
    Spec("X1", local(2024, 6, 1, 0, 10), "a_station", "theft_burglary"),
    Spec("X2", local(2024, 6, 3, 9, 0), "b_station", "theft_burglary"),
    Spec("X3", local(2023, 6, 15, 12, 0), "b_station", "theft_burglary"),
]


def count(
    period: Period,
    district: str | None = None,
    category: str | None = None,
    place: str | None = None,
    specs: list[Spec] = SPECS,
) -> int:
    """Incidents of ``specs`` in ``period`` within a district or place and a category subtree."""
    return sum(
        1
        for spec in specs
        if period.start <= spec.day <= period.end
        and (district is None or spec.district == district)
        and (place is None or spec.place == place)
        and in_category(spec, category)
    )


def pct_change(current: int, base: int) -> float | None:
    return round(100 * (current - base) / base, 1) if base else None


def ingest(specs: list[Spec]) -> None:
    report = incidents_ingest(rows=[ingest_row(spec) for spec in specs], source_system="t")
    assert (report.created, report.rejected) == (len(specs), 0), report.as_dict()


@pytest.fixture
def incidents(city_areas):
    ingest(SPECS)
    rollups_recompute_dirty()
    return SPECS


@pytest.fixture
def stations(city_areas):
    return {district: city_areas[district].children.get() for district in ("a", "b")}


@pytest.fixture
def fetch(api_client_for, analyst):
    """GET a statistics endpoint (as the city analyst unless told); the response."""

    def get(endpoint: str, user=None, **params):
        url = f"/api/v1/stats/{endpoint}"
        if params:
            url += "?" + urlencode(params)
        return api_client_for(user or analyst).get(url)

    return get


@pytest.fixture
def get(fetch):
    """The JSON body of a GET that must answer 200."""

    def get_json(endpoint: str, user=None, **params):
        response = fetch(endpoint, user, **params)
        assert response.status_code == 200, response.content
        return response.json()

    return get_json


@pytest.fixture
def compstat(get):
    """The CompStat answer for END."""

    def tables(user=None, **params):
        params.setdefault("date", END.isoformat())
        return get("compstat", user, **params)

    return tables


@pytest.fixture
def published(incidents):
    compstat_publish(week_ending=WEEK_ENDING)
    return CompstatSnapshot.objects.filter(week_ending=WEEK_ENDING)


def row_of(table: dict, category: str | None) -> dict:
    return next(row for row in table["rows"] if row["category"] == category)


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


# --- The CompStat table --------------------------------------------------------------------


def test_compstat_for_a_city_wide_analyst_is_one_table_for_the_whole_city(incidents, compstat):
    tables = compstat()["tables"]
    assert len(tables) == 1
    assert tables[0]["area"]["id"] is None


def test_compstat_rows_follow_the_default_report_in_order(incidents, compstat):
    definition = CompstatReport.objects.get(code="default").rows
    body = compstat()
    assert body["report"] == "default"
    assert [(row["category"], row["label"]) for row in body["tables"][0]["rows"]] == [
        (row["category"], row["label"]) for row in definition
    ]


def test_compstat_row_has_this_year_last_year_and_change_for_each_window(incidents, compstat):
    row = compstat()["tables"][0]["rows"][0]
    for window in ("wtd", "28d", "ytd"):
        assert {"this_year", "last_year", "pct_change"} <= set(row[window])


def test_compstat_columns_name_the_periods_of_this_year_and_the_same_dates_last_year(
    incidents, compstat
):
    columns = compstat()["tables"][0]["columns"]
    assert columns == {
        window: {"this_year": this.as_dict(), "last_year": last.as_dict()}
        for window, (this, last) in COLUMN_PERIODS.items()
    }


def test_compstat_counts_every_row_and_window_like_a_direct_count(incidents, compstat):
    table = compstat()["tables"][0]
    assert [
        [(row[window]["this_year"], row[window]["last_year"]) for window in COLUMN_PERIODS]
        for row in table["rows"]
    ] == [
        [
            (count(this, category=row["category"]), count(last, category=row["category"]))
            for this, last in COLUMN_PERIODS.values()
        ]
        for row in table["rows"]
    ]


def test_compstat_week_to_date_starts_on_monday(incidents, compstat):
    cell = row_of(compstat()["tables"][0], "theft_burglary")["wtd"]
    sunday_before = Period(date(2024, 5, 26), date(2024, 5, 26))
    assert count(sunday_before, category="theft_burglary") > 0  # the fixture has one
    assert cell["this_year"] == count(WTD, category="theft_burglary")


def test_compstat_all_incidents_row_includes_incidents_in_no_area(incidents, compstat):
    cell = row_of(compstat()["tables"][0], None)["28d"]
    assert count(D28) > count(D28, "a") + count(D28, "b")  # the fixture has one outside
    assert cell["this_year"] == count(D28)


def test_compstat_percent_change_compares_with_the_same_dates_last_year(incidents, compstat):
    table = compstat()["tables"][0]
    theft = row_of(table, "theft")["ytd"]
    everything = row_of(table, None)["28d"]
    assert theft["pct_change"] == pct_change(
        count(YTD, category="theft"), count(YTD_LAST_YEAR, category="theft")
    )
    assert everything["pct_change"] == pct_change(count(D28), count(D28_LAST_YEAR))


def test_compstat_percent_change_is_null_when_last_year_had_none(incidents, compstat):
    cell = row_of(compstat()["tables"][0], "drunk_driving")["28d"]
    assert count(D28_LAST_YEAR, category="drunk_driving") == 0 < cell["this_year"]
    assert cell["pct_change"] is None


def test_compstat_of_an_area_counts_its_subtree(incidents, compstat, city_areas):
    table = compstat(area=city_areas["b"].id)["tables"][0]
    assert table["area"]["id"] == city_areas["b"].id
    assert row_of(table, None)["ytd"]["this_year"] == count(YTD, "b")
    assert row_of(table, "theft")["wtd"]["last_year"] == count(WTD_LAST_YEAR, "b", "theft")


def test_compstat_by_district_gives_one_table_per_district_in_the_area(
    incidents, compstat, city_areas
):
    tables = compstat(level="district")["tables"]
    assert {table["area"]["id"]: row_of(table, None)["28d"]["this_year"] for table in tables} == {
        city_areas["a"].id: count(D28, "a"),
        city_areas["b"].id: count(D28, "b"),
    }
    assert len(tables) == 2


def test_compstat_by_station_gives_one_table_per_station_in_the_area(incidents, compstat, stations):
    tables = compstat(level="station")["tables"]
    assert len(tables) == 2
    assert {table["area"]["id"]: row_of(table, None)["ytd"]["this_year"] for table in tables} == {
        stations[district].id: count(YTD, place=STATION_PLACE[district]) for district in stations
    }


def test_commander_compstat_is_their_districts_table(incidents, compstat, commander, city_areas):
    tables = compstat(user=commander)["tables"]
    assert [table["area"]["id"] for table in tables] == [city_areas["a"].id]
    assert row_of(tables[0], None)["ytd"]["this_year"] == count(YTD, "a")


def test_commander_compstat_by_district_gives_only_their_district(
    incidents, compstat, commander, city_areas
):
    tables = compstat(user=commander, level="district")["tables"]
    assert [table["area"]["id"] for table in tables] == [city_areas["a"].id]


def test_commander_compstat_by_station_gives_only_their_stations(
    incidents, compstat, commander, stations
):
    tables = compstat(user=commander, level="station")["tables"]
    assert [table["area"]["id"] for table in tables] == [stations["a"].id]
    assert row_of(tables[0], None)["ytd"]["this_year"] == count(YTD, place="a_station")


def test_commander_compstat_of_an_area_outside_their_district_is_404(
    incidents, fetch, commander, city_areas
):
    response = fetch("compstat", commander, area=city_areas["b"].id, date=END.isoformat())
    assert response.status_code == 404


def test_compstat_uses_the_report_named_in_the_request(incidents, compstat):
    CompstatReport.objects.create(
        code="thefts-and-fights",
        name="盗窃与斗殴",
        rows=[
            {"category": "theft", "label": "盗窃", "label_en": "Theft"},
            {"category": "fight", "label": "打架斗殴", "label_en": "Fights"},
        ],
    )
    body = compstat(report="thefts-and-fights")
    rows = body["tables"][0]["rows"]
    assert body["report"] == "thefts-and-fights"
    assert [(row["category"], row["ytd"]["this_year"]) for row in rows] == [
        ("theft", count(YTD, category="theft")),
        ("fight", count(YTD, category="fight")),
    ]


def test_compstat_with_an_unknown_report_is_refused_naming_the_report(incidents, fetch):
    response = fetch("compstat", report="no-such-report", date=END.isoformat())
    assert response.status_code == 400
    assert "no-such-report" in str(response.json()["report"])


# --- Weekly snapshots ----------------------------------------------------------------------


def test_last_full_week_end_on_a_weekday_is_the_sunday_before():
    assert last_full_week_end(date(2024, 5, 29)) == date(2024, 5, 26)


def test_last_full_week_end_on_a_monday_is_the_day_before():
    assert last_full_week_end(date(2024, 5, 27)) == date(2024, 5, 26)


def test_last_full_week_end_on_a_sunday_is_the_sunday_a_week_earlier():
    assert last_full_week_end(date(2024, 6, 2)) == date(2024, 5, 26)


def test_last_full_week_end_defaults_to_the_week_before_today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2024, 5, 30))
    assert last_full_week_end() == date(2024, 5, 26)


def test_publish_creates_a_snapshot_for_the_city_each_district_and_each_station(
    incidents, city_areas, stations
):
    created = compstat_publish(week_ending=WEEK_ENDING)
    keys = set(CompstatSnapshot.objects.values_list("area_key", flat=True))
    assert keys == {
        EVERYWHERE,
        city_areas["a"].id,
        city_areas["b"].id,
        stations["a"].id,
        stations["b"].id,
    }
    assert created == len(keys)


def test_published_snapshot_holds_the_weeks_table(published, city_areas):
    table = published.get(area_key=city_areas["a"].id).table
    assert table["end"] == WEEK_ENDING.isoformat()
    assert row_of(table, None)["wtd"]["this_year"] == count(WEEK, "a")
    assert row_of(table, "theft")["wtd"]["last_year"] == count(WEEK_LAST_YEAR, "a", "theft")


def test_publishing_the_same_week_twice_creates_nothing_new(published):
    before = published.count()
    assert compstat_publish(week_ending=WEEK_ENDING) == 0
    assert CompstatSnapshot.objects.count() == before


def test_a_published_snapshot_cannot_be_saved_again(published):
    snapshot = published.get(area_key=EVERYWHERE)
    snapshot.table = {"rows": []}
    with pytest.raises(ValueError, match="immutable"):
        snapshot.save()


def test_late_incident_changes_the_live_table_but_not_the_published_snapshot(
    published, compstat, city_areas
):
    frozen = published.get(area_key=city_areas["a"].id).table
    late = Spec("LATE", local(2024, 5, 28, 10, 0), "a_only", "theft_burglary")
    ingest([late])
    rollups_recompute_dirty()

    snapshot = published.get(area_key=city_areas["a"].id)  # read again from the database
    assert snapshot.table == frozen
    live = compstat(area=city_areas["a"].id, date=WEEK_ENDING.isoformat())["tables"][0]
    assert row_of(live, None)["wtd"]["this_year"] == count(WEEK, "a", specs=[*SPECS, late])
    assert row_of(snapshot.table, None)["wtd"]["this_year"] == count(WEEK, "a")


def test_publish_compstat_task_publishes_last_weeks_snapshots_with_fresh_counts(city_areas):
    week_ending = last_full_week_end()
    last_week = Period(week_ending - timedelta(days=6), week_ending)
    monday, sunday = last_week.start, last_week.end
    specs = [
        Spec("T1", local(monday.year, monday.month, monday.day, 0, 5), "a_station", "fight"),
        Spec("T2", local(sunday.year, sunday.month, sunday.day, 23, 55), "b_only", "dispute"),
    ]
    ingest(specs)
    assert DirtyDay.objects.exists()  # not recomputed: the task must bring rollups up to date

    publish_compstat()

    snapshots = CompstatSnapshot.objects.filter(week_ending=week_ending)
    assert set(snapshots.values_list("area_key", flat=True)) == {
        EVERYWHERE,
        *Area.objects.filter(kind__in=["district", "station"]).values_list("id", flat=True),
    }
    table = snapshots.get(area_key=EVERYWHERE).table
    assert row_of(table, None)["wtd"]["this_year"] == count(last_week, specs=specs)


def test_snapshot_list_shows_a_city_wide_analyst_every_snapshot(published, get):
    results = get("snapshots/")["results"]
    assert sorted(item["id"] for item in results) == sorted(published.values_list("id", flat=True))


def test_commander_snapshot_list_shows_only_areas_in_their_district(
    published, get, commander, city_areas, stations
):
    results = get("snapshots/", commander)["results"]
    assert {item["area_key"] for item in results} == {city_areas["a"].id, stations["a"].id}


def test_snapshot_list_filters_by_week_ending(published, get):
    earlier = WEEK_ENDING - timedelta(days=7)
    compstat_publish(week_ending=earlier)
    results = get("snapshots/", week_ending=earlier.isoformat())["results"]
    assert {item["week_ending"] for item in results} == {earlier.isoformat()}
    assert len(results) == CompstatSnapshot.objects.filter(week_ending=earlier).count()


def test_snapshot_detail_returns_the_published_table(published, get, city_areas):
    snapshot = published.get(area_key=city_areas["b"].id)
    body = get(f"snapshots/{snapshot.pk}/")
    assert body["table"] == snapshot.table
    assert (body["report"], body["week_ending"]) == ("default", WEEK_ENDING.isoformat())


def test_commander_gets_404_for_another_districts_snapshot(published, fetch, commander, city_areas):
    snapshot = published.get(area_key=city_areas["b"].id)
    assert fetch(f"snapshots/{snapshot.pk}/", commander).status_code == 404


def test_commander_gets_404_for_the_city_wide_snapshot(published, fetch, commander):
    snapshot = published.get(area_key=EVERYWHERE)
    assert fetch(f"snapshots/{snapshot.pk}/", commander).status_code == 404


# --- Exports -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "endpoint,params,first_header",
    [
        pytest.param("summary", {"window": "ytd"}, "measure", id="summary"),
        pytest.param("timeseries", {"window": "ytd", "interval": "month"}, "from", id="timeseries"),
        pytest.param("breakdown", {"window": "ytd", "by": "area"}, "id", id="breakdown-by-area"),
        pytest.param(
            "breakdown",
            {"window": "ytd", "by": "hour_weekday"},
            "weekday",
            id="breakdown-by-hour-weekday",
        ),
        pytest.param("compstat", {}, "area", id="compstat"),
    ],
)
def test_csv_export_is_an_attachment_with_a_header_row(
    incidents, fetch, endpoint, params, first_header
):
    response = fetch(endpoint, date=END.isoformat(), format="csv", **params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Content-Disposition"].endswith('.csv"')
    assert read_csv(response)[0][0] == first_header


def csv_export(fetch, endpoint: str, **params) -> tuple[list[str], list[list[str]]]:
    response = fetch(endpoint, date=END.isoformat(), format="csv", **params)
    assert response.status_code == 200, response.content
    header, *rows = read_csv(response)
    return header, rows


def test_summary_csv_gives_the_json_answers_current_and_base(incidents, fetch, get):
    header, rows = csv_export(fetch, "summary", window="ytd")
    measure = get("summary", window="ytd", date=END.isoformat())["measures"]["count"]
    line = dict(zip(header, next(row for row in rows if row[0] == "count"), strict=True))
    assert int(line["current"]) == measure["current"]
    assert int(line["yoy_base"]) == measure["yoy"]["base"]


def test_timeseries_csv_gives_the_json_answers_points(incidents, fetch, get):
    params = {"window": "ytd", "interval": "month"}
    header, rows = csv_export(fetch, "timeseries", **params)
    points = get("timeseries", date=END.isoformat(), **params)["points"]
    assert header[:4] == ["from", "to", "count", "last_year"]
    assert [(row[0], int(row[2]), int(row[3])) for row in rows] == [
        (point["from"], point["value"], point["last_year"]) for point in points
    ]


def test_breakdown_by_area_csv_gives_the_json_answers_rows(incidents, fetch, get, city_areas):
    params = {"window": "ytd", "by": "area", "area": city_areas["city"].id}
    header, rows = csv_export(fetch, "breakdown", **params)
    body = get("breakdown", date=END.isoformat(), **params)
    assert header[:3] == ["id", "name", "count"]
    assert {int(row[0]): int(row[2]) for row in rows} == {
        row["id"]: row["current"] for row in body["rows"]
    }


def test_breakdown_by_hour_weekday_csv_gives_the_json_answers_matrix(incidents, fetch, get):
    header, rows = csv_export(fetch, "breakdown", window="ytd", by="hour_weekday")
    body = get("breakdown", window="ytd", by="hour_weekday", date=END.isoformat())
    assert header == ["weekday", *[f"{hour:02d}" for hour in range(24)]]
    assert [[int(cell) for cell in row] for row in rows] == [
        [weekday, *hours] for weekday, hours in zip(body["weekdays"], body["matrix"], strict=True)
    ]


def test_compstat_csv_has_a_line_per_report_row_with_the_json_answers_cells(
    incidents, fetch, compstat
):
    header, rows = csv_export(fetch, "compstat")
    table = compstat()["tables"][0]
    assert len(rows) == len(table["rows"])
    line = dict(zip(header, rows[0], strict=True))
    first = table["rows"][0]
    assert line["label"] == first["label"]
    assert int(line["wtd_this_year"]) == first["wtd"]["this_year"]
    assert int(line["ytd_last_year"]) == first["ytd"]["last_year"]


def test_snapshot_csv_is_an_attachment_with_the_snapshots_cells(published, fetch, city_areas):
    snapshot = published.get(area_key=city_areas["a"].id)
    response = fetch(f"snapshots/{snapshot.pk}/", format="csv")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    header, *rows = read_csv(response)
    assert header[:4] == ["area", "category", "label", "wtd_this_year"]
    assert len(rows) == len(snapshot.table["rows"])
    line = dict(zip(header, rows[0], strict=True))
    assert int(line["wtd_this_year"]) == snapshot.table["rows"][0]["wtd"]["this_year"]


def test_compstat_xlsx_has_the_csv_header_and_as_many_data_rows(incidents, fetch):
    csv_header, csv_rows = csv_export(fetch, "compstat", level="district")
    response = fetch("compstat", date=END.isoformat(), level="district", format="xlsx")
    assert response.status_code == 200, response.content
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert list(header) == csv_header
    assert len(rows) == len(csv_rows)


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_bad_parameter_in_an_export_is_refused_with_a_json_reason(incidents, fetch, export_format):
    response = fetch("compstat", date=END.isoformat(), measure="bogus", format=export_format)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "bogus" in str(response.json()["measure"])
