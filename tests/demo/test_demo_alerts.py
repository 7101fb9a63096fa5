"""The demo's alerts fire: after seeding, beat's periodic checks raise response-breach alerts
for exactly the waiting demo calls past their standard, and remediation-overdue for exactly the
remediation area past its due date."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from alerts.choices import RuleKind
from alerts.models import Alert
from alerts.services import alerts_check
from campaigns.models import RemediationArea
from campaigns.services import remediations_check_overdue
from demo.waiting import BREACHING_REFERENCES, SOURCE_SYSTEM
from incidents.models import Incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded_without_alerts():
    call_command("seed_demo", "--seed", "7", "--incidents", "2000", stdout=StringIO())
    # Seeding ran the checks once; start again so the test sees what the checks themselves do.
    Alert.objects.all().delete()


def test_response_breach_check_names_exactly_the_waiting_demo_calls(seeded_without_alerts):
    assert alerts_check(kind=RuleKind.RESPONSE_BREACH) == len(BREACHING_REFERENCES)
    breached = Alert.objects.filter(kind=RuleKind.RESPONSE_BREACH)
    expected = Incident.objects.filter(
        source_system=SOURCE_SYSTEM, source_ref__in=BREACHING_REFERENCES
    )
    assert set(breached.values_list("incident_id", flat=True)) == set(
        expected.values_list("id", flat=True)
    )
    burglary = breached.get(incident__source_ref="W-BURGLARY")
    assert burglary.dedup_key.startswith("breach:dispatch:")


def test_remediation_overdue_check_names_exactly_the_overdue_demo_area(seeded_without_alerts):
    overdue = RemediationArea.objects.filter(due_on__lt=timezone.localdate())
    assert overdue.count() == 1
    assert remediations_check_overdue() == 1
    alert = Alert.objects.get(kind=RuleKind.REMEDIATION_OVERDUE)
    assert alert.dedup_key == f"remediation:{overdue.get().id}"


def test_seeding_raises_the_demo_alerts_itself():
    call_command("seed_demo", "--seed", "7", "--incidents", "2000", stdout=StringIO())
    kinds = set(Alert.objects.values_list("kind", flat=True))
    assert {RuleKind.RESPONSE_BREACH, RuleKind.REMEDIATION_OVERDUE} <= kinds
