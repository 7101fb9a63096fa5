"""The quality page's fix forms: each names the incident it is about, checked against the
user's queue by the page before the service sees it."""

from django import forms
from django.utils.translation import gettext_lazy as _


class QualityItemForm(forms.Form):
    incident = forms.UUIDField(widget=forms.HiddenInput)


class DismissForm(QualityItemForm):
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class PlaceForm(QualityItemForm):
    lon = forms.FloatField(label=_("经度"), min_value=-180, max_value=180)
    lat = forms.FloatField(label=_("纬度"), min_value=-90, max_value=90)


class TimesForm(QualityItemForm):
    dispatched_at = forms.DateTimeField(label=_("派警时间"), required=False)
    on_scene_at = forms.DateTimeField(label=_("到场时间"), required=False)
    closed_at = forms.DateTimeField(label=_("处结时间"), required=False)
