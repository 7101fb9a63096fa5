"""GET /api/v1/audit/events/: administrators only, filtered by the trail's FilterSet."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.choices import Role
from audit.choices import AuditAction, AuditOutcome
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db

URL = "/api/v1/audit/events/"


@pytest.fixture
def trail():
    now = timezone.now()

    def event(**fields):
        return AuditEvent.objects.create(**fields)

    return {
        "export": event(
            at=now - timedelta(days=3), actor_username="alice", action=AuditAction.EXPORT,
            object_type="incidents.incident", detail="incidents.csv 120 rows", ip="10.0.0.5",
        ),
        "denied": event(
            at=now - timedelta(days=2), actor_username="bob", action=AuditAction.DENIED,
            outcome=AuditOutcome.DENIED, path="/api/v1/audit/events/", ip="10.0.0.6",
        ),
        "update": event(
            at=now - timedelta(hours=1), actor_username="alice", action=AuditAction.UPDATE,
            object_type="alerts.alertrule", object_id="7", object_repr="全市抢劫",
            changes={"enabled": [True, False]},
        ),
    }  # fmt: skip


def ids(answer) -> list[int]:
    assert answer.status_code == 200, answer.content
    return [row["id"] for row in answer.json()["results"]]


@pytest.mark.parametrize(
    "role", [Role.CITY_ANALYST, Role.DISTRICT_COMMANDER, Role.STATION_OFFICER, Role.VIEWER]
)
def test_only_administrators_may_read_the_trail(role, make_user, api_client_for, trail):
    assert api_client_for(make_user(role=role)).get(URL).status_code == 403


def test_anonymous_callers_are_refused(client):
    assert client.get(URL).status_code in (401, 403)


def test_a_superuser_may_read_the_trail(make_user, api_client_for, trail):
    root = make_user(role=Role.VIEWER, is_superuser=True)

    assert set(ids(api_client_for(root).get(URL))) >= {e.pk for e in trail.values()}


def test_the_list_is_newest_first_with_changes(administrator, api_client_for, trail):
    answer = api_client_for(administrator).get(URL, {"object_type": "alerts.alertrule"})

    (row,) = answer.json()["results"]
    assert row["id"] == trail["update"].pk
    assert row["changes"] == {"enabled": [True, False]}
    assert row["actor_username"] == "alice"


def test_the_list_pages_by_cursor_newest_first(administrator, api_client_for, trail):
    client = api_client_for(administrator)
    first = client.get(URL, {"actor": "alice", "page_size": 1}).json()

    second = client.get(first["next"]).json()

    assert [first["results"][0]["id"], second["results"][0]["id"]] == [
        trail["update"].pk, trail["export"].pk,
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"actor": "alice"}, ["update", "export"]),
        ({"action": "export"}, ["export"]),
        ({"outcome": "denied"}, ["denied"]),
        ({"object_type": "alerts.alertrule", "object_id": "7"}, ["update"]),
        ({"ip": "10.0.0.6"}, ["denied"]),
        ({"q": "csv"}, ["export"]),
        ({"q": "抢劫"}, ["update"]),
        ({"q": "/api/v1/audit"}, ["denied"]),
    ],
)
def test_filters(params, expected, administrator, api_client_for, trail):
    answer = api_client_for(administrator).get(URL, params)

    assert ids(answer) == [trail[name].pk for name in expected]


def test_time_filters(administrator, api_client_for, trail):
    now = timezone.now()
    params = {
        "since": (now - timedelta(days=2, hours=12)).isoformat(),
        "until": (now - timedelta(days=1)).isoformat(),
    }

    assert ids(api_client_for(administrator).get(URL, params)) == [trail["denied"].pk]


def test_a_bad_filter_value_is_a_400(administrator, api_client_for):
    answer = api_client_for(administrator).get(URL, {"ip": "not-an-address"})

    assert answer.status_code == 400
    assert "ip" in answer.json()


def test_an_event_can_be_read_alone(administrator, api_client_for, trail):
    answer = api_client_for(administrator).get(f"{URL}{trail['export'].pk}/")

    assert answer.status_code == 200
    assert answer.json()["detail"] == "incidents.csv 120 rows"


def test_the_trail_cannot_be_written_through_the_api(administrator, api_client_for, trail):
    client = api_client_for(administrator)
    event = trail["export"]

    assert client.delete(f"{URL}{event.pk}/").status_code in (403, 405)
    assert client.patch(f"{URL}{event.pk}/", {"detail": "x"}).status_code in (403, 405)
    assert AuditEvent.objects.get(pk=event.pk).detail == "incidents.csv 120 rows"
