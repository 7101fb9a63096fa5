"""The 研判 page served by Django: in the navigation, scoped as the statistics are, with its
export links and the category of its own; the figures themselves load in the browser
(tests/dashboards/test_analysis.py)."""

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from accounts.choices import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst_client(client, make_user, city):
    user = make_user(role=Role.CITY_ANALYST, home_area=city)
    client.force_login(user)
    return client


def page_config(response) -> dict:
    text = response.content.decode()
    start = text.index('<script id="page-config" type="application/json">') + len(
        '<script id="page-config" type="application/json">'
    )
    return json.loads(text[start : text.index("</script>", start)])


def test_the_page_is_in_the_navigation_with_its_routes(analyst_client):
    response = analyst_client.get("/analysis/", {"window": "ytd", "category": "theft_burglary"})
    assert response.status_code == 200
    assert ("analysis", "/analysis/") in [(key, url) for key, url, _ in response.context["nav"]]
    config = page_config(response)
    assert config["analysis"]["category"] == "theft_burglary"
    assert config["analysis"]["window"] == "ytd"
    for name in ("analysis-hotspots", "analysis-emerging", "analysis-near-repeat"):
        assert name in config["routes"]
    exports = response.context["exports"]
    query = parse_qs(urlsplit(exports["hotspots_geojson"]).query)
    assert query["format"] == ["geojson"] and query["category"] == ["theft_burglary"]


def test_a_short_window_gives_the_emerging_table_the_year_to_its_end(analyst_client):
    config = page_config(analyst_client.get("/analysis/", {"window": "28d", "date": "2024-05-31"}))
    assert config["emerging"]["window"] == "365d" and config["emerging"]["date"] == "2024-05-31"
    assert config["analysis"]["window"] == "28d"


def test_an_unknown_category_is_left_out(analyst_client):
    config = page_config(analyst_client.get("/analysis/", {"category": "no_such"}))
    assert "category" not in config["analysis"]


def test_an_area_outside_the_jurisdiction_is_404(client, make_user, two_districts):
    district_a, district_b = two_districts
    client.force_login(make_user(role=Role.DISTRICT_COMMANDER, home_area=district_b))
    assert client.get("/analysis/", {"area": district_a.pk}).status_code == 404
    assert client.get("/analysis/", {"area": district_b.pk}).status_code == 200


def test_the_page_reads_in_english(analyst_client):
    response = analyst_client.get("/analysis/", HTTP_ACCEPT_LANGUAGE="en")
    text = response.content.decode()
    assert "Hot spots (Getis-Ord Gi*, FDR corrected)" in text
    assert "Near repeats (Knox test, Monte Carlo)" in text
    strings = page_config(response)["strings"]
    assert strings["hot_99"] == "Hot spot 99%" and strings["intensifying"] == "Intensifying"
