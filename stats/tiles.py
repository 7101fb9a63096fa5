"""The overview's KPI tiles: each a statistics-API summary (or the sum of several) with its
同比 and 环比, so a tile shows exactly what ``/api/v1/stats/summary`` answers."""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from safecity.core.pages.selection import Selection

from .compare import compare
from .registry import get_source
from .selectors import Subject, stats_summary

# A tile: key, label, source (default incidents), measure (default count) and categories:
# a list of codes (summed), or "flag:<name>" for the top-level categories carrying that flag.
DEFAULT_TILES = [
    {"key": "alarm_calls", "label": _("报警类警情"), "categories": "flag:is_alarm"},
    {"key": "criminal_cases", "label": _("违法犯罪案件"), "categories": "flag:is_criminal"},
    {"key": "theft", "label": _("盗窃"), "categories": ["theft"]},
    {"key": "telecom_fraud", "label": _("电信网络诈骗"), "categories": ["fraud_telecom"]},
    {
        "key": "telecom_fraud_loss",
        "label": _("电诈损失金额"),
        "categories": ["fraud_telecom"],
        "measure": "loss",
    },
    {"key": "traffic_accidents", "label": _("交通事故"), "categories": ["traffic_accident"]},
    {"key": "traffic_deaths", "label": _("亡人交通事故"), "categories": ["traffic_accident_fatal"]},
    {
        "key": "disputes_resolved",
        "label": _("纠纷化解"),
        "source": "mediation",
        "measure": "resolved",
        "higher_is_better": True,
    },
]


@dataclass
class Tile:
    key: str
    label: str
    source: str
    measure: str
    kind: str
    categories: list[str]
    current: float
    yoy: dict
    pop: dict
    higher_is_better: bool = False

    @property
    def comparisons(self) -> list[tuple[str, dict]]:
        return [("yoy", self.yoy), ("pop", self.pop)]

    @property
    def source_categories(self) -> str:
        """The category codes as the statistics API takes them, for the page's links."""
        return ",".join(self.categories)


def tile_categories(spec, source) -> list[str]:
    """The category codes a tile sums ([] for all categories)."""
    categories = spec.get("categories") or []
    if isinstance(categories, str) and categories.startswith("flag:"):
        flag = categories.removeprefix("flag:")
        return list(
            source.category_model.objects.filter(parent=None, **{flag: True})
            .order_by("path")
            .values_list("code", flat=True)
        )
    return list(categories)


def kpi_tiles(selection: Selection) -> list[Tile]:
    tiles = []
    for spec in getattr(settings, "DASHBOARD_KPI_TILES", DEFAULT_TILES):
        source = get_source(spec.get("source", "incidents"))
        measure = spec.get("measure", "count")
        categories = tile_categories(spec, source) if spec.get("categories") else []
        subjects = [_subject(selection.subject, source, code) for code in categories] or [
            Subject(source, selection.subject.area_key, selection.subject.area_path, 0, "")
        ]
        summaries = [
            stats_summary(
                subject=subject,
                window=selection.window,
                period=selection.period,
                measures=[measure],
                cutoff=selection.cutoff,
            )["measures"][measure]
            for subject in subjects
            if subject is not None
        ]
        kind = source.measures[measure].kind
        current = sum(summary["current"] for summary in summaries)
        bases = {
            part: sum(summary[part]["base"] for summary in summaries) for part in ("yoy", "pop")
        }
        tiles.append(
            Tile(
                key=spec["key"],
                label=str(spec["label"]),
                source=source.name,
                measure=measure,
                kind=kind,
                categories=categories,
                current=current,
                yoy=compare(current, bases["yoy"], kind, _gap(summaries, "yoy")),
                pop=compare(current, bases["pop"], kind, _gap(summaries, "pop")),
                higher_is_better=spec.get("higher_is_better", False),
            )
        )
    return tiles


def _gap(summaries: list[dict], part: str) -> tuple[str, str] | None:
    """The parts' lack of data (theirs alike: one source, the same periods)."""
    for summary in summaries:
        block = summary[part]
        if "reason" in block:
            return block["flag"], block["reason"]
    return None


def _subject(area_subject: Subject, source, code: str) -> Subject | None:
    category = source.category_model.objects.filter(code=code).only("id", "path").first()
    if category is None:
        return None
    return Subject(
        source, area_subject.area_key, area_subject.area_path, category.id, category.path
    )
