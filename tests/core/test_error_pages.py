"""Error pages sit inside the shell (the header and the navigation the user may open), in the
page's language; the API keeps its JSON; filter errors read in the page's language; the icon
is served where browsers look for it."""

import re

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import include, path

from accounts.choices import Role
from safecity.core import views as core_views
from safecity.core.pages.errors import ERRORS

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")


def _boom(request):
    raise RuntimeError("a bug")


def _forbidden(request):
    raise PermissionDenied


def _suspicious(request):
    raise SuspiciousOperation("a bad header")


# The site's URLs with three views that fail, and the site's error handlers.
urlpatterns = [
    path("boom/", _boom),
    path("forbidden/", _forbidden),
    path("suspicious/", _suspicious),
    path("api/v1/boom/", _boom),
    path("", include("safecity.urls")),
]
handler400 = core_views.bad_request
handler403 = core_views.permission_denied
handler404 = core_views.not_found
handler500 = core_views.server_error


@pytest.fixture
def analyst_client(client, make_user, city, settings):
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False
    client.force_login(make_user(role=Role.CITY_ANALYST, home_area=city))
    return client


def in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _navigation(html: str) -> list[str]:
    return re.findall(r'data-nav="([\w-]+)"', html)


@pytest.mark.parametrize(
    ("address", "status"),
    [("/no-such-page/", 404), ("/forbidden/", 403), ("/suspicious/", 400), ("/boom/", 500)],
)
def test_an_error_page_has_the_shells_navigation_in_the_pages_language(
    analyst_client, address, status
):
    shell = analyst_client.get("/").content.decode()
    answer = analyst_client.get(address)
    assert answer.status_code == status
    page = answer.content.decode()
    assert _navigation(page) == _navigation(shell) and _navigation(page)
    title, detail = ERRORS[status]
    assert str(detail) in page
    assert f'data-error="{status}"' in page
    assert '<html lang="zh-hans">' in page and str(title) in page

    english = in_english(analyst_client).get(address).content.decode()
    assert '<html lang="en">' in english
    main = english.split("<main>")[1].split("</main>")[0]
    assert not CJK.search(main), main
    assert _navigation(english) == _navigation(shell)


def test_a_visitor_not_logged_in_gets_the_page_with_a_way_to_log_in(client, db):
    answer = client.get("/no-such-page/")
    assert answer.status_code == 404
    page = answer.content.decode()
    assert 'data-error="404"' in page and "/accounts/login/" in page
    assert _navigation(page) == []


def test_the_api_answers_its_errors_in_json(analyst_client):
    for address, status in (("/api/v1/no-such-thing/", 404), ("/api/v1/boom/", 500)):
        answer = analyst_client.get(address)
        assert answer.status_code == status
        assert answer["Content-Type"] == "application/json" and "detail" in answer.json()


def test_a_form_posted_without_its_token_is_a_403_in_the_shell(make_user, city):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(role=Role.CITY_ANALYST, home_area=city))
    answer = client.post("/alerts/", {"form": "acknowledge"})
    assert answer.status_code == 403
    assert "data-reason" in answer.content.decode()


def test_a_window_that_ends_before_it_starts_is_explained_in_the_pages_language(analyst_client):
    query = {"window": "custom", "from": "2024-05-10", "to": "2024-05-01"}
    chinese = analyst_client.get("/", query).content.decode()
    error = re.search(r'<p class="error" role="alert" data-error-for="to">(.*?)</p>', chinese)
    assert error and CJK.search(error.group(1)) and not re.search("[a-z]{3}", error.group(1))
    english = in_english(analyst_client).get("/", query).content.decode()
    error = re.search(r'<p class="error" role="alert" data-error-for="to">(.*?)</p>', english)
    assert error and not CJK.search(error.group(1))


def test_an_incident_filter_error_is_labelled_in_the_pages_language(analyst_client):
    chinese = analyst_client.get("/incidents/", {"status": "no-such-status"}).content.decode()
    error = re.search(r'data-error-for="status">(.*?)</p>', chinese)
    assert error and error.group(1).startswith("状态")


def test_the_icon_is_served_at_favicon_ico_and_linked_from_every_page(analyst_client):
    answer = analyst_client.get("/favicon.ico")
    assert answer.status_code == 200 and answer["Content-Type"] == "image/svg+xml"
    assert answer.content.startswith(b"<svg")
    assert 'rel="icon"' in analyst_client.get("/").content.decode()
