"""While the database cannot be reached every request answers 503 with Retry-After: JSON from
the API, a short page elsewhere; other errors stay 500s."""

from unittest.mock import patch

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import InterfaceError, OperationalError
from django.test import Client

from accounts.authentication import ApiTokenAuthentication
from accounts.choices import Role

REFUSED = OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in_client(city, make_user):
    client = Client(raise_request_exception=False)
    client.force_login(make_user(role=Role.CITY_ANALYST, home_area=city))
    return client


def test_api_answers_503_json_with_retry_after_when_the_token_lookup_fails(client, settings):
    with patch.object(ApiTokenAuthentication, "authenticate", side_effect=REFUSED):
        response = client.get("/api/v1/areas/", HTTP_AUTHORIZATION="Token whatever")

    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]
    assert response["Retry-After"] == str(settings.DATABASE_RETRY_AFTER_SECONDS)


def test_page_answers_503_when_loading_the_session_fails(signed_in_client, settings):
    with patch.object(SessionStore, "load", side_effect=REFUSED):
        response = signed_in_client.get("/")

    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert b"<h1>" in response.content and b"Traceback" not in response.content
    assert response["Retry-After"] == str(settings.DATABASE_RETRY_AFTER_SECONDS)


def test_api_answers_503_json_when_middleware_loses_the_database(signed_in_client):
    with patch.object(
        SessionStore, "load", side_effect=InterfaceError("connection already closed")
    ):
        response = signed_in_client.get("/api/v1/areas/")

    assert response.status_code == 503
    assert response.json()["detail"]


def test_page_view_that_loses_the_database_answers_503(settings):
    from accounts.views import LoginView

    with patch.object(LoginView, "get", side_effect=REFUSED):
        response = Client(raise_request_exception=False).get("/accounts/login/")

    assert response.status_code == 503
    assert response["Retry-After"] == str(settings.DATABASE_RETRY_AFTER_SECONDS)


def test_other_errors_stay_500(signed_in_client):
    with patch.object(SessionStore, "load", side_effect=RuntimeError("a bug")):
        response = signed_in_client.get("/")

    assert response.status_code == 500
    assert "Retry-After" not in response
