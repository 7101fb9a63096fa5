"""Incidents around a briefing's week, its week a year earlier and the week before, in the
two test districts, with response times, clearances and arrests; and who reads them."""

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from accounts.choices import Role
from incidents.ingest import incidents_ingest
from stats.services import rollups_recompute_dirty

TZ = ZoneInfo(settings.TIME_ZONE)
# The Monday a weekly briefing is made: it covers 9–15 November 2026.
TODAY = date(2026, 11, 16)
WEEK = (date(2026, 11, 9), date(2026, 11, 15))
CATEGORIES = [
    "theft_burglary",
    "theft_pickpocket",
    "theft_ebike",
    "fraud_telecom_romance",
    "fight",
    "assault",
    "dispute_family",
    "traffic_accident_injury",
]
PLACES = [(120.5, 30.5), (121.5, 31.5), (122.5, 30.5), (123.5, 31.5)]
# Weeks with their incident counts per category weight: this year's week has many more
# burglaries and far fewer pickpocketings than its 同比 week, the same ISO week (46) of 2025
# (movers to find).
WEEKS = {
    WEEK[0]: {"theft_burglary": 30, "theft_pickpocket": 2},
    date(2025, 11, 10): {"theft_burglary": 6, "theft_pickpocket": 25},
    date(2026, 11, 2): {"theft_burglary": 12, "theft_pickpocket": 8},
}


def incident_rows(seed: int = 27) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for monday, heavy in WEEKS.items():
        for category in CATEGORIES:
            for n in range(heavy.get(category, rng.randint(2, 7))):
                reported = datetime.combine(
                    monday + timedelta(days=rng.randrange(7)),
                    datetime.min.time(),
                    tzinfo=TZ,
                ) + timedelta(minutes=rng.randrange(24 * 60))
                lon, lat = rng.choice(PLACES)
                row = {
                    "source_ref": f"R-{monday}-{category}-{n}",
                    "category": category,
                    "reported_at": reported.isoformat(),
                    "lon": lon + rng.random() * 0.4,
                    "lat": lat + rng.random() * 0.4,
                }
                if rng.random() < 0.85:
                    dispatch = rng.randint(10, 120)
                    row["dispatched_at"] = (reported + timedelta(seconds=dispatch)).isoformat()
                    arrive = dispatch + rng.randint(30, 500)
                    row["on_scene_at"] = (reported + timedelta(seconds=arrive)).isoformat()
                if rng.random() < 0.3:
                    row["filed_at"] = (reported + timedelta(hours=2)).isoformat()
                    row["solved_at"] = (reported + timedelta(hours=5)).isoformat()
                    row["arrested"] = rng.randint(1, 3)
                rows.append(row)
    return rows


@pytest.fixture
def briefing_incidents(city, two_districts):
    report = incidents_ingest(rows=incident_rows(), source_system="brief")
    assert not report.rejected, report.errors
    rollups_recompute_dirty()
    return report


@pytest.fixture
def analyst(make_user):
    return make_user(role=Role.CITY_ANALYST)
