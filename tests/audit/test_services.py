"""Recording events: who acts in and out of requests, and changes as JSON-safe pairs."""

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.test import RequestFactory

from audit import context as audit_context
from audit.choices import AuditAction, AuditOutcome
from audit.services import audit_changes, audit_record

pytestmark = pytest.mark.django_db


def test_outside_a_request_the_platform_is_the_actor():
    event = audit_record(action=AuditAction.EXPORT, detail="nightly export")

    assert (event.actor_id, event.actor_username) == (None, "system")
    assert event.ip is None and event.user_agent == "" and event.path == ""
    assert event.at.utcoffset().total_seconds() == 0


def test_the_request_in_context_gives_actor_ip_and_user_agent(viewer):
    request = RequestFactory().get(
        "/incidents/1/", REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="Firefox/128"
    )
    request.user = viewer
    token = audit_context.activate(audit_context.context_for(request))
    try:
        event = audit_record(action=AuditAction.VIEW, obj=viewer)
    finally:
        audit_context.deactivate(token)

    assert (event.actor_id, event.actor_username) == (viewer.pk, "clerk")
    assert (event.ip, event.user_agent, event.method, event.path) == (
        "10.1.2.3", "Firefox/128", "GET", "/incidents/1/",
    )  # fmt: skip
    assert (event.object_type, event.object_id) == ("accounts.user", str(viewer.pk))


def test_the_user_is_read_when_recording_not_when_the_request_began(viewer):
    request = RequestFactory().get("/api/v1/incidents/")
    token = audit_context.activate(audit_context.context_for(request))
    try:
        # DRF authenticates inside the view, after the middleware has run.
        request.user = viewer
        event = audit_record(action=AuditAction.VIEW)
    finally:
        audit_context.deactivate(token)

    assert event.actor_username == "clerk"


def test_an_explicit_user_and_request_override_the_context(viewer, administrator):
    request = RequestFactory().post("/x/", REMOTE_ADDR="192.0.2.9")
    request.user = viewer

    event = audit_record(action=AuditAction.EXPORT, user=administrator, request=request)

    assert (event.actor_username, event.ip, event.method) == ("chief", "192.0.2.9", "POST")


def test_a_long_user_agent_is_cut_to_500_characters():
    request = RequestFactory().get("/", HTTP_USER_AGENT="x" * 2000)

    event = audit_record(action=AuditAction.VIEW, request=request)

    assert len(event.user_agent) == 500


def test_changes_are_pairs_of_json_safe_values_for_changed_fields_only(viewer):
    before = {
        "amount": Decimal("1.50"), "day": date(2024, 5, 1), "same": "x", "owner": None,
        "id": uuid.UUID(int=1),
    }  # fmt: skip
    after = {
        "amount": Decimal("2.00"), "day": date(2024, 5, 2), "same": "x", "owner": viewer,
        "at": datetime(2024, 5, 2, 8, 0, tzinfo=UTC), "id": uuid.UUID(int=1),
    }  # fmt: skip

    assert audit_changes(before, after) == {
        "amount": ["1.50", "2.00"],
        "day": ["2024-05-01", "2024-05-02"],
        "owner": [None, viewer.pk],
        "at": [None, "2024-05-02T08:00:00+00:00"],
    }


def test_a_recorded_outcome_other_than_success_marks_the_request_as_recorded():
    request = RequestFactory().delete("/api/v1/x/1/")
    context = audit_context.context_for(request)
    token = audit_context.activate(context)
    try:
        audit_record(action=AuditAction.DENIED, outcome=AuditOutcome.DENIED)
    finally:
        audit_context.deactivate(token)

    assert context.outcome_recorded is True
