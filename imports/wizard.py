"""What the import page's script reads besides the API: the ingest fields a mapping may fill
(from the incident row's one table), the values a value map may give each of them (the
taxonomy grouped by its top level, the choices of the row's choice fields), the server's
time zone and the upload limit."""

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from incidents.choices import IncidentSource, Priority
from incidents.ingest.rows import INPUT_ONLY_FIELDS, ROW_FIELD
from incidents.models import Category, Incident
from safecity.core.crs import Crs

from .choices import JobState
from .mapping import MAPPABLE_FIELDS, REQUIRED_FIELDS, VALUE_MAPPABLE
from .problems import PROBLEM_CODES

# The coordinate systems a file's points may be in.
COORDINATE_SYSTEMS = Crs.choices
# Yes/no columns counted as people (arrested): 是/否, True/False → 1/0.
YES_NO = ((1, _("1（是）")), (0, _("0（否）")))
# Required fields first, then in the row table's order.
# A file's coordinate system is chosen once for the file (the page's select), not per column.
FIELD_ORDER = [
    name for name in ROW_FIELD if name in MAPPABLE_FIELDS and name not in INPUT_ONLY_FIELDS
]

IMPORT_STRINGS = {
    "column_none": _("（不导入）"),
    "constant": _("固定值"),
    "unmapped": _("（保留原值）"),
    "required": _("必填"),
    "preview_failed": _("文件无法读取"),
    "too_large": _("文件超过大小上限"),
    "mapping_invalid": _("映射有误"),
    "job_refused": _("导入未能开始"),
    "saved_version": _("已保存：%(name)s 第 %(version)s 版"),
    "loaded_version": _("已载入：%(name)s 第 %(version)s 版"),
    "no_mapping_named": _("没有名为该名称的映射"),
    "missing_required": _("请为必填字段选择列或填写固定值："),
    "rate": _("%s 行/秒"),
    "seconds_left": _("约剩 %s"),
    "rows_done": _("%(done)s / %(total)s 行"),
    "no_errors": _("没有被拒绝的行。"),
    "no_jobs": _("还没有导入记录。"),
    "download_errors": _("下载错误行 CSV"),
    "dry_run": _("试导入"),
    "cancel_requested": _("已请求取消"),
    "nothing_saved": _("未写入任何数据"),
    "values_found": _("预览中出现的值"),
    "category_default": _("映射表中没有的值归为："),
    "count": _("次数"),
}


# What each kind of file problem (``FileProblem.code``) means, said in the page's language;
# the API's own message, with the file's particulars, is shown below it.
PROBLEM_TEXTS = {
    "no_file": _("文件已不存在，请重新上传。"),
    "empty": _("文件是空的。"),
    "encrypted": _("这是加密（设有密码）的工作簿或旧版 .xls 文件：请另存为不加密的 .xlsx 工作簿。"),
    "not_workbook": _("这不是可读取的 XLSX 工作簿：文件可能已损坏，或扩展名与内容不符。"),
    "not_csv": _("这不是可读取的 CSV 文件（或文件在中途损坏）。"),
    "zip_bomb": _("工作簿解压后远超允许的大小，已拒绝（疑似压缩炸弹）。"),
    "no_sheet": _("工作簿中没有所选的工作表。"),
    "empty_sheet": _("工作表是空的，没有表头行。"),
    "no_rows": _("表头下面没有数据行。"),
    "encoding": _("无法识别文件的文字编码：请以 UTF-8 或 GB18030 编码保存后再上传。"),
    "unknown_encoding": _("映射中指定的文字编码无法识别。"),
    "missing_columns": _("文件缺少映射所用的列。"),
}
assert set(PROBLEM_TEXTS) == set(PROBLEM_CODES)


def field_label(name: str) -> str:
    if name == "category":
        return str(Category._meta.verbose_name)
    return str(Incident._meta.get_field(name).verbose_name)


def _fields() -> list[dict]:
    order = sorted(FIELD_ORDER, key=lambda name: name not in REQUIRED_FIELDS)
    return [
        {
            "name": name,
            "label": field_label(name),
            "kind": str(ROW_FIELD[name].kind),
            "required": name in REQUIRED_FIELDS,
            "value_mappable": name in VALUE_MAPPABLE,
            "help": ROW_FIELD[name].help_text,
        }
        for name in order
    ]


def _category_groups() -> list[dict]:
    """The active categories under their top-level category, in the taxonomy's order."""
    categories = list(Category.objects.filter(is_active=True).order_by("path"))
    top = {c.path: c for c in categories if c.path.count("/") == 2}
    groups: dict[str, dict] = {}
    for category in categories:
        root = "/" + category.path.strip("/").split("/")[0] + "/"
        head = top.get(root, category)
        group = groups.setdefault(
            head.code, {"label": head.name, "label_en": head.name_en, "options": []}
        )
        group["options"].append(
            {"value": category.code, "label": category.name, "label_en": category.name_en}
        )
    return list(groups.values())


def _choices(choices) -> list[dict]:
    return [{"value": value, "label": str(label)} for value, label in choices]


def wizard_config() -> dict:
    return {
        "fields": _fields(),
        "value_choices": {
            "category": _category_groups(),
            "source": [{"label": "", "options": _choices(IncidentSource.choices)}],
            "priority": [{"label": "", "options": _choices(Priority.choices)}],
            "arrested": [{"label": "", "options": _choices(YES_NO)}],
        },
        "time_zone": settings.TIME_ZONE,
        "coordinate_systems": [list(pair) for pair in COORDINATE_SYSTEMS],
        "max_bytes": settings.IMPORT_UPLOAD_MAX_BYTES,
        "max_bytes_text": filesizeformat(settings.IMPORT_UPLOAD_MAX_BYTES),
        "job_states": {value: str(label) for value, label in JobState.choices},
        "strings": IMPORT_STRINGS
        | {f"problem_{code}": text for code, text in PROBLEM_TEXTS.items()},
    }
