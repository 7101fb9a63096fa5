"""The data-quality page: counts per kind, and one kind's items with the forms that fix them
through the same services as the API."""

from functools import cached_property

from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from incidents.ingest import RowError
from incidents.models import Incident
from safecity.core.pages.forms import ShellFormPage
from safecity.core.pages.registry import page

from . import selectors, services
from .choices import QualityKind
from .forms import CategoryForm, DismissForm, MergeForm, PlaceForm, RefileForm, TimesForm

# The items shown at once for a kind; the API pages through all of them.
PAGE_ITEMS = 50
CHANGE = "incidents.change_incident"
# The fix forms each kind offers beside dismissing (unlocated: place it on the incident's page).
KIND_FORMS = {
    QualityKind.UNLOCATED: ("dismiss",),
    QualityKind.LOW_CONFIDENCE: ("place", "dismiss"),
    QualityKind.DEFAULT_CATEGORY: ("category", "dismiss"),
    QualityKind.OUTSIDE_JURISDICTION: ("refile", "dismiss"),
    QualityKind.TIMELINE: ("times", "dismiss"),
    QualityKind.DUPLICATE: ("merge", "dismiss"),
}


@page(
    key="quality",
    url_name="dash-quality",
    label=_("数据质量"),
    resource="incidents",
    order=27,
    permission=CHANGE,
)
class QualityPage(ShellFormPage):
    """Records that need a person's eye, by kind, each with its fixes."""

    template_name = "quality/quality.html"
    uses_selection = False
    uses_window = False
    forms = {
        "dismiss": DismissForm,
        "place": PlaceForm,
        "times": TimesForm,
        "category": CategoryForm,
        "refile": RefileForm,
        "merge": MergeForm,
    }
    permissions = dict.fromkeys(forms, CHANGE)
    required_permission = CHANGE
    refusals = (*ShellFormPage.refusals, RowError)

    @cached_property
    def kind(self) -> QualityKind:
        try:
            return QualityKind(self.request.GET.get("kind") or QualityKind.UNLOCATED)
        except ValueError as exc:
            raise Http404 from exc

    def offers(self, name: str) -> bool:
        return name in KIND_FORMS[self.kind]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        bound = kwargs.get("bound_forms", {})
        counts = selectors.quality_counts(user=self.request.user)
        items = selectors.quality_items(user=self.request.user, kind=self.kind)
        if self.kind == QualityKind.OUTSIDE_JURISDICTION:
            items = items.select_related("area", "filed_area").defer(
                "area__geometry", "filed_area__geometry"
            )
        items = items[:PAGE_ITEMS]
        rows = []
        for incident in items:
            forms = []
            for name in KIND_FORMS[self.kind]:
                if name not in context["forms"]:
                    continue
                form = bound.get(name)
                if form is None or str(form.data.get(f"{name}-incident")) != str(
                    incident.public_id
                ):
                    form = self.build_form(name)
                    form.initial = {**self._initial(name, incident)}
                if name == "merge":
                    form.fields["into"].widget.choices = self._partner_choices(incident)
                forms.append((name, form, FORM_LABELS[name]))
            rows.append((incident, forms))
        context.update(
            kinds=[(kind, kind.label, counts[kind.value]) for kind in QualityKind],
            kind=self.kind,
            rows=rows,
        )
        return context

    def _initial(self, name: str, incident: Incident) -> dict:
        initial = {"incident": incident.public_id}
        if name == "place":
            initial |= {"lon": incident.lon, "lat": incident.lat}
        elif name == "category":
            initial |= {"category": incident.category.code}
        elif name == "times":
            initial |= {
                field: getattr(incident, field)
                for field in ("dispatched_at", "on_scene_at", "closed_at")
            }
        return initial

    def _partner_choices(self, incident: Incident) -> list[tuple[str, str]]:
        partners = selectors.duplicate_partners(user=self.request.user, incident=incident)
        return [
            (str(p.public_id), f"{p.source_ref} · {p.reported_at:%Y-%m-%d %H:%M} · {p.address}")
            for p in partners[:PAGE_ITEMS]
        ]

    def _item(self, data: dict, key: str = "incident") -> Incident:
        try:
            return selectors.quality_item_get(user=self.request.user, public_id=data[key])
        except Incident.DoesNotExist as exc:
            raise Http404 from exc

    def submit_dismiss(self, data: dict):
        return services.quality_dismiss(
            incident=self._item(data), kind=self.kind, note=data["note"], user=self.request.user
        )

    def submit_place(self, data: dict):
        return services.quality_place(
            incident=self._item(data), lon=data["lon"], lat=data["lat"], user=self.request.user
        )

    def submit_times(self, data: dict):
        times = {field: data[field] for field in ("dispatched_at", "on_scene_at", "closed_at")}
        return services.quality_correct_times(
            incident=self._item(data), times=times, user=self.request.user
        )

    def submit_category(self, data: dict):
        return services.quality_set_category(
            incident=self._item(data), category=data["category"], user=self.request.user
        )

    def submit_refile(self, data: dict):
        return services.quality_refile(incident=self._item(data), user=self.request.user)

    def submit_merge(self, data: dict):
        return services.quality_merge(
            duplicate=self._item(data), into=self._item(data, "into"), user=self.request.user
        )

    def success_message(self, name: str, result) -> str:
        return gettext("已忽略。") if name == "dismiss" else gettext("已更正。")


FORM_LABELS = {
    "dismiss": _("保持原样"),
    "place": _("确认或移动点位"),
    "times": _("更正时间"),
    "category": _("设为实际类别"),
    "refile": _("移交落点所在辖区"),
    "merge": _("合并为重复警情"),
}
