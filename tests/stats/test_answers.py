"""Statistics answers are computed once per generation of the rollups, and a change that moves
the generation is seen in the next answer (with the rollup cube on, as on the real stack)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.choices import Role
from incidents.ingest import incidents_ingest
from incidents.models import Incident
from stats import movers, selectors, series
from stats.services import rollups_recompute_dirty

pytestmark = pytest.mark.django_db

QUESTIONS = [
    ("/api/v1/stats/summary", {"window": "28d"}, "stats_summary"),
    ("/api/v1/stats/timeseries", {"window": "28d", "interval": "day"}, "series.stats_timeseries"),
    ("/api/v1/stats/breakdown", {"window": "28d", "by": "area"}, "stats_breakdown_keys"),
    ("/api/v1/stats/movers", {"window": "28d"}, "movers.stats_top_movers"),
]


def incident(ref: str, days_ago: int) -> dict:
    return {
        "source_ref": ref,
        "category": "theft_burglary",
        "reported_at": (timezone.now() - timedelta(days=days_ago)).isoformat(),
        "lon": 120.5,
        "lat": 30.5,
    }


@pytest.fixture
def analyst(settings, city, two_districts, make_user, api_client_for):
    settings.STATS_RECOMPUTE_ON_COMMIT = False
    settings.STATS_CUBE = True
    # Every answer asks the database for the generation: the test needs no clock.
    settings.STATS_CUBE_RECHECK_SECONDS = 0
    incidents_ingest(rows=[incident("A1", 3), incident("A2", 5)], source_system="t")
    rollups_recompute_dirty()
    return api_client_for(make_user(role=Role.CITY_ANALYST, home_area=city))


def counted(monkeypatch, name: str) -> list:
    """Calls of the selector ``name`` (of stats.selectors, or "module.name") from here on."""
    calls = []
    module = selectors
    if "." in name:
        module_name, name = name.split(".")
        module = {"series": series, "movers": movers}[module_name]
    original = getattr(module, name)

    def counting(**kwargs):
        calls.append(kwargs)
        return original(**kwargs)

    monkeypatch.setattr(module, name, counting)
    return calls


@pytest.mark.parametrize(("path", "params", "selector"), QUESTIONS)
def test_a_question_asked_again_is_answered_without_computing_it_again(
    analyst, monkeypatch, path, params, selector
):
    calls = counted(monkeypatch, selector)
    first = analyst.get(path, params)
    second = analyst.get(path, params)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert len(calls) == 1


def test_a_change_to_the_rollups_is_in_the_next_answer(analyst, monkeypatch):
    calls = counted(monkeypatch, "stats_summary")
    before = analyst.get("/api/v1/stats/summary", {"window": "28d"}).json()
    incidents_ingest(rows=[incident("A3", 1)], source_system="t")
    rollups_recompute_dirty()
    after = analyst.get("/api/v1/stats/summary", {"window": "28d"}).json()
    direct = Incident.objects.filter(
        reported_at__date__gte=timezone.localdate() - timedelta(days=27)
    ).count()
    assert after["measures"]["count"]["current"] == direct
    assert after["measures"]["count"]["current"] == before["measures"]["count"]["current"] + 1
    assert len(calls) == 2


def test_without_the_cube_every_question_is_computed(analyst, settings, monkeypatch):
    settings.STATS_CUBE = False
    calls = counted(monkeypatch, "stats_summary")
    for _ in range(2):
        assert analyst.get("/api/v1/stats/summary", {"window": "28d"}).status_code == 200
    assert len(calls) == 2
