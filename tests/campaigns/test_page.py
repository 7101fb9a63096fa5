"""The campaign page's forms through Django's test client: a district commander reports KPI
progress, records an inspection and corrects a sweep's tallies (a redirect with a message), a
refusal answers 400 with the message next to its field and what was typed; another district's
items are 404s, a shared sweep a 403, a role without the permissions is offered no form."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from accounts.choices import Role
from campaigns.models import KpiItem, KpiReport, RemediationArea, RemediationInspection, Sweep

from ..factories import square
from .test_campaigns import counter_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def commanders(two_districts, make_user):
    return [make_user(role=Role.DISTRICT_COMMANDER, home_area=d) for d in two_districts]


@pytest.fixture
def campaign(two_districts, city):
    from campaigns.models import Campaign

    start = date.today() - timedelta(days=30)
    campaign = Campaign.objects.create(
        name="夏季百日行动", code="summer", kind="hundred_days", starts_on=start,
        ends_on=start + timedelta(days=99), organizer=city, status="active",
    )  # fmt: skip
    campaign.scope_areas.set(two_districts)
    return campaign


@pytest.fixture
def as_commander(client, commanders):
    client.force_login(commanders[0])
    return client


def page_url(campaign) -> str:
    return reverse("dash-campaign", args=[campaign.pk])


def item_of(campaign, unit) -> KpiItem:
    return counter_item({"id": campaign.pk, "ends_on": campaign.ends_on.isoformat()}, unit, 100)


def remediation(campaign, unit) -> RemediationArea:
    return RemediationArea.objects.create(
        campaign=campaign, name="夜市", unit=unit, geometry=square(120.2, 30.2),
        responsible_person="王", problem="盗窃多发", target="发案下降",
        listed_on=campaign.starts_on + timedelta(days=3), due_on=campaign.ends_on,
    )  # fmt: skip


def sweep_of(campaign, areas, **tallies) -> Sweep:
    sweep = Sweep.objects.create(campaign=campaign, held_on=campaign.starts_on, **tallies)
    sweep.areas.set(areas)
    return sweep


def errors(response, name: str, field: str) -> list[str]:
    return list(response.context["forms"][name].errors.get(field, []))


def test_a_commander_reports_progress_on_their_units_item(as_commander, campaign, two_districts):
    own, other = item_of(campaign, two_districts[0]), item_of(campaign, two_districts[1])
    page = as_commander.get(page_url(campaign))
    offered = [value for value, _ in page.context["forms"]["report"].fields["item"].widget.choices]
    assert offered == [own.pk]
    day = campaign.starts_on + timedelta(days=2)
    body = {"form": "report", "report-item": own.pk, "report-reported_on": day.isoformat(),
            "report-value": "12", "report-note": "周报"}  # fmt: skip
    response = as_commander.post(page_url(campaign), body)
    assert response.status_code == 302 and response["Location"] == f"{page_url(campaign)}#report"
    report = KpiReport.objects.get()
    assert (report.item, report.value, report.reported_on) == (own, 12, day)
    assert KpiItem.objects.get(pk=own.pk).current == 12
    other_body = {**body, "report-item": other.pk}
    assert as_commander.post(page_url(campaign), other_body).status_code == 404
    assert KpiReport.objects.count() == 1


def test_a_negative_report_is_refused_next_to_the_value_with_the_input_kept(
    as_commander, campaign, two_districts
):
    item = item_of(campaign, two_districts[0])
    body = {"form": "report", "report-item": item.pk,
            "report-reported_on": campaign.starts_on.isoformat(), "report-value": "-3",
            "report-note": "更正"}  # fmt: skip
    response = as_commander.post(page_url(campaign), body)
    assert response.status_code == 400
    assert errors(response, "report", "value") == ["上报数量不能为负数"]
    html = response.content.decode()
    assert 'value="-3"' in html and "更正" in html
    after = campaign.ends_on + timedelta(days=1)
    outside = {**body, "report-value": "3", "report-reported_on": after.isoformat()}
    refused = as_commander.post(page_url(campaign), outside)
    assert errors(refused, "report", "reported_on") == ["上报日期不在行动期间内"]
    assert not KpiReport.objects.exists()


def test_an_inspection_is_recorded_and_one_before_the_listing_refused(
    as_commander, campaign, two_districts, commanders
):
    area = remediation(campaign, two_districts[0])
    day = area.listed_on + timedelta(days=1)
    body = {"form": "inspection", "inspection-area": area.pk,
            "inspection-inspected_on": day.isoformat(),
            "inspection-findings": "秩序好转"}  # fmt: skip
    assert as_commander.post(page_url(campaign), body).status_code == 302
    inspection = RemediationInspection.objects.get()
    assert (inspection.area, inspection.inspected_on, inspection.inspector) == (
        area, day, commanders[0],
    )  # fmt: skip
    early = {**body, "inspection-inspected_on": (area.listed_on - timedelta(days=1)).isoformat()}
    refused = as_commander.post(page_url(campaign), early)
    assert refused.status_code == 400
    assert errors(refused, "inspection", "inspected_on") == [
        f"检查日期早于挂牌日期（{area.listed_on.isoformat()}）"
    ]
    assert "秩序好转" in refused.content.decode()
    assert RemediationInspection.objects.count() == 1


def test_a_sweeps_tallies_are_corrected_and_more_rectified_than_found_refused(
    as_commander, campaign, two_districts
):
    sweep = sweep_of(campaign, [two_districts[0]], hazards_found=5, hazards_rectified=4)
    page = as_commander.get(page_url(campaign), {"sweep": sweep.pk})
    assert page.context["forms"]["sweep"].initial["hazards_found"] == 5
    tallies = {f"sweep-{name}": 0 for name in ("officers", "checkpoints", "venues_checked",
               "dangerous_goods_firms", "violations", "cases", "notices")}  # fmt: skip
    body = {"form": "sweep", "sweep-sweep": sweep.pk, **tallies, "sweep-officers": 80,
            "sweep-hazards_found": 6, "sweep-hazards_rectified": 9}  # fmt: skip
    refused = as_commander.post(page_url(campaign), body)
    assert refused.status_code == 400
    assert errors(refused, "sweep", "hazards_rectified") == ["整改隐患数不能多于发现隐患数"]
    assert 'name="sweep-hazards_rectified" value="9"' in refused.content.decode()
    assert Sweep.objects.get(pk=sweep.pk).hazards_rectified == 4
    saved = as_commander.post(page_url(campaign), {**body, "sweep-hazards_rectified": 6})
    assert saved.status_code == 302
    sweep.refresh_from_db()
    assert (sweep.officers, sweep.hazards_found, sweep.hazards_rectified) == (80, 6, 6)


def test_a_shared_sweep_is_not_offered_and_its_post_is_403(as_commander, campaign, two_districts):
    shared = sweep_of(campaign, list(two_districts), officers=10)
    page = as_commander.get(page_url(campaign), {"sweep": shared.pk})
    assert page.context["editable_sweeps"] == [] and not page.context["sweep_chosen"]
    tallies = {f"sweep-{name}": 1 for name in ("officers", "checkpoints", "venues_checked",
               "dangerous_goods_firms", "hazards_found", "hazards_rectified", "violations",
               "cases", "notices")}  # fmt: skip
    posted = as_commander.post(
        page_url(campaign), {"form": "sweep", "sweep-sweep": shared.pk, **tallies}
    )
    assert posted.status_code == 403
    assert Sweep.objects.get(pk=shared.pk).officers == 10


def test_another_districts_campaign_is_404_and_an_analyst_is_offered_no_form(
    client, campaign, two_districts, make_user, city
):
    from campaigns.models import Campaign

    theirs = Campaign.objects.create(
        name="乙区行动", code="b-only", kind="special", starts_on=campaign.starts_on,
        ends_on=campaign.ends_on, organizer=two_districts[1], status="active",
    )  # fmt: skip
    theirs.scope_areas.set([two_districts[1]])
    item = item_of(theirs, two_districts[1])
    client.force_login(make_user(role=Role.DISTRICT_COMMANDER, home_area=two_districts[0]))
    assert client.get(page_url(theirs)).status_code == 404
    body = {"form": "report", "report-item": item.pk,
            "report-reported_on": theirs.starts_on.isoformat(), "report-value": "1"}  # fmt: skip
    assert client.post(page_url(theirs), body).status_code == 404
    client.force_login(make_user(role=Role.CITY_ANALYST, home_area=city))
    page = client.get(page_url(campaign))
    assert page.status_code == 200 and page.context["forms"] == {}
    assert client.post(page_url(theirs), body).status_code == 403
    assert not KpiReport.objects.exists()


def test_a_closed_campaign_offers_no_report_and_refuses_one_posted(
    as_commander, campaign, two_districts
):
    item = item_of(campaign, two_districts[0])
    campaign.status = "closed"
    campaign.save()
    page = as_commander.get(page_url(campaign))
    assert "report" not in page.context["forms"] and "inspection" not in page.context["forms"]
    body = {"form": "report", "report-item": item.pk,
            "report-reported_on": campaign.starts_on.isoformat(), "report-value": "2"}  # fmt: skip
    refused = as_commander.post(page_url(campaign), body)
    assert refused.status_code == 400
    assert list(refused.context["forms"]["report"].non_field_errors()) == [
        f"行动“{campaign.name}”已结束，不再接受上报"
    ]
    assert not KpiReport.objects.exists()
