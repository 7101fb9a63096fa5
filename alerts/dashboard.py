"""The alerts page's first list: the latest alerts in the user's scope and the selection's area,
filtered by state and severity with the API's FilterSet; live ones follow over the socket."""

from dataclasses import dataclass, field

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from areas.scoping import scope_for
from safecity.core.pages.selection import Selection

from .choices import RuleKind, Severity
from .filtersets import AlertFilterSet
from .models import Alert
from .selectors import alerts_for_user

ALERTS_SHOWN = 50
# The page's own filters (the area comes from the shell's picker).
FILTER_PARAMS = ("state", "severity")
ALERT_STRINGS = {
    **{f"kind_{value}": label for value, label in RuleKind.choices},
    **{f"severity_{value}": label for value, label in Severity.choices},
    "acknowledged_by": _("确认人"),
    "resolved_by": _("解决人"),
    "acknowledged_note": _("确认备注"),
}


@dataclass
class AlertList:
    alerts: list[Alert]
    # What the list holds, as the alerts API filters it: state, severity, area.
    filters: dict
    # What a live alert must match to join the list: the feed's ``data-match``.
    match: dict = field(default_factory=dict)
    # How many the list holds, live ones included (older ones drop off the end).
    limit: int = ALERTS_SHOWN


def local_text(chinese: str, english: str) -> str:
    """An alert's text in the page's language, falling back to Chinese."""
    return ((get_language() or "").startswith("en") and english) or chinese


def narrower_area(user, selection: Selection) -> Area | None:
    """The chosen area when it narrows the user's jurisdiction; None when it is all of it
    (alerts raised for the whole city have no area, and belong to the city-wide list)."""
    area = selection.area
    if area is None or area.parent_id is None:
        return None
    scope = scope_for(user)
    return None if scope.path == area.path else area


def alert_list(user, selection: Selection, query, limit: int = ALERTS_SHOWN) -> AlertList:
    filters = {name: query[name] for name in FILTER_PARAMS if query.get(name)}
    area = narrower_area(user, selection)
    if area is not None:
        filters["area"] = area.pk
    filterset = AlertFilterSet(
        filters, queryset=alerts_for_user(user).select_related("resolved_by").order_by("-id")
    )
    # Unknown values are dropped, as the filter form drops them.
    filters = {name: value for name, value in filters.items() if name not in filterset.errors}
    match = {name: filters[name] for name in FILTER_PARAMS if name in filters}
    if area is not None:
        match["area"] = list(
            Area.objects.filter(path__startswith=area.path).values_list("pk", flat=True)
        )
    alerts = list(filterset.qs[:limit])
    for alert in alerts:
        # In the page's language, as the feed's script shows them.
        alert.local_title = local_text(alert.title, alert.title_en)
        alert.local_body = local_text(alert.body, alert.body_en)
    return AlertList(alerts=alerts, filters=filters, match=match, limit=limit)
