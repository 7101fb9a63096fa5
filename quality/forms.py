"""The quality page's fix forms: each names the incident it is about, checked against the
user's queue by the page before the service sees it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from incidents.forms import category_choices


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


class CategoryForm(QualityItemForm):
    category = forms.ChoiceField(label=_("实际类别"), choices=category_choices)


class RefileForm(QualityItemForm):
    """Hand the incident to the jurisdiction its point lies in: nothing to fill in."""


class MergeForm(QualityItemForm):
    # The page offers the item's partners; the selector judges whatever is posted.
    into = forms.UUIDField(label=_("重复于"), widget=forms.Select)
