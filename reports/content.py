"""A briefing's content: its heading and every section's figures, sentences, tables and chart
data, read from the statistics engine once and stored with the report."""

import time

from django.utils import timezone

from .choices import ReportKind
from .periods import ReportPeriod
from .sections import KIND_SECTIONS, SECTIONS
from .sections.base import BriefingContext

KIND_TITLES = {
    ReportKind.WEEKLY: ("警情周报", "Weekly briefing"),
    ReportKind.MONTHLY: ("警情月报", "Monthly briefing"),
    ReportKind.CAMPAIGN: ("专项行动通报", "Campaign briefing"),
}


def _cn_day(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def titles(kind: str, area, when: ReportPeriod, campaign=None) -> tuple[str, str]:
    period = when.period
    kind_zh, kind_en = KIND_TITLES[kind]
    name_en = area.name_en or area.name
    if campaign is not None:
        return (
            f"{area.name}“{campaign.name}”{kind_zh}（{_cn_day(period.start)}至{_cn_day(period.end)}）",
            f"{name_en}: {campaign.name}, {kind_en} ({period.start} to {period.end})",
        )
    return (
        f"{area.name}{kind_zh}（{_cn_day(period.start)}至{_cn_day(period.end)}）",
        f"{name_en} {kind_en} ({period.start} to {period.end})",
    )


def briefing_content(*, kind: str, area, when: ReportPeriod, campaign=None) -> dict:
    """Every section of the kind's template for ``area`` over ``when``, with how long the
    statistics reads took (``stats_seconds``, for the bench)."""
    ctx = BriefingContext(kind=kind, area=area, when=when, campaign=campaign)
    started = time.perf_counter()
    sections = [SECTIONS[key](ctx) for key in KIND_SECTIONS[kind]]
    stats_seconds = time.perf_counter() - started
    title, title_en = titles(kind, area, when, campaign)
    return {
        "kind": kind,
        "title": title,
        "title_en": title_en,
        "area": {
            "id": area.id,
            "code": area.code,
            "name": area.name,
            "name_en": area.name_en,
            "kind": area.kind,
        },
        "campaign": campaign.code if campaign is not None else None,
        "window": when.window,
        "period": when.period.as_dict(),
        "yoy_period": when.yoy.as_dict(),
        "pop_period": when.pop.as_dict(),
        "generated_at": timezone.localtime().isoformat(timespec="seconds"),
        "stats_seconds": round(stats_seconds, 3),
        "sections": sections,
    }
