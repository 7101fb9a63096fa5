"""The admin names the platform's models in Chinese, and in English through the catalogue."""

import re
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.utils import translation

CJK = re.compile(r"[\u4e00-\u9fff]")
PROJECT = Path(settings.BASE_DIR).resolve()


def platform_models():
    for model in apps.get_models():
        source = Path(__import__("sys").modules[model.__module__].__file__).resolve()
        if source.is_relative_to(PROJECT) and ".venv" not in source.parts:
            yield model


def names(model) -> list[str]:
    meta = model._meta
    app = apps.get_app_config(meta.app_label)
    return [str(meta.verbose_name), str(meta.verbose_name_plural), str(app.verbose_name)]


def test_every_platform_model_has_a_chinese_name_and_an_english_one():
    models = list(platform_models())
    assert len(models) > 20
    for model in models:
        with translation.override("zh-hans"):
            chinese = names(model)
        with translation.override("en"):
            english = names(model)
        assert all(CJK.search(name) for name in chinese), (model, chinese)
        assert not any(CJK.search(name) for name in english), (model, english)
