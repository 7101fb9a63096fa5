"""Briefings on the statistics engine's calendar windows, read back against the API over HTTP:
a monthly briefing's days, 同比/环比 periods and figures are those of
``/api/v1/stats/summary?window=month&date=<its last day>``; and comparisons without data
behind them (flag no_data or partial_data) print "—" and say so, in Chinese and English."""

import re
from datetime import date

import pytest

from incidents.ingest import incidents_ingest
from reports.services import report_generate
from stats.services import rollups_recompute_dirty
from tests.factories import api_key

from .conftest import TODAY, WEEK, incident_rows
from .test_briefing_files import docx_tables, fetch, pdf_text

pytestmark = pytest.mark.django_db(transaction=True)
GAPS = ("no_data", "partial_data")
# A monthly briefing made on 1 December covers November 2026; its 同比 month, November 2025,
# begins before the test data's first day (10 November 2025): partly without data.
MONTH_MADE_ON = date(2026, 12, 1)
MONTH_LAST_DAY = date(2026, 11, 30)


def expected_cells(block: dict) -> list[str]:
    """A measure's row as a briefing must print it: base and change, "—" where the engine
    flags the comparison (the base too when its period has no data at all)."""
    cells = [str(block["current"])]
    for part in ("yoy", "pop"):
        comparison = block[part]
        flag = comparison["flag"]
        cells.append("—" if flag == "no_data" else str(comparison["base"]))
        pct = comparison["pct_change"]
        cells.append("—" if flag in GAPS or pct is None else f"{pct:+.1f}%")
    return cells


def summary(live_server, user, area, **window) -> dict:
    measures = "count,solved,arrested"
    return fetch(
        live_server, api_key(user), "stats/summary", area=area.id, measure=measures, **window
    )


def test_a_monthly_briefing_is_the_apis_month(live_server, briefing_incidents, analyst, city):
    report = report_generate(kind="monthly", area=city, today=MONTH_MADE_ON)
    answer = summary(live_server, analyst, city, window="month", date=str(MONTH_LAST_DAY))
    content = report.content
    assert content["window"] == "month"
    assert answer["period"] == {"from": "2026-11-01", "to": "2026-11-30"}
    # 环比 the whole of October, 同比 the whole of November 2025: the API's periods, printed.
    for period in ("period", "yoy_period", "pop_period"):
        assert content[period] == answer[period]
    assert answer["pop_period"] == {"from": "2026-10-01", "to": "2026-10-31"}
    assert answer["yoy_period"] == {"from": "2025-11-01", "to": "2025-11-30"}
    text, tables = docx_tables(bytes(report.docx))
    for row, measure in zip(tables[0][1:], ("count", "solved", "arrested"), strict=True):
        assert row[1:] == expected_cells(answer["measures"][measure])
    count = answer["measures"]["count"]
    assert count["yoy"]["flag"] == "partial_data", "the test data begin inside the 同比 month"
    assert f"共接报警情 {count['current']} 起，同比无可比数据（对比期部分早于首日数据）" in text
    headline = next(s for s in content["sections"] if s["key"] == "headline")
    assert (
        "no comparable data year on year (it lies partly before the first data)"
        in (headline["sentence_en"])
    )
    # The categories table: every row the API's breakdown of the month, flags as dashes.
    rows = fetch(
        live_server,
        api_key(analyst),
        "stats/breakdown",
        area=city.id,
        by="category",
        window="month",
        date=str(MONTH_LAST_DAY),
    )["rows"]
    assert [row[0] for row in tables[1][1:]] == [row["name"] for row in rows]
    for printed, row in zip(tables[1][1:], rows, strict=True):
        assert printed[1:] == expected_cells(row)


@pytest.fixture
def this_year_only(city, two_districts):
    """The test incidents of 2026 only: a weekly briefing's 同比 week lies before them."""
    rows = [row for row in incident_rows() if row["reported_at"] >= "2026-"]
    report = incidents_ingest(rows=rows, source_system="brief")
    assert not report.rejected, report.errors
    rollups_recompute_dirty()


def test_a_comparison_with_no_data_before_it_prints_a_dash_and_says_why(
    live_server, this_year_only, analyst, city, tmp_path
):
    report = report_generate(kind="weekly", area=city, today=TODAY)
    answer = summary(live_server, analyst, city, window="week", date=str(WEEK[1]))
    count = answer["measures"]["count"]
    assert count["yoy"]["flag"] == "no_data" and count["yoy"]["reason"] == "before_first_data"
    assert count["pop"]["flag"] not in GAPS
    text, tables = docx_tables(bytes(report.docx))
    for row, measure in zip(tables[0][1:], ("count", "solved", "arrested"), strict=True):
        assert row[1:] == expected_cells(answer["measures"][measure])
        assert row[2:4] == ["—", "—"]
    pop = count["pop"]
    pop_words = "上升" if pop["pct_change"] > 0 else "下降"
    sentence = (
        f"共接报警情 {count['current']} 起，同比无可比数据（对比期早于首日数据），"
        f"环比{pop_words} {abs(pop['pct_change']):.1f}%（上期 {pop['base']} 起）"
    )
    assert sentence in text
    headline = next(s for s in report.content["sections"] if s["key"] == "headline")
    assert (
        "no comparable data year on year (it lies before the first data)"
        in (headline["sentence_en"])
    )
    # No percentage of a 同比 printed anywhere: the PDF says the same, and no category moved.
    flat = re.sub(r"\s+", "", pdf_text(bytes(report.pdf), tmp_path))
    assert "同比无可比数据（对比期早于首日数据）" in flat
    assert "同比上升" not in flat and "同比下降" not in flat
    assert "同比升幅显著" not in flat and "同比降幅显著" not in flat
