"""A campaign's one-object rules live in its models' clean(): the admin's forms refuse what the
API refuses."""

from datetime import date

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from accounts.choices import Role
from campaigns.models import Campaign, Sweep

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(make_user, city):
    return make_user(role=Role.ADMINISTRATOR, home_area=city, is_superuser=True, is_staff=True)


def admin_form_for(model, data: dict, superuser):
    request = RequestFactory().post("/admin/")
    request.user = superuser
    return admin.site._registry[model].get_form(request)(data=data)


def backwards_campaign(city) -> Campaign:
    return Campaign(
        name="倒序", code="back", kind="special", starts_on=date(2024, 5, 1),
        ends_on=date(2024, 4, 1), organizer=city,
    )  # fmt: skip


def test_a_campaign_ending_before_it_starts_is_refused_by_the_model(city):
    with pytest.raises(ValidationError) as refused:
        backwards_campaign(city).full_clean()
    assert refused.value.message_dict == {"ends_on": ["the campaign ends before it starts"]}


def test_a_campaign_ending_before_it_starts_is_refused_by_the_admin_form(city, superuser):
    data = {
        "name": "倒序", "code": "back", "kind": "special", "starts_on": "2024-05-01",
        "ends_on": "2024-04-01", "organizer": city.pk, "scope_areas": [city.pk],
        "focus_categories": "[]", "status": "planned", "goals": "",
    }  # fmt: skip
    form = admin_form_for(Campaign, data, superuser)
    assert not form.is_valid()
    assert form.errors["ends_on"] == ["the campaign ends before it starts"]
    assert admin_form_for(Campaign, data | {"ends_on": "2024-06-01"}, superuser).is_valid()


def test_a_sweep_outside_its_campaign_or_rectifying_more_than_found_is_refused(city):
    campaign = Campaign(
        name="百日", code="100", kind="special", starts_on=date(2024, 5, 1),
        ends_on=date(2024, 8, 1), organizer=city,
    )  # fmt: skip
    campaign.save()
    sweep = Sweep(campaign=campaign, held_on=date(2024, 9, 1), hazards_found=1, hazards_rectified=2)
    with pytest.raises(ValidationError) as refused:
        sweep.clean()
    assert set(refused.value.message_dict) == {"held_on", "hazards_rectified"}
