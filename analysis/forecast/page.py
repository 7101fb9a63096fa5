"""What the 研判 page needs for its forecast section (templates/analysis/_forecast.html and
static/js/analysis/forecast.js): the API routes it requests, its strings, and its config."""

from django.utils.translation import gettext_lazy as _

FORECAST_ROUTES = ("analysis-forecast", "analysis-evaluation")

FORECAST_STRINGS = {
    "forecast_expected": _("预计警情数"),
    "forecast_rank": _("排名"),
    "forecast_hot": _("预测热点"),
    "forecast_none": _("尚未生成预测"),
    "forecast_made": _("生成于"),
    "forecast_data_to": _("数据截至"),
    "forecast_cells": _("网格"),
    "evaluation_none": _("尚无评估结果"),
    "evaluation_model": _("预测模型"),
    "evaluation_last_28_days": _("基线：近28天计数"),
    "evaluation_last_365_days": _("基线：近365天计数"),
    "evaluation_headline": _("5%面积PAI：模型 %(model)s，较优基线 %(baseline)s，比值 %(ratio)s"),
    "evaluation_origins": _("滚动起点 %(origins)s 个，预测期 %(horizon)s 天，数据截至 %(day)s"),
}


def forecast_page_config(selection) -> dict:
    """The section's config: the selected area, and the category group (the top-level
    category of the selected one; forecasts are made per group)."""
    subject = selection.subject
    group = subject.category_path.strip("/").split("/")[0] if subject.category_path else ""
    return {
        "area": subject.area_key if subject.area_path else None,
        "category": group,
        "horizons": [7, 28],
    }
