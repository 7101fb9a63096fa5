"""Alert kinds are handlers in a registry: each validates its rules (the model's clean(), so
the API and the admin alike), and the periodic ones are what the beat task checks."""

from unittest import mock

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from accounts.choices import Role
from alerts import kinds, services, tasks
from alerts.choices import RuleKind, Severity
from alerts.models import AlertRule
from demo.alerts import DEFAULT_RULES

pytestmark = pytest.mark.django_db

# A value each kind refuses in a column it does not read (it would be silently ignored).
UNUSED_COLUMN = {
    RuleKind.INSTANT: ("per_area_kind", "patrol_zone"),
    RuleKind.SPIKE: ("event_types", ["drowning_person_at_water"]),
    RuleKind.RESPONSE_BREACH: ("categories", ["theft"]),
    RuleKind.CAMPAIGN_KPI: ("categories", ["theft"]),
    RuleKind.REMEDIATION_OVERDUE: ("max_priority", 1),
    RuleKind.FOLLOWUP_OVERDUE: ("event_types", ["drowning_person_at_water"]),
    RuleKind.NEAR_REPEAT: ("per_area_kind", "beat"),
}


def unsaved_rule(**values) -> AlertRule:
    return AlertRule(**({"name": "r", "severity": Severity.WARNING} | values))


def admin_form_for(model, data: dict, superuser):
    request = RequestFactory().post("/admin/")
    request.user = superuser
    form_class = admin.site._registry[model].get_form(request)
    return form_class(data=data)


@pytest.fixture
def superuser(make_user, city):
    return make_user(role=Role.ADMINISTRATOR, home_area=city, is_superuser=True, is_staff=True)


def test_every_rule_kind_has_one_registered_handler():
    assert {kind.code for kind in kinds.registered()} == set(RuleKind.values)


def test_the_periodic_kinds_are_spike_and_response_breach():
    assert {kind.code for kind in kinds.periodic()} == {
        RuleKind.SPIKE,
        RuleKind.RESPONSE_BREACH,
    }


@pytest.mark.parametrize("kind", RuleKind.values)
def test_a_plain_rule_of_each_kind_is_valid(kind):
    unsaved_rule(kind=kind, categories=["theft"] if kind == RuleKind.INSTANT else []).full_clean()


@pytest.mark.parametrize("kind", RuleKind.values)
def test_each_kind_refuses_a_column_it_does_not_read(kind):
    column, value = UNUSED_COLUMN[kind]
    with pytest.raises(ValidationError) as refused:
        unsaved_rule(kind=kind, **{column: value}).full_clean()
    assert set(refused.value.message_dict) == {column}


@pytest.mark.parametrize(
    ("kind", "column"),
    [
        (kind.code, column)
        for kind in sorted(kinds.registered(), key=lambda kind: kind.code)
        for column in kind.required
    ],
)
def test_a_rule_missing_its_kinds_required_field_is_refused(kind, column):
    with pytest.raises(ValidationError) as refused:
        unsaved_rule(kind=kind, **{column: 0}).full_clean()
    assert set(refused.value.message_dict) == {column}


def test_a_spike_rule_counts_by_an_area_level_only():
    with pytest.raises(ValidationError) as refused:
        unsaved_rule(kind=RuleKind.SPIKE, per_area_kind="galaxy").full_clean()
    assert "district" in refused.value.message_dict["per_area_kind"][0]


def test_a_breach_rule_wants_arrival_after_dispatch():
    with pytest.raises(ValidationError) as refused:
        unsaved_rule(
            kind=RuleKind.RESPONSE_BREACH, dispatch_seconds=300, on_scene_seconds=180
        ).full_clean()
    assert set(refused.value.message_dict) == {"on_scene_seconds"}


def test_an_instant_rule_names_known_categories_only():
    with pytest.raises(ValidationError) as refused:
        unsaved_rule(kind=RuleKind.INSTANT, categories=["theft", "no_such"]).full_clean()
    assert "no_such" in refused.value.message_dict["categories"][0]


def test_the_api_refuses_a_rule_missing_its_kinds_required_field(city, make_user, api_client_for):
    client = api_client_for(make_user(role=Role.ADMINISTRATOR, home_area=city))
    body = {"name": "突增", "kind": "spike", "severity": "warning", "categories": ["theft"]}
    refused = client.post("/api/v1/alerts/rules/", body | {"window_hours": 0}, format="json")
    assert refused.status_code == 400 and set(refused.json()) == {"window_hours"}
    unused = client.post("/api/v1/alerts/rules/", body | {"max_priority": 1}, format="json")
    assert unused.status_code == 400 and set(unused.json()) == {"max_priority"}
    created = client.post("/api/v1/alerts/rules/", body, format="json")
    assert created.status_code == 201


def test_a_partial_update_is_judged_with_the_stored_values(city, make_user, api_client_for):
    rule = AlertRule.objects.create(
        name="超时", kind=RuleKind.RESPONSE_BREACH, severity=Severity.WARNING
    )
    client = api_client_for(make_user(role=Role.ADMINISTRATOR, home_area=city))
    path = f"/api/v1/alerts/rules/{rule.pk}/"
    refused = client.patch(path, {"dispatch_seconds": 600}, format="json")
    assert refused.status_code == 400 and set(refused.json()) == {"on_scene_seconds"}
    assert client.patch(path, {"dispatch_seconds": 90}, format="json").status_code == 200


def test_the_admin_form_refuses_a_rule_missing_its_kinds_required_field(superuser):
    data = {
        "name": "响应超时", "name_en": "", "kind": "response_breach", "severity": "warning",
        "enabled": "on", "cooldown_minutes": 30, "categories": "[]", "event_types": "[]",
        "max_priority": "", "window_hours": 6, "baseline_weeks": 4, "z_threshold": 3.0,
        "min_count": 3, "per_area_kind": "", "dispatch_seconds": 0, "on_scene_seconds": 180,
    }  # fmt: skip
    form = admin_form_for(AlertRule, data, superuser)
    assert not form.is_valid()
    assert set(form.errors) == {"dispatch_seconds"}
    assert admin_form_for(AlertRule, data | {"dispatch_seconds": 60}, superuser).is_valid()


def test_the_beat_task_checks_each_periodic_kind():
    with mock.patch.object(tasks.check_kind, "delay") as queued:
        assert set(tasks.check_periodic()) == {RuleKind.SPIKE, RuleKind.RESPONSE_BREACH}
    assert {call.args[0] for call in queued.call_args_list} == {
        RuleKind.SPIKE,
        RuleKind.RESPONSE_BREACH,
    }


def test_an_event_kind_is_not_checked_periodically():
    with pytest.raises(ValueError, match="raised by events"):
        services.alerts_check(kind=RuleKind.CAMPAIGN_KPI)


def test_an_event_with_no_rule_of_its_kind_raises_nothing():
    assert services.alert_raise(kind=RuleKind.INSTANT, rows=[]) == 0


def test_the_demo_citys_rules_are_valid():
    for values in DEFAULT_RULES:
        AlertRule(**values).full_clean()
