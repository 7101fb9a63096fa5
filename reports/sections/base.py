"""What every section of a briefing is built from, and the shape each one returns."""

from dataclasses import dataclass, field

from areas.models import Area
from areas.scoping import Scope
from stats.registry import get_source
from stats.selectors import Subject

from ..periods import ReportPeriod


@dataclass(frozen=True)
class BriefingContext:
    """The area, days and kind a briefing is about; sections read the engine through it."""

    kind: str
    area: Area
    when: ReportPeriod
    campaign: object | None = None
    # Statistics answers several sections share (the area breakdown, the compliance rows).
    shared: dict = field(default_factory=dict)

    @property
    def scope(self) -> Scope:
        """The briefing's area as a jurisdiction: what it reads of scoped records."""
        return Scope(path=self.area.path)

    def subject(self, source: str = "incidents") -> Subject:
        return Subject(get_source(source), self.area.id, self.area.path)

    def shared_answer(self, key: str, compute):
        if key not in self.shared:
            self.shared[key] = compute()
        return self.shared[key]


def table(columns: list[tuple[str, str]], rows: list[list[str]]) -> dict:
    """A table: its columns as (Chinese, English) headings, its rows as written cells."""
    return {"columns": [list(column) for column in columns], "rows": rows}


def section(
    key: str,
    title: tuple[str, str],
    sentence: tuple[str, str],
    *,
    table: dict | None = None,
    chart: dict | None = None,
    figures: dict | None = None,
) -> dict:
    """One section: its title and finding in both languages, a table and/or a chart, and the
    engine's figures it was written from (kept with the briefing, for checking)."""
    return {
        "key": key,
        "title": title[0],
        "title_en": title[1],
        "sentence": sentence[0],
        "sentence_en": sentence[1],
        "table": table,
        "chart": chart,
        "figures": figures or {},
    }


def area_name(info: dict) -> tuple[str, str]:
    return info["name"], info.get("name_en") or info["name"]
