"""The admin's area import form (the same choices as the import_areas command), and the order
areas are offered in by a form's select."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from safecity.core.crs import Crs

from .choices import AreaKind
from .models import Area
from .selectors import in_official_order
from .sources import DEFAULT_WKT_COLUMN

FILE_FORMAT_CHOICES = [
    ("auto", _("按文件扩展名（.geojson、.csv、.zip）")),
    ("geojson", "GeoJSON"),
    ("csv", _("CSV（边界为 WKT 列）")),
    ("shapefile", _("Shapefile（zip 压缩包）")),
]


class AreaImportForm(forms.Form):
    file = forms.FileField(label=_("文件"))
    file_format = forms.ChoiceField(label=_("格式"), choices=FILE_FORMAT_CHOICES, initial="auto")
    kind = forms.ChoiceField(label=_("级别"), choices=AreaKind.choices)
    code_field = forms.CharField(label=_("编码字段"))
    name_field = forms.CharField(label=_("名称字段"))
    name_en_field = forms.CharField(label=_("英文名称字段"), required=False)
    parent_field = forms.CharField(
        label=_("上级编码字段"), required=False, help_text=_("每个要素的上级编码所在的字段。")
    )
    parent_code = forms.CharField(
        label=_("统一上级编码"), required=False, help_text=_("所有要素共用的上级，填其编码。")
    )
    parent_kind = forms.ChoiceField(
        label=_("上级级别"),
        choices=[("", "---------"), *AreaKind.choices],
        required=False,
        help_text=_("需要新建上级时必填。"),
    )
    under = forms.ModelChoiceField(
        label=_("所属辖区"),
        queryset=Area.objects.all(),
        required=False,
        widget=AutocompleteSelect(Area._meta.get_field("parent"), admin.site),
        help_text=_("导入的最上层辖区（或新建的上级）属于此辖区。"),
    )
    wkt_field = forms.CharField(label=_("WKT 字段（CSV）"), initial=DEFAULT_WKT_COLUMN)
    crs = forms.ChoiceField(
        label=_("坐标系"), choices=Crs.choices, required=False, initial=Crs.WGS84
    )
    merge_duplicates = forms.BooleanField(
        label=_("合并重复编码"), required=False, help_text=_("同一编码的多个要素合并为一个辖区。")
    )
    create_parents = forms.BooleanField(
        label=_("新建缺少的上级"),
        required=False,
        initial=True,
        help_text=_("不勾选时，文件中的上级必须都已存在。"),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("parent_field") and cleaned.get("parent_code"):
            raise forms.ValidationError(_("上级编码字段与统一上级编码只能填一个。"))
        return cleaned

    def import_options(self) -> dict:
        """The form's choices as areas_import_file takes them."""
        data = self.cleaned_data
        return {
            "filename": data["file"].name,
            "file_format": data["file_format"],
            "wkt_column": data["wkt_field"],
            "crs": data["crs"] or Crs.WGS84,
            "kind": data["kind"],
            "code_field": data["code_field"],
            "name_field": data["name_field"],
            "name_en_field": data["name_en_field"] or None,
            "parent_field": data["parent_field"] or None,
            "parent_code": data["parent_code"] or None,
            "parent_kind": data["parent_kind"] or None,
            "under": data["under"],
            "merge_duplicates": data["merge_duplicates"],
            "create_parents": data["create_parents"],
        }


class OfficialOrderIterator(ModelChoiceIterator):
    """A select's areas in tree order, siblings in their official order (``sort_order``)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for area in in_official_order(self.queryset):
            yield self.choice(area)
