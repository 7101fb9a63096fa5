"""Headline figures: calls and cases, clearances and arrests, with 同比 and 环比."""

from stats.selectors import stats_summary

from .. import numbers
from .base import BriefingContext, section, table

MEASURES = [
    ("count", "警情", "Incidents", "起"),
    ("solved", "破案", "Cases solved", "起"),
    ("arrested", "抓获", "Arrests", "人"),
]


def build(ctx: BriefingContext) -> dict:
    when = ctx.when
    summary = stats_summary(
        subject=ctx.subject(),
        window=when.window,
        period=when.period,
        measures=[name for name, *_ in MEASURES],
    )
    blocks = summary["measures"]
    rows = []
    for name, label, label_en, _unit in MEASURES:
        block = blocks[name]
        rows.append(
            [
                f"{label} / {label_en}",
                numbers.count(block["current"]),
                numbers.base_cell(block["yoy"]),
                numbers.change_cell(block["yoy"]),
                numbers.base_cell(block["pop"]),
                numbers.change_cell(block["pop"]),
            ]
        )
    incidents = blocks["count"]
    clause_zh, clause_en = numbers.yoy_pop(incidents)
    area = ctx.area
    sentence = (
        f"{area.name}共接报警情 {numbers.count(incidents['current'])} 起，{clause_zh}；"
        f"破案 {numbers.count(blocks['solved']['current'])} 起，"
        f"抓获 {numbers.count(blocks['arrested']['current'])} 人。",
        f"{area.name_en or area.name} recorded {numbers.count(incidents['current'])} incidents, "
        f"{clause_en}; {numbers.count(blocks['solved']['current'])} cases solved, "
        f"{numbers.count(blocks['arrested']['current'])} arrests.",
    )
    columns = [
        ("指标", "Measure"),
        ("本期", "This period"),
        ("去年同期", "Last year"),
        ("同比", "YoY"),
        ("上期", "Previous"),
        ("环比", "PoP"),
    ]
    chart = {
        "type": "bars",
        "labels": [label for _, label, _e, _u in MEASURES],
        "labels_en": [label_en for _, _l, label_en, _u in MEASURES],
        "series": [
            ["本期", "This period", [blocks[name]["current"] for name, *_ in MEASURES]],
            ["去年同期", "Last year", [blocks[name]["yoy"]["base"] for name, *_ in MEASURES]],
            ["上期", "Previous", [blocks[name]["pop"]["base"] for name, *_ in MEASURES]],
        ],
    }
    return section(
        "headline",
        ("总体情况", "Headline figures"),
        sentence,
        table=table(columns, rows),
        chart=chart,
        figures={"summary": summary},
    )
