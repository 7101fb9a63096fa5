"""accounts.policy: who may write over an existing record in an upsert."""

import pytest

from accounts.choices import Role
from accounts.policy import allows, may_write_over

pytestmark = pytest.mark.django_db

CHANGE = "incidents.change_incident"


@pytest.fixture
def paths(two_districts):
    district_a, district_b = two_districts
    return district_a.children.get().path, district_b.children.get().path


def test_the_platform_writes_over_anything(paths):
    assert may_write_over(None, CHANGE, existing_path=paths[1], new_path="")


def test_a_district_user_writes_over_only_records_staying_in_their_jurisdiction(
    two_districts, make_user, paths
):
    own, other = paths
    officer = make_user(role=Role.STATION_OFFICER, home_area=two_districts[0].children.get())
    assert may_write_over(officer, CHANGE, existing_path=own, new_path=own)
    assert not may_write_over(officer, CHANGE, existing_path=other, new_path=own)
    assert not may_write_over(officer, CHANGE, existing_path=own, new_path=other)
    assert not may_write_over(officer, CHANGE, existing_path="", new_path=own)  # unplaced


def test_the_change_permission_is_needed_as_well_as_the_jurisdiction(
    two_districts, make_user, paths
):
    commander = make_user(role=Role.DISTRICT_COMMANDER, home_area=two_districts[0])
    assert not may_write_over(commander, CHANGE, existing_path=paths[0])
    assert not allows(commander, CHANGE)
    analyst = make_user(role=Role.CITY_ANALYST, home_area=two_districts[0])
    assert allows(analyst, "alerts.change_alert", area_path=paths[1])
