"""The reports pages: the list with the form, a briefing's page and its print document, in
Chinese and English, and the form's refusals."""

import pytest
from django.test import Client

from accounts.choices import Role
from reports.services import report_generate

from .conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def briefing(briefing_incidents, city):
    return report_generate(kind="weekly", area=city, today=TODAY)


@pytest.fixture
def browser(make_user):
    client = Client()
    client.force_login(make_user(role=Role.CITY_ANALYST))
    return client


def test_the_list_offers_the_briefing_and_its_files(browser, briefing):
    html = browser.get("/reports/").content.decode()
    assert briefing.title in html
    for path in (f"/reports/{briefing.pk}/file.pdf", f"/reports/{briefing.pk}/file.docx"):
        assert path in html
        response = browser.get(path)
        assert response.status_code == 200
        assert b"".join([response.content]) in (bytes(briefing.pdf), bytes(briefing.docx))
    assert 'name="generate-area"' in html


def test_a_briefings_page_and_print_document_state_its_findings(browser, briefing):
    headline = briefing.content["sections"][0]
    page = browser.get(f"/reports/{briefing.pk}/").content.decode()
    assert headline["sentence"] in page
    document = browser.get(f"/reports/{briefing.pk}/print").content.decode()
    assert headline["sentence"] in document and headline["sentence_en"] in document
    assert document.count('<img class="chart" src="data:image/png;base64,') == sum(
        1 for section in briefing.content["sections"] if section["chart"]
    )


def test_the_pages_speak_english(browser, briefing, settings):
    browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    listing = browser.get("/reports/").content.decode()
    assert "Make a briefing" in listing and "Briefings made" in listing
    page = browser.get(f"/reports/{briefing.pk}/").content.decode()
    assert briefing.content["sections"][0]["sentence_en"] in page
    assert briefing.content["title_en"] in page


def test_the_form_refuses_half_a_period_and_a_campaign_briefing_without_a_campaign(browser, city):
    response = browser.post(
        "/reports/",
        {"form": "generate", "generate-kind": "campaign", "generate-area": city.pk,
         "generate-start": "2026-11-01"},
    )  # fmt: skip
    assert response.status_code == 400
    html = response.content.decode()
    assert "起始日和截止日须同时填写或同时留空。" in html
    assert 'data-errors="campaign"' in html
