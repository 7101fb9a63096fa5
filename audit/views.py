"""The audit trail page: the API's FilterSet over a paginated table, for administrators."""

import json

from django.core.paginator import Paginator
from django.utils.translation import gettext_lazy as _

from safecity.core.pages.base import ShellPage
from safecity.core.pages.messages import filter_labels, shown_errors
from safecity.core.pages.registry import page

from .choices import AuditAction, AuditOutcome
from .filtersets import AuditEventFilterSet
from .models import AuditEvent
from .selectors import AuditFilterError, audit_event_list

FILTER_NAMES = (
    "since", "until", "actor", "action", "object_type", "object_id", "outcome", "ip", "q",
)  # fmt: skip
VALUE_LENGTH = 120


@page(key="audit", url_name="audit-events", label=_("审计日志"), resource="audit", order=80)
class AuditEventsPage(ShellPage):
    """Who did what, when and from where; non-administrators are refused (and recorded)."""

    template_name = "audit/events.html"
    uses_window = False
    # The area and window pickers choose nothing here: the trail has its own filters.
    uses_selection = False
    page_size = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filters = {
            name: value
            for name in FILTER_NAMES
            if (value := self.request.GET.get(name, "").strip())
        }
        try:
            events = audit_event_list(user=self.request.user, filters=filters)
            filter_errors = {}
        except AuditFilterError as exc:
            events = AuditEvent.objects.none()
            filter_errors = shown_errors(exc.errors, filter_labels(AuditEventFilterSet))
        page = Paginator(events, self.page_size).get_page(self.request.GET.get("page"))
        for event in page:
            event.change_rows = change_rows(event.changes)
        context.update(
            page=page,
            filters=filters,
            filter_errors=filter_errors,
            actions=AuditAction.choices,
            outcomes=AuditOutcome.choices,
        )
        return context


def change_rows(changes) -> list[tuple[str, str, str | None]]:
    """Each change as (field, before, after); a value that is not a before/after pair shows
    whole, with no after."""
    if not isinstance(changes, dict):
        return [("", shown(changes), None)]
    rows = []
    for name, change in changes.items():
        if isinstance(change, list) and len(change) == 2:
            rows.append((name, shown(change[0]), shown(change[1])))
        else:
            rows.append((name, shown(change), None))
    return rows


def shown(value) -> str:
    if value is None:
        return "—"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= VALUE_LENGTH else text[: VALUE_LENGTH - 1] + "…"
