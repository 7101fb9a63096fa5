"""An incident's page says how its point was found: the match's kind, score and standard
address, or why it has none; and whether it waits on a person for its category or is merged."""

import re

import pytest

from geocoding.choices import GeocodeQuality, UnlocatedReason

pytestmark = pytest.mark.django_db


@pytest.fixture
def page_of(client, officer):
    client.force_login(officer)

    def get(incident) -> str:
        response = client.get(f"/incidents/{incident.public_id}/")
        assert response.status_code == 200
        return response.content.decode()

    return get


def text_of(html: str, attribute: str) -> str:
    found = re.search(rf"<[^>]*{attribute}[^>]*>(.*?)</", html, re.S)
    assert found, attribute
    return found.group(1).strip()


def test_a_fuzzy_match_shows_its_kind_score_and_standard_address(page_of, fuzzy):
    item = fuzzy("F1", 87.4)
    html = page_of(item)
    assert 'data-geocode="fuzzy"' in html
    assert str(GeocodeQuality.FUZZY.label) in html
    assert text_of(html, "data-geocode-score") == f"{item.geocode_score:.0f}"
    assert text_of(html, "data-geocoded-address") == item.geocoded_address


def test_an_unlocated_incident_shows_why(page_of, unlocated):
    item = unlocated("U1")
    html = page_of(item)
    assert 'data-geocode="unlocated"' in html
    assert text_of(html, 'data-unlocated-reason="no_match"') == str(UnlocatedReason.NO_MATCH.label)


def test_a_given_point_says_it_was_given(page_of, make_incident):
    html = page_of(make_incident("G1"))
    assert 'data-geocode="given"' in html and str(GeocodeQuality.GIVEN.label) in html
    assert "data-geocode-score" not in html


def test_a_defaulted_category_and_a_merge_are_shown(page_of, near_pair, officer):
    from incidents.services import incident_merge_duplicate

    first, second = near_pair(category_defaulted=True)
    incident_merge_duplicate(duplicate=second, into=first, user=officer)
    html = page_of(second)
    assert "data-category-defaulted" in html
    assert f'href="/incidents/{first.public_id}/"' in html


def test_the_match_is_shown_in_english(page_of, fuzzy, client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = page_of(fuzzy("F1", 87.4))
    assert "Located by" in html and "Standard address, fuzzy match" in html
