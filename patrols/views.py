"""The patrols page: patrol zones with live unit positions, response compliance by area, and
coverage of the hotspots."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from safecity.core.pages.base import ShellPage
from safecity.core.pages.registry import page
from safecity.core.pages.selection import Selection

from .choices import UnitStatus
from .dashboard import PATROL_STRINGS, compliance_rows, coverage_params, units_in


@page(key="patrols", url_name="dash-patrols", label=_("巡逻"), resource="patrols", order=50)
class PatrolsPage(ShellPage):
    """Patrol zones with live unit positions, response compliance by area, and coverage of
    the hotspots."""

    template_name = "patrols/patrols.html"
    api_routes = ("patrol-coverage", "ws-patrol-positions")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        total, rows = compliance_rows(context["selection"])
        context.update(compliance_total=total, compliance_rows=rows, units=self.units)
        return context

    def page_config(self, selection: Selection) -> dict:
        self.units = list(units_in(self.request.user, selection))
        area = selection.subject.area_key if selection.subject.area_path else None
        return {
            "units": {
                unit.code: {
                    "name": unit.name,
                    "kind": unit.get_kind_display(),
                    "status": unit.status,
                }
                for unit in self.units
            },
            "unit_statuses": {value: str(label) for value, label in UnitStatus.choices},
            # Times shown as the server renders them, whatever the browser's zone.
            "time_zone": settings.TIME_ZONE,
            "zones": {"kind": "patrol_zone", "within": area},
            "coverage": coverage_params(area),
            "strings": PATROL_STRINGS,
        }
