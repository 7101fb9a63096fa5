"""Disputes (矛盾纠纷): screened, resolved and escalated, with 同比/环比 and by type, from the
mediation statistics (the same reads as /api/v1/mediation/stats/)."""

from mediation.selectors import mediation_breakdown, mediation_stats

from .. import numbers
from .base import BriefingContext, section, table


def build(ctx: BriefingContext) -> dict:
    subject = ctx.subject("mediation")
    when = ctx.when
    stats = mediation_stats(subject=subject, window=when.window, period=when.period)
    by_type = mediation_breakdown(
        subject=subject, window=when.window, period=when.period, by="type"
    )
    measures, rates = stats["measures"], stats["rates"]
    screened = measures["screened"]
    yoy_zh, yoy_en = numbers.trend(screened["yoy"], "同比", "year on year")
    sentence = (
        f"排查矛盾纠纷 {numbers.count(screened['current'])} 起，{yoy_zh}；"
        f"化解 {numbers.count(measures['resolved']['current'])} 起，"
        f"化解率 {numbers.share(rates['resolution_rate']['current'])}；"
        f"流转 {numbers.count(measures['transferred']['current'])} 起，"
        f"升级为警情 {numbers.count(measures['escalated']['current'])} 起。",
        f"{numbers.count(screened['current'])} disputes screened, {yoy_en}; "
        f"{numbers.count(measures['resolved']['current'])} resolved "
        f"({numbers.share(rates['resolution_rate']['current'])}), "
        f"{numbers.count(measures['transferred']['current'])} transferred, "
        f"{numbers.count(measures['escalated']['current'])} escalated to incidents.",
    )
    columns = [
        ("纠纷类型", "Type"),
        ("排查", "Screened"),
        ("同比", "YoY"),
        ("化解", "Resolved"),
        ("化解率", "Resolution rate"),
        ("升级", "Escalated"),
    ]
    rows = [
        [
            row["name"],
            numbers.count(row["screened"]),
            numbers.change_cell(row["screened_yoy"]),
            numbers.count(row["resolved"]),
            numbers.share(row["resolution_rate"]),
            numbers.count(row["escalated"]),
        ]
        for row in by_type
        if row["screened"] or row["screened_yoy"]["base"]
    ]
    return section(
        "disputes",
        ("矛盾纠纷", "Disputes"),
        sentence,
        table=table(columns, rows),
        figures={"stats": stats, "by_type": by_type},
    )
