"""The mediation page's figures: headline tiles, rates and funnel from ``mediation_stats`` (what
``/api/v1/mediation/stats/`` answers), and the cases and overdue follow-ups in the selection,
read through the mediation selectors and FilterSet the API uses."""

from dataclasses import dataclass

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from safecity.core.pages.selection import Selection
from stats.registry import get_source
from stats.selectors import Subject
from stats.tiles import Tile

from .filtersets import DisputeCaseFilterSet
from .metrics import SOURCE
from .models import DisputeCase, FollowUp
from .selectors import cases_for_user, follow_ups_for_user, mediation_stats
from .services import parties_for, personal_data_disclosed

RECENT_CASES = 20
OVERDUE_SHOWN = 50

# The headline measures: (measure, label, whether a rise is good news).
HEADLINE = [
    ("screened", _("排查纠纷"), True),
    ("transferred", _("流转处置"), True),
    ("resolved", _("成功化解"), True),
    ("escalated", _("升级为警情"), False),
    ("failed", _("调解失败"), False),
    ("open", _("在办"), False),
]
RATE_LABELS = {
    "resolution_rate": _("化解率"),
    "transfer_rate": _("流转率"),
    "escalation_rate": _("升级率"),
}
# Words of the page's script (``SafeCity.t``).
MEDIATION_STRINGS = {
    "stage_screened": _("排查"),
    "stage_transferred": _("流转"),
    "stage_resolved": _("化解"),
    "screened": _("排查"),
    "resolved": _("化解"),
    "resolution_rate": _("化解率"),
    "open": _("在办"),
}


def percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def local_name(item) -> str:
    """A dispute type's name in the active language, falling back to Chinese."""
    english = (get_language() or "").startswith("en")
    return item.name_en if english and item.name_en else item.name


@dataclass
class Rate:
    key: str
    label: str
    current: float | None
    yoy: float | None
    pop: float | None

    @property
    def comparisons(self) -> list[tuple[str, float | None]]:
        return [("yoy", percent(self.yoy)), ("pop", percent(self.pop))]

    @property
    def current_pct(self) -> float | None:
        return percent(self.current)


@dataclass
class FunnelStage:
    stage: str
    label: str
    count: int
    of_screened: float | None

    @property
    def of_screened_pct(self) -> float | None:
        return percent(self.of_screened)


@dataclass
class MediationFigures:
    tiles: list[Tile]
    rates: list[Rate]
    funnel: list[FunnelStage]


def mediation_subject(selection: Selection) -> Subject:
    """The selection's area as a subject of the mediation source (all dispute types)."""
    area = selection.subject
    return Subject(get_source(SOURCE), area.area_key, area.area_path)


def mediation_figures(selection: Selection) -> MediationFigures:
    stats = mediation_stats(
        subject=mediation_subject(selection),
        window=selection.window,
        period=selection.period,
        cutoff=selection.cutoff,
    )
    measures = stats["measures"]
    kinds = {name: measure.kind for name, measure in get_source(SOURCE).measures.items()}
    tiles = [
        Tile(
            key=measure,
            label=str(label),
            source=SOURCE,
            measure=measure,
            kind=kinds[measure],
            categories=[],
            current=measures[measure]["current"],
            yoy=measures[measure]["yoy"],
            pop=measures[measure]["pop"],
            higher_is_better=higher_is_better,
        )
        for measure, label, higher_is_better in HEADLINE
    ]
    rates = [
        Rate(key=key, label=str(label), **stats["rates"][key]) for key, label in RATE_LABELS.items()
    ]
    funnel = [
        FunnelStage(
            stage=row["stage"],
            label=str(MEDIATION_STRINGS[f"stage_{row['stage']}"]),
            count=row["count"],
            of_screened=row["of_screened"],
        )
        for row in stats["funnel"]
    ]
    return MediationFigures(tiles=tiles, rates=rates, funnel=funnel)


def cases_in(user, filters: dict):
    """The user's cases matching the case-list filters (the API's), the latest first."""
    return DisputeCaseFilterSet(filters, queryset=cases_for_user(user)).qs


def recent_cases(user, filters: dict, limit: int = RECENT_CASES) -> list[DisputeCase]:
    """The latest cases, each with ``visible_parties`` as the user may see them (masked as the
    API masks them)."""
    cases = list(cases_in(user, filters)[:limit])
    personal_data_disclosed(user=user, cases=cases)
    for case in cases:
        case.visible_parties = parties_for(user, case.parties)
        case.type_name = local_name(case.type)
    return cases


def overdue_follow_ups(user, filters: dict):
    """Follow-ups past due and not done, of the user's cases in the filters' area (whenever
    screened: overdue work is open work)."""
    follow_ups = follow_ups_for_user(user, overdue=True)
    if filters.get("area"):
        in_area = cases_in(user, {"area": filters["area"]})
        follow_ups = follow_ups.filter(case__in=in_area.values("pk"))
    return follow_ups.select_related("case__type", "case__area")


def overdue_rows(follow_ups, limit: int = OVERDUE_SHOWN) -> list[FollowUp]:
    """The first ``limit`` follow-ups, their case's type named in the active language."""
    rows = list(follow_ups[:limit])
    for follow_up in rows:
        follow_up.case.type_name = local_name(follow_up.case.type)
    return rows
