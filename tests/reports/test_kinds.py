"""Each report kind's period and comparison periods, the beat schedule that makes them, and a
campaign briefing with its KPI status."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from celery.schedules import crontab
from django.conf import settings
from docx import Document

from campaigns.models import Campaign, KpiItem
from campaigns.services import kpi_evaluate
from incidents.models import Category
from reports.models import Report
from reports.periods import report_period
from reports.services import report_generate
from reports.tasks import schedule_reports
from stats.selectors import stats_summary

from .conftest import TODAY, WEEK


@pytest.mark.parametrize(
    "today",
    [date(2026, 11, 16), date(2026, 11, 17), date(2026, 11, 22), date(2024, 3, 4)],
)
def test_a_weekly_briefing_covers_the_last_whole_iso_week_against_the_week_before(today):
    when = report_period("weekly", today=today)
    start, end = when.period
    assert (start.isoweekday(), end.isoweekday(), (end - start).days) == (1, 7, 6)
    assert end < today <= end + timedelta(days=7)
    assert when.window == "week"
    assert when.pop == (start - timedelta(days=7), end - timedelta(days=7))
    # 同比: the same ISO week a year earlier (week 53 as week 52 where that year has none).
    year, week, _ = start.isocalendar()
    yoy_start = when.yoy.start
    assert (yoy_start.isoweekday(), (when.yoy.end - yoy_start).days) == (1, 6)
    assert yoy_start.isocalendar()[:2] == (year - 1, min(week, yoy_start.isocalendar()[1]))


@pytest.mark.parametrize(
    ("today", "first", "last"),
    [
        (date(2026, 3, 1), date(2026, 2, 1), date(2026, 2, 28)),
        (date(2026, 3, 31), date(2026, 2, 1), date(2026, 2, 28)),
        (date(2026, 1, 1), date(2025, 12, 1), date(2025, 12, 31)),
    ],
)
def test_a_monthly_briefing_covers_the_last_whole_month(today, first, last):
    assert report_period("monthly", today=today).period == (first, last)


@pytest.mark.parametrize(
    ("today", "pop", "yoy"),
    [
        # Whole February to whole February (29 days against 28), 环比 the whole of January.
        (date(2024, 3, 4), (date(2024, 1, 1), date(2024, 1, 31)),
         (date(2023, 2, 1), date(2023, 2, 28))),
        (date(2025, 3, 1), (date(2025, 1, 1), date(2025, 1, 31)),
         (date(2024, 2, 1), date(2024, 2, 29))),
        # A 31-day month against the whole 30-day month before it.
        (date(2026, 8, 10), (date(2026, 6, 1), date(2026, 6, 30)),
         (date(2025, 7, 1), date(2025, 7, 31))),
    ],
)  # fmt: skip
def test_a_monthly_briefing_compares_whole_calendar_months(today, pop, yoy):
    when = report_period("monthly", today=today)
    assert (when.window, when.pop, when.yoy) == ("month", pop, yoy)


def test_days_chosen_by_hand_are_the_calendar_window_only_when_they_are_one_whole_period():
    assert report_period("weekly", today=TODAY, start=WEEK[0], end=WEEK[1]).window == "week"
    month = (date(2026, 10, 1), date(2026, 10, 31))
    assert report_period("monthly", today=TODAY, start=month[0], end=month[1]).window == "month"
    assert report_period("weekly", today=TODAY, start=month[0], end=month[1]).window == "custom"
    odd = report_period("monthly", today=TODAY, start=WEEK[0], end=WEEK[1])
    assert (odd.window, odd.yoy) == ("custom", (date(2025, 11, 9), date(2025, 11, 15)))


def test_chosen_days_end_yesterday_at_the_latest():
    when = report_period("campaign", today=TODAY, start=date(2026, 10, 1), end=date(2026, 12, 31))
    assert when.period == (date(2026, 10, 1), TODAY - timedelta(days=1))
    with pytest.raises(ValueError):
        report_period("campaign", today=TODAY, start=TODAY, end=TODAY + timedelta(days=9))


@pytest.mark.django_db
def test_the_periods_printed_are_the_ones_the_statistics_engine_compares(briefing_incidents, city):
    when = report_period("weekly", today=TODAY)
    summary = stats_summary(
        subject=_city_subject(city), window=when.window, period=when.period, measures=["count"]
    )
    assert (summary["yoy_period"], summary["pop_period"]) == (
        when.yoy.as_dict(),
        when.pop.as_dict(),
    )


def _city_subject(city):
    from stats.registry import get_source
    from stats.selectors import Subject

    return Subject(get_source("incidents"), city.id, city.path)


def test_beat_makes_weekly_briefings_on_mondays_and_monthly_on_the_first_on_their_queue():
    schedule = settings.CELERY_BEAT_SCHEDULE
    weekly, monthly = schedule["reports-weekly"], schedule["reports-monthly"]
    assert (weekly["task"], weekly["args"]) == ("reports.schedule", ["weekly"])
    assert weekly["schedule"] == crontab(day_of_week="mon", hour=7, minute=0)
    assert (monthly["task"], monthly["args"]) == ("reports.schedule", ["monthly"])
    assert monthly["schedule"] == crontab(day_of_month=1, hour=7, minute=0)
    for entry in (weekly, monthly, schedule["reports-campaign"]):
        assert entry["options"]["queue"] == settings.REPORTS_QUEUE != "celery"


@pytest.mark.django_db
def test_the_schedule_makes_one_briefing_per_city_and_district_and_none_twice(
    briefing_incidents, city, two_districts, eager_celery
):
    assert schedule_reports("weekly") == 3
    made = Report.objects.order_by("area__path")
    assert [report.area for report in made] == [city, *two_districts]
    assert {report.created_by for report in made} == {None}
    schedule_reports("weekly")
    assert Report.objects.count() == 3


@pytest.mark.django_db
def test_a_campaign_briefing_reports_its_kpis_over_its_days(briefing_incidents, city):
    campaign = Campaign.objects.create(
        name="冬季攻势",
        code="winter",
        kind="special",
        starts_on=WEEK[0],
        ends_on=WEEK[0] + timedelta(days=60),
        organizer=city,
        status="active",
    )
    campaign.scope_areas.add(city)
    item = KpiItem.objects.create(
        campaign=campaign,
        label="盗窃警情不超过",
        metric="incident_count",
        category=Category.objects.get(code="theft"),
        unit=city,
        target=Decimal(10),
        direction="at_most",
        deadline=campaign.ends_on,
    )
    kpi_evaluate(item=item, today=TODAY - timedelta(days=1))
    item.refresh_from_db()
    report = report_generate(kind="campaign", area=city, campaign=campaign, today=TODAY)
    assert (report.period_start, report.period_end) == WEEK
    assert report.campaign == campaign and "冬季攻势" in report.title
    kpis = next(s for s in report.content["sections"] if s["key"] == "kpis")
    assert kpis["sentence"].startswith("专项行动指标共 1 项")
    document = Document(io.BytesIO(bytes(report.docx)))
    first_table = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert first_table[1][:5] == [
        "冬季攻势",
        "盗窃警情不超过",
        city.name,
        "10",
        str(int(item.current)),
    ]
