"""The forms of the incident pages: recording an incident, its lifecycle steps, a transfer to
another agency and its facts. They check the input's shape, with the limits of the ingest row
(``ROW_FIELD``); the services check the rules, and the page shows what they refuse."""

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from safecity.core.pages.forms import DatalistInput, Refusal

from .choices import IncidentSource, IncidentStatus, Priority
from .ingest.rows import ROW_FIELD
from .models import Category, IncidentStatusChange

# The lifecycle steps a page offers, by form name: the status each moves the incident to.
STEP_STATUS = {
    "dispatch": IncidentStatus.DISPATCHED,
    "on_scene": IncidentStatus.ON_SCENE,
    "close": IncidentStatus.CLOSED,
    "file": IncidentStatus.FILED,
    "solve": IncidentStatus.SOLVED,
}
# What each step's button says.
STEP_LABELS = {
    "dispatch": pgettext_lazy("lifecycle step", "派警"),
    "on_scene": pgettext_lazy("lifecycle step", "到场"),
    "close": pgettext_lazy("lifecycle step", "处结"),
    "file": pgettext_lazy("lifecycle step", "立案"),
    "solve": pgettext_lazy("lifecycle step", "破案"),
}
NOTE_LENGTH = IncidentStatusChange._meta.get_field("note").max_length
# Room left in a dispatch's note for the unit sent ("<code> <name> · ").
UNIT_NOTE_ROOM = 140


class LocalTimeInput(forms.DateTimeInput):
    """A date and time in the user's local time, picked with the browser's own control."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def local_time_field(label, *, required=True, initial=None) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, required=required, initial=initial, widget=LocalTimeInput
    )


def text_field(name: str, label, *, required=False, widget=None) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=ROW_FIELD[name].max_length, widget=widget
    )


def money_field(name: str, label) -> forms.DecimalField:
    spec = ROW_FIELD[name]
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=spec.minimum,
        max_value=spec.maximum,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": str(spec.minimum)}),
    )


def coordinate_field(name: str, label) -> forms.FloatField:
    spec = ROW_FIELD[name]
    return forms.FloatField(
        label=label,
        required=False,
        min_value=spec.minimum,
        max_value=spec.maximum,
        widget=forms.NumberInput(attrs={"step": "any", "data-coordinate": name}),
    )


def category_choices() -> list:
    """The active taxonomy as option groups, one per top-level category: the category itself,
    then its descendants in tree order, indented by depth, in the active language."""
    categories = list(Category.objects.filter(is_active=True).order_by("sort_order", "code"))
    children: dict[int | None, list[Category]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)

    def options(parent_id: int | None, depth: int) -> list[tuple[str, str]]:
        found = []
        for category in children.get(parent_id, ()):
            found.append((category.code, "\u3000" * depth + category.display_name))
            found += options(category.id, depth + 1)
        return found

    return [
        ("", "—"),
        *(
            (root.display_name, [(root.code, root.display_name), *options(root.id, 1)])
            for root in children.get(None, ())
        ),
    ]


class FactsFields(forms.Form):
    """What an incident is and where: shared by recording it and editing its facts."""

    category = forms.ChoiceField(label=_("类别"), choices=category_choices)
    address = text_field("address", _("地址"))
    lon = coordinate_field("lon", _("经度"))
    lat = coordinate_field("lat", _("纬度"))
    money_involved = money_field("money_involved", _("涉案金额"))
    loss = money_field("loss", _("损失金额"))
    recovered = money_field("recovered", _("挽回金额"))
    arrested = forms.IntegerField(
        label=_("抓获人数"),
        required=False,
        min_value=ROW_FIELD["arrested"].minimum,
        max_value=ROW_FIELD["arrested"].maximum,
    )
    summary = text_field("summary", _("简要案情"), widget=forms.Textarea(attrs={"rows": 4}))


class IncidentEntryForm(FactsFields):
    """A new incident, as an officer records it."""

    source = forms.ChoiceField(
        label=_("来源"), choices=IncidentSource.choices, initial=IncidentSource.CALL_110
    )
    priority = forms.TypedChoiceField(
        label=_("优先级"), choices=Priority.choices, coerce=int, initial=Priority.NORMAL
    )
    reported_at = local_time_field(_("接警时间"), initial=timezone.now)
    occurred_at = local_time_field(_("发生时间"), required=False)

    field_order = [
        "category",
        "source",
        "priority",
        "reported_at",
        "occurred_at",
        "address",
        "lon",
        "lat",
        "money_involved",
        "loss",
        "recovered",
        "arrested",
        "summary",
    ]


class FactsForm(FactsFields):
    """An incident's facts, changed after it was recorded."""


def entry_row(data: dict) -> dict:
    """A new incident's cleaned input as an ingest row (blank fields left to the defaults)."""
    return {name: value for name, value in data.items() if value not in (None, "")}


def facts_row(data: dict) -> dict:
    """Changed facts as an ingest row: a field emptied on the form empties it on the incident."""
    return {name: "" if value is None else value for name, value in data.items()}


class TransitionForm(forms.Form):
    """One lifecycle step: when it happened and a note."""

    at = local_time_field(_("时间"), initial=timezone.now)
    note = forms.CharField(label=_("备注"), required=False, max_length=NOTE_LENGTH)


class DispatchForm(TransitionForm):
    """Dispatching: the unit sent, the nearest available one preselected."""

    unit = forms.ChoiceField(label=_("出警单位"), required=False)
    note = forms.CharField(label=_("备注"), required=False, max_length=NOTE_LENGTH - UNIT_NOTE_ROOM)
    field_order = ["unit", "at", "note"]

    def __init__(self, *args, suggested=(), units=(), **kwargs):
        """``suggested``: the suggested units (patrols' suggested_units), nearest first;
        ``units``: every unit the user may send, as (code, name)."""
        super().__init__(*args, **kwargs)
        suggested_codes = [row["unit"] for row in suggested]
        choices = [
            (
                row["unit"],
                _("%(code)s %(name)s · %(metres)s 米 · 约 %(minutes)s 分钟")
                % {
                    "code": row["unit"],
                    "name": row["name"],
                    "metres": row["distance_m"],
                    "minutes": max(1, round(row["eta_seconds"] / 60)),
                },
            )
            for row in suggested
        ]
        choices += [(code, f"{code} {name}") for code, name in units if code not in suggested_codes]
        self.fields["unit"].choices = [("", _("不指定")), *choices]
        if suggested_codes:
            self.fields["unit"].initial = suggested_codes[0]
            self.fields["unit"].help_text = _("建议：%(unit)s（距离最近的在巡单位）") % {
                "unit": choices[0][1]
            }
        else:
            self.fields["unit"].help_text = _("附近没有在巡单位的最新定位。")


def dispatch_note(data: dict, unit_names: dict[str, str]) -> str:
    """A dispatch's note, naming the unit sent first (the incident has no unit field)."""
    code, note = data.get("unit"), data.get("note", "")
    if not code:
        return note
    sent = f"{code} {unit_names.get(code, '')}".strip()
    return f"{sent} · {note}" if note else sent


class TransferForm(forms.Form):
    """A transfer to another agency (the 12345 hotline, fire, urban management ...)."""

    transfer_agency = forms.CharField(
        label=_("移交单位"),
        max_length=ROW_FIELD["transfer_agency"].max_length,
        widget=DatalistInput(),
    )
    transferred_at = local_time_field(_("移交时间"), initial=timezone.now)
    transfer_outcome = text_field("transfer_outcome", _("移交结果"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["transfer_agency"].widget.options = settings.INCIDENT_TRANSFER_AGENCIES


def transition_refusal(exc) -> Refusal:
    """A service's TransitionError in the page's language, next to the time where it is about
    the time."""

    def label(status: str) -> str:
        return IncidentStatus(status).label if status in IncidentStatus.values else status

    names = {"current": label(exc.current), "wanted": label(exc.wanted)}
    if exc.reason == "earlier":
        return Refusal([("at", _("“%(wanted)s”的时间早于“%(current)s”的时间。") % names)])
    if exc.reason == "future":
        return Refusal([("at", _("时间不能晚于现在。"))])
    if exc.reason == "not_allowed" and exc.current == exc.wanted:
        return Refusal([(None, _("警情已是“%(current)s”。") % names)])
    if exc.reason == "not_allowed":
        return Refusal([(None, _("警情当前为“%(current)s”，不能变为“%(wanted)s”。") % names)])
    return Refusal([(None, _("没有这个状态：%(wanted)s。") % names)])
