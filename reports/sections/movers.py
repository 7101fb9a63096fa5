"""Categories and the area ranking with their top movers: the largest significant rises and
falls on last year, as the statistics engine's top movers (stats.movers, the answer of
``GET /api/v1/stats/movers``) give them."""

from stats.movers import stats_top_movers
from stats.selectors import Subject, child_areas, child_categories, stats_breakdown_keys

from .. import numbers
from .base import BriefingContext, area_name, section, table

MOVERS_SHOWN = 3

COLUMNS = [
    ("本期", "This period"),
    ("去年同期", "Last year"),
    ("同比", "YoY"),
    ("上期", "Previous"),
    ("环比", "PoP"),
]


def breakdown(ctx: BriefingContext, by: str) -> list[dict]:
    """The engine's breakdown of the briefing's incidents by child area or top category."""

    def compute():
        subject = ctx.subject()
        keys = child_areas(subject) if by == "area" else child_categories(subject)
        return stats_breakdown_keys(
            subject=subject,
            window=ctx.when.window,
            period=ctx.when.period,
            measure="count",
            keys=keys,
            by=by,
        )

    return ctx.shared_answer(f"breakdown-{by}", compute)


# How many levels below the top categories movers are looked for: 盗窃, then 入室盗窃.
MOVER_DEPTH = 2


def top_movers(ctx: BriefingContext, subject: Subject, by: str) -> dict:
    """The engine's top movers of ``subject``'s child categories or child areas on last year:
    the answer of ``GET /api/v1/stats/movers`` for the briefing's area, window and days."""
    return stats_top_movers(
        subject=subject,
        window=ctx.when.window,
        period=ctx.when.period,
        against="yoy",
        limit=MOVERS_SHOWN,
        by=(by,),
    )


def subcategory_movers(ctx: BriefingContext, rows: list[dict]) -> list[dict]:
    """The engine's category movers inside each of the top categories ``rows`` with incidents
    in either period, and inside each of their subcategories, MOVER_DEPTH levels down (each as
    ``movers?category=<parent>``): where movers show, inside the broad top categories."""
    subject = ctx.subject()
    model = subject.source.category_model
    parents = [
        model.objects.get(code=row["code"]) for row in rows if row["current"] or row["yoy"]["base"]
    ]
    answers = []
    for _level in range(MOVER_DEPTH):
        below = []
        for category in parents:
            inside = Subject(
                subject.source, subject.area_key, subject.area_path, category.pk, category.path
            )
            if not child_categories(inside):
                continue
            answers.append(top_movers(ctx, inside, "category"))
            below += list(model.objects.filter(parent=category).order_by("sort_order", "code"))
        parents = below
    return answers


def merged(answers: list[dict], by: str) -> tuple[list[dict], list[dict]]:
    """The largest rises and falls (by z) of several movers answers, MOVERS_SHOWN of each."""
    rises = [mover for answer in answers for mover in answer[by]["rises"]]
    falls = [mover for answer in answers for mover in answer[by]["falls"]]
    rises.sort(key=lambda mover: -mover["z"])
    falls.sort(key=lambda mover: mover["z"])
    return rises[:MOVERS_SHOWN], falls[:MOVERS_SHOWN]


def cells(row: dict) -> list[str]:
    return [
        numbers.count(row["current"]),
        numbers.base_cell(row["yoy"]),
        numbers.change_cell(row["yoy"]),
        numbers.base_cell(row["pop"]),
        numbers.change_cell(row["pop"]),
    ]


def _mover_clause(row: dict, block: dict) -> tuple[str, str]:
    zh, en = area_name(row)
    trend_zh, trend_en = numbers.trend(block, "同比", "year on year")
    count = numbers.count(row["current"])
    return f"{zh}（{count} 起，{trend_zh}）", f"{en} ({count}, {trend_en})"


def movers_sentence(
    rows: list[dict], what: tuple[str, str], rises: list[dict], falls: list[dict]
) -> tuple[str, str]:
    """The largest of the rows, then the engine's notable rises and falls (movers, each its
    own comparison block), or that none moved notably."""
    if not rows:
        return f"本期没有{what[0]}数据。", f"No {what[1]} to compare."
    top = rows[0]
    top_zh, top_en = _mover_clause(top, top["yoy"])
    parts_zh = [f"警情最多的{what[0]}是{top_zh}"]
    parts_en = [f"The {what[1]} with most incidents is {top_en}"]
    if rises:
        zh, en = zip(*(_mover_clause(mover, mover) for mover in rises), strict=True)
        parts_zh.append("同比升幅显著的有" + "、".join(zh))
        parts_en.append("notable rises: " + "; ".join(en))
    if falls:
        zh, en = zip(*(_mover_clause(mover, mover) for mover in falls), strict=True)
        parts_zh.append("同比降幅显著的有" + "、".join(zh))
        parts_en.append("notable falls: " + "; ".join(en))
    if not rises and not falls:
        parts_zh.append(f"各{what[0]}同比均无显著变化")
        parts_en.append(f"no {what[1]} moved notably on last year")
    return "；".join(parts_zh) + "。", "; ".join(parts_en) + "."


def comparison_chart(rows: list[dict]) -> dict:
    return {
        "type": "hbars",
        "labels": [row["name"] for row in rows],
        "labels_en": [row.get("name_en") or row["name"] for row in rows],
        "series": [
            ["本期", "This period", [row["current"] for row in rows]],
            ["去年同期", "Last year", [row["yoy"]["base"] for row in rows]],
        ],
    }


def build_categories(ctx: BriefingContext) -> dict:
    rows = breakdown(ctx, "category")
    answers = subcategory_movers(ctx, rows)
    rises, falls = merged(answers, "categories")
    return section(
        "categories",
        ("警情类别与变化", "Categories and movers"),
        movers_sentence(rows, ("类别", "category"), rises, falls),
        table=table([("类别", "Category"), *COLUMNS], [[row["name"], *cells(row)] for row in rows]),
        chart=comparison_chart(rows),
        figures={"rows": rows, "movers": answers},
    )


def build_areas(ctx: BriefingContext) -> dict:
    """The ranking of the child areas (every district of the city, every station of a
    district) by incidents, with their moves."""
    rows = breakdown(ctx, "area")
    answer = top_movers(ctx, ctx.subject(), "area")
    rises, falls = merged([answer], "areas")
    ranked = [[str(rank), row["name"], *cells(row)] for rank, row in enumerate(rows, start=1)]
    return section(
        "areas",
        ("辖区排名与变化", "Area ranking and movers"),
        movers_sentence(rows, ("辖区", "area"), rises, falls),
        table=table([("名次", "Rank"), ("辖区", "Area"), *COLUMNS], ranked),
        chart=comparison_chart(rows) if rows else None,
        figures={"rows": rows, "movers": answer},
    )
