"""Comparisons through the statistics API: calendar windows, complete days by default, today so
far, no percentages without data, series buckets as summaries of their days, and top movers.

Every expected number is counted here, in Python, from the incidents the test ingests.
"""

import math
from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from incidents.ingest import incidents_ingest
from incidents.models import Category
from stats.coverage import Cutoff
from stats.registry import get_source
from stats.selectors import Subject, stats_summary
from stats.services import rollups_recompute_dirty
from stats.windows import Period, Window, window_period
from tests.stats import test_api
from tests.stats.test_api import END, SPECS, TZ, Spec, count, in_category, ingest_row, local

pytestmark = pytest.mark.django_db

city_areas = test_api.city_areas
analyst = test_api.analyst
incidents = test_api.incidents
get = test_api.get


def whole_month(year: int, month: int) -> Period:
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return Period(first, following - timedelta(days=1))


def counts_block(block: dict, current: int, base: int) -> None:
    assert block["base"] == base
    assert block["change"] == current - base


def test_month_window_is_the_whole_month_of_its_date_compared_with_whole_months(incidents, get):
    body = get("summary", window="month", date="2024-02-10")
    february, last_february = whole_month(2024, 2), whole_month(2023, 2)
    january = whole_month(2024, 1)
    assert (body["period"], body["yoy_period"], body["pop_period"]) == (
        february.as_dict(),
        last_february.as_dict(),
        january.as_dict(),
    )
    count_block = body["measures"]["count"]
    assert count_block["current"] == count(february)
    counts_block(count_block["yoy"], count(february), count(last_february))
    counts_block(count_block["pop"], count(february), count(january))


def test_month_to_date_ending_on_a_months_last_day_compares_with_the_whole_month_before(
    incidents, get
):
    body = get("summary", window="mtd", date="2023-05-31")
    may, april = whole_month(2023, 5), whole_month(2023, 4)
    assert body["pop_period"] == april.as_dict()
    counts_block(body["measures"]["count"]["pop"], count(may), count(april))


def test_a_calendar_window_without_a_date_is_the_last_complete_one(incidents, get):
    yesterday = timezone.localdate() - timedelta(days=1)
    body = get("summary", window="week", date=None)
    start, end = (date.fromisoformat(body["period"][name]) for name in ("from", "to"))
    assert (start.isoweekday(), end.isoweekday(), (end - start).days) == (1, 7, 6)
    assert yesterday - timedelta(days=6) <= end <= yesterday


def test_the_year_window_without_a_date_is_last_year(incidents, get):
    last_year = timezone.localdate().year - 1
    if timezone.localdate() == date(last_year + 1, 1, 1):
        last_year -= 1  # on 1 January, yesterday closed last year only now
    body = get("summary", window="year", date=None)
    assert body["period"] == Period(date(last_year, 1, 1), date(last_year, 12, 31)).as_dict()


def test_a_comparison_with_a_base_before_the_first_data_has_no_percentage(incidents, get):
    first = min(spec.day for spec in SPECS)
    body = get("summary", window="ytd", date=date(first.year, 3, 31).isoformat())
    assert body["data_from"] == first.isoformat()
    for part in ("yoy", "pop"):
        block = body["measures"]["count"][part]
        assert (block["flag"], block["reason"]) == ("no_data", "before_first_data")
        assert block["pct_change"] is None and block["z"] is None


def test_a_base_partly_before_the_first_data_is_flagged_partial(incidents, get):
    first = min(spec.day for spec in SPECS)
    end = first + timedelta(days=380)  # 28 days a year earlier begin before the first data
    body = get("summary", window="28d", date=end.isoformat())
    yoy = body["measures"]["count"]["yoy"]
    assert date.fromisoformat(body["yoy_period"]["from"]) < first
    assert date.fromisoformat(body["yoy_period"]["to"]) >= first
    assert (yoy["flag"], yoy["reason"]) == ("partial_data", "before_first_data")
    assert yoy["base"] == count(Period(*map(date.fromisoformat, body["yoy_period"].values())))
    assert "reason" not in body["measures"]["count"]["pop"]


def test_a_window_in_the_future_has_no_data_instead_of_a_fall(incidents, get):
    later = timezone.localdate() + timedelta(days=10)
    body = get("summary", window="7d", date=later.isoformat())
    for part in ("yoy", "pop"):
        block = body["measures"]["count"][part]
        assert (block["flag"], block["reason"]) == ("no_data", "after_last_data")
        assert block["pct_change"] is None


def test_a_window_ending_today_without_today_so_far_is_partial(incidents, get):
    body = get("summary", window="7d", date=timezone.localdate().isoformat())
    assert body["measures"]["count"]["yoy"]["flag"] == "partial_data"
    assert body["today_so_far"] is None


def test_breakdown_rows_carry_the_flags_of_their_comparisons(incidents, get, city_areas):
    first = min(spec.day for spec in SPECS)
    body = get("breakdown", window="ytd", by="area", date=date(first.year, 3, 31).isoformat())
    assert body["rows"]
    assert all(row["yoy"]["flag"] == "no_data" for row in body["rows"])


def test_each_monthly_bucket_compares_as_the_summary_of_that_month(incidents, get):
    params = {"from": "2024-12-15", "to": "2025-03-31"}
    points = get("timeseries", window="custom", interval="month", **params)["points"]
    for point in points:
        bucket = Period(date.fromisoformat(point["from"]), date.fromisoformat(point["to"]))
        whole = bucket == whole_month(bucket.start.year, bucket.start.month)
        if whole:
            summary = get("summary", window="month", date=point["from"])
        else:
            summary = get("summary", window="custom", **{"from": point["from"], "to": point["to"]})
        block = summary["measures"]["count"]
        assert point["yoy"] == block["yoy"], point["from"]
        assert point["last_year_period"] == summary["yoy_period"]


def test_a_whole_february_bucket_compares_with_the_whole_february_before_29th_included(
    incidents, get
):
    points = get("timeseries", window="month", date="2025-02-01", interval="month")["points"]
    (february,) = points
    leap_february = whole_month(2024, 2)
    assert any(spec.day == date(2024, 2, 29) for spec in SPECS)
    assert february["last_year_period"] == leap_february.as_dict()
    assert february["last_year"] == count(leap_february)


# --- today so far, through the selectors at a fixed time of a fixed day

NOON = time(12, 0)
# On END and on the last days of the periods it is compared with, before and after noon.
DAY_PART_SPECS = [
    Spec("N1", local(2024, 5, 31, 9, 0), "a_station", "theft_burglary"),
    Spec("N2", local(2024, 5, 31, 11, 59), "b_only", "fight"),
    Spec("N3", local(2023, 5, 31, 8, 0), "a_only", "theft_burglary"),
    Spec("N4", local(2024, 5, 24, 10, 0), "b_station", "theft_ebike"),
    Spec("N5", local(2024, 5, 24, 15, 0), "b_station", "theft_ebike"),
]


def before_noon_on_last_day(period: Period, specs: list[Spec]) -> int:
    """Incidents of the period, its last day counted only before noon."""
    return sum(
        1
        for spec in specs
        if period.start <= spec.day < period.end
        or (spec.day == period.end and spec.reported.time() < NOON)
    )


@pytest.fixture
def day_parts(incidents):
    report = incidents_ingest(rows=[ingest_row(s) for s in DAY_PART_SPECS], source_system="t")
    assert report.created == len(DAY_PART_SPECS)
    rollups_recompute_dirty()
    return SPECS + DAY_PART_SPECS


def test_today_so_far_compares_with_the_same_hours_of_the_compared_days(day_parts):
    period = window_period(Window.ROLLING_7, END)
    result = stats_summary(
        subject=Subject(get_source("incidents")),
        window=Window.ROLLING_7,
        period=period,
        measures=["count"],
        cutoff=Cutoff(END, NOON),
    )
    block = result["measures"]["count"]
    yoy = Period(*map(date.fromisoformat, result["yoy_period"].values()))
    pop = Period(*map(date.fromisoformat, result["pop_period"].values()))
    assert block["current"] == before_noon_on_last_day(period, day_parts)
    assert block["yoy"]["base"] == before_noon_on_last_day(yoy, day_parts)
    assert block["pop"]["base"] == before_noon_on_last_day(pop, day_parts)
    assert result["today_so_far"] == {"day": END.isoformat(), "until": "12:00"}
    # The records after noon exist: they are left out, not missing.
    assert block["current"] < count(period) + sum(s.day == END for s in DAY_PART_SPECS)


def test_today_so_far_through_the_api_ends_today_and_says_until_when(
    city_areas, api_client_for, analyst
):
    today = timezone.localdate()
    moments = [
        datetime.combine(today, time(0, 0, 30), tzinfo=TZ),
        datetime.combine(today - timedelta(days=1), time(0, 0, 30), tzinfo=TZ),
        datetime.combine(today - timedelta(days=1), time(23, 59, 30), tzinfo=TZ),
    ]
    rows = [
        ingest_row(Spec(f"T{n}", moment, "a_station", "theft_burglary"))
        for n, moment in enumerate(moments)
    ]
    incidents_ingest(rows=rows, source_system="t")
    rollups_recompute_dirty()
    response = api_client_for(analyst).get(
        "/api/v1/stats/summary", {"window": "day", "partial": "today"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    until = time.fromisoformat(body["today_so_far"]["until"])
    assert body["today_so_far"]["day"] == body["period"]["to"] == today.isoformat()

    def before(day: date) -> int:
        return sum(1 for m in moments if m.date() == day and m.time() < until)

    block = body["measures"]["count"]
    assert block["current"] == before(today)
    assert block["pop"]["base"] == before(today - timedelta(days=1))


def test_today_so_far_is_refused_for_a_window_that_cannot_end_today(api_client_for, analyst):
    client = api_client_for(analyst)
    response = client.get("/api/v1/stats/summary", {"window": "month", "partial": "today"})
    assert response.status_code == 400 and "partial" in response.json()
    response = client.get(
        "/api/v1/stats/summary", {"window": "7d", "partial": "today", "date": "2024-05-31"}
    )
    assert response.status_code == 400 and "partial" in response.json()


# --- top movers

MAY = whole_month(2024, 5)
ROMANCE = "fraud_telecom_romance"
# Burglary in district A rises sharply, fights in district B fall sharply, fraud barely moves.
MOVER_SPECS = (
    [Spec(f"R{n}", local(2024, 5, 1 + n, 10), "a_station", "theft_burglary") for n in range(16)]
    + [Spec(f"r{n}", local(2023, 5, 2 + n, 10), "a_station", "theft_burglary") for n in range(4)]
    + [Spec("F0", local(2024, 5, 9, 22), "b_only", "fight")]
    + [Spec(f"f{n}", local(2023, 5, 3 + n, 22), "b_only", "fight") for n in range(9)]
    + [Spec(f"T{n}", local(2024, 5, 4 + n, 8), "b_station", ROMANCE) for n in range(3)]
    + [Spec(f"t{n}", local(2023, 5, 4 + n, 8), "b_station", ROMANCE) for n in range(2)]
    + [Spec("START", local(2022, 1, 5, 8), "a_only", "theft_other")]
)  # fmt: skip


@pytest.fixture
def movers_data(city_areas):
    report = incidents_ingest(rows=[ingest_row(s) for s in MOVER_SPECS], source_system="t")
    assert report.created == len(MOVER_SPECS)
    rollups_recompute_dirty()
    return MOVER_SPECS


def expected_movers(groups: dict, min_z: float) -> tuple[list, list]:
    """(rises, falls) as (key, current, base, z) by |z| ≥ min_z, largest first."""
    scored = []
    for key, test in groups.items():
        current = sum(1 for s in MOVER_SPECS if MAY.start <= s.day <= MAY.end and test(s))
        last_may = whole_month(2023, 5)
        base = sum(1 for s in MOVER_SPECS if last_may.start <= s.day <= last_may.end and test(s))
        z = 2 * (math.sqrt(current) - math.sqrt(base))
        scored.append((key, current, base, round(z, 2)))
    rises = sorted((m for m in scored if m[3] >= min_z), key=lambda m: -m[3])
    falls = sorted((m for m in scored if m[3] <= -min_z), key=lambda m: m[3])
    return rises, falls


def as_tuples(movers: list[dict], key: str) -> list[tuple]:
    return [(m[key], m["current"], m["base"], m["z"]) for m in movers]


def test_top_movers_name_the_categories_that_rose_and_fell_significantly(movers_data, get):
    body = get("movers", window="month", date="2024-05-15")
    tops = Category.objects.filter(parent__isnull=True).values_list("code", flat=True)
    groups = {code: (lambda s, code=code: in_category(s, code)) for code in tops}
    rises, falls = expected_movers(groups, body["min_z"])
    assert rises and falls  # the data has both
    assert as_tuples(body["categories"]["rises"], "code") == rises
    assert as_tuples(body["categories"]["falls"], "code") == falls


def test_top_movers_name_the_child_areas_that_rose_and_fell(movers_data, get, city_areas):
    city = city_areas["city"]
    body = get("movers", window="month", date="2024-05-15", area=city.id)
    groups = {city_areas[name].id: (lambda s, name=name: s.district == name) for name in ("a", "b")}
    rises, falls = expected_movers(groups, body["min_z"])
    assert as_tuples(body["areas"]["rises"], "id") == rises
    assert as_tuples(body["areas"]["falls"], "id") == falls


def test_top_movers_keep_at_most_the_limit_of_each(movers_data, get):
    body = get("movers", window="month", date="2024-05-15", limit=1)
    assert len(body["categories"]["rises"]) <= 1 and len(body["categories"]["falls"]) <= 1


def test_top_movers_refuse_a_measure_without_a_z_score(api_client_for, analyst):
    response = api_client_for(analyst).get("/api/v1/stats/movers", {"measure": "money_involved"})
    assert response.status_code == 400 and "measure" in response.json()


def test_top_movers_without_data_behind_the_comparison_are_none(movers_data, get):
    body = get("movers", window="month", date="2022-02-15")
    for by in ("categories", "areas"):
        assert body[by] == {"rises": [], "falls": []}
