"""The forecast section of the 研判 page: its partial, its script's strings and its config."""

import re
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from analysis.forecast.page import FORECAST_ROUTES, FORECAST_STRINGS, forecast_page_config
from incidents.models import Category
from stats.registry import get_source
from stats.selectors import Subject

SCRIPT = Path(__file__).resolve().parents[2] / "static" / "js" / "analysis" / "forecast.js"


@pytest.mark.parametrize(("language", "title"), [("zh-hans", "警情预测"), ("en", "Forecast")])
def test_the_partial_holds_the_map_the_horizons_and_the_evaluation_table(language, title):
    with translation.override(language):
        html = render_to_string("analysis/_forecast.html")

    assert f"<h2>{title}" in html
    assert 'id="forecast-map"' in html and 'id="forecast-evaluation"' in html
    assert re.findall(r'data-horizon="(\d+)"', html) == ["7", "28"]


def test_every_string_and_route_the_script_asks_for_is_provided():
    script = SCRIPT.read_text(encoding="utf-8")
    asked = set(re.findall(r'S\.t\("(\w+)"\)', script))
    methods = re.search(r"METHODS = \[([^\]]*)\]", script).group(1)
    asked |= {f"evaluation_{m}" for m in re.findall(r'"(\w+)"', methods)}
    routes = set(re.findall(r'S\.route\("([\w-]+)"\)', script))

    assert asked <= set(FORECAST_STRINGS)
    assert routes == set(FORECAST_ROUTES)
    assert "S.maps.baseMap" in script  # the shell's map, which applies MAP_TILES_CRS


class Picked:
    def __init__(self, subject):
        self.subject = subject


@pytest.mark.django_db
def test_the_config_names_the_category_group_of_the_selected_category(city):
    burglary = Category.objects.get(code="theft_burglary")
    source = get_source("incidents")
    chosen = Subject(source, city.id, city.path, burglary.id, burglary.path)

    assert forecast_page_config(Picked(chosen)) == {
        "area": city.id,
        "category": burglary.path.strip("/").split("/")[0],
        "horizons": [7, 28],
    }
    assert forecast_page_config(Picked(Subject(source)))["category"] == ""
    assert burglary.path.startswith("/criminal/")
