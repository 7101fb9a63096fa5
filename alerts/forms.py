"""The alerts page's form: acknowledge an open alert with a note. The note's rules are the
service's (``alerts.services.alert_acknowledge``), as for the API."""

from django import forms
from django.utils.translation import gettext_lazy as _


class AcknowledgeForm(forms.Form):
    # Offered: the latest open alerts; any of the user's may be posted (a page open a while
    # offers alerts handled since: the service says so), another's reads as 404.
    alert = forms.IntegerField(label=_("告警"), widget=forms.Select)
    note = forms.CharField(
        label=_("确认备注"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("正在采取的措施、已通知的人员等（可不填）。"),
    )

    def __init__(self, *args, alerts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["alert"].widget.choices = [
            (alert.pk, f"#{alert.pk} {alert.local_title}") for alert in alerts
        ]
