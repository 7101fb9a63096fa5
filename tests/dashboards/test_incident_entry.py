"""The station officer's incident pages in Chromium: recording an incident by clicking the map,
refusals beside their field in the page's language with every typed value kept, the lifecycle
through the incident's page with the suggested unit, and who may not record or act."""

import re
from contextlib import closing
from datetime import timedelta

import psycopg2
import pytest
from django.utils import timezone, translation
from shapely.geometry import shape

from incidents.ingest.plan import OUTSIDE_JURISDICTION
from incidents.ingest.rows import IN_FUTURE

from ..browser import chromium_page, log_in, save_screenshot
from ..demo_site import DEMO_PASSWORD
from .conftest import api_get

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]

CJK = re.compile(r"[\u4e00-\u9fff]")
FORM = "form[data-form=incident]"
INCIDENT_PAGE = re.compile(r"/incidents/([0-9a-f-]{36})/$")


def site_rows(site, query: str, params=()) -> list[tuple]:
    """Rows of the served site's own database."""
    with closing(psycopg2.connect(site.database_url)) as connection, connection:
        cursor = connection.cursor()
        cursor.execute(query, params)
        return cursor.fetchall() if cursor.description else []


def script_errors(page) -> list[str]:
    """The page's console errors, but the browser's own note of a 400 answer (a refused form
    is answered 400 on purpose)."""
    return [e for e in page.console_errors if "status of 400" not in e]


def in_chinese(message: str) -> str:
    """A service's English message as the Chinese page shows it."""
    with translation.override("zh-hans"):
        shown = translation.gettext(message)
    assert CJK.search(shown), f"{message!r} has no Chinese translation"
    return shown


def local(moment) -> str:
    """A time as the page's datetime-local inputs hold it: the site's local time."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def jurisdiction(page) -> tuple[int, object]:
    """The user's jurisdiction on the entry page: its area id and its shape, from the API."""
    area_id = page.evaluate("SafeCity.config.jurisdiction")
    path = page.evaluate("id => SafeCity.route('area-detail', {pk: id})", area_id)
    geojson = api_get(page, path, format="geojson")
    return area_id, shape(geojson.get("geometry") or geojson)


def click_map_at(page, picker: str, lon: float, lat: float) -> tuple[tuple, tuple]:
    """Click the picker's map where (lon, lat) is drawn: the point of the pixel clicked, and
    the size of a pixel there in degrees (the mouse lands on whole pixels of the viewport,
    the map may start between two)."""
    element = page.locator(f"[data-point-picker={picker}] [data-picker-map]")
    element.locator("xpath=self::*[not(@data-loading)]").wait_for()
    element.scroll_into_view_if_needed()
    box = element.bounding_box()
    x, y = element.evaluate(
        "(el, p) => { const c = el.leafletMap.latLngToContainerPoint([p[1], p[0]]);"
        " return [c.x, c.y]; }",
        [lon, lat],
    )
    at = (round(box["x"] + x), round(box["y"] + y))
    (west, north), (east, south) = element.evaluate(
        "(el, c) => [c, [c[0] + 1, c[1] + 1]].map(q => {"
        " const p = el.leafletMap.containerPointToLatLng(q); return [p.lng, p.lat]; })",
        [at[0] - box["x"], at[1] - box["y"]],
    )
    page.mouse.click(*at)
    return (west, north), (east - west, north - south)


def point_typed(page) -> list[float]:
    return [float(page.input_value(f"{FORM} [name=incident-{name}]")) for name in ("lon", "lat")]


def typed_values(page, form: str) -> dict:
    return page.locator(f"{form} [name]").evaluate_all(
        "fields => Object.fromEntries(fields.filter(f => f.type !== 'hidden')"
        ".map(f => [f.name, f.value]))"
    )


def error_of(page, form: str, field: str) -> str:
    return page.locator(f"{form} [data-field={field}] [data-errors={field}]").inner_text().strip()


def pick_category(page) -> tuple[str, str]:
    """A category below a top-level one, from the picker's tree: its code and label."""
    option = page.locator(f"{FORM} select[name=incident-category] optgroup option").nth(1)
    code, label = option.get_attribute("value"), option.inner_text().strip()
    page.select_option(f"{FORM} select[name=incident-category]", code)
    return code, label


def record_incident(page) -> tuple[str, dict]:
    """Record an incident inside the jurisdiction through the entry page: its public id and
    what was entered."""
    page.goto("/incidents/new/")
    area_id, area = jurisdiction(page)
    inside = area.representative_point()
    code, label = pick_category(page)
    page.fill(f"{FORM} [name=incident-address]", "浦东南路 100 号")
    page.fill(f"{FORM} [name=incident-loss]", "2300.50")
    page.fill(f"{FORM} [name=incident-summary]", "路人报称手机被抢")
    clicked, pixel = click_map_at(page, "incident", inside.x, inside.y)
    entered = typed_values(page, FORM)
    page.click(f"{FORM} button[type=submit]")
    page.wait_for_url(INCIDENT_PAGE)
    public_id = INCIDENT_PAGE.search(page.url).group(1)
    return public_id, {
        "area_id": area_id,
        "category": code,
        "label": label,
        "clicked": clicked,
        "pixel": pixel,
        **entered,
    }


def test_officer_records_an_incident_by_clicking_the_map(page_as, demo_site):
    with page_as("officer") as page:
        page.goto("/incidents/")
        page.click("[data-add-incident]")
        page.wait_for_url("**/incidents/new/")
        public_id, entered = record_incident(page)
        save_screenshot(page, "incident-recorded")

        lon, lat = float(entered["incident-lon"]), float(entered["incident-lat"])
        # The point written is the pixel clicked (to within that pixel).
        (clicked_lon, clicked_lat), (pixel_lon, pixel_lat) = entered["clicked"], entered["pixel"]
        assert abs(lon - clicked_lon) <= pixel_lon and abs(lat - clicked_lat) <= pixel_lat
        [(stored_lon, stored_lat, station, code, loss, summary, reference)] = site_rows(
            demo_site,
            "SELECT i.lon, i.lat, i.station_id, c.code, i.loss, i.summary, i.source_ref"
            " FROM incidents_incident i JOIN incidents_category c ON c.id = i.category_id"
            " WHERE i.public_id = %s",
            [public_id],
        )
        assert (stored_lon, stored_lat) == (lon, lat)
        assert station == entered["area_id"]
        assert code == entered["category"]
        assert str(loss) == entered["incident-loss"]
        assert summary == entered["incident-summary"]
        assert reference in page.locator("[data-messages]").inner_text()
        assert entered["label"] in page.locator("main h1").inner_text()
        detail = api_get(page, f"/api/v1/incidents/{public_id}/")
        assert (detail["lon"], detail["lat"]) == (lon, lat)
        assert page.console_errors == []


def test_dragging_the_marker_moves_the_point(page_as):
    with page_as("officer") as page:
        page.goto("/incidents/new/")
        _, area = jurisdiction(page)
        inside = area.representative_point()
        click_map_at(page, "incident", inside.x, inside.y)
        before = point_typed(page)
        marker = page.locator("[data-point-picker=incident] .leaflet-marker-icon")
        box = marker.bounding_box()
        grip = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.move(*grip)
        page.mouse.down()
        page.mouse.move(grip[0] + 40, grip[1] + 25, steps=8)
        page.mouse.up()
        after = point_typed(page)
        dropped = marker.evaluate(
            "icon => { const map = icon.closest('[data-picker-map]').leafletMap; let at;"
            " map.eachLayer(l => { if (l.getLatLng && l.dragging) at = l.getLatLng(); });"
            " return [at.lng, at.lat]; }"
        )
        assert after == pytest.approx(dropped, abs=1e-6)
        # Dragged east and south: the longitude grew, the latitude shrank.
        assert after[0] > before[0] and after[1] < before[1]
        assert script_errors(page) == []


def test_refused_input_is_shown_beside_its_field_in_chinese_and_kept(page_as):
    with page_as("officer") as page:
        page.goto("/incidents/new/")
        _, area = jurisdiction(page)
        west, _, east, north = area.bounds
        outside = (east + 3 * (east - west), north)
        pick_category(page)
        page.select_option(f"{FORM} [name=incident-source]", "walk_in")
        page.select_option(f"{FORM} [name=incident-priority]", "1")
        page.fill(f"{FORM} [name=incident-reported_at]", local(timezone.now() + timedelta(hours=3)))
        page.fill(f"{FORM} [name=incident-address]", "世纪大道 1 号")
        page.fill(f"{FORM} [name=incident-lon]", f"{outside[0]:.6f}")
        page.fill(f"{FORM} [name=incident-lat]", f"{outside[1]:.6f}")
        page.fill(f"{FORM} [name=incident-money_involved]", "5000")
        page.fill(f"{FORM} [name=incident-loss]", "4999.99")
        page.fill(f"{FORM} [name=incident-arrested]", "2")
        page.fill(f"{FORM} [name=incident-summary]", "报称被骗")
        typed = typed_values(page, FORM)

        posts = []
        page.on(
            "response",
            lambda response: (
                posts.append(response.status) if response.request.method == "POST" else None
            ),
        )
        page.click(f"{FORM} button[type=submit]")
        page.wait_for_selector(f"{FORM} [data-errors=reported_at]")
        assert error_of(page, FORM, "reported_at") == in_chinese(IN_FUTURE)
        assert typed_values(page, FORM) == typed

        # The time put right, the point is the next refusal: outside the jurisdiction.
        page.fill(f"{FORM} [name=incident-reported_at]", local(timezone.now()))
        typed = typed_values(page, FORM)
        page.click(f"{FORM} button[type=submit]")
        page.wait_for_selector(f"{FORM} [data-errors=lon]")
        save_screenshot(page, "incident-entry-refused")
        assert error_of(page, FORM, "lon") == in_chinese(OUTSIDE_JURISDICTION)
        assert page.locator(f"{FORM} [data-errors=reported_at]").count() == 0
        assert typed_values(page, FORM) == typed
        assert posts == [400, 400]
        assert script_errors(page) == []


def test_an_english_page_shows_the_refusals_in_english(demo_site):
    with chromium_page(demo_site.url, locale="en-US") as page:
        log_in(page, "officer", DEMO_PASSWORD)
        page.goto("/incidents/new/")
        assert not CJK.search(page.locator("main h1").inner_text())
        _, area = jurisdiction(page)
        west, _, east, north = area.bounds
        pick_category(page)
        page.fill(f"{FORM} [name=incident-reported_at]", local(timezone.now() + timedelta(hours=3)))
        page.fill(f"{FORM} [name=incident-lon]", f"{east + 3 * (east - west):.6f}")
        page.fill(f"{FORM} [name=incident-lat]", f"{north:.6f}")
        page.click(f"{FORM} button[type=submit]")
        page.wait_for_selector(f"{FORM} [data-errors=reported_at]")
        assert error_of(page, FORM, "reported_at") == IN_FUTURE
        page.fill(f"{FORM} [name=incident-reported_at]", local(timezone.now()))
        page.fill(f"{FORM} [name=incident-loss]", "-1")
        page.click(f"{FORM} button[type=submit]")
        page.wait_for_selector(f"{FORM} [data-errors=loss]")
        # The form's own check, in English too.
        loss_error = error_of(page, FORM, "loss")
        assert loss_error and not CJK.search(loss_error)
        page.fill(f"{FORM} [name=incident-loss]", "")
        page.click(f"{FORM} button[type=submit]")
        page.wait_for_selector(f"{FORM} [data-errors=lon]")
        assert error_of(page, FORM, "lon") == OUTSIDE_JURISDICTION
        assert script_errors(page) == []


def test_the_address_search_fills_the_address_and_the_point(page_as):
    with page_as("officer") as page:
        listed = api_get(page, "/api/v1/incidents/")["results"]
        address = next(row["address"] for row in listed if row["address"] and row["lat"])
        query = address[: max(2, len(address) // 2)]
        page.goto("/incidents/new/")
        expected = api_get(page, page.evaluate("SafeCity.route('incident-places')"), q=query)
        first = expected["results"][0]
        # Addresses of incidents come before area names: the one searched for is among them.
        assert first["kind"] == "address"
        page.fill("[data-place-query]", query)
        page.click("[data-place-search]")
        shown = page.locator("[data-place-results] button")
        shown.first.wait_for()
        assert shown.all_inner_texts() == [place["label"] for place in expected["results"]]
        shown.first.click()
        assert page.input_value(f"{FORM} [name=incident-address]") == first["label"]
        assert float(page.input_value(f"{FORM} [name=incident-lon]")) == pytest.approx(
            first["lon"], abs=1e-6
        )
        assert float(page.input_value(f"{FORM} [name=incident-lat]")) == pytest.approx(
            first["lat"], abs=1e-6
        )
        assert script_errors(page) == []


def test_dispatch_on_scene_and_close_through_the_page_with_the_suggested_unit(page_as, demo_site):
    with page_as("officer") as page:
        public_id, entered = record_incident(page)
        # A unit of the station on patrol beside the incident, seen just now.
        lon, lat = float(entered["incident-lon"]), float(entered["incident-lat"])
        site_rows(
            demo_site,
            "UPDATE patrols_patrolunit SET status = 'on_patrol', last_lon = %s, last_lat = %s,"
            " last_seen_at = now() WHERE id = (SELECT u.id FROM patrols_patrolunit u"
            " JOIN areas_area a ON a.id = %s WHERE u.home_path LIKE a.path || '%%'"
            " ORDER BY u.code LIMIT 1)",
            [lon + 0.001, lat, entered["area_id"]],
        )
        suggested = api_get(page, f"/api/v1/incidents/{public_id}/suggested-units/")["units"]
        assert suggested, "a unit of the station is on patrol beside the incident"
        nearest = suggested[0]["unit"]

        page.goto(f"/incidents/{public_id}/")
        dispatch = "form[data-form=dispatch]"
        assert page.locator(f"{dispatch} select[name=dispatch-unit]").input_value() == nearest
        assert nearest in page.locator(f"{dispatch} [data-field=unit] .help").inner_text()
        save_screenshot(page, "incident-dispatch")
        page.fill(f"{dispatch} [name=dispatch-note]", "请速到现场")
        page.click(f"{dispatch} button[type=submit]")
        for step in ("on_scene", "close"):
            page.locator(f"form[data-form={step}]").wait_for()
            page.click(f"form[data-form={step}] button[type=submit]")
        page.wait_for_selector("[data-timeline] li[data-to=closed]")
        save_screenshot(page, "incident-closed")

        shown = page.locator("[data-timeline] li").evaluate_all(
            "items => items.map(i => i.dataset.to)"
        )
        changes = site_rows(
            demo_site,
            "SELECT c.to_status, c.note FROM incidents_incidentstatuschange c"
            " JOIN incidents_incident i ON i.id = c.incident_id WHERE i.public_id = %s"
            " ORDER BY c.at, c.id",
            [public_id],
        )
        assert [status for status, _ in changes] == ["dispatched", "on_scene", "closed"]
        assert shown == ["reported", *(status for status, _ in changes)]
        assert changes[0][1].startswith(nearest) and changes[0][1].endswith("请速到现场")
        [(status,)] = site_rows(
            demo_site, "SELECT status FROM incidents_incident WHERE public_id = %s", [public_id]
        )
        assert status == "closed"
        # From closed, filing is the only step left.
        offered = page.locator("[data-incident-actions] form.step").evaluate_all(
            "forms => forms.map(f => f.dataset.form)"
        )
        assert offered == ["file"]
        assert page.console_errors == []


def test_a_role_without_the_permission_gets_403_and_no_action_forms(page_as):
    with page_as("commander") as page:
        assert page.goto("/incidents/new/").status == 403
        page.goto("/incidents/?window=365d")
        assert page.locator("[data-add-incident]").count() == 0
        link = page.locator("[data-incident] a").first
        link.click()
        page.wait_for_selector("[data-timeline]")
        assert page.locator("form.entry").count() == 0
        assert page.locator("[data-incident-actions]").count() == 0


def test_an_officer_cannot_act_on_another_districts_incident(page_as, demo_site):
    with page_as("officer") as page:
        page.goto("/incidents/new/")
        area_id = page.evaluate("SafeCity.config.jurisdiction")
        [(public_id, status)] = site_rows(
            demo_site,
            "SELECT i.public_id, i.status FROM incidents_incident i, areas_area station"
            " WHERE station.id = %s AND i.district_id <> station.parent_id"
            " ORDER BY i.id LIMIT 1",
            [area_id],
        )
        url = f"/incidents/{public_id}/"
        assert page.goto(url).status == 404
        token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
        answer = page.request.post(
            url,
            form={"form": "close", "close-at": local(timezone.now())},
            headers={"X-CSRFToken": token},
        )
        assert answer.status == 404
        assert site_rows(
            demo_site, "SELECT status FROM incidents_incident WHERE public_id = %s", [public_id]
        ) == [(status,)]
