"""The /quality/ page: counts and items per kind, and each fix posted as a form."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.choices import Role
from quality.models import QualityDismissal

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(client, officer):
    client.force_login(officer)
    return client


def test_the_page_lists_the_kinds_counts_and_the_items(browser, unlocated):
    item = unlocated("U1")
    response = browser.get("/quality/")
    assert response.status_code == 200
    html = response.content.decode()
    assert str(item.public_id) in html and "U1" in html
    assert response.context["kinds"][0][2] == 1


def test_dismissing_on_the_page_accepts_the_item(browser, unlocated, officer):
    item = unlocated("U1")
    response = browser.post(
        "/quality/?kind=unlocated",
        {"form": "dismiss", "dismiss-incident": str(item.public_id), "dismiss-note": "无法定位"},
    )
    assert response.status_code == 302
    assert QualityDismissal.objects.get().by == officer
    assert str(item.public_id) not in browser.get("/quality/").content.decode()


def test_moving_a_doubtful_point_on_the_page(browser, fuzzy):
    item = fuzzy("F1", 80)
    response = browser.post(
        "/quality/?kind=low_confidence",
        {
            "form": "place",
            "place-incident": str(item.public_id),
            "place-lon": "120.7",
            "place-lat": "30.7",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.lon, item.lat) == (120.7, 30.7)


def test_correcting_times_on_the_page(browser, wrong_timeline):
    item = wrong_timeline("T1")
    dispatched = item.reported_at + timedelta(minutes=3)
    response = browser.post(
        "/quality/?kind=timeline",
        {
            "form": "times",
            "times-incident": str(item.public_id),
            "times-dispatched_at": timezone.localtime(dispatched).strftime("%Y-%m-%d %H:%M:%S"),
            "times-on_scene_at": timezone.localtime(item.on_scene_at).strftime("%Y-%m-%d %H:%M:%S"),
        },
    )
    assert response.status_code == 302, response.context["rows"]
    item.refresh_from_db()
    assert item.dispatched_at == dispatched.replace(microsecond=0)


def test_a_refused_correction_answers_400_with_the_message_by_the_field(browser, wrong_timeline):
    item = wrong_timeline("T1")
    response = browser.post(
        "/quality/?kind=timeline",
        {
            "form": "times",
            "times-incident": str(item.public_id),
            "times-dispatched_at": timezone.localtime(item.dispatched_at).strftime(
                "%Y-%m-%d %H:%M:%S"
            ),
            "times-on_scene_at": timezone.localtime(item.on_scene_at).strftime("%Y-%m-%d %H:%M:%S"),
        },
    )
    assert response.status_code == 400
    assert 'data-errors="on_scene_at"' in response.content.decode()


def test_another_districts_item_is_not_listed_nor_fixable_on_the_page(
    browser, unlocated, two_districts
):
    theirs = unlocated("B1", area=two_districts[1])
    assert str(theirs.public_id) not in browser.get("/quality/").content.decode()
    response = browser.post(
        "/quality/?kind=unlocated", {"form": "dismiss", "dismiss-incident": str(theirs.public_id)}
    )
    assert response.status_code == 404
    assert not QualityDismissal.objects.exists()


def test_a_viewer_may_not_open_the_page(client, make_user, two_districts):
    client.force_login(make_user(role=Role.VIEWER, home_area=two_districts[0]))
    assert client.get("/quality/").status_code == 403


def test_keeping_both_suspected_duplicates_on_the_page(browser, near_pair):
    first, second = near_pair()
    page = browser.get("/quality/?kind=duplicate").content.decode()
    assert str(first.public_id) in page and str(second.public_id) in page
    response = browser.post(
        "/quality/?kind=duplicate", {"form": "dismiss", "dismiss-incident": str(first.public_id)}
    )
    assert response.status_code == 302
    page = browser.get("/quality/?kind=duplicate").content.decode()
    assert str(second.public_id) not in page


def test_confirming_a_doubtful_geocode_on_the_page(browser, fuzzy):
    item = fuzzy("F1", 80)
    response = browser.post(
        "/quality/?kind=low_confidence",
        {"form": "dismiss", "dismiss-incident": str(item.public_id), "dismiss-note": "核实无误"},
    )
    assert response.status_code == 302
    assert QualityDismissal.objects.get().kind == "low_confidence"
    item.refresh_from_db()
    assert item.geocode_quality == "fuzzy"


def test_an_unknown_kind_on_the_page_is_not_found(browser):
    assert browser.get("/quality/?kind=nonsense").status_code == 404


def test_the_page_speaks_english(browser, settings):
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = browser.get("/quality/").content.decode()
    assert "Data quality" in html and "Unlocated incidents" in html
    assert "Filed under a fallback category" in html
    assert "Outside the jurisdiction filed in" in html
