"""/audit/: the trail as a filtered, paginated table for administrators, in two languages."""

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.choices import Role
from audit.choices import AuditAction, AuditOutcome
from audit.models import AuditArchive, AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def events():
    return [
        AuditEvent.objects.create(
            actor_username="alice", action=AuditAction.EXPORT, detail="incidents.csv"
        ),
        AuditEvent.objects.create(
            actor_username="bob",
            action=AuditAction.UPDATE,
            object_repr="全市抢劫",
            changes={"severity": ["warning", "critical"]},
        ),
    ]


def rows(answer) -> list[int]:
    return [event.pk for event in answer.context["page"]]


def test_an_administrator_sees_the_trail_with_its_changes(login, administrator, events):
    answer = login(administrator).get(reverse("audit-events"))

    assert answer.status_code == 200
    assert set(rows(answer)) >= {e.pk for e in events}
    page = answer.content.decode()
    assert "warning → critical" in page
    assert 'data-nav="audit"' in page and "审计日志" in page


@pytest.mark.parametrize("role", [Role.CITY_ANALYST, Role.DISTRICT_COMMANDER, Role.VIEWER])
def test_other_roles_are_refused_and_see_no_navigation_entry(login, make_user, role):
    client = login(make_user(role=role))

    assert client.get(reverse("audit-events")).status_code == 403
    assert 'data-nav="audit"' not in client.get(reverse("dash-alerts")).content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client):
    answer = client.get(reverse("audit-events"))

    assert answer.status_code == 302
    assert reverse("login") in answer["Location"]


def test_the_page_filters_with_the_api_filterset(login, administrator, events):
    client = login(administrator)

    assert rows(client.get(reverse("audit-events"), {"actor": "alice"})) == [events[0].pk]
    assert rows(client.get(reverse("audit-events"), {"q": "抢劫"})) == [events[1].pk]
    assert rows(client.get(reverse("audit-events"), {"outcome": AuditOutcome.DENIED})) == [
        e.pk for e in AuditEvent.objects.filter(outcome=AuditOutcome.DENIED).order_by("-at", "-id")
    ]


def test_a_bad_filter_shows_an_error_and_no_rows(login, administrator, events):
    answer = login(administrator).get(reverse("audit-events"), {"since": "yesterday-ish"})

    assert answer.status_code == 200
    assert rows(answer) == []
    assert "since" in answer.context["filter_errors"]


def test_the_page_is_paginated(login, administrator):
    AuditEvent.objects.bulk_create(
        AuditEvent(actor_username="bulk", action=AuditAction.VIEW) for _ in range(60)
    )
    client = login(administrator)

    first = client.get(reverse("audit-events"), {"actor": "bulk"})
    second = client.get(reverse("audit-events"), {"actor": "bulk", "page": 2})

    assert (len(rows(first)), len(rows(second))) == (50, 10)
    assert 'rel="next"' in first.content.decode()


def test_the_page_speaks_english(login, administrator, events):
    client = login(administrator)
    client.cookies["django_language"] = "en"

    page = client.get(reverse("audit-events"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Audit log" in page
    assert "审计日志" not in page


def test_the_admin_shows_the_trail_read_only(rf, administrator, events):
    request = rf.get("/admin/")
    request.user = administrator
    for model in (AuditEvent, AuditArchive):
        model_admin = admin.site._registry[model]
        assert model_admin.has_view_permission(request)
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request, events[0])
        assert not model_admin.has_delete_permission(request, events[0])


def test_the_admin_hides_the_trail_from_staff_who_are_not_administrators(rf, make_user):
    request = rf.get("/admin/")
    request.user = make_user(role=Role.CITY_ANALYST, is_staff=True)

    assert not admin.site._registry[AuditEvent].has_view_permission(request)
