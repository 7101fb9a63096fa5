from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.choices import Role
from incidents.models import Category, Incident


@pytest.fixture
def officer(two_districts, make_user):
    """An officer who may change incidents, posted to district A."""
    return make_user(role=Role.STATION_OFFICER, home_area=two_districts[0])


@pytest.fixture
def make_incident(two_districts):
    """An incident in district A (or the area given), built directly with the given fields."""
    theft = Category.objects.get(code="theft")

    def make(ref, area=None, **fields):
        area = area or two_districts[0]
        values = {
            "source_system": "test",
            "source_ref": ref,
            "category": theft,
            "category_path": theft.path,
            "reported_at": timezone.now() - timedelta(hours=2),
            "area": area,
            "area_path": area.path,
            "district": area,
            "lon": 120.5,
            "lat": 30.5,
            **fields,
        }
        return Incident.objects.create(**values)

    return make


@pytest.fixture
def unlocated(make_incident):
    def make(ref, **fields):
        return make_incident(
            ref,
            lon=None,
            lat=None,
            address="无名路",
            geocode_quality="unlocated",
            unlocated_reason="no_match",
            **fields,
        )

    return make


@pytest.fixture
def fuzzy(make_incident):
    def make(ref, score, **fields):
        return make_incident(
            ref,
            geocode_quality="fuzzy",
            geocode_score=score,
            geocoded_address="测试路1号",
            **fields,
        )

    return make


@pytest.fixture
def wrong_timeline(make_incident):
    """An incident whose arrival (5 minutes) is stamped before its dispatch (10 minutes)."""

    def make(ref, **fields):
        reported = timezone.now() - timedelta(hours=2)
        return make_incident(
            ref,
            reported_at=reported,
            dispatched_at=reported + timedelta(minutes=10),
            on_scene_at=reported + timedelta(minutes=5),
            **fields,
        )

    return make


@pytest.fixture
def near_pair(make_incident):
    """Two incidents of one category, five minutes and no distance apart: suspected
    duplicates of each other, as (first, second)."""

    def make(prefix="D", **fields):
        reported = timezone.now() - timedelta(hours=2)
        first = make_incident(f"{prefix}1", reported_at=reported, **fields)
        second = make_incident(f"{prefix}2", reported_at=reported + timedelta(minutes=5), **fields)
        return first, second

    return make
