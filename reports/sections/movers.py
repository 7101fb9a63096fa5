"""Top movers by category and by area: the largest significant rises and falls on last year,
from the statistics engine's breakdowns and their comparison flags."""

from stats.selectors import Subject, child_areas, child_categories, stats_breakdown_keys

from .. import numbers
from .base import BriefingContext, area_name, section, table

# Flags of the engine's comparisons that count as a real move (|z| ≥ 2), not noise.
MOVING_FLAGS = ("notable", "significant")
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


def subcategory_rows(ctx: BriefingContext, rows: list[dict], depth: int = MOVER_DEPTH) -> list:
    """The categories below each of ``rows`` with incidents in either period, ``depth``
    levels down (each level as ``breakdown?category=<parent>&by=category``): where movers
    show, inside the broad top categories."""
    subject = ctx.subject()
    found = []
    for row in rows:
        if depth == 0 or not (row["current"] or row["yoy"]["base"]):
            continue
        category = subject.source.category_model.objects.get(code=row["code"])
        below = Subject(
            subject.source, subject.area_key, subject.area_path, category.pk, category.path
        )
        keys = child_categories(below)
        if not keys:
            continue
        children = stats_breakdown_keys(
            subject=below,
            window=ctx.when.window,
            period=ctx.when.period,
            measure="count",
            keys=keys,
            by="category",
        )
        found += children + subcategory_rows(ctx, children, depth - 1)
    return found


def movers(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """The rows whose 同比 moved notably, the largest rises and the largest falls first."""
    moved = [row for row in rows if row["yoy"]["flag"] in MOVING_FLAGS and row["yoy"]["z"]]
    rises = sorted((r for r in moved if r["yoy"]["z"] > 0), key=lambda r: -r["yoy"]["z"])
    falls = sorted((r for r in moved if r["yoy"]["z"] < 0), key=lambda r: r["yoy"]["z"])
    return rises[:MOVERS_SHOWN], falls[:MOVERS_SHOWN]


def cells(row: dict) -> list[str]:
    return [
        numbers.count(row["current"]),
        numbers.count(row["yoy"]["base"]),
        numbers.signed_pct(row["yoy"]["pct_change"]),
        numbers.count(row["pop"]["base"]),
        numbers.signed_pct(row["pop"]["pct_change"]),
    ]


def _mover_clause(row: dict) -> tuple[str, str]:
    zh, en = area_name(row)
    trend_zh, trend_en = numbers.trend(row["yoy"], "同比", "year on year")
    count = numbers.count(row["current"])
    return f"{zh}（{count} 起，{trend_zh}）", f"{en} ({count}, {trend_en})"


def movers_sentence(
    rows: list[dict], what: tuple[str, str], moving: list[dict] | None = None
) -> tuple[str, str]:
    """The largest of the rows, then the notable rises and falls among ``moving`` (default:
    the rows), or that none moved notably."""
    if not rows:
        return f"本期没有{what[0]}数据。", f"No {what[1]} to compare."
    top = rows[0]
    top_zh, top_en = _mover_clause(top)
    parts_zh = [f"警情最多的{what[0]}是{top_zh}"]
    parts_en = [f"The {what[1]} with most incidents is {top_en}"]
    rises, falls = movers(rows if moving is None else moving)
    if rises:
        zh, en = zip(*(_mover_clause(row) for row in rises), strict=True)
        parts_zh.append("同比升幅显著的有" + "、".join(zh))
        parts_en.append("notable rises: " + "; ".join(en))
    if falls:
        zh, en = zip(*(_mover_clause(row) for row in falls), strict=True)
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
    below = subcategory_rows(ctx, rows)
    return section(
        "categories",
        ("警情类别与变化", "Categories and movers"),
        movers_sentence(rows, ("类别", "category"), below),
        table=table([("类别", "Category"), *COLUMNS], [[row["name"], *cells(row)] for row in rows]),
        chart=comparison_chart(rows),
        figures={"rows": rows, "below": below},
    )


def build_areas(ctx: BriefingContext) -> dict:
    """The ranking of the child areas (every district of the city, every station of a
    district) by incidents, with their moves."""
    rows = breakdown(ctx, "area")
    ranked = [[str(rank), row["name"], *cells(row)] for rank, row in enumerate(rows, start=1)]
    return section(
        "areas",
        ("辖区排名与变化", "Area ranking and movers"),
        movers_sentence(rows, ("辖区", "area")),
        table=table([("名次", "Rank"), ("辖区", "Area"), *COLUMNS], ranked),
        chart=comparison_chart(rows) if rows else None,
        figures={"rows": rows},
    )
