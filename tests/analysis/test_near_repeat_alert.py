"""The near_repeat alert kind: a new burglary raises an alert for its area with the distance
and days of the category's last Knox test, kept by the nightly refresh."""

from datetime import timedelta

import numpy as np
import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone

from alerts.choices import RuleKind, Severity
from alerts.models import Alert, AlertRule
from analysis import services
from analysis.tasks import refresh_near_repeat
from incidents.ingest import incidents_ingest

pytestmark = pytest.mark.django_db

# District A of conftest's two_districts spans 120–122°E, 30–32°N; B 122–124°E.
IN_A, IN_B = (120.5, 30.5), (122.5, 30.5)


def burglary_history(days_back: int = 300) -> list[dict]:
    """A year of burglaries in district A, half of them followed by one next door within two
    days: a near-repeat pattern the Knox test finds."""
    rng = np.random.default_rng(8)
    now = timezone.now()
    rows = []
    for i in range(60):
        lon, lat = rng.uniform(120.45, 120.55), rng.uniform(30.45, 30.55)
        when = now - timedelta(days=float(rng.uniform(5, days_back)))
        rows.append(row(f"H{i}", "theft_burglary", (lon, lat), when))
        if i % 2 == 0:
            rows.append(
                row(f"H{i}n", "theft_burglary", (lon + 0.0004, lat), when + timedelta(days=1))
            )
    return rows


def row(ref: str, code: str, point, when) -> dict:
    return {
        "source_ref": ref,
        "category": code,
        "reported_at": when.isoformat(),
        "lon": point[0],
        "lat": point[1],
    }


@pytest.fixture(autouse=True)
def no_kept_results():
    for code in settings.ANALYSIS_NEAR_REPEAT_CATEGORIES:
        cache.delete(services.near_repeat_key(code))
    yield
    for code in settings.ANALYSIS_NEAR_REPEAT_CATEGORIES:
        cache.delete(services.near_repeat_key(code))


@pytest.fixture
def history(two_districts):
    report = incidents_ingest(rows=burglary_history(), source_system="t")
    assert report.rejected == 0
    return two_districts


def near_repeat_rule(**values) -> AlertRule:
    rule = AlertRule(name="近重复", kind=RuleKind.NEAR_REPEAT, severity=Severity.WARNING, **values)
    rule.full_clean()
    rule.save()
    return rule


def test_the_refresh_keeps_the_knox_zone(history):
    kept = services.near_repeat_refresh(code="theft_burglary", seed=1)
    assert kept == services.near_repeat_stored("theft_burglary")
    assert kept["events"] == 90
    assert kept["zone"] is not None and kept["zone"]["metres"] >= 100
    first_cell = kept["rows"][0]["cells"][0]
    assert first_cell["significant"] and first_cell["ratio"] > 1


def test_a_new_burglary_raises_an_alert_for_its_area(history):
    district_a, _ = history
    kept = services.near_repeat_refresh(code="theft_burglary", seed=1)
    rule = near_repeat_rule()
    incidents_ingest(rows=[row("NEW1", "theft_burglary", IN_A, timezone.now())], source_system="t")
    alert = Alert.objects.get(rule=rule)
    assert alert.kind == RuleKind.NEAR_REPEAT
    assert alert.incident.source_ref == "NEW1"
    assert alert.area_path.startswith(district_a.path)
    zone = kept["zone"]
    assert f"{zone['metres']:g}米内" in alert.title and f"{zone['days']:g}天内" in alert.title


def test_other_categories_old_records_and_other_areas_raise_none(history):
    services.near_repeat_refresh(code="theft_burglary", seed=1)
    _, district_b = history
    near_repeat_rule(area=district_b)
    now = timezone.now()
    incidents_ingest(
        rows=[
            row("A-BURGLARY", "theft_burglary", IN_A, now),  # outside the rule's district
            row("B-FIGHT", "fight", IN_B, now),  # not a near-repeat category
            row("B-OLD", "theft_burglary", IN_B, now - timedelta(days=30)),  # back-filled
        ],
        source_system="t",
    )
    assert not Alert.objects.exists()
    incidents_ingest(rows=[row("B-NEW", "theft_burglary", IN_B, now)], source_system="t")
    assert Alert.objects.get().incident.source_ref == "B-NEW"


def test_without_a_zone_no_alert(two_districts):
    # Burglaries scattered at random over the year: no near-repeat zone.
    rng = np.random.default_rng(2)
    now = timezone.now()
    rows = [
        row(
            f"S{i}",
            "theft_burglary",
            (rng.uniform(120.1, 121.9), rng.uniform(30.1, 31.9)),
            now - timedelta(days=float(rng.uniform(2, 360))),
        )
        for i in range(80)
    ]
    incidents_ingest(rows=rows, source_system="t")
    kept = services.near_repeat_refresh(code="theft_burglary", seed=1)
    assert kept["zone"] is None
    near_repeat_rule()
    incidents_ingest(rows=[row("NEW", "theft_burglary", IN_A, now)], source_system="t")
    assert not Alert.objects.exists()


def test_a_missing_result_is_computed_after_the_commit(
    history, eager_celery, django_capture_on_commit_callbacks
):
    rule = near_repeat_rule()
    with django_capture_on_commit_callbacks(execute=True):
        incidents_ingest(
            rows=[row("FIRST", "theft_burglary", IN_A, timezone.now())], source_system="t"
        )
    assert not Alert.objects.filter(rule=rule).exists()
    kept = services.near_repeat_stored("theft_burglary")
    assert kept is not None and kept["events"] == 91


def test_the_nightly_task_refreshes_every_near_repeat_category(history, eager_celery):
    assert refresh_near_repeat.delay().get() == settings.ANALYSIS_NEAR_REPEAT_CATEGORIES
    assert settings.CELERY_BEAT_SCHEDULE["analysis-refresh-near-repeat"]["task"] == (
        "analysis.refresh_near_repeat"
    )


def test_a_rule_naming_an_unknown_category_is_refused(db):
    with pytest.raises(ValidationError) as refused:
        near_repeat_rule(categories=["no_such_category"])
    assert "categories" in refused.value.message_dict


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_keeps_the_zone_the_alerts_read(
    two_districts, settings, celery_worker_process
):
    import time

    from safecity.celery import app

    incidents_ingest(rows=burglary_history(), source_system="t")
    app.conf.task_always_eager = False
    app.conf.broker_url = settings.REDIS_URL
    try:
        refresh_near_repeat.apply_async(queue=celery_worker_process)
        deadline = time.monotonic() + 60
        while services.near_repeat_stored("theft_burglary") is None and time.monotonic() < deadline:
            time.sleep(0.3)
    finally:
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
        app.conf.broker_url = settings.CELERY_BROKER_URL
    kept = services.near_repeat_stored("theft_burglary")
    assert kept is not None and kept["events"] == 90 and kept["zone"] is not None
