"""Response compliance: arrivals within the standard and within 1/3/5 minutes, medians, and
the units (child areas) furthest behind, from the patrols' compliance reads."""

from patrols.compliance import compliance, compliance_of_areas
from stats.selectors import child_area_path, child_areas

from .. import numbers
from .base import BriefingContext, area_name, section, table

WORST_SHOWN = 3


def _row(name: str, figures: dict) -> list[str]:
    arrive, dispatch = figures["arrive"], figures["dispatch"]
    return [
        name,
        numbers.count(arrive["incidents"]),
        numbers.share(arrive["share"]),
        numbers.share(arrive["within_1min"]),
        numbers.share(arrive["within_3min"]),
        numbers.share(arrive["within_5min"]),
        numbers.seconds(arrive["median_seconds"]),
        numbers.share(dispatch["share"]),
        numbers.seconds(dispatch["median_seconds"]),
    ]


def build(ctx: BriefingContext) -> dict:
    period = ctx.when.period
    subject = ctx.subject()
    total = compliance(area_key=ctx.area.id, area_path=ctx.area.path, period=period)
    children = child_areas(subject)
    figures = compliance_of_areas(
        areas={key: child_area_path(subject, key) for key in children}, period=period
    )
    units = [{**children[key], **figures[key]} for key in children]
    arrive = total["arrive"]
    if not arrive["incidents"]:
        sentence = ("本期没有到场记录。", "No arrivals were recorded in the period.")
    else:
        last_year = arrive["yoy"]["share"]
        sentence_zh = (
            f"到场 {arrive['incidents']} 起，标准内到场率 {numbers.share(arrive['share'])}"
            f"（去年同期 {numbers.share(last_year)}），1/3/5 分钟到场率分别为 "
            f"{numbers.share(arrive['within_1min'])}、{numbers.share(arrive['within_3min'])}、"
            f"{numbers.share(arrive['within_5min'])}，到场用时中位数 "
            f"{numbers.seconds(arrive['median_seconds'])} 秒"
        )
        sentence_en = (
            f"{arrive['incidents']} arrivals, {numbers.share(arrive['share'])} within the "
            f"standard (last year {numbers.share(last_year)}); within 1/3/5 minutes: "
            f"{numbers.share(arrive['within_1min'])}, {numbers.share(arrive['within_3min'])}, "
            f"{numbers.share(arrive['within_5min'])}; median "
            f"{numbers.seconds(arrive['median_seconds'])} s"
        )
        worst = sorted(
            (unit for unit in units if unit["arrive"]["share"] is not None),
            key=lambda unit: unit["arrive"]["share"],
        )[:WORST_SHOWN]
        if worst:
            names = [(area_name(unit), numbers.share(unit["arrive"]["share"])) for unit in worst]
            sentence_zh += "；标准内到场率最低的是" + "、".join(
                f"{zh}（{share}）" for (zh, _), share in names
            )
            sentence_en += "; lowest within the standard: " + ", ".join(
                f"{en} ({share})" for (_, en), share in names
            )
        sentence = (sentence_zh + "。", sentence_en + ".")
    columns = [
        ("单位", "Unit"),
        ("到场", "Arrivals"),
        ("标准内到场率", "Within standard"),
        ("1分钟", "1 min"),
        ("3分钟", "3 min"),
        ("5分钟", "5 min"),
        ("到场中位数(秒)", "Median (s)"),
        ("标准内派警率", "Dispatch within"),
        ("派警中位数(秒)", "Dispatch median (s)"),
    ]
    rows = [_row(ctx.area.name, total), *[_row(unit["name"], unit) for unit in units]]
    chart = None
    if units:
        chart = {
            "type": "hbars",
            "percent": True,
            "labels": [unit["name"] for unit in units],
            "labels_en": [unit.get("name_en") or unit["name"] for unit in units],
            "series": [
                ["1分钟", "1 min", [unit["arrive"]["within_1min"] or 0 for unit in units]],
                ["3分钟", "3 min", [unit["arrive"]["within_3min"] or 0 for unit in units]],
                ["5分钟", "5 min", [unit["arrive"]["within_5min"] or 0 for unit in units]],
            ],
        }
    return section(
        "compliance",
        ("接处警响应", "Response compliance"),
        sentence,
        table=table(columns, rows),
        chart=chart,
        figures={"area": total, "units": units},
    )
