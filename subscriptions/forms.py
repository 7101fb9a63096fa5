"""The inbox page's forms: subscribe, end a subscription, mark items read. What they may
name is the service's to check (subscriptions.services), as for the API."""

from django import forms
from django.utils.translation import gettext_lazy as _

from alerts.choices import RuleKind

from .choices import ReportKind

ALERTS = "alerts"
WHAT_CHOICES = [*ReportKind.choices, (ALERTS, _("告警"))]


class SubscribeForm(forms.Form):
    what = forms.ChoiceField(label=_("订阅内容"), choices=WHAT_CHOICES)
    area = forms.TypedChoiceField(
        label=_("辖区"), coerce=int, required=False, empty_value=None,
        help_text=_("通报须选辖区；告警不选则为你的全部辖区。"),
    )  # fmt: skip
    alert_rule = forms.TypedChoiceField(
        label=_("告警规则"), coerce=int, required=False, empty_value=None
    )
    alert_kind = forms.ChoiceField(
        label=_("告警类型"), choices=[("", _("全部")), *RuleKind.choices], required=False
    )
    email = forms.BooleanField(label=_("同时发送邮件"), required=False, initial=True)

    def __init__(self, *args, areas=(), rules=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", "—")] + [
            (area.pk, f"{area.indent}{area.display_name}") for area in areas
        ]
        self.fields["alert_rule"].choices = [("", _("全部"))] + [
            (rule.pk, rule.name) for rule in rules
        ]


class UnsubscribeForm(forms.Form):
    subscription = forms.IntegerField(widget=forms.HiddenInput)


class ReadForm(forms.Form):
    # Empty: every unread item.
    item = forms.IntegerField(widget=forms.HiddenInput, required=False)
