"""The campaign page's forms: the shape of the input in the page's language. The rules are the
services' and the models' (``kpi_report_create``, ``inspection_create``, ``campaign_part_save``
with ``Sweep.clean()``), as for the API; what they refuse comes back next to its field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import SWEEP_TALLIES, Sweep


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def choice_field(label) -> forms.IntegerField:
    """A choice among the objects offered; any id may be posted, and one not the user's reads
    as 404 (the page's lookup is scoped), one changed meanwhile is the service's to refuse."""
    return forms.IntegerField(label=label, widget=forms.Select)


class OfferedChoicesForm(forms.Form):
    """A form whose first field chooses among ``offered``: (id, label) pairs."""

    choice = ""

    def __init__(self, *args, offered=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[self.choice].widget.choices = list(offered)

    @property
    def offers_any(self) -> bool:
        return bool(self.fields[self.choice].widget.choices)


class KpiReportForm(OfferedChoicesForm):
    """Progress on a counter item of the user's units: how many since the last report."""

    choice = "item"
    item = choice_field(_("指标"))
    reported_on = forms.DateField(label=_("日期"), widget=DateInput)
    value = forms.DecimalField(label=_("数量"), max_digits=14, decimal_places=2)
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class InspectionForm(OfferedChoicesForm):
    """An inspection of a listed remediation area of the user's units."""

    choice = "area"
    area = choice_field(_("整治点"))
    inspected_on = forms.DateField(label=_("检查日期"), widget=DateInput)
    findings = forms.CharField(label=_("检查情况"), widget=forms.Textarea(attrs={"rows": 3}))


class SweepForm(forms.Form):
    """A concentrated sweep's tallies, as its unit corrects them."""

    sweep = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in SWEEP_TALLIES:
            self.fields[name] = forms.IntegerField(
                label=Sweep._meta.get_field(name).verbose_name, min_value=0
            )
