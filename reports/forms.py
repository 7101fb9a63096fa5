"""The form that asks for a briefing by hand: any kind, any area in scope, any period."""

from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.selectors import campaigns_for_user

from .choices import ReportKind
from .selectors import report_areas_for_user


class GenerateForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=ReportKind.choices)
    area = forms.ModelChoiceField(label=_("辖区"), queryset=None)
    start = forms.DateField(
        label=_("起始日"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("留空：周报为上一个完整自然周，月报为上一个完整月"),
    )
    end = forms.DateField(
        label=_("截止日"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    campaign = forms.ModelChoiceField(label=_("专项行动"), queryset=None, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = report_areas_for_user(user)
        self.fields["campaign"].queryset = campaigns_for_user(user).order_by("-starts_on")

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if data.get("kind") == ReportKind.CAMPAIGN and not data.get("campaign"):
            self.add_error("campaign", _("专项行动通报须指定专项行动。"))
        if bool(start) != bool(end):
            self.add_error(None, _("起始日和截止日须同时填写或同时留空。"))
        elif start and end and start > end:
            self.add_error("end", _("截止日早于起始日。"))
        return data
