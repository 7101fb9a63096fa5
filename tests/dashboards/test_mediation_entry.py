"""The mediation pages that write, in Chromium on the demo city, as the station officer: a case
opened by hand and from an incident (调解), moved along its lifecycle, its follow-ups recorded
and completed. Each form once accepted (the API then answers what was typed) and once refused:
the message next to its field, in the page's language, and what was typed still there."""

import pytest
from django import forms
from django.utils import translation

from mediation.choices import ALLOWED_TRANSITIONS, Agency, CaseStatus

from ..browser import chromium_page, log_in, save_screenshot
from ..demo_site import DEMO_PASSWORD
from .conftest import api_get

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]


def field_errors(page, form: str, field: str) -> list[str]:
    return page.locator(
        f'form[data-form="{form}"] [data-field="{field}"] [data-errors="{field}"] li'
    ).all_inner_texts()


def submit(page, form: str):
    """Submit the form and wait for the page it answers with; that page's status."""
    with page.expect_navigation() as navigation:
        page.click(f'form[data-form="{form}"] button[type=submit]')
    return navigation.value.status


def open_case_form(page) -> None:
    page.goto("/mediation/")
    page.click("[data-new-case]")
    page.wait_for_selector('form[data-form="case"]')


def fill_case(page, summary: str, parties: str) -> None:
    page.select_option("#id_case-type", "neighbour")
    page.select_option("#id_case-source", "screening")
    page.select_option("#id_case-risk", "medium")
    page.fill("#id_case-summary", summary)
    page.fill("#id_case-parties", parties)


def a_case(page) -> str:
    """A new case of the officer's, opened on the page: its id."""
    open_case_form(page)
    fill_case(page, "楼道堆物引发邻里争执", "")
    page.select_option("#id_case-area", index=1)
    assert submit(page, "case") == 200
    return page.get_attribute("h1[data-case]", "data-case")


def test_a_case_opened_on_the_page_is_what_the_api_answers(page_as):
    with page_as("officer") as page:
        open_case_form(page)
        areas = page.locator("#id_case-area option").evaluate_all(
            "options => options.filter(o => o.value).map(o => +o.value)"
        )
        own = {area["id"] for area in api_get(page, "/api/v1/areas/")}
        assert areas and set(areas) <= own
        fill_case(page, "楼上漏水，邻里争执", "张三丰，13812345678，申请人\n李四，，被申请人")
        page.select_option("#id_case-area", str(areas[0]))
        assert submit(page, "case") == 200
        save_screenshot(page, "mediation-case")
        assert page.locator("[data-messages]").inner_text() == "已登记矛盾纠纷。"
        case_id = page.get_attribute("h1[data-case]", "data-case")
        case = api_get(page, f"/api/v1/mediation/cases/{case_id}/")
        assert (case["type"], case["source"], case["risk"], case["area"]) == (
            "neighbour", "screening", "medium", areas[0],
        )  # fmt: skip
        assert case["summary"] == "楼上漏水，邻里争执"
        assert case["parties"] == [
            {"name": "张三丰", "phone": "13812345678", "role": "申请人"},
            {"name": "李四", "phone": "", "role": "被申请人"},
        ]
        assert case["status"] == CaseStatus.SCREENED
        assert page.locator("[data-summary]").inner_text() == case["summary"]
        assert page.console_errors == []


def test_a_location_outside_the_jurisdiction_is_shown_next_to_it_with_the_input_kept(page_as):
    with page_as("officer") as page:
        open_case_form(page)
        before = len(api_get(page, "/api/v1/mediation/cases/", page_size=1000)["results"])
        fill_case(page, "越界位置的纠纷", "王五，13900001111，申请人")
        page.fill("#id_case-lon", "0")
        page.fill("#id_case-lat", "0")
        assert submit(page, "case") == 400
        save_screenshot(page, "mediation-case-refused")
        assert field_errors(page, "case", "lon") == ["该位置不在你辖区的任何区域内"]
        assert page.input_value("#id_case-summary") == "越界位置的纠纷"
        assert page.input_value("#id_case-parties") == "王五，13900001111，申请人"
        assert page.input_value("#id_case-type") == "neighbour"
        assert (page.input_value("#id_case-lon"), page.input_value("#id_case-lat")) == ("0", "0")
        after = len(api_get(page, "/api/v1/mediation/cases/", page_size=1000)["results"])
        assert after == before


def test_the_refusal_is_in_english_on_an_english_page(demo_site):
    with chromium_page(demo_site.url, locale="en-US") as page:
        log_in(page, "officer", DEMO_PASSWORD)
        open_case_form(page)
        fill_case(page, "Noise at night", "")
        page.fill("#id_case-lon", "0")
        page.fill("#id_case-lat", "0")
        assert submit(page, "case") == 400
        assert page.get_attribute("html", "lang") == "en"
        assert field_errors(page, "case", "lon") == [
            "the location is in no area of your jurisdiction"
        ]
        assert page.input_value("#id_case-summary") == "Noise at night"


def a_new_dispute_incident(page) -> dict:
    """A neighbour-dispute call reported now where one of the officer's incidents was."""
    where = api_get(page, "/api/v1/incidents/", since="2000-01-01T00:00:00Z", page_size=1)
    place = where["results"][0]
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    reported_at = page.evaluate("new Date(Date.now() - 3600e3).toISOString()")
    created = page.request.post(
        "/api/v1/incidents/",
        data={"source_ref": f"entry-test-{reported_at}", "category": "dispute_neighbor",
              "reported_at": reported_at, "lon": place["lon"], "lat": place["lat"],
              "summary": "楼上楼下噪音纠纷"},
        headers={"X-CSRFToken": token},
    )  # fmt: skip
    assert created.status == 201, created.text()
    return created.json()


def test_mediating_an_incident_opens_its_case_and_a_second_time_is_refused(page_as):
    with page_as("officer") as page:
        incident = a_new_dispute_incident(page)
        page.goto("/mediation/")
        page.fill("[data-mediate] input[name=incident]", incident["id"])
        with page.expect_navigation():
            page.click("[data-mediate] button[type=submit]")
        assert page.get_attribute("[data-incident]", "data-incident") == incident["id"]
        assert page.input_value("#id_case-incident") == incident["id"]
        assert page.input_value("#id_case-source") == "call_110"
        assert page.input_value("#id_case-type") == "neighbour"
        assert page.input_value("#id_case-summary") == incident["summary"]
        assert submit(page, "case") == 200
        case = api_get(page, f"/api/v1/mediation/cases/{page.get_attribute('h1', 'data-case')}/")
        assert case["incident"] == incident["id"]
        assert page.get_attribute("[data-incident]", "data-incident") == incident["id"]
        page.goto(f"/mediation/new/?incident={incident['id']}")
        page.fill("#id_case-summary", "再次登记")
        assert submit(page, "case") == 400
        assert field_errors(page, "case", "incident") == ["已有矛盾纠纷案件"]
        assert page.input_value("#id_case-summary") == "再次登记"


def offered_steps(page) -> set[str]:
    return set(page.locator("#id_transition-to option").evaluate_all("o => o.map(x => x.value)"))


def test_a_case_moves_only_along_the_steps_its_status_allows(page_as):
    with page_as("officer") as page:
        case_id = a_case(page)
        assert offered_steps(page) == set(ALLOWED_TRANSITIONS[CaseStatus.SCREENED])
        page.select_option("#id_transition-to", CaseStatus.TRANSFERRED)
        page.fill("#id_transition-note", "转劳动监察处理")
        assert submit(page, "transition") == 400
        assert field_errors(page, "transition", "agency") == ["请选择流转部门"]
        assert page.input_value("#id_transition-to") == CaseStatus.TRANSFERRED
        assert page.input_value("#id_transition-note") == "转劳动监察处理"
        page.select_option("#id_transition-agency", Agency.LABOUR_BUREAU)
        assert submit(page, "transition") == 200
        case = api_get(page, f"/api/v1/mediation/cases/{case_id}/")
        assert (case["status"], case["transferred_to"]) == ("transferred", "labour_bureau")
        assert case["timeline"][-1]["note"] == "转劳动监察处理"
        assert page.get_attribute("h1[data-case]", "data-status") == "transferred"
        assert offered_steps(page) == set(ALLOWED_TRANSITIONS[CaseStatus.TRANSFERRED])
        page.select_option("#id_transition-to", CaseStatus.RESOLVED)
        assert submit(page, "transition") == 200
        assert page.locator('form[data-form="transition"]').count() == 0
        assert page.locator("[data-final]").count() == 1
        timeline = page.locator("#timeline li").evaluate_all("l => l.map(x => x.dataset.to)")
        assert timeline == [step["to_status"] for step in api_get(
            page, f"/api/v1/mediation/cases/{case_id}/")["timeline"]]  # fmt: skip


def test_follow_ups_are_recorded_and_completed_on_the_case_page(page_as):
    with page_as("officer") as page:
        case_id = a_case(page)
        page.fill("#id_follow_up-note", "电话回访双方")
        assert submit(page, "follow_up") == 400
        with translation.override("zh-hans"):
            required = str(forms.Field.default_error_messages["required"])
        assert field_errors(page, "follow_up", "due_at") == [required]
        assert page.input_value("#id_follow_up-note") == "电话回访双方"
        page.fill("#id_follow_up-due_at", "2030-01-15T10:30")
        assert submit(page, "follow_up") == 200
        follow_ups = api_get(page, f"/api/v1/mediation/cases/{case_id}/follow-ups/")
        assert [(f["note"], f["done_at"]) for f in follow_ups] == [("电话回访双方", None)]
        row = page.locator(f'tr[data-follow-up="{follow_ups[0]["id"]}"]')
        assert row.get_attribute("data-done") == "false"
        row.locator("textarea").fill("双方已和解")
        with page.expect_navigation():
            row.locator("button[type=submit]").click()
        done = api_get(page, f"/api/v1/mediation/cases/{case_id}/follow-ups/")[0]
        assert done["outcome"] == "双方已和解" and done["done_at"]
        row = page.locator(f'tr[data-follow-up="{done["id"]}"]')
        assert row.get_attribute("data-done") == "true"
        assert row.locator("[data-outcome]").inner_text() == "双方已和解"
