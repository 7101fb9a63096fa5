"""Statistics API: summaries, series and breakdowns read from rollups of ingested incidents.

Every expected number is counted here, in Python, from the incidents the test ingests.
"""

import math
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.choices import Role
from incidents.ingest import incidents_ingest
from incidents.models import Category, IncidentDaily
from stats.services import rollups_recompute_dirty
from stats.windows import Period

pytestmark = pytest.mark.django_db

TZ = ZoneInfo(settings.TIME_ZONE)
# The last day of every window asked for: a Friday in a leap year, so 同比 meets 29 February.
END = date(2024, 5, 31)
YTD = Period(date(2024, 1, 1), END)
YTD_LAST_YEAR = Period(date(2023, 1, 1), date(2023, 5, 31))
# Year to date is compared (环比) with the 152 days just before it.
YTD_PREVIOUS = Period(date(2023, 8, 2), date(2023, 12, 31))

# Points and the district each falls in (conftest's two_districts: A at 120–122°E, B at
# 122–124°E, each with a station in its south-west quarter); "outside" is in no area at all.
PLACES = {
    "a_station": ((120.5, 30.5), "a"),
    "a_only": ((121.5, 31.5), "a"),
    "b_station": ((122.5, 30.5), "b"),
    "b_only": ((123.5, 31.5), "b"),
    "outside": ((100.5, 25.5), None),
}


@dataclass(frozen=True)
class Spec:
    ref: str
    reported: datetime
    place: str
    category: str
    money: Decimal | None = None

    @property
    def district(self) -> str | None:
        return PLACES[self.place][1]

    @property
    def day(self) -> date:
        return self.reported.date()


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=TZ)


SPECS = [
    # This year, inside year to date.
    Spec("C1", local(2024, 1, 5, 9, 15), "a_station", "theft_burglary", Decimal("1200.00")),
    Spec("C2", local(2024, 1, 20, 22, 40), "a_only", "theft_pickpocket"),
    Spec("C3", local(2024, 2, 29, 13, 0), "b_station", "theft_burglary", Decimal("300.50")),
    # 00:30 local is still 29 February in UTC: it must count on 1 March.
    Spec("C4", local(2024, 3, 1, 0, 30), "a_station", "fraud_telecom_romance", Decimal("50000")),
    Spec("C5", local(2024, 3, 15, 18, 5), "b_only", "fight"),
    Spec("C6", local(2024, 4, 2, 8, 0), "a_station", "theft_ebike", Decimal("2500.00")),
    Spec("C7", local(2024, 5, 10, 11, 11), "outside", "traffic_accident_injury"),
    Spec("C8", local(2024, 5, 20, 19, 30), "a_station", "dispute_family"),
    Spec("C9", local(2024, 5, 31, 23, 50), "b_station", "theft_burglary", Decimal("99.99")),
    # Last year, inside the same period (同比).
    Spec("Y1", local(2023, 1, 10, 10, 0), "a_station", "theft_burglary", Decimal("800.00")),
    Spec("Y2", local(2023, 2, 28, 12, 0), "b_station", "fraud_telecom_investment", Decimal("1e4")),
    Spec("Y3", local(2023, 4, 18, 7, 45), "b_only", "theft_pickpocket"),
    Spec("Y4", local(2023, 5, 31, 23, 59), "a_only", "theft_other"),
    # Last year, in the period just before year to date (环比).
    Spec("P1", local(2023, 9, 9, 14, 0), "a_station", "theft_motor_vehicle", Decimal("60000")),
    Spec("P2", local(2023, 12, 31, 23, 30), "b_station", "assault"),
    # In none of those periods.
    Spec("X1", local(2024, 6, 1, 0, 10), "a_station", "theft_burglary"),
    # The first data, before every period compared: each comparison has data behind it.
    Spec("X0", local(2022, 1, 3, 8, 0), "b_only", "theft_other"),
    Spec("X2", local(2023, 6, 15, 12, 0), "b_station", "theft_burglary"),
]


def ingest_row(spec: Spec) -> dict:
    (lon, lat), _ = PLACES[spec.place]
    return {
        "source_ref": spec.ref,
        "category": spec.category,
        "reported_at": spec.reported.isoformat(),
        "lon": lon,
        "lat": lat,
        "money_involved": None if spec.money is None else str(spec.money),
    }


def in_category(spec: Spec, code: str | None) -> bool:
    if code is None:
        return True
    own = Category.objects.get(code=spec.category).path
    return own.startswith(Category.objects.get(code=code).path)


def chosen(period: Period, district: str | None = None, category: str | None = None):
    """The incidents in ``period`` within a district (None: everywhere) and a category subtree."""
    return [
        spec
        for spec in SPECS
        if period.start <= spec.day <= period.end
        and (district is None or spec.district == district)
        and in_category(spec, category)
    ]


def count(period: Period, district: str | None = None, category: str | None = None) -> int:
    return len(chosen(period, district, category))


def money(period: Period, district: str | None = None, category: str | None = None) -> float:
    return float(sum(spec.money or 0 for spec in chosen(period, district, category)))


@pytest.fixture
def city_areas(city, two_districts):
    district_a, district_b = two_districts
    return {"city": city, "a": district_a, "b": district_b}


@pytest.fixture
def incidents(city_areas):
    report = incidents_ingest(rows=[ingest_row(spec) for spec in SPECS], source_system="t")
    assert (report.created, report.rejected) == (len(SPECS), 0), report.as_dict()
    rollups_recompute_dirty()
    return SPECS


@pytest.fixture
def analyst(make_user, city):
    return make_user(role=Role.CITY_ANALYST, home_area=city)


@pytest.fixture
def commander(make_user, city_areas):
    return make_user(role=Role.DISTRICT_COMMANDER, home_area=city_areas["a"])


@pytest.fixture
def get(api_client_for, analyst):
    """GET an endpoint as the city analyst; the JSON body when it answers 200."""

    def fetch(endpoint: str, user=None, **params):
        params.setdefault("date", END.isoformat())
        if params["date"] is None:
            del params["date"]
        response = api_client_for(user or analyst).get(f"/api/v1/stats/{endpoint}", params)
        assert response.status_code == 200, response.content
        return response.json()

    return fetch


def summary_count(body: dict) -> int:
    return body["measures"]["count"]["current"]


def test_summary_reports_the_window_and_the_periods_it_is_compared_with(incidents, get):
    body = get("summary", window="ytd")
    assert body["window"] == "ytd"
    assert body["period"] == YTD.as_dict()
    assert body["yoy_period"] == YTD_LAST_YEAR.as_dict()
    assert body["pop_period"] == YTD_PREVIOUS.as_dict()


def test_summary_gives_each_measure_a_current_value_and_two_comparison_blocks(incidents, get):
    measure = get("summary", window="ytd")["measures"]["count"]
    assert set(measure) == {"current", "yoy", "pop"}
    block_keys = {"base", "change", "pct_change", "z", "flag"}
    assert set(measure["yoy"]) == block_keys
    assert set(measure["pop"]) == block_keys


def test_summary_counts_every_incident_of_the_window_including_those_in_no_area(incidents, get):
    assert count(YTD) > count(YTD, "a") + count(YTD, "b")  # the fixture has one outside
    assert summary_count(get("summary", window="ytd")) == count(YTD)


def test_summary_compares_with_the_same_period_last_year(incidents, get):
    current, base = count(YTD), count(YTD_LAST_YEAR)
    yoy = get("summary", window="ytd")["measures"]["count"]["yoy"]
    assert yoy["base"] == base
    assert yoy["change"] == current - base
    assert yoy["pct_change"] == round(100 * (current - base) / base, 1)
    assert yoy["z"] == round(2 * (math.sqrt(current) - math.sqrt(base)), 2)


def test_summary_compares_with_the_period_just_before(incidents, get):
    current, base = count(YTD), count(YTD_PREVIOUS)
    pop = get("summary", window="ytd")["measures"]["count"]["pop"]
    assert pop["base"] == base
    assert pop["change"] == current - base
    assert pop["pct_change"] == round(100 * (current - base) / base, 1)


def test_summary_of_an_area_covers_its_whole_subtree(incidents, get, city_areas):
    body = get("summary", window="ytd", area=city_areas["a"].id)
    assert summary_count(body) == count(YTD, "a")
    assert body["measures"]["count"]["yoy"]["base"] == count(YTD_LAST_YEAR, "a")


def test_summary_of_a_category_covers_its_whole_subtree(incidents, get):
    body = get("summary", window="ytd", category="theft")
    assert summary_count(body) == count(YTD, category="theft")
    assert body["measures"]["count"]["yoy"]["base"] == count(YTD_LAST_YEAR, category="theft")


def test_summary_of_an_area_and_a_category_counts_incidents_in_both(incidents, get, city_areas):
    body = get("summary", window="ytd", area=city_areas["b"].id, category="theft")
    assert summary_count(body) == count(YTD, "b", "theft")


def test_summary_of_a_leaf_category_counts_only_that_category(incidents, get):
    body = get("summary", window="ytd", category="theft_burglary")
    assert summary_count(body) == count(YTD, category="theft_burglary")


def test_summary_reports_several_measures_at_once(incidents, get):
    measures = get("summary", window="ytd", measure="count,money_involved")["measures"]
    assert set(measures) == {"count", "money_involved"}
    assert measures["count"]["current"] == count(YTD)
    assert measures["money_involved"]["current"] == pytest.approx(money(YTD))
    assert measures["money_involved"]["yoy"]["base"] == pytest.approx(money(YTD_LAST_YEAR))


def test_summary_of_an_amount_has_no_z_score(incidents, get):
    money_block = get("summary", window="ytd", measure="money_involved")["measures"]
    assert money_block["money_involved"]["yoy"]["z"] is None


def test_custom_window_counts_local_days_from_from_to_to(incidents, get):
    period = Period(date(2024, 2, 29), date(2024, 3, 1))
    body = get("summary", window="custom", **{"from": "2024-02-29", "to": "2024-03-01"})
    assert body["period"] == period.as_dict()
    assert summary_count(body) == count(period)


def test_day_window_counts_an_incident_just_after_local_midnight_on_its_local_day(incidents, get):
    march_first = Period(date(2024, 3, 1), date(2024, 3, 1))
    body = get("summary", window="day", date="2024-03-01")
    assert summary_count(body) == count(march_first)


def test_summary_without_a_date_ends_yesterday_the_last_complete_day(incidents, get):
    body = get("summary", window="7d", date=None)
    assert body["period"]["to"] == (timezone.localdate() - timedelta(days=1)).isoformat()
    assert body["today_so_far"] is None


def test_commander_summary_defaults_to_their_district(incidents, get, commander):
    body = get("summary", user=commander, window="ytd")
    assert summary_count(body) == count(YTD, "a")


def test_commander_may_ask_for_a_station_in_their_district(incidents, get, commander, city_areas):
    station = city_areas["a"].children.get()
    body = get("summary", user=commander, window="ytd", area=station.id)
    in_station = [spec for spec in chosen(YTD, "a") if spec.place == "a_station"]
    assert summary_count(body) == len(in_station)


def test_commander_asking_for_an_area_outside_their_district_gets_404(
    incidents, api_client_for, commander, city_areas
):
    response = api_client_for(commander).get(
        "/api/v1/stats/summary", {"area": city_areas["b"].id, "date": END.isoformat()}
    )
    assert response.status_code == 404


def test_commander_asking_for_the_whole_city_gets_404(
    incidents, api_client_for, commander, city_areas
):
    response = api_client_for(commander).get(
        "/api/v1/stats/summary", {"area": city_areas["city"].id}
    )
    assert response.status_code == 404


def test_user_without_a_jurisdiction_gets_404(incidents, api_client_for, make_user):
    viewer = make_user(role=Role.VIEWER, home_area=None)
    response = api_client_for(viewer).get("/api/v1/stats/summary", {"date": END.isoformat()})
    assert response.status_code == 404


def bad_request(client, **params) -> dict:
    response = client.get("/api/v1/stats/summary", params)
    assert response.status_code == 400, response.content
    return response.json()


def test_unknown_window_is_refused_with_a_reason(api_client_for, analyst):
    errors = bad_request(api_client_for(analyst), window="fortnight")
    assert errors["window"]


def test_custom_window_with_to_before_from_is_refused_with_a_reason(api_client_for, analyst):
    params = {"window": "custom", "from": "2024-03-10", "to": "2024-03-01"}
    errors = bad_request(api_client_for(analyst), **params)
    assert errors["to"]


def test_custom_window_without_from_is_refused_with_a_reason(api_client_for, analyst):
    errors = bad_request(api_client_for(analyst), window="custom", to="2024-03-01")
    assert errors["from"]


def test_unparseable_from_is_refused_naming_the_from_field(api_client_for, analyst):
    params = {"window": "custom", "from": "yesterday", "to": "2024-03-01"}
    errors = bad_request(api_client_for(analyst), **params)
    assert errors["from"]


def test_unknown_measure_is_refused_with_a_reason(api_client_for, analyst):
    errors = bad_request(api_client_for(analyst), measure="count,bogus")
    assert "bogus" in str(errors["measure"])


def test_unknown_category_is_refused_with_a_reason(api_client_for, analyst, city):
    errors = bad_request(api_client_for(analyst), category="no_such_category")
    assert "no_such_category" in str(errors["category"])


def month(year: int, number: int, last_day: int) -> Period:
    return Period(date(year, number, 1), date(year, number, last_day))


def test_monthly_timeseries_has_a_bucket_per_month_with_last_year_aligned(incidents, get):
    body = get("timeseries", window="ytd", interval="month")
    months = [month(2024, 1, 31), month(2024, 2, 29), month(2024, 3, 31), month(2024, 4, 30)]
    months.append(month(2024, 5, 31))
    last_years = [month(2023, 1, 31), month(2023, 2, 28), month(2023, 3, 31)]
    last_years += [month(2023, 4, 30), month(2023, 5, 31)]
    assert [
        (point["from"], point["to"], point["value"], point["last_year"]) for point in body["points"]
    ] == [
        (this.as_dict()["from"], this.as_dict()["to"], count(this), count(before))
        for this, before in zip(months, last_years, strict=True)
    ]


def test_daily_timeseries_compares_each_day_as_the_summary_of_that_day_does(incidents, get):
    points = get("timeseries", window="ytd", interval="day")["points"]
    for point in points:
        day = get("summary", window="day", date=point["from"])["measures"]["count"]
        assert (point["value"], point["last_year"]) == (day["current"], day["yoy"]["base"])
        assert point["yoy"] == day["yoy"], point["from"]


def test_daily_timeseries_compares_29_february_with_28_february(incidents, get):
    points = get("timeseries", window="ytd", interval="day")["points"]
    leap_day = next(point for point in points if point["from"] == "2024-02-29")
    feb_28 = Period(date(2023, 2, 28), date(2023, 2, 28))
    assert count(feb_28) > 0  # the fixture has one then
    assert leap_day["last_year"] == count(feb_28)
    assert leap_day["last_year_period"] == feb_28.as_dict()


def test_daily_timeseries_values_add_up_to_the_summarys_count(incidents, get):
    points = get("timeseries", window="ytd", interval="day")["points"]
    assert len(points) == YTD.days
    assert sum(point["value"] for point in points) == count(YTD)


def test_timeseries_clips_its_first_and_last_buckets_to_the_window(incidents, get):
    params = {"from": "2024-01-15", "to": "2024-03-10"}
    body = get("timeseries", window="custom", interval="month", **params)
    buckets = [
        Period(date(2024, 1, 15), date(2024, 1, 31)),
        month(2024, 2, 29),
        Period(date(2024, 3, 1), date(2024, 3, 10)),
    ]
    assert [(point["from"], point["to"], point["value"]) for point in body["points"]] == [
        (bucket.as_dict()["from"], bucket.as_dict()["to"], count(bucket)) for bucket in buckets
    ]


def test_timeseries_of_an_area_counts_only_its_subtree(incidents, get, city_areas):
    body = get("timeseries", window="ytd", interval="month", area=city_areas["a"].id)
    assert sum(point["value"] for point in body["points"]) == count(YTD, "a")
    assert sum(point["last_year"] for point in body["points"]) == count(YTD_LAST_YEAR, "a")


def test_breakdown_by_area_lists_the_children_of_the_city_with_their_counts(
    incidents, get, city_areas
):
    body = get("breakdown", window="ytd", by="area", area=city_areas["city"].id)
    assert {row["id"]: row["current"] for row in body["rows"]} == {
        city_areas["a"].id: count(YTD, "a"),
        city_areas["b"].id: count(YTD, "b"),
    }


def test_breakdown_by_area_of_everywhere_lists_the_root_area(incidents, get, city_areas):
    body = get("breakdown", window="ytd", by="area")
    in_city = count(YTD, "a") + count(YTD, "b")
    assert [(row["id"], row["current"]) for row in body["rows"]] == [
        (city_areas["city"].id, in_city)
    ]


def test_commanders_breakdown_by_area_lists_the_stations_of_their_district(
    incidents, get, commander, city_areas
):
    station = city_areas["a"].children.get()
    body = get("breakdown", user=commander, window="ytd", by="area")
    in_station = [spec for spec in chosen(YTD, "a") if spec.place == "a_station"]
    assert [(row["id"], row["current"]) for row in body["rows"]] == [(station.id, len(in_station))]


def test_breakdown_by_area_compares_each_child_with_last_year(incidents, get, city_areas):
    body = get("breakdown", window="ytd", by="area", area=city_areas["city"].id)
    assert {row["id"]: row["yoy"]["base"] for row in body["rows"]} == {
        city_areas["a"].id: count(YTD_LAST_YEAR, "a"),
        city_areas["b"].id: count(YTD_LAST_YEAR, "b"),
    }


def test_breakdown_by_area_lists_the_largest_first(incidents, get, city_areas):
    rows = get("breakdown", window="ytd", by="area", area=city_areas["city"].id)["rows"]
    currents = [row["current"] for row in rows]
    assert currents == sorted(currents, reverse=True)


def test_breakdown_by_category_lists_every_child_category_with_its_count(incidents, get):
    body = get("breakdown", window="ytd", by="category", category="theft")
    children = Category.objects.filter(parent__code="theft").values_list("code", flat=True)
    assert {row["code"]: row["current"] for row in body["rows"]} == {
        code: count(YTD, category=code) for code in children
    }


def test_breakdown_by_category_of_everything_lists_the_top_categories(incidents, get):
    body = get("breakdown", window="ytd", by="category")
    tops = Category.objects.filter(parent__isnull=True).values_list("code", flat=True)
    assert {row["code"]: row["current"] for row in body["rows"]} == {
        code: count(YTD, category=code) for code in tops
    }


def test_breakdown_by_hour_weekday_is_a_seven_by_twenty_four_matrix(incidents, get):
    body = get("breakdown", window="ytd", by="hour_weekday")
    assert body["weekdays"] == [1, 2, 3, 4, 5, 6, 7]
    assert len(body["matrix"]) == 7
    assert all(len(hours) == 24 for hours in body["matrix"])


def test_breakdown_by_hour_weekday_totals_the_windows_count(incidents, get):
    matrix = get("breakdown", window="ytd", by="hour_weekday")["matrix"]
    summary = get("summary", window="ytd")
    assert sum(map(sum, matrix)) == summary_count(summary) == count(YTD)


def test_breakdown_by_hour_weekday_places_incidents_by_local_weekday_and_hour(incidents, get):
    matrix = get("breakdown", window="ytd", by="hour_weekday")["matrix"]
    cells = Counter((spec.reported.isoweekday(), spec.reported.hour) for spec in chosen(YTD))
    expected = [[cells[(weekday, hour)] for hour in range(24)] for weekday in range(1, 8)]
    assert matrix == expected


def test_breakdown_by_hour_weekday_of_an_area_and_category_counts_only_those(
    incidents, get, city_areas
):
    params = {"area": city_areas["b"].id, "category": "theft"}
    matrix = get("breakdown", window="ytd", by="hour_weekday", **params)["matrix"]
    assert sum(map(sum, matrix)) == count(YTD, "b", "theft")


def test_rebuild_stats_restores_deleted_rollups(incidents, get):
    IncidentDaily.objects.all().delete()
    assert summary_count(get("summary", window="ytd")) == 0
    call_command("rebuild_stats", stdout=StringIO(), stderr=StringIO())
    assert summary_count(get("summary", window="ytd")) == count(YTD)
    assert get("summary", window="ytd")["measures"]["count"]["yoy"]["base"] == count(YTD_LAST_YEAR)


def test_rebuild_stats_from_a_date_leaves_earlier_days_alone(incidents, get):
    IncidentDaily.objects.all().delete()
    call_command("rebuild_stats", "--from", "2024-03-01", stdout=StringIO(), stderr=StringIO())
    before = {"window": "custom", "from": "2024-01-01", "to": "2024-02-29"}
    after = {"window": "custom", "from": "2024-03-01", "to": END.isoformat()}
    assert summary_count(get("summary", **before)) == 0
    assert summary_count(get("summary", **after)) == count(Period(date(2024, 3, 1), END))


def test_rebuild_stats_refuses_a_from_that_is_not_a_date(incidents):
    with pytest.raises(CommandError, match="not-a-date"):
        call_command("rebuild_stats", "--from", "not-a-date", stdout=StringIO())
