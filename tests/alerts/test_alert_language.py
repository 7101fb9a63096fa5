"""Alerts read in the reader's language: each is stored with its Chinese and English text,
and the English names English things (areas by their English names, durations in English)."""

import re

import pytest
from django.conf import settings

from accounts.choices import Role
from alerts import services
from alerts.choices import RuleKind
from alerts.models import Alert
from incidents.ingest import incidents_ingest
from safecity.core.formatting import duration_text

from .test_services import row, rule, zones  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_a_spike_alert_names_its_area_in_english(zones):  # noqa: F811
    rule(
        name="巡区盗窃警情突增",
        name_en="Theft spike",
        kind=RuleKind.SPIKE,
        categories=["theft"],
        per_area_kind="patrol_zone",
        window_hours=6,
        baseline_weeks=4,
        z_threshold=3,
        min_count=3,
    )
    rows = [row(f"N{n}", lon=120.2, lat=30.2, hours_ago=0.5 + n * 0.3) for n in range(9)]
    incidents_ingest(rows=rows, source_system="t")
    assert services.alerts_check(kind=RuleKind.SPIKE) == 1
    alert = Alert.objects.get(kind=RuleKind.SPIKE)
    assert zones[0].name in alert.title
    assert zones[0].name_en in alert.title_en
    assert not CJK.search(alert.title_en + alert.body_en)


def test_a_breach_alert_writes_its_standard_as_durations(two_districts):
    rule(kind=RuleKind.RESPONSE_BREACH, dispatch_seconds=60, on_scene_seconds=180)
    incidents_ingest(rows=[row("WAIT", hours_ago=10 / 60)], source_system="t")
    assert services.alerts_check(kind=RuleKind.RESPONSE_BREACH) == 1
    alert = Alert.objects.get()
    assert duration_text(60, english=False) in alert.body
    assert duration_text(180, english=True) in alert.body_en
    area = alert.incident.area
    assert alert.title_en.endswith(area.name_en)
    assert not CJK.search(alert.title_en + alert.body_en)


def test_the_alerts_page_shows_each_alert_in_the_readers_language(client, make_user, two_districts):
    rule(kind=RuleKind.RESPONSE_BREACH, dispatch_seconds=60, on_scene_seconds=180)
    incidents_ingest(rows=[row("WAIT", hours_ago=10 / 60)], source_system="t")
    services.alerts_check(kind=RuleKind.RESPONSE_BREACH)
    alert = Alert.objects.get()
    client.force_login(make_user(role=Role.CITY_ANALYST))
    chinese = client.get("/alerts/").content.decode()
    assert alert.title in chinese and alert.title_en not in chinese
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/alerts/").content.decode()
    assert alert.title_en in english and alert.body_en in english
    assert alert.title not in english
