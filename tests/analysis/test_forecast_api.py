"""The stored forecast and evaluations: the nightly refresh, and the API scoped to the user."""

import math
from datetime import datetime, timedelta

import h3
import pytest
from django.conf import settings
from django.utils import timezone

from accounts.choices import Role
from analysis.forecast.data import Selection
from analysis.forecast.model import ForecastParams
from analysis.forecast.services import evaluation_store, forecast_refresh
from analysis.forecast.tasks import refresh_forecasts
from analysis.models import Evaluation, Forecast
from incidents.ingest import incidents_ingest
from incidents.models import Category

from ..factories import api_key

pytestmark = pytest.mark.django_db
FORECAST = "/api/v1/analysis/forecast"
EVALUATION = "/api/v1/analysis/evaluation"
# Points inside district A (square 120..122, 30..32) and district B (122..124, 30..32).
IN_A = [(120.50, 30.50), (120.51, 30.50), (121.20, 31.10)]
IN_B = [(122.50, 30.50), (123.10, 31.40)]
CATEGORIES = ["theft_burglary", "fight", "traffic_accident"]


@pytest.fixture
def recorded(two_districts):
    """Incidents over the 60 days to yesterday, a few a day, in both districts (not today:
    just after midnight, today's early hours are still to come)."""
    today = timezone.localdate()
    rows = []
    for day in range(1, 61):
        for number, (lon, lat) in enumerate(IN_A + IN_B):
            if (day + number) % 3:
                continue
            moment = timezone.make_aware(
                datetime.combine(today - timedelta(days=day), datetime.min.time())
            ) + timedelta(hours=number + 1)
            rows.append(
                {
                    "source_ref": f"F-{day}-{number}",
                    "category": CATEGORIES[(day + number) % len(CATEGORIES)],
                    "reported_at": moment.isoformat(),
                    "lon": lon,
                    "lat": lat,
                }
            )
    report = incidents_ingest(rows=rows, source_system="forecast-test")
    assert report.rejected == 0, report.as_dict()
    return rows


@pytest.fixture
def analyst(make_user, city):
    return make_user(role=Role.CITY_ANALYST, home_area=city)


@pytest.fixture
def commander_a(make_user, two_districts):
    return make_user(role=Role.DISTRICT_COMMANDER, home_area=two_districts[0])


def total_expected(rows, horizon: int) -> float:
    """The model's total over all cells, from the formula: each event's kernel sums to 1."""
    params = ForecastParams.from_settings()
    # The forecast starts where its data ends: the end of the last day with a record.
    last_day = max(timezone.localdate(datetime.fromisoformat(r["reported_at"])) for r in rows)
    origin = timezone.make_aware(
        datetime.combine(last_day + timedelta(days=1), datetime.min.time())
    )
    ages = [
        (origin - datetime.fromisoformat(r["reported_at"])).total_seconds() / 86400 for r in rows
    ]
    decay = math.log(2) / params.half_life_days
    weighted_days = (1 - math.exp(-decay * max(ages))) / decay
    background = sum(math.exp(-decay * age) for age in ages)
    omega = params.trigger_mean_days
    offspring = sum(math.exp(-age / omega) - math.exp(-(age + horizon) / omega) for age in ages)
    return horizon * (1 - params.trigger_share) * background / weighted_days + (
        params.trigger_share * offspring
    )


def test_the_refresh_stores_a_forecast_per_category_group_with_its_times(recorded):
    before = timezone.now()
    made = forecast_refresh()

    groups = ["", *Category.objects.filter(parent=None).values_list("code", flat=True)]
    assert sorted(f.category for f in made) == sorted(groups)
    everything = next(f for f in made if f.category == "")
    assert everything.generated_at >= before
    last_recorded = max(
        timezone.localdate(datetime.fromisoformat(r["reported_at"])) for r in recorded
    )
    assert everything.data_last_day == last_recorded
    assert everything.resolution == settings.ANALYSIS_FORECAST_RESOLUTION
    cells = list(everything.cells.all())
    for horizon in (7, 28):
        stored = sum(getattr(c, f"expected_{horizon}") for c in cells)
        assert stored == pytest.approx(total_expected(recorded, horizon), rel=1e-3)
    criminal = next(f for f in made if f.category == "criminal")
    burglaries = [r for r in recorded if r["category"] == "theft_burglary"]
    assert sum(c.expected_28 for c in criminal.cells.all()) == pytest.approx(
        total_expected(burglaries, 28), rel=1e-3
    )


def test_refreshes_beyond_the_kept_number_are_deleted(recorded, settings):
    settings.ANALYSIS_FORECAST_KEPT = 2
    for _ in range(3):
        forecast_refresh()
    assert Forecast.objects.filter(category="").count() == 2


def test_the_nightly_task_refreshes_forecasts_and_evaluations(recorded):
    done = refresh_forecasts()

    assert done["forecasts"] == Forecast.objects.count() > 1
    assert done["evaluations"] == Evaluation.objects.count() >= 1
    assert Evaluation.objects.filter(area_path="").exists()
    assert settings.CELERY_BEAT_SCHEDULE["analysis-refresh-forecasts"]["task"] == (
        refresh_forecasts.name
    )


def cells_of(points, resolution=8) -> set[str]:
    return {h3.latlng_to_cell(lat, lon, resolution) for lon, lat in points}


def test_the_forecast_api_gives_a_district_user_the_cells_of_their_district(
    recorded, analyst, commander_a, api_client_for, two_districts
):
    assert api_client_for(analyst).get(FORECAST).status_code == 404  # none made yet
    forecast_refresh()

    city_wide = api_client_for(analyst).get(FORECAST, {"horizon": 28}).json()
    district = api_client_for(commander_a).get(FORECAST, {"horizon": 28}).json()
    other = api_client_for(commander_a).get(FORECAST, {"area": two_districts[1].id})

    top = {f["properties"]["cell"] for f in district["features"] if f["properties"]["hot"]}
    assert top <= cells_of(IN_A)
    assert {f["properties"]["cell"] for f in city_wide["features"]} >= cells_of(IN_A + IN_B)
    assert cells_of(IN_B).isdisjoint(f["properties"]["cell"] for f in district["features"])
    assert other.status_code == 404
    stored = Forecast.objects.get(category="")
    assert district["generated_at"] == stored.generated_at.isoformat()
    assert district["data_last_day"] == stored.data_last_day.isoformat()
    expected = dict(stored.cells.values_list("cell", "expected_28"))
    features = district["features"]
    assert [f["properties"]["expected"] for f in features] == sorted(
        (expected[f["properties"]["cell"]] for f in features), reverse=True
    )
    assert sum(f["properties"]["hot"] for f in features) == math.ceil(
        settings.ANALYSIS_FORECAST_HOT_SHARE * len(features)
    )


def test_the_forecast_api_takes_category_groups_only(recorded, analyst, api_client_for):
    forecast_refresh()
    client = api_client_for(analyst)

    assert client.get(FORECAST, {"category": "criminal"}).json()["category"] == "criminal"
    assert client.get(FORECAST, {"category": "theft_burglary"}).status_code == 400
    assert client.get(FORECAST, {"category": "no-such"}).status_code == 400
    assert client.get(FORECAST, {"horizon": 14}).status_code == 400


def test_the_evaluation_api_gives_the_latest_evaluation_of_the_users_area(
    recorded, analyst, commander_a, api_client_for, two_districts
):
    district_a, district_b = two_districts
    assert api_client_for(commander_a).get(EVALUATION).status_code == 404
    for _ in range(2):
        stored = evaluation_store(
            selection=Selection.of(area_path=district_a.path),
            category="",
            resolution=9,
            horizon_days=7,
            origins=3,
        )

    mine = api_client_for(commander_a).get(EVALUATION)
    asked = api_client_for(analyst).get(EVALUATION, {"area": district_a.id})
    elsewhere = api_client_for(commander_a).get(EVALUATION, {"area": district_b.id})

    assert mine.status_code == asked.status_code == 200
    assert mine.json()["id"] == asked.json()["id"] == stored.id  # the latest
    assert mine.json()["summary"] == stored.results["summary"]
    assert {"model", "last_28_days", "last_365_days"} == set(mine.json()["summary"])
    assert elsewhere.status_code == 404
    assert api_client_for(analyst).get(EVALUATION).status_code == 404  # none city-wide


def test_a_token_reads_the_forecast_with_the_analysis_read_scope(recorded, analyst, client):
    forecast_refresh()
    allowed = api_key(analyst, scopes=["analysis:read"])
    refused = api_key(analyst, scopes=["stats:read"])

    assert client.get(FORECAST, HTTP_AUTHORIZATION=f"Token {allowed}").status_code == 200
    assert client.get(FORECAST, HTTP_AUTHORIZATION=f"Token {refused}").status_code == 403


def test_the_schema_documents_the_forecast_and_evaluation(analyst, api_client_for):
    schema = api_client_for(analyst).get("/api/schema/", {"format": "json"}).json()
    assert {"/api/v1/analysis/forecast", "/api/v1/analysis/evaluation"} <= set(schema["paths"])
